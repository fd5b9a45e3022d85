CREATE TABLE "domain_validations" (
	"id" serial PRIMARY KEY NOT NULL,
	"domain" text NOT NULL,
	"provider" text NOT NULL,
	"method" text NOT NULL,
	"validated_at" timestamp with time zone NOT NULL,
	"reusable_until" timestamp with time zone NOT NULL,
	"order_id" integer
);
--> statement-breakpoint
ALTER TABLE "domain_validations" ADD CONSTRAINT "domain_validations_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "domain_validations_domain_provider_idx" ON "domain_validations" USING btree ("domain","provider");