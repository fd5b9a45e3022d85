import { describe, expect, it } from "vitest";
import type { ProviderCatalogue } from "../../src/domain/product.js";
import { checkOrderRequest, type OrderRequestInput } from "../../src/orders/order-request.js";

const product = (id: string, extra: Partial<ProviderCatalogue["products"][number]> = {}) => ({
  id,
  name: id.toUpperCase(),
  validation: "DV" as const,
  wildcard: false,
  multiDomain: false,
  periods: [12, 24],
  addons: [{ id: "scan", name: "Scan" }],
  ...extra,
});

const catalogue: ProviderCatalogue[] = [
  {
    provider: { id: "ca", displayName: "CA", dcvMethods: ["email", "http", "dns"] },
    products: [
      product("dv"),
      product("wild", { wildcard: true }),
      product("multi", { multiDomain: true }),
      product("ev", { periods: [12] }),
    ],
    serverTypes: [
      { id: "apache", label: "Apache", isDefault: true },
      { id: "iis", label: "IIS", isDefault: false },
    ],
    state: "ready",
  },
  {
    provider: {
      id: "single",
      displayName: "Single",
      dcvMethods: ["email", "dns"],
      oneApproverForAllDomains: true,
    },
    products: [product("multi", { multiDomain: true })],
    serverTypes: [],
    state: "ready",
  },
  {
    provider: { id: "dnsonly", displayName: "DNS Only", dcvMethods: ["dns"] },
    products: [product("dv")],
    serverTypes: [],
    state: "ready",
  },
  {
    provider: { id: "down", displayName: "Down", dcvMethods: ["email"] },
    products: [],
    serverTypes: [],
    state: "unavailable",
    error: "HTTP 503",
  },
];

const valid: OrderRequestInput = {
  clientId: 1,
  productKey: "ca:dv",
  domain: "WWW.Example.com.",
  dcvMethod: "email",
  approverEmail: "admin@example.com",
  country: "gb",
};
const approvers = { domain: "www.example.com", emails: ["admin@example.com"] };
const check = (overrides: Partial<OrderRequestInput>, withApprovers = true) =>
  checkOrderRequest({ ...valid, ...overrides }, { catalogue, ...(withApprovers ? { approvers } : {}) });
const errorsOf = (overrides: Partial<OrderRequestInput>, withApprovers = true) => {
  const result = check(overrides, withApprovers);
  return result.ok ? {} : result.errors;
};

describe("checkOrderRequest", () => {
  it("asks for DNS or HTTP when a provider's one approver address cannot approve every domain", () => {
    const single = { productKey: "single:multi" };
    expect(errorsOf({ ...single, sans: ["shop.example.com", "mail.shop.example.com"] })).toEqual({});
    expect(errorsOf({ ...single, sans: ["shop.example.com", "www.other.org"] })).toEqual({
      dcvMethod:
        "Single takes one approver address for every domain, and admin@example.com cannot approve www.other.org: choose DNS or HTTP validation.",
    });
    expect(
      errorsOf({ ...single, sans: ["www.other.org"], dcvMethod: "dns", approverEmail: undefined }),
    ).toEqual({});
    // A provider that takes an address per domain is not held to it.
    expect(errorsOf({ productKey: "ca:multi", sans: ["www.other.org"] })).toEqual({});
  });

  it("normalises a valid request and fills in the defaults", () => {
    expect(check({})).toEqual({
      ok: true,
      value: {
        clientId: 1,
        providerId: "ca",
        product: expect.objectContaining({ id: "dv" }),
        periodMonths: 12,
        serverTypeId: "apache",
        dcvMethod: "email",
        approverEmail: "admin@example.com",
        primaryDomain: "www.example.com",
        sans: [],
        addonIds: [],
        country: "GB",
      },
    });
  });

  it("says what is missing, each on its own field", () => {
    expect(errorsOf({ clientId: undefined, productKey: undefined, domain: "", country: "" })).toEqual({
      client: "Choose the client this certificate is for.",
      product: "Choose a product.",
      domain: "Enter a domain name, e.g. www.example.com.",
      country: "Choose a country from the list (ISO-3166 two-letter code).",
    });
  });

  it("fits the domain to the product: wildcard or not, one name or several", () => {
    expect(errorsOf({ domain: "*.example.com" }).domain).toBe(
      'DV does not cover wildcards: pick a wildcard product or remove "*.".',
    );
    expect(errorsOf({ productKey: "ca:wild", approverEmail: "admin@example.com" }, false).domain).toBe(
      "WILD is a wildcard certificate: enter the domain as *.www.example.com.",
    );
    expect(errorsOf({ sans: ["shop.example.com"] }).sans).toBe(
      "DV covers one domain: pick a multi-domain product for more.",
    );
    expect(errorsOf({ productKey: "ca:multi", sans: ["*.example.com"] }).sans).toBe(
      'MULTI does not cover wildcard names: remove "*." from *.example.com.',
    );
    expect(errorsOf({ productKey: "ca:multi", sans: ["bad name"] }).sans).toMatch(/^bad name: /);
    const multi = check({
      productKey: "ca:multi",
      sans: ["Shop.example.com", "www.example.com", "shop.example.com"],
    });
    expect(multi.ok && multi.value.sans).toEqual(["shop.example.com"]);
  });

  it("keeps period, server type and add-ons to what the product and provider offer", () => {
    expect(errorsOf({ productKey: "ca:ev", periodMonths: 24 }).period).toBe("EV is sold for 1 year.");
    expect(errorsOf({ serverTypeId: "nginx" }).serverType).toBe("Choose a server type from the list.");
    expect(errorsOf({ addonIds: ["seal"] }).addons).toBe('DV has no add-on "seal".');
    const chosen = check({ periodMonths: 24, serverTypeId: "iis", addonIds: ["scan"] });
    expect(
      chosen.ok && [chosen.value.periodMonths, chosen.value.serverTypeId, chosen.value.addonIds],
    ).toEqual([24, "iis", ["scan"]]);
  });

  it("keeps the validation method to what the provider offers, and HTTP off wildcards", () => {
    expect(errorsOf({ productKey: "dnsonly:dv" }).dcvMethod).toBe(
      "DNS Only does not offer e-mail validation.",
    );
    expect(errorsOf({ productKey: "ca:wild", domain: "*.example.com", dcvMethod: "http" }).dcvMethod).toBe(
      "A file on a web server cannot prove control of a wildcard domain: choose DNS or e-mail validation.",
    );
    const dns = check({ dcvMethod: "dns", approverEmail: undefined }, false);
    expect(dns.ok && dns.value.approverEmail).toBeUndefined();
  });

  it("wants an approver from the list loaded for this domain", () => {
    expect(errorsOf({ approverEmail: "evil@attacker.example" }).approverEmail).toBe(
      "Choose an approver address from the list.",
    );
    expect(errorsOf({ domain: "shop.example.com" }).domain).toBe(
      "Press Enter in the Domain field to load the approver addresses, then choose one.",
    );
    expect(errorsOf({ approverEmail: undefined }, false).approverEmail).toBe(
      "Choose an approver address from the list.",
    );
  });

  it("names a product a provider no longer offers, or a provider whose list is not there", () => {
    expect(errorsOf({ productKey: "ca:gone" }).product).toBe(
      "CA no longer offers this product: choose another.",
    );
    expect(errorsOf({ productKey: "down:dv" }).product).toBe(
      "Down's products are unavailable: try again in a minute.",
    );
    expect(errorsOf({ productKey: "other:dv" }).product).toBe('The provider "other" is not enabled here.');
  });
});
