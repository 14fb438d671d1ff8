ALTER TABLE "posts" ADD COLUMN "uploaded_bytes" bigint;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "upload_id" text;--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_upload_id_unique" UNIQUE("upload_id");