import { X509Certificate } from "node:crypto";
import { inspect } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { certificateMatchesCsr } from "../../src/certs/inspect.js";
import { SECTIGO_CAA } from "../../src/domain/ca-identifiers.js";
import {
  ProviderAuthError,
  ProviderInputError,
  ProviderOutcomeUnknownError,
  ProviderUnavailableError,
} from "../../src/providers/errors.js";
import { fieldFor } from "../../src/providers/gogetssl/errors.js";
import { GoGetSslProvider, type GoGetSslProviderOptions } from "../../src/providers/gogetssl/provider.js";
import type {
  ChangeValidationRequest,
  PlaceOrderRequest,
  ReissueRequest,
} from "../../src/providers/types.js";
import {
  GOGETSSL_STUB_PASSWORD,
  GOGETSSL_STUB_USER,
  type GoGetSslStub,
  type GoGetSslStubOptions,
  startGoGetSslStub,
} from "../support/gogetssl-stub.js";
import { createTestCa, createTestCsr, type TestCa } from "../support/test-ca.js";

let ca: TestCa;
let csr: string;
const stubs: GoGetSslStub[] = [];

beforeAll(() => {
  ca = createTestCa();
  csr = createTestCsr("example.com", ["www.example.com"]);
});

afterEach(async () => {
  await Promise.all(stubs.splice(0).map((stub) => stub.close()));
});

async function setup(stubOptions: GoGetSslStubOptions = {}, options: Partial<GoGetSslProviderOptions> = {}) {
  const stub = await startGoGetSslStub({
    issueCertificate: (pem) => ca.issueCertificate(pem),
    ...stubOptions,
  });
  stubs.push(stub);
  const provider = new GoGetSslProvider({
    user: GOGETSSL_STUB_USER,
    password: GOGETSSL_STUB_PASSWORD,
    apiUrl: stub.url,
    timeoutMs: 2_000,
    readRetries: 2,
    retryDelayMs: 1,
    ...options,
  });
  return { stub, provider };
}

function orderRequest(overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    reference: "SSL-1042",
    productId: "71",
    periodMonths: 12,
    serverTypeId: "2",
    csrPem: csr,
    commonName: "example.com",
    sans: [],
    dcvMethod: "email",
    approverEmail: "admin@example.com",
    addonIds: [],
    organisation: {
      name: "Example Ltd",
      unit: "IT",
      street: "1 Main Street",
      city: "Springfield",
      state: "Oregon",
      postalCode: "97403",
      country: "US",
      phone: "+1 555 0100",
    },
    contact: {
      firstName: "Ada",
      lastName: "Lovelace",
      email: "ada@example.com",
      phone: "+1 555 0101",
      title: "CTO",
    },
    ...overrides,
  };
}

async function captureError(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

function expectNoSecrets(error: Error, secrets: string[]): void {
  const renderings = [String(error), error.message, JSON.stringify(error), error.stack ?? ""];
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(5);
    for (const rendering of renderings) expect(rendering).not.toContain(secret);
  }
}

async function placedOrderId(provider: GoGetSslProvider, overrides: Partial<PlaceOrderRequest> = {}) {
  return (await provider.placeOrder(orderRequest(overrides))).providerOrderId;
}

describe("GoGetSslProvider identity", () => {
  it("describes itself and its capabilities", () => {
    const provider = new GoGetSslProvider({ user: "u", password: "p", minPollIntervalSeconds: 300 });
    expect(provider.id).toBe("gogetssl");
    expect(provider.displayName).toBe("GoGetSSL");
    expect(provider.capabilities).toEqual({
      caIdentifiers: ["sectigo.com", "comodoca.com", "comodo.com", "usertrust.com", "trust-provider.com"],
      dcvMethods: ["email", "http", "dns"],
      addons: false,
      multiDomain: true,
      wildcard: true,
      renew: true,
      reissue: true,
      resendApproval: true,
      changeValidation: true,
      changeValidationPerDomain: true,
      recheckValidation: true,
      validatesWhenAsked: false,
      revoke: false,
      minPollIntervalSeconds: 300,
    });
    expect(new GoGetSslProvider({ user: "u", password: "p" }).capabilities.minPollIntervalSeconds).toBe(60);
  });
});

