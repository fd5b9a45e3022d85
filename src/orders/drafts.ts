import { and, eq } from "drizzle-orm";
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
  /** The approver list step 1 showed, so a form that comes back still has it. */
  approvers: z.object({ domain: z.string(), emails: z.array(z.string()) }).optional(),
});
export type OrderDraft = z.infer<typeof orderDraftSchema>;

export async function saveDraft(db: Database, userId: string, draft: OrderDraft, now: Date): Promise<number> {
  const [row] = await db
    .insert(orderDrafts)
    .values({ userId, data: draft, createdAt: now, updatedAt: now })
    .returning({ id: orderDrafts.id });
  if (!row) throw new Error("the order draft could not be stored");
  return row.id;
}

/** A draft belongs to the person who filled it in; anyone else gets nothing. */
export async function loadDraft(db: Database, id: number, userId: string): Promise<OrderDraft | undefined> {
  const [row] = await db
    .select()
    .from(orderDrafts)
    .where(and(eq(orderDrafts.id, id), eq(orderDrafts.userId, userId)));
  const parsed = orderDraftSchema.safeParse(row?.data);
  return parsed.success ? parsed.data : undefined;
}
