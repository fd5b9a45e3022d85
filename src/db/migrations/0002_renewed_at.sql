ALTER TABLE "orders" ADD COLUMN "renewed_at" timestamp with time zone;--> statement-breakpoint
CREATE FUNCTION "orders_mark_renewed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "orders" SET "renewed_at" = now() WHERE "id" = NEW."renewal_of_id" AND "renewed_at" IS NULL;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "orders_mark_renewed" AFTER INSERT OR UPDATE OF "status" ON "orders"
  FOR EACH ROW WHEN (NEW."status" = 'issued' AND NEW."renewal_of_id" IS NOT NULL)
  EXECUTE FUNCTION "orders_mark_renewed"();
--> statement-breakpoint
UPDATE "orders" AS "original" SET "renewed_at" = "renewal"."updated_at"
  FROM "orders" AS "renewal"
  WHERE "renewal"."renewal_of_id" = "original"."id" AND "renewal"."status" = 'issued' AND "original"."renewed_at" IS NULL;
