CREATE TABLE "certificates" (
	"id" serial PRIMARY KEY NOT NULL,
	"order_id" integer NOT NULL,
	"number" integer NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"requested_by" text NOT NULL,
	"approved_by" text,
	"key_source" text DEFAULT 'generated' NOT NULL,
	"key_algorithm" text,
	"csr" text,
	"encrypted_private_key" text,
	"domains" jsonb NOT NULL,
	"dcv_method" text NOT NULL,
	"approver_email" text,
	"dcv_instructions" jsonb,
	"certificate" text,
	"chain" jsonb,
	"serial" text,
	"not_before" timestamp with time zone,
	"not_after" timestamp with time zone,
	"failure_reason" text,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"issued_at" timestamp with time zone,
	CONSTRAINT "certificates_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "coverage_ends_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sandbox_orders" ADD COLUMN "coverage_ends_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sandbox_orders" ADD COLUMN "issued_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_order_number_idx" ON "certificates" USING btree ("order_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_one_open_reissue_idx" ON "certificates" USING btree ("order_id") WHERE "certificates"."status" in ('awaiting_approval', 'submitting', 'pending');--> statement-breakpoint
-- Each order that got a certificate becomes an order with one certificate (its key, CSR, validation
-- and history kept); its subscription ends the period after that certificate's start. Serials are
-- read from the PEM by orders/certificates.ts the first time the certificate is listed.
INSERT INTO "certificates" ("order_id", "number", "reason", "status", "requested_by", "approved_by",
  "key_source", "key_algorithm", "csr", "encrypted_private_key", "domains", "dcv_method", "approver_email",
  "dcv_instructions", "certificate", "chain", "not_before", "not_after", "created_at", "issued_at")
SELECT "id", 1, CASE WHEN "renewal_of_id" IS NULL THEN 'initial' ELSE 'renewal' END, 'issued', "requested_by",
  "approved_by", 'generated', "key_algorithm", "csr", "encrypted_private_key",
  jsonb_build_array("primary_domain") || "sans", "dcv_method", "approver_email", "dcv_instructions",
  "certificate", "chain", "not_before", "not_after", "created_at", "not_before"
FROM "orders" WHERE "certificate" IS NOT NULL;
--> statement-breakpoint
UPDATE "orders" SET "coverage_ends_at" =
  (("not_before" AT TIME ZONE 'UTC') + make_interval(months => "period_months")) AT TIME ZONE 'UTC'
WHERE "certificate" IS NOT NULL AND "not_before" IS NOT NULL;
--> statement-breakpoint
UPDATE "sandbox_orders" SET "coverage_ends_at" =
  (("not_before" AT TIME ZONE 'UTC') + make_interval(months => "period_months")) AT TIME ZONE 'UTC',
  "issued_count" = 1
WHERE "certificate_pem" IS NOT NULL AND "not_before" IS NOT NULL;
