CREATE TABLE "acme_accounts" (
	"directory_url" text PRIMARY KEY NOT NULL,
	"account_url" text NOT NULL,
	"encrypted_account_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "acme_orders" (
	"id" serial PRIMARY KEY NOT NULL,
	"directory_url" text NOT NULL,
	"order_url" text NOT NULL,
	"csr" text NOT NULL,
	"dcv_method" text NOT NULL,
	"domains" jsonb NOT NULL,
	"challenges" jsonb NOT NULL,
	"profile" text,
	"replaces" text,
	"status" text NOT NULL,
	"problem" text,
	"certificate_pem" text,
	"chain" jsonb,
	"not_before" timestamp with time zone,
	"not_after" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
