ALTER TABLE "social_accounts" ADD COLUMN "creator_info" jsonb;--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "creator_info_at" timestamp with time zone;