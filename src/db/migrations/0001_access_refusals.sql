CREATE TABLE "access_refusals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject" text,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "access_refusals_at_idx" ON "access_refusals" USING btree ("at");