CREATE TABLE "ct_sightings" (
	"id" serial PRIMARY KEY NOT NULL,
	"client_id" integer NOT NULL,
	"serial" text NOT NULL,
	"issuer_ca_id" integer NOT NULL,
	"issuer" text NOT NULL,
	"crtsh_id" bigint NOT NULL,
	"entry_ids" jsonb NOT NULL,
	"common_name" text NOT NULL,
	"names" jsonb NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"slack_channel" text,
	"slack_ts" text,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"order_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ct_sightings" ADD CONSTRAINT "ct_sightings_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ct_sightings" ADD CONSTRAINT "ct_sightings_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ct_sightings_client_certificate_idx" ON "ct_sightings" USING btree ("client_id","issuer_ca_id","serial");--> statement-breakpoint
CREATE INDEX "ct_sightings_status_idx" ON "ct_sightings" USING btree ("status");