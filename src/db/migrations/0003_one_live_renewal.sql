-- An order renewed twice before this rule existed keeps its newest live renewal linked; each older
-- live renewal becomes a stand-alone order (it was bought, so nothing is cancelled), and its history
-- says why. Then no order can have two live renewals.
INSERT INTO "order_events" ("order_id", "actor", "kind", "detail")
  SELECT "id", 'system', 'renewal_unlinked',
    jsonb_build_object('renewalOfId', "renewal_of_id", 'reason', 'a newer renewal of the same order is live')
  FROM (
    SELECT "id", "renewal_of_id", row_number() OVER (PARTITION BY "renewal_of_id" ORDER BY "id" DESC) AS "rank"
    FROM "orders"
    WHERE "renewal_of_id" IS NOT NULL AND "status" IN ('awaiting_approval', 'submitting', 'pending', 'issued')
  ) AS "live"
  WHERE "rank" > 1;--> statement-breakpoint
UPDATE "orders" SET "renewal_of_id" = NULL
  WHERE "id" IN (
    SELECT "id" FROM (
      SELECT "id", row_number() OVER (PARTITION BY "renewal_of_id" ORDER BY "id" DESC) AS "rank"
      FROM "orders"
      WHERE "renewal_of_id" IS NOT NULL AND "status" IN ('awaiting_approval', 'submitting', 'pending', 'issued')
    ) AS "live"
    WHERE "rank" > 1
  );--> statement-breakpoint
CREATE UNIQUE INDEX "orders_one_live_renewal_idx" ON "orders" USING btree ("renewal_of_id") WHERE "orders"."status" in ('awaiting_approval', 'submitting', 'pending', 'issued');