describe("GoGetSslProvider catalogue", () => {
  it("signs in once and lists products whatever flag, period and price format they use", async () => {
    const { stub, provider } = await setup();
    const products = await provider.listProducts();

    expect(products).toEqual([
      {
        id: "71",
        name: "Sectigo PositiveSSL",
        validation: "DV",
        wildcard: false,
        multiDomain: false,
        periods: [12, 24],
        addons: [],
        caIdentifiers: SECTIGO_CAA,
        // Prices keyed by months, strings or numbers; the nested SAN prices per additional domain; junk skipped.
        prices: [
          { months: 12, price: { amount: "8.95" } },
          { months: 24, price: { amount: "16.90" } },
        ],
        additionalDomainPrices: [{ months: 12, price: { amount: "5.00" } }],
      },
      {
        id: "72",
        name: "PositiveSSL Wildcard (Sectigo)",
        validation: "DV",
        wildcard: true,
        multiDomain: false,
        periods: [12],
        addons: [],
        caIdentifiers: SECTIGO_CAA,
        prices: [{ months: 12, price: { amount: "69.00" } }],
      },
      {
        id: "74",
        name: "Sectigo PositiveSSL Multi-Domain",
        validation: "DV",
        wildcard: false,
        multiDomain: true,
        periods: [12, 24],
        addons: [],
        caIdentifiers: SECTIGO_CAA,
      },
      {
        id: "22",
        name: "Sectigo InstantSSL",
        validation: "OV",
        wildcard: false,
        multiDomain: false,
        periods: [12, 24, 36],
        addons: [],
        caIdentifiers: SECTIGO_CAA,
      },
      {
        id: "21",
        name: "Sectigo EV SSL",
        validation: "EV",
        wildcard: false,
        multiDomain: false,
        periods: [12],
        addons: [],
        caIdentifiers: SECTIGO_CAA,
      },
    ]);
    const [auth] = stub.state.requestsTo("auth");
    expect(auth?.form).toEqual({ user: GOGETSSL_STUB_USER, pass: GOGETSSL_STUB_PASSWORD });
    expect(stub.state.requestsTo("products")[0]?.query.auth_key).toBe(stub.state.issuedKeys[0]);
  });

  it("names the issuing CA of each brand for the CAA check", async () => {
    const { provider } = await setup({
      products: [
        { id: 5, product: "PositiveSSL", brand: "Sectigo", product_type: "domain", max_period: "12" },
        { id: 6, product: "QuickSSL Premium", brand: "GeoTrust", product_type: "domain", max_period: "12" },
        { id: 7, product: "Mystery SSL", brand: "Nobody", product_type: "domain", max_period: "12" },
      ],
    });
    const products = await provider.listProducts();
    expect(products.map((product) => [product.id, product.caIdentifiers?.[0]])).toEqual([
      ["5", "sectigo.com"],
      ["6", "digicert.com"],
      // Unknown brand: the provider's own names (capabilities.caIdentifiers) apply.
      ["7", undefined],
    ]);
    expect(provider.capabilities.caIdentifiers).toContain("comodoca.com");
  });

  it("skips products it cannot read and fails when it can read none", async () => {
    const good = { id: 5, product: "GGSSL Domain SSL", product_type: "domain", max_period: "12" };
    const { provider } = await setup({
      products: [
        good,
        { id: 6, product_type: "domain" },
        { id: 7, product: "Mystery", product_type: "quantum" },
      ],
    });
    expect((await provider.listProducts()).map((product) => product.id)).toEqual(["5"]);

    const { provider: broken } = await setup({
      products: [{ id: 6 }, { product: "No id", product_type: "dv" }],
    });
    await expect(broken.listProducts()).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it("asks GoGetSSL for the products on every call: src/orders/catalogue.ts does the caching", async () => {
    const { stub, provider } = await setup();
    await provider.listProducts();
    await provider.listProducts();
    expect(stub.state.requestsTo("products")).toHaveLength(2);
  });

  it("does not cache a failed product list", async () => {
    const { stub, provider } = await setup({}, { readRetries: 0 });
    stub.state.forceNext("products", { status: 503, body: "" });
    await expect(provider.listProducts()).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await provider.listProducts()).toHaveLength(5);
  });

  it("lists the Sectigo server types with Apache/ModSSL preselected", async () => {
    const { stub, provider } = await setup();
    const types = await provider.listServerTypes();
    expect(types.filter((type) => type.isDefault)).toEqual([
      { id: "2", label: "Apache/ModSSL", isDefault: true },
    ]);
    expect(types.map((type) => type.id)).toEqual(["1", "3", "2", "14", "24", "-1"]);
    expect(stub.state.requestsTo("webservers")[0]?.path).toBe("/tools/webservers/1");
  });

  it("preselects the first Apache entry when none mentions mod_ssl or OpenSSL", async () => {
    const { provider } = await setup({
      webservers: [
        { id: 5, software: "IIS" },
        { id: 6, software: "Apache 2" },
        { id: 7, software: "Apache Tomcat" },
      ],
    });
    const defaults = (await provider.listServerTypes()).filter((type) => type.isDefault);
    expect(defaults.map((type) => type.id)).toEqual(["6"]);
  });

  it("returns approver emails trimmed and deduplicated, asking GoGetSSL every time", async () => {
    const { stub, provider } = await setup();
    const expected = [
      "admin@example.com",
      "administrator@example.com",
      "hostmaster@example.com",
      "postmaster@example.com",
      "webmaster@example.com",
      "ssl-admin@example.com",
    ];
    expect(await provider.getApproverEmails("example.com")).toEqual(expected);
    expect(await provider.getApproverEmails("example.com")).toEqual(expected);
    const requests = stub.state.requestsTo("domainEmails");
    expect(requests.map((request) => request.form)).toEqual([
      { domain: "example.com" },
      { domain: "example.com" },
    ]);
  });
});

describe("GoGetSslProvider orders", () => {
  it("gives each domain of a DNS-validated multi-domain order its own record, from the status where the answer has none", async () => {
    const { stub, provider } = await setup();
    const result = await provider.placeOrder(
      orderRequest({
        productId: "74",
        sans: ["www.example.com"],
        dcvMethod: "dns",
        approverEmail: undefined,
      }),
    );
    const names = result.dcv.map((instruction) => [instruction.domain, instruction.dnsRecord?.name]);
    expect(names).toEqual([
      ["example.com", expect.stringMatching(/^_[0-9A-F]{32}\.example\.com$/)],
      ["www.example.com", expect.stringMatching(/^_[0-9A-F]{32}\.www\.example\.com$/)],
    ]);
    expect(stub.state.requestsTo("orderStatus")).toHaveLength(1);
  });

  it("places an email-validated order with every documented field", async () => {
    const { stub, provider } = await setup();
    const result = await provider.placeOrder(orderRequest({ productId: "74", sans: ["www.example.com"] }));

    expect(result).toEqual({
      providerOrderId: "1500",
      status: "pending",
      cost: { amount: "29.00", currency: "USD" },
      dcv: [
        { domain: "example.com", method: "email", email: "admin@example.com" },
        { domain: "www.example.com", method: "email", email: "admin@example.com" },
      ],
    });
    const [request] = stub.state.requestsTo("addSslOrder");
    expect(request?.query.auth_key).toBe(stub.state.issuedKeys[0]);
    expect(request?.form).toEqual({
      product_id: "74",
      period: "12",
      csr: csr.trim(),
      server_count: "-1",
      webserver_type: "2",
      dcv_method: "email",
      approver_email: "admin@example.com",
      dns_names: "www.example.com",
      approver_emails: "admin@example.com",
      admin_firstname: "Ada",
      admin_lastname: "Lovelace",
      admin_email: "ada@example.com",
      admin_phone: "+1 555 0101",
      admin_title: "CTO",
      admin_organization: "Example Ltd",
      admin_addressline1: "1 Main Street",
      admin_city: "Springfield",
      admin_region: "Oregon",
      admin_postalcode: "97403",
      admin_country: "US",
      tech_firstname: "Ada",
      tech_lastname: "Lovelace",
      tech_email: "ada@example.com",
      tech_phone: "+1 555 0101",
      tech_title: "CTO",
      tech_organization: "Example Ltd",
      tech_addressline1: "1 Main Street",
      tech_city: "Springfield",
      tech_region: "Oregon",
      tech_postalcode: "97403",
      tech_country: "US",
      org_name: "Example Ltd",
      org_division: "IT",
      org_addressline1: "1 Main Street",
      org_city: "Springfield",
      org_region: "Oregon",
      org_postalcode: "97403",
      org_country: "US",
      org_phone: "+1 555 0100",
    });
  });

  it("places a DNS-validated order, naming the method per SAN and returning the record", async () => {
    const { stub, provider } = await setup();
    const result = await provider.placeOrder(
      orderRequest({
        dcvMethod: "dns",
        approverEmail: undefined,
        sans: ["www.example.com"],
        organisation: {},
      }),
    );

    const form = stub.state.requestsTo("addSslOrder")[0]?.form ?? {};
    expect(form).toMatchObject({ dcv_method: "dns", dns_names: "www.example.com", approver_emails: "dns" });
    expect(form.approver_email).toBeUndefined();
    expect(Object.keys(form).filter((field) => field.startsWith("org_"))).toEqual([]);
    const [main, san] = result.dcv;
    expect(main?.method).toBe("dns");
    expect(main?.dnsRecord?.type).toBe("CNAME");
    expect(main?.dnsRecord?.name).toMatch(/^_[0-9A-F]{32}\.example\.com$/);
    expect(main?.dnsRecord?.value).toMatch(/^[0-9A-F]{32}\.[0-9A-F]{32}\.comodoca\.com$/);
    expect(san).toMatchObject({ domain: "www.example.com", method: "dns" });
  });

  it("places an HTTP-validated order and returns the file to publish", async () => {
    const { stub, provider } = await setup();
    const result = await provider.placeOrder(orderRequest({ dcvMethod: "http", approverEmail: undefined }));
    expect(stub.state.requestsTo("addSslOrder")[0]?.form.dcv_method).toBe("http");
    expect(result.dcv).toHaveLength(1);
    expect(result.dcv[0]?.httpUrl).toMatch(
      /^http:\/\/example\.com\/\.well-known\/pki-validation\/[0-9A-F]{32}\.txt$/,
    );
    expect(result.dcv[0]?.httpContent).toContain("comodoca.com");
  });

  it("refuses an email-validated order without an approver before calling GoGetSSL", async () => {
    const { stub, provider } = await setup();
    const error = await captureError(provider.placeOrder(orderRequest({ approverEmail: undefined })));
    expect(error).toBeInstanceOf(ProviderInputError);
    expect((error as ProviderInputError).field).toBe("approverEmail");
    expect(stub.state.requestsTo("addSslOrder")).toHaveLength(0);
  });

  it("accepts a parent-domain approver for a sub-domain", async () => {
    const { provider } = await setup();
    const result = await provider.placeOrder(
      orderRequest({
        csrPem: createTestCsr("www.example.com"),
        commonName: "www.example.com",
        approverEmail: "hostmaster@example.com",
      }),
    );
    expect(result.dcv).toEqual([
      { domain: "www.example.com", method: "email", email: "hostmaster@example.com" },
    ]);
  });

  // Whether the name fits the product is decided before any adapter (orders/order-request.ts); a
  // request that skipped that gets GoGetSSL's own refusal, read as such.
  it("maps GoGetSSL's own refusal of a wildcard name on a single-name product", async () => {
    const product = { id: 80, product: "Flex SSL", product_type: "dv", wildcard_enabled: 1 };
    const { stub, provider } = await setup({ products: [product] });
    await provider.listProducts();
    product.wildcard_enabled = 0;

    const error = await captureError(
      provider.placeOrder(
        orderRequest({
          productId: "80",
          commonName: "*.example.com",
          csrPem: createTestCsr("*.example.com"),
        }),
      ),
    );
    expect(error).toBeInstanceOf(ProviderInputError);
    expect((error as ProviderInputError).field).toBe("csr");
    expect(error.message).toContain("*.example.com");
    expect(stub.state.requestsTo("addSslOrder")).toHaveLength(1);
    expect(stub.state.orders.size).toBe(0);
  });

  it("renews through add_ssl_renew_order with the same fields", async () => {
    const { stub, provider } = await setup();
    const previous = await placedOrderId(provider);
    const result = await provider.renew({
      ...orderRequest({ periodMonths: 24 }),
      previousProviderOrderId: previous,
    });

    expect(result.providerOrderId).toBe("1501");
    expect(result.status).toBe("pending");
    const renewals = stub.state.requestsTo("addSslRenewOrder");
    expect(renewals).toHaveLength(1);
    expect(renewals[0]?.form).toMatchObject({
      product_id: "71",
      period: "24",
      csr: csr.trim(),
      server_count: "-1",
    });
    expect(stub.state.orders.get("1501")?.endpoint).toBe("addSslRenewOrder");
  });

  it("asks GoGetSSL to resend the approval email", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider);
    await provider.resendApproval(orderId);
    const [request] = stub.state.requestsTo("resendValidationEmail");
    expect(request?.method).toBe("GET");
    expect(request?.path).toBe(`/orders/ssl/resend_validation_email/${orderId}`);
    expect(request?.query.auth_key).toBe(stub.state.issuedKeys[0]);
  });

  it("reports an unknown order as an order-level input error", async () => {
    const { provider } = await setup();
    const error = await captureError(provider.resendApproval("999"));
    expect(error).toBeInstanceOf(ProviderInputError);
    expect((error as ProviderInputError).field).toBe("order");
    expect(error.message).toContain("Order not found");
  });
});

