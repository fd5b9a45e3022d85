import { and, eq, lt } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client.js";
import { orderDrafts } from "../db/schema.js";

/** Step 1 of the order form, validated and normalised, waiting for the contact step. */
export const orderDraftSchema = z.object({
  clientId: z.number().int(),
  providerId: z.string(),
  productId: z.string(),
  periodMonths: z.number().int(),
  serverTypeId: z.string(),
  dcvMethod: z.enum(["email", "http", "dns"]),
  approverEmail: z.string().optional(),
  primaryDomain: z.string(),
  sans: z.array(z.string()),
  addonIds: z.array(z.string()),
  organisation: z.object({
    name: z.string().optional(),
    unit: z.string().optional(),
    locality: z.string().optional(),
    state: z.string().optional(),
    country: z.string().optional(),
  }),
  channelId: z.string(),
  /** The raw form values, to rebuild step 1 exactly as typed when the provider refuses. */
  form: z.record(z.string(), z.unknown()),
  renewalOfId: z.number().int().optional(),
  /** The client's checked PEM CSR: certdesk makes no key for this order. */
  clientCsr: z.string().optional(),
  /** The approver list step 1 showed, so a form that comes back still has it. */
  approvers: z.object({ domain: z.string(), emails: z.array(z.string()) }).optional(),
});
export type OrderDraft = z.infer<typeof orderDraftSchema>;

/** A checked renewal form, waiting on its review step; its id makes the renewal's idempotency key. */
export const renewalDraftSchema = z.object({
  kind: z.literal("renewal"),
  orderId: z.number().int(),
  channelId: z.string(),
  periodMonths: z.number().int(),
  serverTypeId: z.string(),
  dcvMethod: z.enum(["email", "http", "dns"]),
  approverEmail: z.string().optional(),
  contact: z.object({
    firstName: z.string(),
    lastName: z.string(),
    email: z.string(),
    phone: z.string(),
    title: z.string(),
  }),
  /** Keep the original's key and CSR; otherwise (the default) a new key pair is made. */
  keepKey: z.boolean().optional(),
  /** The client's checked PEM CSR: certdesk makes no key for the renewal. */
  clientCsr: z.string().optional(),
  /** The approver list the form showed, so "Change something" brings it back as it was. */
  approvers: z.object({ domain: z.string(), emails: z.array(z.string()) }).optional(),
});
export type RenewalDraft = z.infer<typeof renewalDraftSchema>;

async function save(db: Database, userId: string, data: Record<string, unknown>, now: Date): Promise<number> {
  const [row] = await db
    .insert(orderDrafts)
    .values({ userId, data, createdAt: now, updatedAt: now })
    .returning({ id: orderDrafts.id });
  if (!row) throw new Error("the draft could not be stored");
  return row.id;
}

/** A draft belongs to the person who filled it in; anyone else gets nothing. */
async function load<T>(
  db: Database,
  id: number,
  userId: string,
  schema: z.ZodType<T>,
): Promise<T | undefined> {
  const [row] = await db
    .select()
    .from(orderDrafts)
    .where(and(eq(orderDrafts.id, id), eq(orderDrafts.userId, userId)));
  const parsed = schema.safeParse(row?.data);
  return parsed.success ? parsed.data : undefined;
}

export const saveDraft = (db: Database, userId: string, draft: OrderDraft, now: Date) =>
  save(db, userId, draft, now);
export const loadDraft = (db: Database, id: number, userId: string) => load(db, id, userId, orderDraftSchema);
export const saveRenewalDraft = (db: Database, userId: string, draft: RenewalDraft, now: Date) =>
  save(db, userId, draft, now);
export const loadRenewalDraft = (db: Database, id: number, userId: string) =>
  load(db, id, userId, renewalDraftSchema);

const DRAFT_LIFETIME_MS = 24 * 60 * 60_000;

/** Drafts of forms nobody finished (the expiry scan's clean-up): a modal does not stay open for a day. */
export async function deleteStaleDrafts(db: Database, now: Date): Promise<number> {
  const deleted = await db
    .delete(orderDrafts)
    .where(lt(orderDrafts.updatedAt, new Date(now.getTime() - DRAFT_LIFETIME_MS)))
    .returning({ id: orderDrafts.id });
  return deleted.length;
}
