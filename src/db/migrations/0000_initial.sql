CREATE SEQUENCE "public"."order_reference_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1001 CACHE 1;--> statement-breakpoint
CREATE TABLE "alerts_sent" (
	"id" serial PRIMARY KEY NOT NULL,
	"order_id" integer NOT NULL,
	"kind" text NOT NULL,
	"threshold" integer NOT NULL,
	"posted_at" timestamp with time zone,
	"slack_channel" text,
	"slack_ts" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"organisation" text,
	"street" text,
	"city" text,
	"state" text,
	"postal_code" text,
	"country" text,
	"phone" text,
	"email" text,
	"expiry_days" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" serial PRIMARY KEY NOT NULL,
	"client_id" integer NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"email" text NOT NULL,
	"phone" text NOT NULL,
	"title" text DEFAULT '' NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_drafts" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"order_id" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"kind" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" serial PRIMARY KEY NOT NULL,
	"reference" text DEFAULT 'SSL-' || nextval('order_reference_seq') NOT NULL,
	"client_id" integer NOT NULL,
	"provider" text NOT NULL,
	"provider_order_id" text,
	"product_id" text NOT NULL,
	"product_name" text NOT NULL,
	"period_months" integer NOT NULL,
	"server_type" text NOT NULL,
	"dcv_method" text NOT NULL,
	"approver_email" text,
	"primary_domain" text NOT NULL,
	"sans" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"addon_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"organisation" text,
	"unit" text,
	"locality" text,
	"state" text,
	"country" text,
	"contact" jsonb NOT NULL,
	"csr" text,
	"encrypted_private_key" text,
	"key_algorithm" text DEFAULT 'rsa-2048' NOT NULL,
	"certificate" text,
	"chain" jsonb,
	"status" text NOT NULL,
	"status_detail" jsonb,
	"dcv_instructions" jsonb,
	"failure_reason" text,
	"cost" text,
	"not_before" timestamp with time zone,
	"not_after" timestamp with time zone,
	"last_checked_at" timestamp with time zone,
	"slack_channel" text,
	"slack_thread_ts" text,
	"slack_message_ts" text,
	"requested_by" text NOT NULL,
	"approved_by" text,
	"renewal_of_id" integer,
	"idempotency_key" text NOT NULL,
	"alerts_snoozed_until" timestamp with time zone,
	"alerts_acknowledged_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_reference_unique" UNIQUE("reference"),
	CONSTRAINT "orders_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "sandbox_authority" (
	"id" integer PRIMARY KEY NOT NULL,
	"certificate_pem" text NOT NULL,
	"encrypted_private_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_orders" (
	"id" serial PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"common_name" text NOT NULL,
	"domains" jsonb NOT NULL,
	"csr" text NOT NULL,
	"period_months" integer NOT NULL,
	"dcv_method" text NOT NULL,
	"approver_email" text,
	"status" text NOT NULL,
	"placed_at" timestamp with time zone NOT NULL,
	"issue_at" timestamp with time zone NOT NULL,
	"certificate_pem" text,
	"chain" jsonb,
	"not_before" timestamp with time zone,
	"not_after" timestamp with time zone,
	"renewal_of" text
);
--> statement-breakpoint
ALTER TABLE "alerts_sent" ADD CONSTRAINT "alerts_sent_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_sent_unique_idx" ON "alerts_sent" USING btree ("order_id","kind","threshold");--> statement-breakpoint
CREATE UNIQUE INDEX "clients_name_lower_idx" ON "clients" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "contacts_client_idx" ON "contacts" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "order_drafts_created_idx" ON "order_drafts" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "order_events_order_idx" ON "order_events" USING btree ("order_id","at");--> statement-breakpoint
CREATE INDEX "orders_status_idx" ON "orders" USING btree ("status");--> statement-breakpoint
CREATE INDEX "orders_status_not_after_idx" ON "orders" USING btree ("status","not_after");--> statement-breakpoint
CREATE INDEX "orders_client_idx" ON "orders" USING btree ("client_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_primary_domain_idx" ON "orders" USING btree ("primary_domain");--> statement-breakpoint
CREATE INDEX "orders_renewal_of_idx" ON "orders" USING btree ("renewal_of_id");--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders" USING btree ("created_at");