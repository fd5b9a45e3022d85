ALTER TABLE "orders" ADD COLUMN "renewal_window_start" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "renewal_window_end" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "renewal_window_url" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "renewal_window_check_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "order_events_one_renewal_window_idx" ON "order_events" USING btree ("order_id") WHERE "order_events"."kind" = 'renewal_window_open';