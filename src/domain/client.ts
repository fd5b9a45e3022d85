/** Client accounts and their contacts, as typed, stored and shown. */

/** A contact as typed: every field is text, empty when left blank. */
export interface ContactInput {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title?: string;
}

/** A client as typed (modal or CSV row): every field is text, empty when left blank. */
export interface ClientInput {
  name: string;
  organisation?: string;
  street?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  /** ISO-3166 alpha-2. */
  country: string;
  phone?: string;
  email?: string;
  /** Alert thresholds such as "30,14,7,1"; empty = the global EXPIRY_DAYS. */
  expiryDays?: string;
  /** TLS ports the served-certificate probe connects to, such as "443, 8443"; empty = 443. */
  probePorts?: string;
  /** The first contact, when adding a client; an existing client's contacts are managed one by one. */
  contact?: ContactInput;
}

export type ContactField = keyof ContactInput;
export type ClientField = Exclude<keyof ClientInput, "contact"> | `contact.${ContactField}`;
export type FieldErrors<F extends string> = Partial<Record<F, string>>;

/** A stored client, as views and rules read it. */
export interface ClientRecord {
  id: number;
  name: string;
  organisation: string | null;
  street: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
  phone: string | null;
  email: string | null;
  /** Per-client override of EXPIRY_DAYS; null = the global thresholds. */
  expiryDays: number[] | null;
  /** Ports the served-certificate probe (PROBE_CRON) connects to; null or absent = 443. */
  probePorts?: number[] | null;
}

export interface ContactRecord {
  id: number;
  clientId: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
  isDefault: boolean;
}

/** A client as the list shows it: its record, its default contact and how many contacts it has. */
export interface ClientSummary extends ClientRecord {
  contactCount: number;
  defaultContact: ContactRecord | null;
}

/** "443, 8443", as the client form shows the probe's ports. */
export function formatProbePorts(ports: number[] | null): string {
  return ports ? ports.join(", ") : "";
}

/** "30,14,7,1", as the client form shows per-client thresholds. */
export function formatExpiryDays(days: number[] | null): string {
  return days ? days.join(",") : "";
}
