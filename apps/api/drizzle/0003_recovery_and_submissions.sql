ALTER TABLE "idempotency_keys" ADD COLUMN "submission_id" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "owner_instance" text;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "follow_ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "owner_instance" text;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "submission_id" uuid;--> statement-breakpoint
CREATE INDEX "posts_submission" ON "posts" USING btree ("submission_id") WHERE submission_id is not null;