import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createVault, loadOrCreateKeyFile, parseVaultKey } from "../../src/certs/vault.js";
import { systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { openDatabase } from "../../src/db/client.js";
import { createCatalogue } from "../../src/orders/catalogue.js";
import { findClientByName } from "../../src/orders/clients.js";
import { createOrderService } from "../../src/orders/order-service.js";
import { buildProviders } from "../../src/providers/build.js";
import { orderRequest } from "../../test/support/orders.js";
import { type AppProcess, type LaunchOptions, launchApp, runCompiled } from "./child.js";

const CLIENTS_CSV = `name,organisation,street,city,state,postal_code,country,phone,email,contact_first_name,contact_last_name,contact_email,contact_phone,contact_title,expiry_days
Acme,Acme Limited,1 High Street,London,,EC1A 1BB,GB,+44 20 7946 0000,admin@acme.example,Jane,Doe,jane@acme.example,020 7946 0001,CTO,
`;
/** More than one page of `/ssl list Acme`, so the list renders full pages with paging buttons. */
const SEEDED_ORDERS = 12;

/**
 * certdesk as `npm start` runs it (compiled src/main.ts, embedded PGlite in a fresh DATA_DIR, sandbox provider),
 * with the client "Acme" imported by `import-clients` and a few placed orders, so that
 * `/ssl order Acme www.example.com` and `/ssl list Acme` do their real work.
 */
export async function launchCertdesk(
  env: Record<string, string>,
  options: Pick<LaunchOptions, "nodeArgs"> & { postgres?: boolean } = {},
): Promise<AppProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "certdesk-ack-bench-"));
  const postgres = options.postgres ? await createPostgresDatabase() : undefined;
  const appEnv: Record<string, string> = { ...env, DATA_DIR: dataDir, LOG_LEVEL: "warn" };
  if (postgres) {
    appEnv.DATABASE_URL = postgres.url ?? "";
    appEnv.CERTDESK_KEY = randomBytes(32).toString("base64");
  }
  await importClients(dataDir, appEnv);
  await seedOrders(dataDir, appEnv);
  const app = await launchApp("certdesk", "src/main.ts", {
    env: appEnv,
    cwd: dataDir,
    nodeArgs: options.nodeArgs,
  });
  return {
    ...app,
    async stop() {
      await app.stop();
      await postgres?.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function importClients(dataDir: string, env: Record<string, string>): Promise<void> {
  const csv = path.join(dataDir, "clients.csv");
  await writeFile(csv, CLIENTS_CSV);
  const child = await runCompiled("src/cli/import-clients.ts", { env, cwd: dataDir, args: [csv] });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`import-clients failed (${code}): ${output}`);
}

/** A fresh database on TEST_DATABASE_URL (dropped on stop), for a run on PostgreSQL. */
async function createPostgresDatabase() {
  process.env.TEST_DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/test";
  const { createTestDatabase } = await import("../../test/support/database.js");
  return createTestDatabase();
}

/** Done here rather than through the order modal: only their rows matter to the commands measured. */
async function seedOrders(dataDir: string, env: Record<string, string>): Promise<void> {
  const config = loadConfig(env);
  const database = await openDatabase(
    env.DATABASE_URL
      ? { kind: "postgres", url: env.DATABASE_URL }
      : { kind: "pglite", dataDir: path.join(dataDir, "pglite") },
  );
  try {
    const key = env.CERTDESK_KEY ? parseVaultKey(env.CERTDESK_KEY) : (await loadOrCreateKeyFile(dataDir)).key;
    const vault = createVault({ keys: [key] });
    const services = { db: database.db, vault, clock: systemClock };
    const providers = await buildProviders(config.providers, services);
    const catalogue = createCatalogue(providers, systemClock);
    await catalogue.get();
    const orders = createOrderService({
      ...services,
      providers,
      observer: { orderChanged: async () => {} },
      approval: { requireApproval: false, requireApprovalForFree: false },
      logger: console,
      catalogue,
    });
    const client = await findClientByName(database.db, "Acme");
    if (!client) throw new Error("import-clients did not create Acme");
    for (let i = 0; i < SEEDED_ORDERS; i += 1) {
      const { order } = await orders.createOrder(
        orderRequest(client.id, {
          primaryDomain: `shop${i}.example.com`,
          organisation: { name: "Acme Limited", locality: "London", country: "GB" },
          requestedBy: "U0ANN",
          idempotencyKey: `ack-bench-${i}`,
        }),
      );
      await orders.place(order.id, "U0ANN");
    }
  } finally {
    await database.close();
  }
}
