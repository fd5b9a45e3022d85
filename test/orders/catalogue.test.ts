import { describe, expect, it } from "vitest";
import type { Product } from "../../src/domain/product.js";
import { createCatalogue } from "../../src/orders/catalogue.js";
import { ProviderUnavailableError } from "../../src/providers/errors.js";
import { createProviderRegistry } from "../../src/providers/registry.js";
import type { SslProvider } from "../../src/providers/types.js";
import { TestClock } from "../support/harness.js";

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A provider whose product list answers when the test says so. */
function controllableProvider(id: "sectigo" | "gogetssl") {
  const pending: { resolve: (products: Product[]) => void; reject: (error: Error) => void }[] = [];
  const product = (name: string): Product => ({
    id: name,
    name,
    validation: "DV",
    wildcard: false,
    multiDomain: false,
    periods: [12],
    addons: [],
  });
  const provider = {
    id,
    displayName: id,
    capabilities: {
      dcvMethods: ["email"],
      addons: false,
      multiDomain: false,
      wildcard: false,
      renew: true,
      resendApproval: true,
      minPollIntervalSeconds: 60,
    },
    listProducts: () => new Promise<Product[]>((resolve, reject) => pending.push({ resolve, reject })),
    listServerTypes: async () => [],
  } as unknown as SslProvider;
  // Loads start on the next tick: answering waits for the request to be there.
  return {
    provider,
    calls: () => pending.length,
    answer: async (name: string) => {
      await settle();
      pending.at(-1)?.resolve([product(name)]);
    },
    fail: async (message: string) => {
      await settle();
      pending.at(-1)?.reject(new ProviderUnavailableError(id, message));
    },
  };
}

describe("catalogue", () => {
  it("never waits: a hanging provider shows as loading while another is ready", async () => {
    const slow = controllableProvider("gogetssl");
    const fast = controllableProvider("sectigo");
    const catalogue = createCatalogue(
      createProviderRegistry([slow.provider, fast.provider]),
      new TestClock(),
    );
    expect(catalogue.snapshot().map((entry) => entry.state)).toEqual(["loading", "loading"]);
    await fast.answer("fast-dv");
    const usable = await catalogue.firstUsable();
    expect(usable.map((entry) => [entry.state, entry.products.map((p) => p.id)])).toEqual([
      ["loading", []],
      ["ready", ["fast-dv"]],
    ]);
    // Still one request each: snapshots do not pile up loads on a provider that has not answered.
    catalogue.snapshot();
    await settle();
    expect([slow.calls(), fast.calls()]).toEqual([1, 1]);
  });

  it("shows a provider that never loaded as unavailable with its reason, and asks again a minute later", async () => {
    const failing = controllableProvider("gogetssl");
    const clock = new TestClock();
    const catalogue = createCatalogue(createProviderRegistry([failing.provider]), clock);
    catalogue.snapshot();
    await failing.fail("GoGetSSL could not be reached (HTTP 503)");
    await settle();
    expect(catalogue.snapshot()[0]).toMatchObject({
      state: "unavailable",
      error: "GoGetSSL could not be reached (HTTP 503)",
    });
    expect(failing.calls()).toBe(1);
    clock.advance(61_000);
    expect(catalogue.snapshot()[0]?.state).toBe("loading");
    await settle();
    expect(failing.calls()).toBe(2);
  });

  it("serves the last good list when a refresh fails, and refreshes in the background after an hour", async () => {
    const provider = controllableProvider("sectigo");
    const clock = new TestClock();
    const catalogue = createCatalogue(createProviderRegistry([provider.provider]), clock);
    catalogue.snapshot();
    await provider.answer("v1");
    await settle();
    expect(catalogue.snapshot()[0]?.products.map((p) => p.id)).toEqual(["v1"]);

    clock.advance(60 * 60_000 + 1);
    const stale = catalogue.snapshot()[0];
    expect(stale).toMatchObject({ state: "ready" });
    expect(stale?.products.map((p) => p.id)).toEqual(["v1"]);
    await settle();
    expect(provider.calls()).toBe(2);
    await provider.fail("Sectigo is limiting requests");
    await settle();
    expect(catalogue.snapshot()[0]).toMatchObject({ state: "ready", error: "Sectigo is limiting requests" });
    expect(catalogue.snapshot()[0]?.products.map((p) => p.id)).toEqual(["v1"]);

    clock.advance(61_000);
    catalogue.snapshot();
    await provider.answer("v2");
    await settle();
    const fresh = catalogue.snapshot()[0];
    expect(fresh?.products.map((p) => p.id)).toEqual(["v2"]);
    expect(fresh?.error).toBeUndefined();
  });
});
