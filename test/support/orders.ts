import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "../../src/db/client.js";
import { orders } from "../../src/db/schema.js";
import type { OrderStatus } from "../../src/domain/order.js";
import type { OrderRequest, OrderService } from "../../src/orders/order-service.js";
import type { Order } from "../../src/orders/repository.js";
import type { StatusService } from "../../src/orders/status-service.js";

/**
 * Orders in tests are built one of two ways, both here: `orderRequest` for what goes through the
 * order service (the form's submission), `insertOrder(s)` for a row as the lifecycle leaves it
 * (issued, pending, stuck…) without a provider.
 */

/** A sandbox DV order for www.example.com, as the order form would submit it; override what a test needs. */
/** The fixture client's default contact (createAcmeClient), with the title GoGetSSL requires. */
export const ACME_CONTACT = {
  firstName: "Jane",
  lastName: "Doe",
  email: "jane@acme.example.com",
  phone: "+44 20 7946 0000",
  title: "CTO",
};

export function orderRequest(clientId: number, overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    clientId,
    providerId: "sandbox",
    productId: "positivessl",
    periodMonths: 12,
    serverTypeId: "apache",
    dcvMethod: "email",
    approverEmail: "admin@example.com",
    primaryDomain: "www.example.com",
    sans: [],
    addonIds: [],
    organisation: { name: "Acme Limited", country: "GB" },
    contact: {
      firstName: "Jane",
      lastName: "Doe",
      email: "jane@example.com",
      phone: "+44 20 7946 0000",
      title: "",
    },
    requestedBy: "U0ANN",
    idempotencyKey: "order-1",
    ...overrides,
  };
}

const DAY_MS = 86_400_000;

export interface OrderRowValues extends Partial<Omit<typeof orders.$inferInsert, "status">> {
  clientId: number;
  domain: string;
  status?: OrderStatus;
}

/**
 * A sandbox DV order row (issued unless told otherwise). `notAfter` also sets a year-earlier
 * `notBefore`, `slackThreadTs` is also the order message, and `updatedAt` is also `createdAt`;
 * any other column may be given as it is.
 */
export function orderRow({ domain, ...values }: OrderRowValues): typeof orders.$inferInsert {
  return {
    provider: "sandbox",
    productId: "positivessl",
    productName: "PositiveSSL (DV)",
    periodMonths: 12,
    serverType: "apache",
    dcvMethod: "email",
    approverEmail: `admin@${domain}`,
    primaryDomain: domain,
    contact: {
      firstName: "Jane",
      lastName: "Doe",
      email: "jane@example.com",
      phone: "+442079460000",
      title: "",
    },
    status: "issued",
    notBefore: values.notAfter ? new Date(values.notAfter.getTime() - 365 * DAY_MS) : undefined,
    requestedBy: "U0ANN",
    slackMessageTs: values.slackThreadTs,
    idempotencyKey: randomUUID(),
    ...(values.updatedAt ? { createdAt: values.updatedAt } : {}),
    ...values,
  };
}

/** Order rows straight into the table, in one statement. */
export async function insertOrders(db: Database, rows: OrderRowValues[]): Promise<Order[]> {
  if (rows.length === 0) return [];
  return db.insert(orders).values(rows.map(orderRow)).returning();
}

export async function insertOrder(db: Database, values: OrderRowValues): Promise<Order> {
  const [order] = await insertOrders(db, [values]);
  if (!order) throw new Error("order insert returned nothing");
  return order;
}

/** The order as stored now; fails the test when it is gone. */
export async function reloadOrder(db: Database, id: number): Promise<Order> {
  const [order] = await db.select().from(orders).where(eq(orders.id, id));
  if (!order) throw new Error(`order ${id} vanished`);
  return order;
}

/**
 * An order placed with the app's sandbox (approval time 0) and issued by one status check: the way
 * through the services, with DNS validation unless `overrides` say otherwise.
 */
export async function issueThroughSandbox(
  app: { orders: OrderService; status: StatusService },
  db: Database,
  clientId: number,
  overrides: Partial<OrderRequest> = {},
): Promise<Order> {
  const { order } = await app.orders.createOrder(
    orderRequest(clientId, { dcvMethod: "dns", approverEmail: undefined, ...overrides }),
  );
  const placed = await app.orders.place(order.id, "U0ANN");
  if (placed.kind !== "placed") throw new Error(`the sandbox did not take the order: ${placed.kind}`);
  await app.status.checkStatus(order.id, "system");
  const issued = await reloadOrder(db, order.id);
  if (issued.status !== "issued") throw new Error(`the order is ${issued.status}, not issued`);
  return issued;
}