describe("GoGetSslProvider reissue", () => {
  /** An order placed and issued; its certificate is the first one. */
  async function issuedOrder(stub: GoGetSslStub, provider: GoGetSslProvider, sans: string[] = []) {
    const orderId = await placedOrderId(provider, sans.length > 0 ? { productId: "74", sans } : {});
    stub.state.issue(orderId);
    const first = (await provider.getStatus(orderId)).certificate?.certificatePem;
    if (!first) throw new Error("the stub should have issued the order");
    return { orderId, first };
  }

  function reissueRequest(orderId: string, overrides: Partial<ReissueRequest> = {}): ReissueRequest {
    return {
      providerOrderId: orderId,
      reference: "SSL-1042",
      serverTypeId: "2",
      csrPem: createTestCsr("example.com"),
      commonName: "example.com",
      sans: [],
      dcvMethod: "email",
      approverEmail: "admin@example.com",
      ...overrides,
    };
  }

  it("posts the new CSR to /orders/ssl/reissue/{id}; pending, then issued with the new certificate", async () => {
    const { stub, provider } = await setup();
    const { orderId, first } = await issuedOrder(stub, provider);
    const request = reissueRequest(orderId);

    const result = await provider.reissue(request);

    expect(result).toEqual({
      status: "pending",
      dcv: [{ domain: "example.com", method: "email", email: "admin@example.com" }],
    });
    const [sent] = stub.state.requestsTo("reissueSslOrder");
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe(`/orders/ssl/reissue/${orderId}`);
    expect(sent?.query).toEqual({ auth_key: stub.state.issuedKeys[0] });
    expect(sent?.form).toEqual({
      csr: request.csrPem.trim(),
      webserver_type: "2",
      dcv_method: "email",
      approver_email: "admin@example.com",
    });
    // GoGetSSL still holds the earlier certificate while the reissue validates; it is not reported.
    const held = new X509Certificate(stub.state.orders.get(orderId)?.crtCode ?? "");
    expect(held.fingerprint256).toBe(new X509Certificate(first).fingerprint256);
    const during = await provider.getStatus(orderId);
    expect(during.status).toBe("pending");
    expect(during.certificate).toBeUndefined();
    expect(during.detail[0]).toBe("GoGetSSL status: reissue (Reissue awaiting domain validation)");

    stub.state.issue(orderId);
    const after = await provider.getStatus(orderId);
    expect(after.status).toBe("issued");
    const second = after.certificate?.certificatePem ?? "";
    expect(second).not.toBe(first);
    expect(certificateMatchesCsr(second, request.csrPem)).toBe(true);
  });

  it("sends the additional domains like an order and returns each domain's DNS record", async () => {
    const { stub, provider } = await setup();
    const { orderId } = await issuedOrder(stub, provider, ["www.example.com"]);
    const request = reissueRequest(orderId, {
      csrPem: createTestCsr("example.com", ["www.example.com"]),
      sans: ["www.example.com"],
      dcvMethod: "dns",
      approverEmail: undefined,
    });

    const result = await provider.reissue(request);

    const form = stub.state.requestsTo("reissueSslOrder")[0]?.form ?? {};
    expect(form).toEqual({
      csr: request.csrPem.trim(),
      webserver_type: "2",
      dcv_method: "dns",
      dns_names: "www.example.com",
      approver_emails: "dns",
    });
    expect(result.status).toBe("pending");
    expect(result.dcv.map((instruction) => instruction.domain)).toEqual(["example.com", "www.example.com"]);
    const [main, san] = result.dcv;
    expect(main?.dnsRecord?.name).toMatch(/^_[0-9A-F]{32}\.example\.com$/);
    expect(main?.dnsRecord?.value).toMatch(/^[0-9A-F]{32}\.[0-9A-F]{32}\.comodoca\.com$/);
    expect(san).toMatchObject({ domain: "www.example.com", method: "dns" });
    // The record is derived from the new CSR, not the order's first one.
    const placed = stub.state.requestsTo("addSslOrder")[0]?.form.csr;
    expect(placed).not.toBe(form.csr);
  });

  it("reports the reissue issued when GoGetSSL answers that the order is active again", async () => {
    const { stub, provider } = await setup();
    const { orderId } = await issuedOrder(stub, provider);
    stub.state.forceNext("reissueSslOrder", {
      status: 200,
      body: { success: true, order_id: Number(orderId), order_status: "active", validation: [] },
    });
    const result = await provider.reissue(reissueRequest(orderId));
    expect(result.status).toBe("issued");
    expect(result.dcv).toEqual([{ domain: "example.com", method: "email", email: "admin@example.com" }]);
  });

  it("maps GoGetSSL's refusals: unknown order, an order not issued, a bad CSR, a bad approver", async () => {
    const { stub, provider } = await setup();
    const unknown = await captureError(provider.reissue(reissueRequest("987654")));
    expect(unknown).toBeInstanceOf(ProviderInputError);
    expect(unknown).toMatchObject({
      field: "order",
      providerMessage: "Order not found: There is no order 987654",
    });

    const pendingId = await placedOrderId(provider);
    const pending = await captureError(provider.reissue(reissueRequest(pendingId)));
    expect(pending).toBeInstanceOf(ProviderInputError);
    expect((pending as ProviderInputError).field).toBe("order");
    expect(pending.message).toContain("cannot be reissued");

    const { orderId } = await issuedOrder(stub, provider);
    const badCsr = await captureError(provider.reissue(reissueRequest(orderId, { csrPem: "not a csr" })));
    expect(badCsr).toBeInstanceOf(ProviderInputError);
    expect((badCsr as ProviderInputError).field).toBe("csr");
    expect(badCsr.message).toContain(`reissuing GoGetSSL order ${orderId} (SSL-1042)`);

    const approver = await captureError(
      provider.reissue(reissueRequest(orderId, { approverEmail: "someone@elsewhere.org" })),
    );
    expect((approver as ProviderInputError).field).toBe("approverEmail");
    // None of the refused reissues touched the order.
    expect(stub.state.orders.get(orderId)?.status).toBe("active");
  });

  it("refuses an email reissue without an approver before calling GoGetSSL", async () => {
    const { stub, provider } = await setup();
    const error = await captureError(provider.reissue(reissueRequest("1500", { approverEmail: undefined })));
    expect((error as ProviderInputError).field).toBe("approverEmail");
    expect(stub.state.requestsTo("reissueSslOrder")).toHaveLength(0);
  });

  it("sends a reissue once: a 5xx or a lost answer is unavailable, not an unknown order", async () => {
    const { stub, provider } = await setup({}, { timeoutMs: 300 });
    const { orderId } = await issuedOrder(stub, provider);

    stub.state.forceNext("reissueSslOrder", { status: 503, body: { error: true, message: "Maintenance" } });
    const failed = await captureError(provider.reissue(reissueRequest(orderId)));
    expect(failed).toBeInstanceOf(ProviderUnavailableError);
    expect(failed).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(failed.message).toContain("HTTP 503");
    expect(failed.message).toContain("may have been accepted");
    expect(stub.state.requestsTo("reissueSslOrder")).toHaveLength(1);

    stub.state.forceNext("reissueSslOrder", { destroySocket: true });
    const dropped = await captureError(provider.reissue(reissueRequest(orderId)));
    expect(dropped).toBeInstanceOf(ProviderUnavailableError);
    expect(dropped).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(stub.state.requestsTo("reissueSslOrder")).toHaveLength(2);

    stub.state.forceNext("reissueSslOrder", { status: 200, body: "<html>Bad gateway</html>" });
    const garbage = await captureError(provider.reissue(reissueRequest(orderId)));
    expect(garbage).toBeInstanceOf(ProviderUnavailableError);
    expect(garbage).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(stub.state.requestsTo("reissueSslOrder")).toHaveLength(3);
  });

  it("repeats a reissue after a 401 with a fresh key", async () => {
    const { stub, provider } = await setup();
    const { orderId } = await issuedOrder(stub, provider);
    stub.state.expireKeys();
    expect((await provider.reissue(reissueRequest(orderId))).status).toBe("pending");
    expect(stub.state.requestsTo("reissueSslOrder")).toHaveLength(2);
    expect(stub.state.orders.get(orderId)?.reissues).toBe(1);
  });
});

