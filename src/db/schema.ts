import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { CertificateReason, CertificateStatus, KeySource } from "../domain/certificate.js";
import type { CtSightingStatus } from "../domain/ct.js";
import type { DcvInstruction } from "../domain/dcv.js";
import type { ContactSnapshot, OrderStatus, ProviderStatusDetail } from "../domain/order.js";
import type { ServedStatus } from "../domain/served.js";

/**
 * The whole product's schema. Slack timestamps (ts) are text: as floats they lose precision.
 * Lists and snapshots are jsonb so PGlite and PostgreSQL store them the same way.
 */

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

export const clients = pgTable(
  "clients",
  {
    id: serial("id").primaryKey(),
    name: text("name").notNull(),
    organisation: text("organisation"),
    street: text("street"),
    city: text("city"),
    state: text("state"),
    postalCode: text("postal_code"),
    /** ISO-3166 alpha-2. */
    country: text("country"),
    phone: text("phone"),
    email: text("email"),
    /** Per-client override of EXPIRY_DAYS; null = the global thresholds. */
    expiryDays: jsonb("expiry_days").$type<number[]>(),
    /** The TLS ports the served-certificate probe (PROBE_CRON) connects to; null = [443]. */
    probePorts: jsonb("probe_ports").$type<number[]>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [uniqueIndex("clients_name_lower_idx").on(sql`lower(${table.name})`)],
);

export const contacts = pgTable(
  "contacts",
  {
    id: serial("id").primaryKey(),
    clientId: integer("client_id")
      .notNull()
      .references(() => clients.id, { onDelete: "cascade" }),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    email: text("email").notNull(),
    phone: text("phone").notNull(),
    title: text("title").notNull().default(""),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: createdAt(),
  },
  (table) => [index("contacts_client_idx").on(table.clientId)],
);

export const orderReferenceSeq = pgSequence("order_reference_seq", { startWith: 1001 });

export const orders = pgTable(
  "orders",
  {
    id: serial("id").primaryKey(),
    reference: text("reference").notNull().unique().default(sql`'SSL-' || nextval('order_reference_seq')`),
    clientId: integer("client_id")
      .notNull()
      .references(() => clients.id),
    provider: text("provider").notNull(),
    providerOrderId: text("provider_order_id"),
    productId: text("product_id").notNull(),
    productName: text("product_name").notNull(),
    periodMonths: integer("period_months").notNull(),
    serverType: text("server_type").notNull(),
    dcvMethod: text("dcv_method").notNull(),
    approverEmail: text("approver_email"),
    primaryDomain: text("primary_domain").notNull(),
    sans: jsonb("sans").$type<string[]>().notNull().default([]),
    addonIds: jsonb("addon_ids").$type<string[]>().notNull().default([]),
    organisation: text("organisation"),
    unit: text("unit"),
    locality: text("locality"),
    state: text("state"),
    country: text("country"),
    contact: jsonb("contact").$type<ContactSnapshot>().notNull(),
    csr: text("csr"),
    /** Vault ciphertext (AES-256-GCM, key id inside); the only column a private key may reach. */
    encryptedPrivateKey: text("encrypted_private_key"),
    keyAlgorithm: text("key_algorithm").notNull().default("rsa-2048"),
    certificate: text("certificate"),
    chain: jsonb("chain").$type<string[]>(),
    status: text("status").$type<OrderStatus>().notNull(),
    statusDetail: jsonb("status_detail").$type<ProviderStatusDetail>(),
    dcvInstructions: jsonb("dcv_instructions").$type<DcvInstruction[]>(),
    failureReason: text("failure_reason"),
    /** What the person was shown before buying ("8.95 USD"), from the provider's list prices; null = not available. */
    quotedPrice: text("quoted_price"),
    /** What the provider said it charged, once placed. */
    cost: text("cost"),
    notBefore: timestamp("not_before", { withTimezone: true }),
    notAfter: timestamp("not_after", { withTimezone: true }),
    lastCheckedAt: timestamp("last_checked_at", { withTimezone: true }),
    slackChannel: text("slack_channel"),
    slackThreadTs: text("slack_thread_ts"),
    slackMessageTs: text("slack_message_ts"),
    requestedBy: text("requested_by").notNull(),
    approvedBy: text("approved_by"),
    renewalOfId: integer("renewal_of_id"),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    alertsSnoozedUntil: timestamp("alerts_snoozed_until", { withTimezone: true }),
    alertsAcknowledgedBy: text("alerts_acknowledged_by"),
    /**
     * When an issued renewal replaced this certificate (its alerts stop). Kept by the trigger in
     * migration 0002 rather than by the code, so every way a renewal becomes issued sets it, and the
     * expiry scan reads a column instead of probing for renewals once per certificate. It stays set
     * if the renewal is later revoked or expires: the client moved to the new certificate.
     */
    renewedAt: timestamp("renewed_at", { withTimezone: true }),
    /**
     * The end of what was bought (the subscription): reissues are free until then. Set with the
     * first certificate, from the provider where it says, else its not-before plus the period.
     */
    coverageEndsAt: timestamp("coverage_ends_at", { withTimezone: true }),
    /**
     * When to renew the current certificate, where its CA says (ACME Renewal Information, RFC 9773)
     * or by two thirds of its lifetime (domain/renewal-window.ts); null for orders renewed by the
     * expiry thresholds (resellers). The expiry scan leaves orders with a window to the window job.
     */
    renewalWindowStart: timestamp("renewal_window_start", { withTimezone: true }),
    renewalWindowEnd: timestamp("renewal_window_end", { withTimezone: true }),
    /** The CA's explanation of its window (a mass revocation), shown in the thread. */
    renewalWindowUrl: text("renewal_window_url"),
    /** When to ask the CA for the window again (its Retry-After, kept between an hour and a day; 6 hours without one). */
    renewalWindowCheckAt: timestamp("renewal_window_check_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index("orders_status_idx").on(table.status),
    index("orders_status_not_after_idx").on(table.status, table.notAfter),
    index("orders_client_idx").on(table.clientId, table.createdAt),
    index("orders_primary_domain_idx").on(table.primaryDomain),
    index("orders_renewal_of_idx").on(table.renewalOfId),
    // One renewal at a time: a second renewal of an order whose renewal is still alive (waiting,
    // being placed, validating or issued) cannot be stored, whichever replica tries.
    uniqueIndex("orders_one_live_renewal_idx")
      .on(table.renewalOfId)
      .where(sql`${table.status} in ('awaiting_approval', 'submitting', 'pending', 'issued')`),
    index("orders_created_idx").on(table.createdAt),
  ],
);

/**
 * Each certificate of an order (an issuance): the first one, then each reissue. The order row keeps
 * a copy of its current certificate (csr, key, certificate, chain, dates: the columns the expiry
 * scan and Details read); orders/certificates.ts is the one place that writes both.
 */
export const certificates = pgTable(
  "certificates",
  {
    id: serial("id").primaryKey(),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    /** 1 for the order's first certificate, then 2, 3… ("SSL-1042 · certificate 2"). */
    number: integer("number").notNull(),
    reason: text("reason").$type<CertificateReason>().notNull(),
    status: text("status").$type<CertificateStatus>().notNull(),
    /** Slack user ID, or "system" for an automatic reissue. */
    requestedBy: text("requested_by").notNull(),
    approvedBy: text("approved_by"),
    keySource: text("key_source").$type<KeySource>().notNull().default("generated"),
    keyAlgorithm: text("key_algorithm"),
    csr: text("csr"),
    /** Vault ciphertext; null when the client supplied the CSR and keeps the key. */
    encryptedPrivateKey: text("encrypted_private_key"),
    domains: jsonb("domains").$type<string[]>().notNull(),
    dcvMethod: text("dcv_method").notNull(),
    approverEmail: text("approver_email"),
    dcvInstructions: jsonb("dcv_instructions").$type<DcvInstruction[]>(),
    certificate: text("certificate"),
    chain: jsonb("chain").$type<string[]>(),
    /** Hex, upper case, as openssl prints it. */
    serial: text("serial"),
    notBefore: timestamp("not_before", { withTimezone: true }),
    notAfter: timestamp("not_after", { withTimezone: true }),
    failureReason: text("failure_reason"),
    /** Submissions of one reissue form: a double click or Slack retry finds this row. */
    idempotencyKey: text("idempotency_key").unique(),
    createdAt: createdAt(),
    issuedAt: timestamp("issued_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("certificates_order_number_idx").on(table.orderId, table.number),
    // One reissue at a time per order, whichever replica or person asks.
    uniqueIndex("certificates_one_open_reissue_idx")
      .on(table.orderId)
      .where(sql`${table.status} in ('awaiting_approval', 'submitting', 'pending')`),
  ],
);

/**
 * The last validation of each domain at each provider: when, how, and until when the CA may reuse
 * it (the provider's answer where it gives one, else the CA/Browser Forum maximum for that date).
 * Recorded when a certificate for the domain is issued; read by the reissue and renewal forms.
 */
export const domainValidations = pgTable(
  "domain_validations",
  {
    id: serial("id").primaryKey(),
    /** ASCII (punycode), lower case, as orders store it. */
    domain: text("domain").notNull(),
    provider: text("provider").notNull(),
    method: text("method").notNull(),
    validatedAt: timestamp("validated_at", { withTimezone: true }).notNull(),
    reusableUntil: timestamp("reusable_until", { withTimezone: true }).notNull(),
    /** The order whose certificate proved it. */
    orderId: integer("order_id").references(() => orders.id, { onDelete: "set null" }),
  },
  (table) => [uniqueIndex("domain_validations_domain_provider_idx").on(table.domain, table.provider)],
);

export const orderEvents = pgTable(
  "order_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** Slack user ID, or "system" / "provider" for automatic changes. */
    actor: text("actor").notNull(),
    kind: text("kind").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [
    index("order_events_order_idx").on(table.orderId, table.at),
    // An order stuck in validation is told so once, whichever app instance notices first: the
    // insert that loses (ON CONFLICT DO NOTHING) is how a second instance learns it was told.
    uniqueIndex("order_events_one_stuck_idx")
      .on(table.orderId)
      .where(sql`${table.kind} = 'validation_stuck'`),
    // Likewise a certificate's renewal window is told (or its automatic renewal placed) once.
    uniqueIndex("order_events_one_renewal_window_idx")
      .on(table.orderId)
      .where(sql`${table.kind} = 'renewal_window_open'`),
    // What the served-certificate probe finds is told once per certificate and problem
    // (not served, expires sooner, incomplete chain), whichever replica probes.
    uniqueIndex("order_events_one_served_problem_idx")
      .on(table.orderId, sql`(${table.detail}->>'certificateId')`, sql`(${table.detail}->>'problem')`)
      .where(sql`${table.kind} = 'served_problem'`),
  ],
);

/**
 * The served-certificate probe's last look (PROBE_CRON) at each name and port of a certificate:
 * what the server presented there, compared with the certificate certdesk holds. One row per
 * (certificate, name, port), replaced by each probe; Details and App Home read it.
 */
export const servedProbes = pgTable(
  "served_probes",
  {
    id: serial("id").primaryKey(),
    certificateId: integer("certificate_id")
      .notNull()
      .references(() => certificates.id, { onDelete: "cascade" }),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    port: integer("port").notNull(),
    status: text("status").$type<ServedStatus>().notNull(),
    /** Our certificate is served, but without an intermediate of its chain. */
    chainIncomplete: boolean("chain_incomplete").notNull().default(false),
    /** What was served instead of ours (different certificate): its serial and end. */
    servedSerial: text("served_serial"),
    servedNotAfter: timestamp("served_not_after", { withTimezone: true }),
    /** Why nothing was served (no address, refused, timed out), in words. */
    message: text("message"),
    checkedAt: timestamp("checked_at", { withTimezone: true }).notNull(),
  },
  (table) => [
    uniqueIndex("served_probes_target_idx").on(table.certificateId, table.name, table.port),
    index("served_probes_order_idx").on(table.orderId),
  ],
);

/**
 * Every refused action (SSL_ORDERERS, SSL_APPROVERS, self-approval) in one audit, including those
 * with no order to hang an order event on (ordering, client edits).
 */
export const accessRefusals = pgTable(
  "access_refusals",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** Slack user ID of whoever was refused. */
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    /** What was acted on ("SSL-1042", "client 7", a domain), or null when nothing exists yet. */
    subject: text("subject"),
    reason: text("reason").notNull(),
  },
  (table) => [index("access_refusals_at_idx").on(table.at)],
);

export const alertsSent = pgTable(
  "alerts_sent",
  {
    id: serial("id").primaryKey(),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    threshold: integer("threshold").notNull(),
    /** Null until Slack accepted the post: a crash between insert and post is retried. */
    postedAt: timestamp("posted_at", { withTimezone: true }),
    slackChannel: text("slack_channel"),
    slackTs: text("slack_ts"),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("alerts_sent_unique_idx").on(table.orderId, table.kind, table.threshold)],
);

/** Step 1 of the order modal, kept server-side: private_metadata holds only 3000 characters. */
export const orderDrafts = pgTable(
  "order_drafts",
  {
    id: serial("id").primaryKey(),
    userId: text("user_id").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index("order_drafts_created_idx").on(table.createdAt)],
);

/** The built-in sandbox provider's own records: restart-safe like a real CA's. */
export const sandboxAuthority = pgTable("sandbox_authority", {
  id: integer("id").primaryKey(),
  certificatePem: text("certificate_pem").notNull(),
  encryptedPrivateKey: text("encrypted_private_key").notNull(),
  createdAt: createdAt(),
});

export const sandboxOrders = pgTable("sandbox_orders", {
  id: serial("id").primaryKey(),
  productId: text("product_id").notNull(),
  commonName: text("common_name").notNull(),
  domains: jsonb("domains").$type<string[]>().notNull(),
  csr: text("csr").notNull(),
  periodMonths: integer("period_months").notNull(),
  dcvMethod: text("dcv_method").notNull(),
  approverEmail: text("approver_email"),
  status: text("status").notNull(),
  placedAt: timestamp("placed_at", { withTimezone: true }).notNull(),
  issueAt: timestamp("issue_at", { withTimezone: true }).notNull(),
  certificatePem: text("certificate_pem"),
  chain: jsonb("chain").$type<string[]>(),
  notBefore: timestamp("not_before", { withTimezone: true }),
  notAfter: timestamp("not_after", { withTimezone: true }),
  renewalOf: text("renewal_of"),
  /** Set at the first issue: reissues never go past it. */
  coverageEndsAt: timestamp("coverage_ends_at", { withTimezone: true }),
  /** Certificates issued on this order (reissues included). */
  issuedCount: integer("issued_count").notNull().default(0),
});

/**
 * The acme provider's account at each directory it used: made once, its key kept encrypted by the
 * vault (an ACME account is its key: a new key is a new account, losing its orders and rate limits).
 */
export const acmeAccounts = pgTable("acme_accounts", {
  directoryUrl: text("directory_url").primaryKey(),
  accountUrl: text("account_url").notNull(),
  encryptedAccountKey: text("encrypted_account_key").notNull(),
  createdAt: createdAt(),
});

/**
 * What the acme provider keeps of each ACME order (its "provider order" ACME-<id>): the CA's order
 * URL, the CSR to finalize with, each domain's challenge, and the certificate once downloaded.
 */
export const acmeOrders = pgTable("acme_orders", {
  id: serial("id").primaryKey(),
  directoryUrl: text("directory_url").notNull(),
  orderUrl: text("order_url").notNull(),
  csr: text("csr").notNull(),
  dcvMethod: text("dcv_method").notNull(),
  domains: jsonb("domains").$type<string[]>().notNull(),
  /** Per domain: its authorization and the challenge of the order's method (token, key authorization). */
  challenges: jsonb("challenges").$type<AcmeChallengeRecord[]>().notNull(),
  profile: text("profile"),
  /** RFC 9773 certID of the certificate this order replaces, as sent in `replaces`. */
  replaces: text("replaces"),
  status: text("status").notNull(),
  /** The CA's problem document in plain words, when validation or finalization failed. */
  problem: text("problem"),
  certificatePem: text("certificate_pem"),
  chain: jsonb("chain").$type<string[]>(),
  notBefore: timestamp("not_before", { withTimezone: true }),
  notAfter: timestamp("not_after", { withTimezone: true }),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export interface AcmeChallengeRecord {
  domain: string;
  authorizationUrl: string;
  challengeUrl?: string;
  type?: string;
  token?: string;
  keyAuthorization?: string;
  /** The CA had a valid authorization for the domain already (reused): nothing to publish. */
  alreadyValid?: boolean;
}

/**
 * Certificate Transparency watch (CT_CRON): each certificate certdesk did not order that the CT
 * search service listed for a client's domain, once per client, serial and CA. The row is written
 * before the post ("new") and gets its Slack ts once Slack accepted it ("posted"), so a post that
 * failed is made by the next run and none is made twice; Import and Ignore settle it for good.
 */
export const ctSightings = pgTable(
  "ct_sightings",
  {
    id: serial("id").primaryKey(),
    clientId: integer("client_id")
      .notNull()
      .references(() => clients.id, { onDelete: "cascade" }),
    /** Upper-case hex without leading zeros (domain/ct.ts normaliseSerial). */
    serial: text("serial").notNull(),
    /** The search service's id of the issuing CA (crt.sh's issuer_ca_id) and its name. */
    issuerCaId: integer("issuer_ca_id").notNull(),
    issuer: text("issuer").notNull(),
    /** The service's entry ids (crt.sh's `id`, `?d=<id>` serves the PEM), newest first. */
    crtshId: bigint("crtsh_id", { mode: "number" }).notNull(),
    entryIds: jsonb("entry_ids").$type<number[]>().notNull(),
    commonName: text("common_name").notNull(),
    names: jsonb("names").$type<string[]>().notNull(),
    notBefore: timestamp("not_before", { withTimezone: true }).notNull(),
    notAfter: timestamp("not_after", { withTimezone: true }).notNull(),
    status: text("status").$type<CtSightingStatus>().notNull().default("new"),
    slackChannel: text("slack_channel"),
    slackTs: text("slack_ts"),
    /** Slack user ID of whoever pressed Import or Ignore, and when. */
    resolvedBy: text("resolved_by"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    /** The order Import made (or found: certdesk already tracked it). */
    orderId: integer("order_id").references(() => orders.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("ct_sightings_client_certificate_idx").on(table.clientId, table.issuerCaId, table.serial),
    index("ct_sightings_status_idx").on(table.status),
  ],
);
