import type { Database } from "../../src/db/client.js";
import { createAcmeClient } from "./fixtures.js";
import { insertOrders } from "./orders.js";

const DAY_MS = 86_400_000;

/**
 * Three issued certificates seen from `now`: one inside a longer subscription (expires in 40 days,
 * a reissue due), one at the end of its subscription (expires in 60 days, a renewal due), one
 * beyond the forecast's 26 weeks.
 */
export async function insertForecastCertificates(db: Database, now: Date): Promise<void> {
  const clientId = (await createAcmeClient(db)).id;
  const notAfter = (days: number) => new Date(now.getTime() + days * DAY_MS);
  await insertOrders(db, [
    { clientId, domain: "a.example.com", notAfter: notAfter(40), coverageEndsAt: notAfter(240) },
    { clientId, domain: "b.example.com", notAfter: notAfter(60), coverageEndsAt: notAfter(60) },
    { clientId, domain: "c.example.com", notAfter: notAfter(400), coverageEndsAt: notAfter(400) },
  ]);
}