describe("GoGetSslProvider recheckValidation", () => {
  const recheckRequest = (orderId: string, domain: string): ChangeValidationRequest => ({
    providerOrderId: orderId,
    reference: "SSL-1042",
    csrPem: csr,
    domains: [{ domain, method: "dns" }],
  });

  it("asks GoGetSSL to check each domain again with revalidate", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider);
    await provider.recheckValidation(recheckRequest(orderId, "example.com"));
    const [sent] = stub.state.requestsTo("revalidate");
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe(`/orders/ssl/revalidate/${orderId}`);
    expect(sent?.form).toEqual({ domain: "example.com" });
  });

  it("passes GoGetSSL's refusal on as a provider error", async () => {
    const { provider } = await setup();
    const orderId = await placedOrderId(provider);
    await expect(provider.recheckValidation(recheckRequest(orderId, "other.example.net"))).rejects.toThrow(
      /not a domain of order/,
    );
  });
});

describe("GoGetSslProvider changeValidation", () => {
  function changeRequest(
    orderId: string,
    domains: ChangeValidationRequest["domains"],
    overrides: Partial<ChangeValidationRequest> = {},
  ): ChangeValidationRequest {
    return { providerOrderId: orderId, reference: "SSL-1042", csrPem: csr, domains, ...overrides };
  }

  it("moves one domain to DNS with change_validation_method, the record read from the order's status", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider);

    const dcv = await provider.changeValidation(
      changeRequest(orderId, [{ domain: "example.com", method: "dns" }]),
    );

    const [sent] = stub.state.requestsTo("changeValidationMethod");
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe(`/orders/ssl/change_validation_method/${orderId}`);
    expect(sent?.query).toEqual({ auth_key: stub.state.issuedKeys[0] });
    expect(sent?.form).toEqual({ domain: "example.com", new_method: "dns" });
    expect(dcv).toHaveLength(1);
    expect(dcv[0]).toMatchObject({ domain: "example.com", method: "dns" });
    expect(dcv[0]?.dnsRecord?.type).toBe("CNAME");
    expect(dcv[0]?.dnsRecord?.name).toMatch(/^_[0-9A-F]{32}\.example\.com$/);
    expect(dcv[0]?.dnsRecord?.value).toMatch(/^[0-9A-F]{32}\.[0-9A-F]{32}\.comodoca\.com$/);
    // The undocumented answer carried no record, so the status was read once for it.
    expect(stub.state.requestsTo("orderStatus")).toHaveLength(1);
    expect(stub.state.orders.get(orderId)).toMatchObject({ dcvMethod: "dns", approverEmail: undefined });
    expect((await provider.getStatus(orderId)).domains[0]).toEqual({
      domain: "example.com",
      method: "dns",
      state: "pending",
    });
  });

  it("takes the HTTP file from the answer where it carries it, without reading the status", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider);
    stub.state.forceNext("changeValidationMethod", {
      status: 200,
      body: {
        success: true,
        validation: {
          http: {
            link: "http://example.com/.well-known/pki-validation/ABC.txt",
            filename: "ABC.txt",
            content: "hash\ncomodoca.com\ntoken",
          },
        },
      },
    });

    const dcv = await provider.changeValidation(
      changeRequest(orderId, [{ domain: "example.com", method: "http" }]),
    );

    expect(dcv).toEqual([
      {
        domain: "example.com",
        method: "http",
        httpUrl: "http://example.com/.well-known/pki-validation/ABC.txt",
        httpContent: "hash\ncomodoca.com\ntoken",
      },
    ]);
    expect(stub.state.requestsTo("orderStatus")).toHaveLength(0);
  });

  it("sends another approver address for the order's own domain with change_validation_email", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider);

    const dcv = await provider.changeValidation(
      changeRequest(orderId, [
        { domain: "example.com", method: "email", approverEmail: "webmaster@example.com" },
      ]),
    );

    expect(dcv).toEqual([{ domain: "example.com", method: "email", email: "webmaster@example.com" }]);
    const [sent] = stub.state.requestsTo("changeValidationEmail");
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe(`/orders/ssl/change_validation_email/${orderId}`);
    expect(sent?.form).toEqual({ approver_email: "webmaster@example.com" });
    expect(stub.state.orders.get(orderId)).toMatchObject({
      dcvMethod: "email",
      approverEmail: "webmaster@example.com",
    });
    expect(stub.state.requestsTo("orderStatus")).toHaveLength(0);
  });

  it("changes several domains with change_domains_validation_method, and one SAN with change_validation_method", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider, { productId: "74", sans: ["www.example.com"] });

    const dcv = await provider.changeValidation(
      changeRequest(orderId, [
        { domain: "example.com", method: "http" },
        { domain: "www.example.com", method: "email", approverEmail: "admin@www.example.com" },
      ]),
    );

    const [sent] = stub.state.requestsTo("changeDomainsValidationMethod");
    expect(sent?.path).toBe(`/orders/ssl/change_domains_validation_method/${orderId}`);
    expect(sent?.form).toEqual({
      domains: "example.com,www.example.com",
      new_methods: "http,admin@www.example.com",
    });
    expect(dcv[0]?.httpUrl).toMatch(
      /^http:\/\/example\.com\/\.well-known\/pki-validation\/[0-9A-F]{32}\.txt$/,
    );
    expect(dcv[0]?.httpContent).toContain("comodoca.com");
    expect(dcv[1]).toEqual({ domain: "www.example.com", method: "email", email: "admin@www.example.com" });
    expect((await provider.getStatus(orderId)).domains).toEqual([
      { domain: "example.com", method: "http", state: "pending" },
      { domain: "www.example.com", method: "email", state: "pending" },
    ]);

    const san = await provider.changeValidation(
      changeRequest(orderId, [{ domain: "www.example.com", method: "dns" }]),
    );
    expect(stub.state.requestsTo("changeValidationMethod")[0]?.form).toEqual({
      domain: "www.example.com",
      new_method: "dns",
    });
    expect(san[0]?.dnsRecord?.name).toMatch(/^_[0-9A-F]{32}\.www\.example\.com$/);
  });

  it("maps GoGetSSL's refusals: unknown order, an order not pending, a bad approver, domain or method", async () => {
    const { stub, provider } = await setup();
    const unknown = await captureError(
      provider.changeValidation(changeRequest("987654", [{ domain: "example.com", method: "dns" }])),
    );
    expect(unknown).toBeInstanceOf(ProviderInputError);
    expect(unknown).toMatchObject({
      field: "order",
      providerMessage: "Order not found: There is no order 987654",
    });

    const orderId = await placedOrderId(provider);
    const approver = await captureError(
      provider.changeValidation(
        changeRequest(orderId, [
          { domain: "example.com", method: "email", approverEmail: "someone@elsewhere.org" },
        ]),
      ),
    );
    expect(approver).toBeInstanceOf(ProviderInputError);
    expect((approver as ProviderInputError).field).toBe("approverEmail");
    expect(approver.message).toContain(`changing the validation of GoGetSSL order ${orderId} (SSL-1042)`);

    const domain = await captureError(
      provider.changeValidation(changeRequest(orderId, [{ domain: "shop.example.com", method: "dns" }])),
    );
    expect((domain as ProviderInputError).field).toBe("domain");

    stub.state.forceNext("changeValidationMethod", {
      status: 400,
      body: { error: true, message: "Invalid validation method", description: "dns is not offered" },
    });
    const method = await captureError(
      provider.changeValidation(changeRequest(orderId, [{ domain: "example.com", method: "dns" }])),
    );
    expect((method as ProviderInputError).field).toBe("dcvMethod");
    expect(stub.state.orders.get(orderId)).toMatchObject({
      dcvMethod: "email",
      approverEmail: "admin@example.com",
    });

    stub.state.issue(orderId);
    const issued = await captureError(
      provider.changeValidation(changeRequest(orderId, [{ domain: "example.com", method: "dns" }])),
    );
    expect(issued).toBeInstanceOf(ProviderInputError);
    expect((issued as ProviderInputError).field).toBe("order");
    expect(issued.message).toContain("Order is not pending");
  });

  it("refuses an e-mail change without an approver before calling GoGetSSL", async () => {
    const { stub, provider } = await setup();
    const error = await captureError(
      provider.changeValidation(changeRequest("1500", [{ domain: "example.com", method: "email" }])),
    );
    expect((error as ProviderInputError).field).toBe("approverEmail");
    expect(stub.state.requests.filter((request) => request.endpoint !== "auth")).toHaveLength(0);
  });

  it("retries a 5xx or a dropped answer (harmless to repeat), then reports unavailable, never an unknown outcome", async () => {
    const { stub, provider } = await setup({}, { timeoutMs: 300 });
    const orderId = await placedOrderId(provider);
    const request = changeRequest(orderId, [
      { domain: "example.com", method: "email", approverEmail: "webmaster@example.com" },
    ]);

    stub.state.forceNext("changeValidationEmail", {
      status: 503,
      body: { error: true, message: "Maintenance" },
    });
    expect(await provider.changeValidation(request)).toHaveLength(1);
    expect(stub.state.requestsTo("changeValidationEmail")).toHaveLength(2);

    stub.state.forceNext(
      "changeValidationEmail",
      { status: 503, body: { error: true, message: "Maintenance" } },
      3,
    );
    const failed = await captureError(provider.changeValidation(request));
    expect(failed).toBeInstanceOf(ProviderUnavailableError);
    expect(failed).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(failed.message).toContain("HTTP 503");
    expect(stub.state.requestsTo("changeValidationEmail")).toHaveLength(5);

    stub.state.forceNext("changeValidationEmail", { destroySocket: true }, 3);
    const dropped = await captureError(provider.changeValidation(request));
    expect(dropped).toBeInstanceOf(ProviderUnavailableError);
    expect(dropped).not.toBeInstanceOf(ProviderOutcomeUnknownError);

    stub.state.forceNext("changeValidationEmail", { status: 200, body: "<html>Bad gateway</html>" });
    const garbage = await captureError(provider.changeValidation(request));
    expect(garbage).toBeInstanceOf(ProviderUnavailableError);
    expect(garbage).not.toBeInstanceOf(ProviderOutcomeUnknownError);
  });

  it("repeats a change after a 401 with a fresh key", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider);
    stub.state.expireKeys();
    const dcv = await provider.changeValidation(
      changeRequest(orderId, [
        { domain: "example.com", method: "email", approverEmail: "webmaster@example.com" },
      ]),
    );
    expect(dcv[0]?.email).toBe("webmaster@example.com");
    expect(stub.state.requestsTo("changeValidationEmail")).toHaveLength(2);
  });

  it("returns the new method without the record when the status cannot be read after the change", async () => {
    const { stub, provider } = await setup({}, { readRetries: 0 });
    const orderId = await placedOrderId(provider);
    stub.state.forceNext("orderStatus", { status: 503, body: { error: true, message: "Maintenance" } });

    const dcv = await provider.changeValidation(
      changeRequest(orderId, [{ domain: "example.com", method: "dns" }]),
    );

    expect(dcv).toEqual([{ domain: "example.com", method: "dns" }]);
    expect(stub.state.orders.get(orderId)?.dcvMethod).toBe("dns");
  });
});

