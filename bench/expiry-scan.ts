/**
 * The due-alert query (findDueCertificates) over 1,000,000 orders in PostgreSQL: target < 0.5 s,
 * with the time following the number of certificates near expiry, not the size of the table.
 * Scenarios: few due (100), many due (50,000), and the same 50,000 once alerted (steady state),
 * each with EXPLAIN ANALYZE of the main query. Uses a fresh database on TEST_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test), dropped afterwards.
 * Run: npx tsx bench/expiry-scan.ts [orders=1000000]
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "../src/db/client.js";
import * as schema from "../src/db/schema.js";
import { findDueCertificates } from "../src/orders/expiry.js";

process.env.TEST_DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/test";
const { createTestDatabase } = await import("../test/support/database.js");
const { createAcmeClient } = await import("../test/support/fixtures.js");

const total = Number(process.argv[2] ?? 1_000_000);
const MANY = 50_000;
const thresholds = [30, 14, 7, 1];
const now = new Date("2026-11-27T09:00:00Z");
const at = now.toISOString();

const database = await createTestDatabase();
// A client of our own that remembers the last statement, to EXPLAIN exactly what the scan sends.
let last: { query: string; params: unknown[] } | undefined;
const traced = postgres(database.url ?? "", {
  max: 2,
  onnotice: () => {},
  debug: (_connection, query, params) => {
    if (query.includes("jsonb_array_elements_text")) last = { query, params: params as unknown[] };
  },
});
const db = drizzle(traced, { schema }) as unknown as Database;

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  console.log(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

try {
  const clientId = (await createAcmeClient(database.db)).id;
  // Certificates spread over 4 years of history and the coming year, none near expiry yet; one in
  // ten orders never issued. The window the scan reads (30 days back, 30 ahead) starts empty.
  await timed(`seeded ${total.toLocaleString("en")} orders`, () =>
    traced.unsafe(
      `insert into orders (client_id, provider, provider_order_id, product_id, product_name, period_months,
         server_type, dcv_method, primary_domain, contact, status, requested_by, idempotency_key, not_after)
       select $1, 'sectigo', g::text, '287', 'PositiveSSL', 12, '-1', 'email', 'host' || g || '.example.com',
         '{"firstName":"Jane","lastName":"Doe","email":"j@example.com","phone":"1","title":""}',
         case when g % 10 = 0 then 'failed' else 'issued' end, 'U0BENCH', 'bench-' || g,
         case when g % 5 = 0 then $2::timestamptz + make_interval(days => 31 + g % 330)
              else $2::timestamptz - make_interval(days => 31 + g % 1400) end
       from generate_series(1, $3) g`,
      [clientId, at, total],
    ),
  );
  await traced.unsafe(`analyze orders`);

  async function scenario(label: string): Promise<void> {
    const runs: number[] = [];
    let due = 0;
    for (let run = 0; run < 5; run += 1) {
      const started = performance.now();
      due = (await findDueCertificates(db, { now, thresholds })).length;
      runs.push(performance.now() - started);
    }
    runs.sort((a, b) => a - b);
    console.log(
      `\n== ${label}: ${due.toLocaleString("en")} due; findDueCertificates median ${runs[2]?.toFixed(0)} ms ` +
        `(min ${runs[0]?.toFixed(0)}, max ${runs[4]?.toFixed(0)}) over 5 runs`,
    );
    if (!last) return;
    const { query, params } = last;
    const started = performance.now();
    await traced.begin(async (transaction) => {
      await transaction`set local jit = off`;
      await transaction.unsafe(query, params as never[]);
    });
    console.log(`   the query alone, rows received: ${(performance.now() - started).toFixed(0)} ms`);
    const plan = await traced.begin(async (transaction) => {
      await transaction`set local jit = off`;
      return transaction.unsafe(`explain (analyze, buffers) ${query}`, params as never[]);
    });
    for (const row of plan) console.log(`   ${String(Object.values(row)[0])}`);
  }

  await traced.unsafe(
    `insert into orders (client_id, provider, product_id, product_name, period_months, server_type, dcv_method,
       primary_domain, contact, status, requested_by, idempotency_key, not_after)
     select $1, 'sectigo', '287', 'PositiveSSL', 12, '-1', 'email', 'soon' || g || '.example.com', '{}',
       'issued', 'U0BENCH', 'soon-' || g, $2::timestamptz + make_interval(hours => g * 7)
     from generate_series(1, 100) g`,
    [clientId, at],
  );
  await scenario("few due (100 certificates within 30 days)");

  await timed(`\nmoved ${MANY.toLocaleString("en")} certificates into the next 30 days`, () =>
    traced.unsafe(
      `update orders set not_after = $1::timestamptz + make_interval(mins => (id % 43000))
       where id in (select id from orders where status = 'issued' and not_after > $1::timestamptz + interval '31 days'
                    order by id limit $2)`,
      [at, MANY],
    ),
  );
  await traced.unsafe(`analyze orders`);
  await scenario(`many due (${(MANY + 100).toLocaleString("en")} certificates within 30 days)`);

  // What a scan leaves behind: each certificate's most urgent threshold recorded.
  await traced.unsafe(
    `insert into alerts_sent (order_id, kind, threshold, posted_at)
     select id, 'expiring', (select min(t) from unnest($2::int[]) t
                             where not_after <= $1::timestamptz + make_interval(days => t)), $1::timestamptz
     from orders where status = 'issued' and not_after > $1::timestamptz
       and not_after <= $1::timestamptz + interval '30 days'`,
    [at, thresholds],
  );
  await traced.unsafe(`analyze alerts_sent`);
  await scenario(`steady state (the same ${(MANY + 100).toLocaleString("en")} already alerted)`);
} finally {
  await traced.end();
  await database.close();
}
