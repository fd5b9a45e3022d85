CREATE TABLE "served_probes" (
	"id" serial PRIMARY KEY NOT NULL,
	"certificate_id" integer NOT NULL,
	"order_id" integer NOT NULL,
	"name" text NOT NULL,
	"port" integer NOT NULL,
	"status" text NOT NULL,
	"chain_incomplete" boolean DEFAULT false NOT NULL,
	"served_serial" text,
	"served_not_after" timestamp with time zone,
	"message" text,
	"checked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "probe_ports" jsonb;--> statement-breakpoint
ALTER TABLE "served_probes" ADD CONSTRAINT "served_probes_certificate_id_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "public"."certificates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "served_probes" ADD CONSTRAINT "served_probes_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "served_probes_target_idx" ON "served_probes" USING btree ("certificate_id","name","port");--> statement-breakpoint
CREATE INDEX "served_probes_order_idx" ON "served_probes" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "order_events_one_served_problem_idx" ON "order_events" USING btree ("order_id",("detail"->>'certificateId'),("detail"->>'problem')) WHERE "order_events"."kind" = 'served_problem';