describe("GoGetSslProvider status", () => {
  it("reports a pending order with per-domain state and validation details", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider, {
      dcvMethod: "dns",
      approverEmail: undefined,
      sans: ["www.example.com", "shop.example.com"],
    });
    stub.state.validateDomain(orderId, "www.example.com");
    const status = await provider.getStatus(orderId);

    expect(status.status).toBe("pending");
    expect(status.certificate).toBeUndefined();
    expect(status.domains).toEqual([
      { domain: "example.com", method: "dns", state: "pending" },
      { domain: "www.example.com", method: "dns", state: "validated" },
      { domain: "shop.example.com", method: "dns", state: "pending" },
    ]);
    expect(status.detail).toContain("GoGetSSL status: processing (Awaiting domain validation)");
    expect(status.detail).toContain("Domain validation status: 1");
    expect(status.detail).toContain("Waiting for domain control validation");
    expect(status.detail).toContain("www.example.com: Validated");
    expect(status.detail.some((line) => line.startsWith("www.example.com: create"))).toBe(false);
    expect(
      status.detail.some((line) =>
        /^example\.com: create the DNS record _[0-9A-F]{32}\.example\.com CNAME /.test(line),
      ),
    ).toBe(true);
  });

  it("collects an issued certificate with its chain and the certificate's own dates", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider, { sans: ["www.example.com"] });
    stub.state.issue(orderId);
    const order = stub.state.orders.get(orderId);
    const status = await provider.getStatus(orderId);

    expect(status.status).toBe("issued");
    expect(status.domains.every((domain) => domain.state === "validated")).toBe(true);
    const leaf = new X509Certificate(order?.crtCode ?? "");
    expect(status.certificate?.certificatePem.trim()).toBe(order?.crtCode?.replace(/\r\n/g, "\n").trim());
    expect(status.certificate?.chainPem.map((pem) => pem.trim())).toEqual(
      [ca.intermediatePem, ca.rootPem].map((pem) => pem.replace(/\r\n/g, "\n").trim()),
    );
    expect(status.certificate?.notBefore).toEqual(new Date(leaf.validFrom));
    expect(status.certificate?.notAfter).toEqual(new Date(leaf.validTo));
  });

  it("splits concatenated chain PEMs, orders them intermediate first, and prefers the certificate dates", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider);
    stub.state.issue(orderId);
    const order = stub.state.orders.get(orderId);
    if (!order) throw new Error("order missing");
    order.caCode = `${ca.rootPem.trim()}${ca.intermediatePem.trim()}`;
    order.validTill = "2099-01-01 00:00:00";

    const certificate = (await provider.getStatus(orderId)).certificate;
    expect(certificate?.chainPem).toHaveLength(2);
    expect(new X509Certificate(certificate?.chainPem[0] ?? "").subject).toBe("CN=certdesk Test Intermediate");
    expect(new X509Certificate(certificate?.chainPem[1] ?? "").subject).toBe("CN=certdesk Test Root");
    expect(certificate?.notAfter).toEqual(new Date(new X509Certificate(order.crtCode ?? "").validTo));
  });

  it("falls back to GoGetSSL's UTC dates when the certificate itself cannot be read", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider);
    stub.state.issue(orderId);
    const order = stub.state.orders.get(orderId);
    if (!order) throw new Error("order missing");
    order.crtCode = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----";
    order.validFrom = "2026-01-02";
    order.validTill = "2027-01-02 12:30:00";

    const certificate = (await provider.getStatus(orderId)).certificate;
    expect(certificate?.notBefore).toEqual(new Date("2026-01-02T00:00:00Z"));
    expect(certificate?.notAfter).toEqual(new Date("2027-01-02T12:30:00Z"));
  });

  it("reports an issued order whose crt_code is not PEM as unavailable", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider);
    stub.state.issue(orderId);
    const order = stub.state.orders.get(orderId);
    if (!order) throw new Error("order missing");
    order.crtCode = "pending upload";
    await expect(provider.getStatus(orderId)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it("keeps an active order without a certificate pending", async () => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider);
    stub.state.setStatus(orderId, "active");
    const status = await provider.getStatus(orderId);
    expect(status.status).toBe("pending");
    expect(status.detail).toContain(
      "GoGetSSL marks the order active but has not attached the certificate yet.",
    );
  });

  it.each([
    ["rejected", "rejected"],
    ["cancelled", "cancelled"],
    ["expired", "expired"],
    ["new_order", "pending"],
    ["unpaid", "pending"],
    ["incomplete", "pending"],
    ["reissue", "pending"],
  ] as const)("maps GoGetSSL status %s to %s", async (providerStatus, expected) => {
    const { stub, provider } = await setup();
    const orderId = await placedOrderId(provider);
    stub.state.setStatus(orderId, providerStatus);
    const status = await provider.getStatus(orderId);
    expect(status.status).toBe(expected);
    expect(status.detail[0]).toContain(`GoGetSSL status: ${providerStatus}`);
    if (expected === "rejected")
      expect(status.domains).toEqual([{ domain: "example.com", method: "email", state: "failed" }]);
  });
});

