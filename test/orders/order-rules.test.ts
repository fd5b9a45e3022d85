import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OrderRequest, OrderRequestError } from "../../src/orders/order-service.js";
import { GoGetSslProvider } from "../../src/providers/gogetssl/provider.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import { SectigoProvider } from "../../src/providers/sectigo/provider.js";
import { createAcmeClient } from "../support/fixtures.js";
import {
  GOGETSSL_STUB_PASSWORD,
  GOGETSSL_STUB_USER,
  type GoGetSslStub,
  startGoGetSslStub,
} from "../support/gogetssl-stub.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { orderRequest } from "../support/orders.js";
import { type SectigoStub, startSectigoStub } from "../support/sectigo-stub.js";

/**
 * Whether an order fits what is sold is decided once, before any provider is asked
 * (orders/order-request.ts): with the real Sectigo and GoGetSSL adapters behind the app, a request
 * that does not fit is refused on its field and neither provider receives anything.
 */

let t: TestApp;
let sectigo: SectigoStub;
let gogetssl: GoGetSslStub;
let clientId: number;
beforeAll(async () => {
  sectigo = await startSectigoStub();
  gogetssl = await startGoGetSslStub();
  t = await startTestApp({
    providers: ({ clock }) =>
      createProviderRegistry([
        new SectigoProvider({
          loginName: "reseller",
          loginPassword: "stub-password",
          apiUrl: sectigo.url,
          now: () => clock.now(),
        }),
        new GoGetSslProvider({
          user: GOGETSSL_STUB_USER,
          password: GOGETSSL_STUB_PASSWORD,
          apiUrl: gogetssl.url,
        }),
      ]),
  });
  await t.app.catalogue.get();
  clientId = (await createAcmeClient(t.database.db)).id;
});
afterAll(async () => {
  await t.stop();
  await sectigo.close();
  await gogetssl.close();
});

describe("order rules before any provider", () => {
  it.each([
    [
      "sectigo",
      "a wildcard name on a single-name product",
      { productId: "287", primaryDomain: "*.example.com" },
      "domain",
    ],
    ["sectigo", "a single name on a wildcard product", { productId: "289" }, "domain"],
    ["sectigo", "a period the product is not sold for", { productId: "287", periodMonths: 36 }, "period"],
    [
      "sectigo",
      "extra domains on a single-domain product",
      { productId: "287", sans: ["shop.example.com"] },
      "sans",
    ],
    [
      "sectigo",
      "HTTP validation of a wildcard",
      { productId: "289", primaryDomain: "*.example.com", dcvMethod: "http", approverEmail: undefined },
      "dcvMethod",
    ],
    [
      "gogetssl",
      "a wildcard name on a single-name product",
      { productId: "71", primaryDomain: "*.example.com" },
      "domain",
    ],
    ["gogetssl", "a single name on a wildcard product", { productId: "72" }, "domain"],
    [
      "gogetssl",
      "a period the product is not sold for",
      { productId: "72", primaryDomain: "*.example.com", periodMonths: 24 },
      "period",
    ],
  ] as [string, string, Partial<OrderRequest>, string][])(
    "%s: refuses %s on its field, sending nothing",
    async (providerId, name, overrides, field) => {
      const entry = t.app.catalogue.snapshot().find((candidate) => candidate.provider.id === providerId);
      expect(entry?.state, entry?.error).toBe("ready");
      const serverTypeId = entry?.serverTypes.find((type) => type.isDefault)?.id;
      const request = orderRequest(clientId, {
        providerId,
        serverTypeId,
        idempotencyKey: `${providerId}-${name}`,
        ...overrides,
      });
      const error = await t.app.orders.createOrder(request).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OrderRequestError);
      expect(error).toMatchObject({ field });
      expect(sectigo.state.requestsTo("AutoApplySSL")).toHaveLength(0);
      expect(gogetssl.state.requestsTo("addSslOrder")).toHaveLength(0);
    },
  );
});
