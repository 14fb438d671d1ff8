CREATE TABLE "tiktok_call_budget" (
	"social_account_id" uuid NOT NULL,
	"endpoint" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "tiktok_call_budget_social_account_id_endpoint_window_start_pk" PRIMARY KEY("social_account_id","endpoint","window_start")
);
--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "relay_heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tiktok_call_budget" ADD CONSTRAINT "tiktok_call_budget_social_account_id_social_accounts_id_fk" FOREIGN KEY ("social_account_id") REFERENCES "public"."social_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "posts_unsettled" ON "posts" USING btree ("local_status") WHERE local_status in ('initializing', 'uploading', 'processing');