describe("GoGetSslProvider authentication", () => {
  it("signs in again once when the key has expired (401)", async () => {
    const { stub, provider } = await setup();
    await provider.listServerTypes();
    stub.state.expireKeys();
    expect(await provider.listServerTypes()).toHaveLength(6);

    expect(stub.state.requestsTo("auth")).toHaveLength(2);
    const keys = stub.state.requestsTo("webservers").map((request) => request.query.auth_key);
    expect(keys).toEqual([stub.state.issuedKeys[0], stub.state.issuedKeys[0], stub.state.issuedKeys[1]]);
  });

  it("signs in again once when an HTTP 200 error object says the key expired", async () => {
    const { stub, provider } = await setup();
    stub.state.forceNext("webservers", {
      status: 200,
      body: { error: true, message: "Auth key expired", description: "Please authenticate again" },
    });
    expect(await provider.listServerTypes()).toHaveLength(6);
    expect(stub.state.requestsTo("auth")).toHaveLength(2);
  });

  it("gives up with an auth error when the fresh key is refused too", async () => {
    const { stub, provider } = await setup();
    stub.state.forceNext("webservers", { status: 401, body: { error: true, message: "Unauthorized" } }, 2);
    await expect(provider.listServerTypes()).rejects.toBeInstanceOf(ProviderAuthError);
    expect(stub.state.requestsTo("auth")).toHaveLength(2);
    expect(stub.state.requestsTo("webservers")).toHaveLength(2);
  });

  it("shares one sign-in between concurrent calls", async () => {
    const { stub, provider } = await setup();
    await Promise.all([
      provider.listServerTypes(),
      provider.listProducts(),
      provider.getApproverEmails("example.com"),
    ]);
    expect(stub.state.requestsTo("auth")).toHaveLength(1);

    stub.state.expireKeys();
    await Promise.all([provider.listServerTypes(), provider.getApproverEmails("example.org")]);
    expect(stub.state.requestsTo("auth")).toHaveLength(2);
  });

  it("repeats a placement after a 401, which proves the order was not accepted", async () => {
    const { stub, provider } = await setup();
    // Placement checks the product against the list from before, so the 401 is the order's own.
    await provider.listProducts();
    stub.state.expireKeys();
    const result = await provider.placeOrder(orderRequest());
    expect(result.providerOrderId).toBe("1500");
    expect(stub.state.requestsTo("addSslOrder")).toHaveLength(2);
    expect(stub.state.orders.size).toBe(1);
  });

  it("does not repeat a placement refused by an error object about the key", async () => {
    const { stub, provider } = await setup();
    stub.state.forceNext("addSslOrder", { status: 200, body: { error: true, message: "Auth key expired" } });
    await expect(provider.placeOrder(orderRequest())).rejects.toBeInstanceOf(ProviderAuthError);
    expect(stub.state.requestsTo("addSslOrder")).toHaveLength(1);
  });

  it("reports bad credentials as an auth error that names the settings to fix", async () => {
    const { stub, provider } = await setup({}, { password: "wrong-password-123" });
    const error = await captureError(provider.listProducts());
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.message).toContain("GOGETSSL_PASSWORD");
    expect(error.message).toContain("Wrong login or API password");
    expectNoSecrets(error, ["wrong-password-123"]);
    expect(stub.state.requestsTo("products")).toHaveLength(0);
  });
});

