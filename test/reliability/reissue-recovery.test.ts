import { asc, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { certificates } from "../../src/db/schema.js";
import type { OrderRequest } from "../../src/orders/order-service.js";
import type { Order } from "../../src/orders/repository.js";
import { ProviderUnavailableError } from "../../src/providers/errors.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import { SandboxProvider } from "../../src/providers/sandbox/provider.js";
import type { ReissueRequest, ReissueResult } from "../../src/providers/types.js";
import { createAcmeClient } from "../support/fixtures.js";
import { useTestApp } from "../support/harness.js";
import { issueThroughSandbox, reloadOrder } from "../support/orders.js";

/**
 * Reissues when things go wrong: the provider takes a reissue but its answer is lost, a reissue is
 * cut off before the provider answered, the provider says "processing" about an issued order.
 * The order's current certificate stays valid and in place throughout.
 */

/** The sandbox, except that a test can make the answer to a reissue get lost after it was taken. */
class LosingSandbox extends SandboxProvider {
  loseAnswer = false;
  override async reissue(request: ReissueRequest): Promise<ReissueResult> {
    const result = await super.reissue(request);
    if (this.loseAnswer) throw new ProviderUnavailableError("sandbox", "the connection was reset");
    return result;
  }
}

let sandbox: LosingSandbox;
const t = useTestApp({
  env: { SSL_CHANNEL: "C0SSL" },
  providers: ({ vault, clock, database }) => {
    sandbox = new LosingSandbox({ db: database.db, vault, clock, approvalSeconds: 0 });
    return createProviderRegistry([sandbox]);
  },
});
let clientId: number;
beforeAll(async () => {
  await t.app.catalogue.get();
});
beforeEach(async () => {
  sandbox.loseAnswer = false;
  clientId = (await createAcmeClient(t.database.db)).id;
});

const reload = (id: number) => reloadOrder(t.database.db, id);
const issuedOrder = (overrides: Partial<OrderRequest> = {}) =>
  issueThroughSandbox(t.app, t.database.db, clientId, overrides);

const reissue = (order: Order, key: string) =>
  t.app.reissues.requestReissue({
    orderId: order.id,
    requestedBy: "U0ANN",
    key: { kind: "new", algorithm: "rsa-2048" },
    sans: [],
    dcvMethod: "dns",
    idempotencyKey: key,
  });

const rows = (orderId: number) =>
  t.database.db
    .select()
    .from(certificates)
    .where(eq(certificates.orderId, orderId))
    .orderBy(asc(certificates.number));

describe("reissue recovery", () => {
  it("records the new certificate when the provider took a reissue whose answer was lost", async () => {
    const order = await issuedOrder();
    sandbox.loseAnswer = true;
    const { certificate } = await reissue(order, "lost");
    const outcome = await t.app.reissues.placeReissue(certificate.id, "U0ANN");
    expect(outcome.kind).toBe("failed");
    if (outcome.kind === "failed")
      expect(outcome.message).toContain("Check status will find the new certificate");

    // The sandbox took it: it now serves a certificate for the reissue's CSR.
    t.clock.advance(10_000);
    const check = await t.app.status.checkStatus(order.id, "U0BOB");
    expect(check.kind).toBe("reissue_changed");
    const after = await reload(order.id);
    expect(after.status).toBe("issued");
    expect(after.certificate).not.toBe(order.certificate);
    const [, second] = await rows(order.id);
    expect(second).toMatchObject({
      status: "issued",
      csr: after.csr,
      encryptedPrivateKey: after.encryptedPrivateKey,
    });
  });

  it("keeps an issued order issued while the provider says its reissue is still processing", async () => {
    const order = await issuedOrder();
    const { certificate } = await reissue(order, "slow");
    // A check lands between the provider taking the reissue and certdesk recording that it did.
    await sandbox.reissue({
      providerOrderId: order.providerOrderId ?? "",
      reference: order.reference,
      serverTypeId: "apache",
      csrPem: order.csr ?? "",
      commonName: order.primaryDomain,
      sans: [],
      dcvMethod: "dns",
    });
    t.clock.advance(10_000);
    expect((await t.app.status.checkStatus(order.id, "system")).kind).toBe("unchanged");
    expect((await reload(order.id)).status).toBe("issued");
    expect((await rows(order.id))[1]?.status).toBe(certificate.status);
  });

  it("fails a reissue cut off before the provider answered, so it no longer blocks the next one", async () => {
    const order = await issuedOrder();
    await reissue(order, "cut-off");
    expect(await t.app.reissues.refusal(order)).toContain("is already on its way");
    t.clock.advance(11 * 60_000);
    expect(await t.app.reissues.refusal(order)).toBeUndefined();
    const [, cut] = await rows(order.id);
    expect(cut).toMatchObject({
      status: "failed",
      failureReason: "It was interrupted before the provider confirmed it.",
    });
    const next = await reissue(order, "next");
    expect(next.certificate.number).toBe(3);
  });
});
