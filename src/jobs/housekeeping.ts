import { lt } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { orderDrafts } from "../db/schema.js";

const DRAFT_LIFETIME_MS = 24 * 60 * 60_000;

/** Step-1 drafts of order forms nobody finished: a modal does not stay open for a day. */
export async function deleteStaleDrafts(db: Database, now: Date): Promise<number> {
  const deleted = await db
    .delete(orderDrafts)
    .where(lt(orderDrafts.updatedAt, new Date(now.getTime() - DRAFT_LIFETIME_MS)))
    .returning({ id: orderDrafts.id });
  return deleted.length;
}