describe("GoGetSslProvider errors", () => {
  it("maps an HTTP 200 error object to an input error on the right field", async () => {
    const { provider } = await setup();
    const error = await captureError(provider.placeOrder(orderRequest({ csrPem: "not a csr" })));
    expect(error).toBeInstanceOf(ProviderInputError);
    expect(error).not.toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderInputError).field).toBe("csr");
    expect((error as ProviderInputError).providerMessage).toBe("Invalid CSR: The CSR could not be decoded");
    expect(error.message).toContain("SSL-1042");
  });

  it.each([
    ["getApproverEmails", "domain"],
    ["placeOrder:product", "product"],
    ["placeOrder:approver", "approverEmail"],
    ["placeOrder:serverType", "serverType"],
  ] as const)("maps an HTTP 400 error object from %s to field %s", async (call, field) => {
    const { provider } = await setup();
    const attempts = {
      getApproverEmails: () => provider.getApproverEmails("not_a_domain"),
      "placeOrder:product": () => provider.placeOrder(orderRequest({ productId: "404" })),
      "placeOrder:approver": () =>
        provider.placeOrder(orderRequest({ approverEmail: "someone@elsewhere.org" })),
      "placeOrder:serverType": () => provider.placeOrder(orderRequest({ serverTypeId: "999" })),
    };
    const error = await captureError(attempts[call]());
    expect(error).toBeInstanceOf(ProviderInputError);
    expect((error as ProviderInputError).field).toBe(field);
  });

  it.each([
    ["Invalid domain", "Domain name is not valid", "domain"],
    ["Invalid CSR", "CSR common name does not match the domain", "csr"],
    ["Invalid approver email", "Approver email is not allowed for this domain", "approverEmail"],
    ["Validation error", "Period 36 is not available for this product", "period"],
    ["Invalid product", "Product is disabled", "product"],
    ["Invalid country", "org_country must be an ISO code", "country"],
    ["Invalid webserver_type", "", "serverType"],
    ["Invalid dcv_method", "", "dcvMethod"],
    ["Missing field", "admin_phone is required", "contact"],
    ["Missing field", "org_name is required", "organisation"],
    ["Too many SANs", "dns_names exceeds the product limit", "sans"],
    ["Insufficient funds", "Please top up your balance", "order"],
  ] as const)("maps %s / %s to field %s", (message, description, field) => {
    expect(fieldFor({ message, description }).field).toBe(field);
  });

  it("turns a body that is not JSON into an unavailable error for reads", async () => {
    const { stub, provider } = await setup();
    stub.state.forceNext("products", { status: 200, body: "<html>Maintenance</html>" });
    await expect(provider.listProducts()).rejects.toBeInstanceOf(ProviderUnavailableError);
    stub.state.forceNext("webservers", { status: 200, body: { webservers: "none" } });
    await expect(provider.listServerTypes()).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it("turns a garbage placement answer into an unknown outcome, sent exactly once", async () => {
    const { stub, provider } = await setup();
    stub.state.forceNext("addSslOrder", { status: 200, body: "<html>Bad gateway</html>" });
    const error = await captureError(provider.placeOrder(orderRequest()));
    expect(error).toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(error.message).toContain("client area");

    stub.state.forceNext("addSslOrder", { status: 200, body: { success: true } });
    await expect(provider.placeOrder(orderRequest())).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(stub.state.requestsTo("addSslOrder")).toHaveLength(2);
  });

  it("turns a read timeout into an unavailable error", async () => {
    const { stub, provider } = await setup({}, { timeoutMs: 200 });
    stub.state.forceNext("webservers", { delayMs: 2_000 }, 3);
    const error = await captureError(provider.listServerTypes());
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(error.message).toContain("timed out");
  });

  it("turns a placement timeout into an unknown outcome without retrying", async () => {
    const { stub, provider } = await setup({}, { timeoutMs: 200 });
    stub.state.forceNext("addSslOrder", { delayMs: 2_000 });
    await expect(provider.placeOrder(orderRequest())).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(stub.state.requestsTo("addSslOrder")).toHaveLength(1);
  });

  it("retries reads on 5xx and succeeds", async () => {
    const { stub, provider } = await setup();
    stub.state.forceNext("products", { status: 503, body: "Service Unavailable" }, 2);
    expect(await provider.listProducts()).toHaveLength(5);
    expect(stub.state.requestsTo("products")).toHaveLength(3);
  });

  it("gives up on reads after the configured retries", async () => {
    const { stub, provider } = await setup();
    stub.state.forceNext("orderStatus", { status: 502, body: "" }, 3);
    await expect(provider.getStatus("1500")).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(stub.state.requestsTo("orderStatus")).toHaveLength(3);
  });

  it("never retries a placement answered with 5xx", async () => {
    const { stub, provider } = await setup();
    stub.state.forceNext("addSslOrder", { status: 500, body: { error: true, message: "Internal error" } });
    const error = await captureError(provider.placeOrder(orderRequest()));
    expect(error).toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(error.message).toContain("HTTP 500");
    expect(stub.state.requestsTo("addSslOrder")).toHaveLength(1);
  });

  it("treats a dropped connection as unknown for placements and unavailable for reads", async () => {
    const { stub, provider } = await setup();
    stub.state.forceNext("addSslOrder", { destroySocket: true });
    await expect(provider.placeOrder(orderRequest())).rejects.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(stub.state.requestsTo("addSslOrder")).toHaveLength(1);

    stub.state.forceNext("orderStatus", { destroySocket: true }, 3);
    const error = await captureError(provider.getStatus("1500"));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).not.toBeInstanceOf(ProviderOutcomeUnknownError);
  });

  it("treats a rate-limited placement as not placed", async () => {
    const { stub, provider } = await setup();
    stub.state.forceNext("addSslOrder", { status: 429, body: { error: true, message: "Too many requests" } });
    const error = await captureError(provider.placeOrder(orderRequest()));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(stub.state.requestsTo("addSslOrder")).toHaveLength(1);
  });

  it("points at the API URL, not the credentials, when sign-in finds no API", async () => {
    const { stub, provider } = await setup();
    stub.state.forceNext("auth", { status: 404, body: "<html>Not Found</html>" });
    const error = await captureError(provider.listServerTypes());
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.message).toContain("GOGETSSL_API_URL");
  });

  it("knows a placement that could not connect was never sent", async () => {
    const { stub, provider } = await setup();
    await provider.listServerTypes();
    await stub.close();
    const error = await captureError(provider.placeOrder(orderRequest()));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).not.toBeInstanceOf(ProviderOutcomeUnknownError);
  });
});

