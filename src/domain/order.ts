/**
 * The words an order is described in, shared by the database schema, the providers, the order rules
 * and the views. Types and constants only.
 */

export const ORDER_STATUSES = [
  "awaiting_approval",
  "submitting",
  "pending",
  "issued",
  "rejected",
  "failed",
  "cancelled",
  "expired",
  /** Its certificate was revoked through certdesk (an approver's decision): never polled, no expiry alerts. */
  "revoked",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** A renewal in one of these still counts: its original cannot be renewed again meanwhile. */
export const LIVE_RENEWAL_STATUSES: OrderStatus[] = ["awaiting_approval", "submitting", "pending", "issued"];

/** The person the provider contacts about an order, as it was when ordered. */
export interface ContactSnapshot {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
}

/** The provider's own detailed status, kept for the Details' Status tab. */
export interface ProviderStatusDetail {
  lines: string[];
  domains: { domain: string; method?: string; state: string }[];
}

/** One line of "List SSL Certs": only what a list shows, never key material or certificates. */
export interface OrderListEntry {
  id: number;
  reference: string;
  clientId: number;
  clientName: string;
  primaryDomain: string;
  sans: string[];
  productName: string;
  provider: string;
  status: OrderStatus;
  notAfter: Date | null;
  /** The subscription's end, shown beside the certificate's expiry when it outlives it. */
  coverageEndsAt: Date | null;
  createdAt: Date;
}

/** The parts of an order a rule or a provider can refuse; forms show the message on that field. */
export type OrderField =
  | "client"
  | "domain"
  | "sans"
  | "approverEmail"
  | "product"
  | "period"
  | "serverType"
  | "addons"
  | "dcvMethod"
  | "csr"
  | "organisation"
  | "country"
  | "contact"
  | "order";

/**
 * Why a `submission_unknown` event was recorded by the poller rather than by a placement: the order
 * has been `submitting` too long without a provider order number, and a person must look.
 */
export const STUCK_SUBMISSION_REASON = "stuck_submitting";