describe("GoGetSslProvider secrets", () => {
  it("keeps the password and auth keys out of JSON.stringify and util.inspect", async () => {
    const { stub, provider } = await setup();
    await provider.listServerTypes();
    const secrets = [GOGETSSL_STUB_PASSWORD, ...stub.state.issuedKeys];
    expect(stub.state.issuedKeys).toHaveLength(1);
    for (const rendering of [JSON.stringify(provider), inspect(provider, { depth: 10, showHidden: true })]) {
      for (const secret of secrets) expect(rendering).not.toContain(secret);
    }
  });

  it("keeps the password and auth keys out of every error class, even when GoGetSSL echoes them", async () => {
    const { stub, provider } = await setup();
    await provider.listServerTypes();
    const key = stub.state.issuedKeys[0] ?? "";
    const echo = `request ${key} from ${GOGETSSL_STUB_USER} with ${GOGETSSL_STUB_PASSWORD}`;
    const errors: Error[] = [];

    stub.state.forceNext("addSslOrder", {
      status: 400,
      body: { error: true, message: "Invalid product", description: echo },
    });
    errors.push(await captureError(provider.placeOrder(orderRequest())));
    stub.state.forceNext("orderStatus", { status: 503, body: { error: true, message: echo } }, 3);
    errors.push(await captureError(provider.getStatus("1500")));
    stub.state.forceNext("addSslOrder", { status: 500, body: { error: true, message: echo } });
    errors.push(await captureError(provider.placeOrder(orderRequest())));
    stub.state.forceNext("addSslOrder", {
      status: 200,
      body: { error: true, message: "Auth key invalid", description: echo },
    });
    errors.push(await captureError(provider.placeOrder(orderRequest())));
    stub.state.expireKeys();
    stub.state.forceNext("auth", {
      status: 401,
      body: { error: true, message: "Auth error", description: echo },
    });
    errors.push(await captureError(provider.listServerTypes()));

    expect(errors.map((error) => error.constructor)).toEqual([
      ProviderInputError,
      ProviderUnavailableError,
      ProviderOutcomeUnknownError,
      ProviderAuthError,
      ProviderAuthError,
    ]);
    for (const error of errors) expectNoSecrets(error, [GOGETSSL_STUB_PASSWORD, ...stub.state.issuedKeys]);
    expect(errors[0]?.message).toContain("[redacted]");
  });

  it("keeps secrets out of transport failures", async () => {
    const { stub, provider } = await setup({}, { timeoutMs: 200 });
    await provider.listServerTypes();
    stub.state.forceNext("addSslOrder", { delayMs: 2_000 });
    const timeout = await captureError(provider.placeOrder(orderRequest()));
    stub.state.forceNext("webservers", { destroySocket: true }, 3);
    const dropped = await captureError(provider.listServerTypes());
    for (const error of [timeout, dropped]) {
      expectNoSecrets(error, [GOGETSSL_STUB_PASSWORD, ...stub.state.issuedKeys]);
      expect(error.cause).toBeUndefined();
    }
  });
});
