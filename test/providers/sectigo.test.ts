import { createHash, X509Certificate } from "node:crypto";
import { inspect } from "node:util";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { certificateMatchesCsr } from "../../src/certs/inspect.js";
import {
  ProviderAuthError,
  type ProviderError,
  ProviderInputError,
  ProviderOutcomeUnknownError,
  ProviderUnavailableError,
} from "../../src/providers/errors.js";
import { SectigoProvider, type SectigoProviderOptions } from "../../src/providers/sectigo/provider.js";
import type {
  ChangeValidationRequest,
  PlaceOrderRequest,
  ReissueRequest,
} from "../../src/providers/types.js";
import { type SectigoStub, type SectigoStubOptions, startSectigoStub } from "../support/sectigo-stub.js";
import { createTestCa, createTestCsr, type TestCa } from "../support/test-ca.js";

const LOGIN = "reseller-login";
const PASSWORD = "s3cret-Pa55word!";
const DAY_MS = 86_400_000;

let ca: TestCa;
let stub: SectigoStub;
const csrs = new Map<string, string>();

beforeAll(() => {
  ca = createTestCa();
});

beforeEach(async () => {
  stub = await startStub();
});

afterEach(async () => {
  await stub.close();
});

function startStub(options: SectigoStubOptions = {}): Promise<SectigoStub> {
  return startSectigoStub({
    loginName: LOGIN,
    loginPassword: PASSWORD,
    issueCertificate: (csrPem) => ca.issueCertificate(csrPem),
    ...options,
  });
}

async function replaceStub(options: SectigoStubOptions): Promise<void> {
  await stub.close();
  stub = await startStub(options);
}

function sectigo(overrides: Partial<SectigoProviderOptions> = {}): SectigoProvider {
  return new SectigoProvider({
    loginName: LOGIN,
    loginPassword: PASSWORD,
    apiUrl: stub.url,
    timeoutMs: 2_000,
    readRetries: 2,
    retryDelayMs: 1,
    ...overrides,
  });
}

function csrFor(commonName: string): string {
  const cached = csrs.get(commonName) ?? createTestCsr(commonName);
  csrs.set(commonName, cached);
  return cached;
}

function orderRequest(overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  const commonName = overrides.commonName ?? "www.example.com";
  return {
    reference: "SSL-1042",
    productId: "287",
    periodMonths: 12,
    serverTypeId: "2",
    csrPem: csrFor(commonName),
    commonName,
    sans: [],
    dcvMethod: "email",
    approverEmail: "admin@example.com",
    addonIds: [],
    organisation: {
      name: "Example Ltd",
      unit: "IT",
      street: "1 High Street",
      city: "London",
      state: "Greater London",
      postalCode: "EC1A 1AA",
      country: "gb",
      phone: "+44 20 7946 0000",
      email: "certs@example.com",
    },
    contact: {
      firstName: "Ada",
      lastName: "Lovelace",
      email: "ada@example.com",
      phone: "+44 1",
      title: "CTO",
    },
    ...overrides,
  };
}

/** Email DCV needs an approver list Sectigo served recently, as in real use. */
async function placeEmailOrder(provider: SectigoProvider, overrides: Partial<PlaceOrderRequest> = {}) {
  const request = orderRequest(overrides);
  await provider.getApproverEmails(request.commonName);
  return provider.placeOrder(request);
}

function csrHashes(csrPem: string) {
  const der = Buffer.from(csrPem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
  const hex = (algorithm: string) => createHash(algorithm).update(der).digest("hex").toUpperCase();
  return { md5: hex("md5"), sha256: hex("sha256") };
}

function expectNoSecrets(error: unknown, secrets: string[] = [PASSWORD]): void {
  const err = error as Error;
  const renderings = [
    String(err),
    err.message,
    JSON.stringify(err),
    err.stack ?? "",
    inspect(err, { depth: 5 }),
  ];
  for (const secret of secrets) {
    for (const text of renderings) expect(text).not.toContain(secret);
  }
}

/** The rejection of `promise`, checked for leaked secrets on the way. */
async function failure(promise: Promise<unknown>, secrets?: string[]): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expectNoSecrets(error, secrets);
    return error as ProviderError;
  }
  throw new Error("expected the call to fail");
}

function urlEncoded(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
}

describe("catalogue", () => {
  it("offers the curated Sectigo products for one or two years, without add-ons", async () => {
    const products = await sectigo().listProducts();
    expect(products.map((product) => product.id)).toEqual(["287", "289", "279", "316", "322", "583"]);
    expect(
      products.every((product) => product.periods.join() === "12,24" && product.addons.length === 0),
    ).toBe(true);
    expect(products.find((product) => product.id === "289")).toMatchObject({
      wildcard: true,
      validation: "DV",
    });
    expect(products.find((product) => product.id === "279")).toMatchObject({ multiDomain: true });
    expect(products.find((product) => product.id === "316")).toMatchObject({ validation: "OV" });
  });

  it("offers the common server types with Apache/mod_ssl preselected", async () => {
    const types = await sectigo().listServerTypes();
    expect(types.map((type) => type.id)).toEqual(["2", "14", "24", "31", "30", "-1"]);
    expect(types.filter((type) => type.isDefault).map((type) => type.id)).toEqual(["2"]);
  });

  it("declares its capabilities, the documented 3-hour polling limit and 198-day validation reuse", () => {
    expect(sectigo().capabilities).toEqual({
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
      minPollIntervalSeconds: 10_800,
      oneApproverForAllDomains: true,
      dcvReuseDays: 198,
    });
    expect(sectigo({ minPollIntervalSeconds: 60 }).capabilities.minPollIntervalSeconds).toBe(60);
    expect(sectigo().id).toBe("sectigo");
    expect(sectigo().displayName).toBe("Sectigo");
  });
});

describe("getApproverEmails", () => {
  it("posts the credentials form-encoded and returns the text list without `none`", async () => {
    const emails = await sectigo().getApproverEmails("www.example.com");

    expect(emails).toEqual([
      "admin@example.com",
      "administrator@example.com",
      "hostmaster@example.com",
      "postmaster@example.com",
      "webmaster@example.com",
      "admin@www.example.com",
      "administrator@www.example.com",
      "hostmaster@www.example.com",
      "postmaster@www.example.com",
      "webmaster@www.example.com",
    ]);
    const [request] = stub.state.requests;
    expect(request).toMatchObject({
      method: "POST",
      path: "/products/!GetDCVEmailAddressList",
      contentType: "application/x-www-form-urlencoded",
      form: { loginName: LOGIN, loginPassword: PASSWORD, domainName: "www.example.com" },
    });
  });

  it("trims, drops `none`, removes duplicates and keeps Sectigo's order", async () => {
    stub.state.forceNext("GetDCVEmailAddressList", {
      body: [
        "0",
        "domain_name\texample.com",
        "whois_email\t owner@example.com ",
        "level2_email\t admin@example.com",
        "level2_email\tOWNER@example.com",
        "whois_email\tnone",
        "level2_email\tadmin@example.com",
        "",
      ].join("\n"),
    });
    expect(await sectigo().getApproverEmails("example.com")).toEqual([
      "owner@example.com",
      "admin@example.com",
    ]);
  });

  it("reads a URL-encoded answer with repeated keys too", async () => {
    stub.state.forceNext("GetDCVEmailAddressList", {
      body: "errorCode=0&whois_email=none&level2_email=admin%40example.com&level2_email=webmaster%40example.com",
    });
    expect(await sectigo().getApproverEmails("example.com")).toEqual([
      "admin@example.com",
      "webmaster@example.com",
    ]);
  });

  it("tells the user Sectigo will not issue for an IP address", async () => {
    const error = await failure(sectigo().getApproverEmails("203.0.113.7"));
    expect(error).toBeInstanceOf(ProviderInputError);
    expect(error).toMatchObject({ field: "domain", providerCode: "-19" });
    expect(error.message).toMatch(/will not issue for an IP address/);
  });

  it("maps -37 (server name or IP) and an invalid domain to the domain field", async () => {
    stub.state.forceNext("GetDCVEmailAddressList", {
      body: "-37\nThe domain name is an Internet server name or IP address!\n",
    });
    expect(await failure(sectigo().getApproverEmails("intranet"))).toMatchObject({
      field: "domain",
      providerCode: "-37",
      providerMessage: "The domain name is an Internet server name or IP address!",
    });
    const invalid = await failure(sectigo().getApproverEmails("not_a_domain"));
    expect(invalid).toBeInstanceOf(ProviderInputError);
    expect(invalid).toMatchObject({ field: "domain", providerCode: "-4" });
  });

  it("accepts the error_code spelling", async () => {
    stub.state.forceNext("GetDCVEmailAddressList", {
      body: "error_code=-16&errorMessage=Permission+denied%21",
    });
    const error = await failure(sectigo().getApproverEmails("example.com"));
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.providerMessage).toBe("Permission denied!");
  });

  it("reports refused credentials as an authentication error without the password", async () => {
    const wrong = "wr0ng-Secret-value";
    const error = await failure(sectigo({ loginPassword: wrong }).getApproverEmails("example.com"), [
      wrong,
      PASSWORD,
    ]);
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.message).toMatch(/SECTIGO_LOGIN_PASSWORD/);
    expect(error.providerCode).toBe("-16");
  });

  it("retries a 5xx and then succeeds", async () => {
    stub.state.forceNext("GetDCVEmailAddressList", { status: 503, body: "Service Unavailable" });
    stub.state.forceNext("GetDCVEmailAddressList", { destroySocket: true });
    expect(await sectigo().getApproverEmails("example.com")).toContain("admin@example.com");
    expect(stub.state.requestsTo("GetDCVEmailAddressList")).toHaveLength(3);
  });

  it("gives up after the retries with ProviderUnavailableError", async () => {
    for (let i = 0; i < 3; i++)
      stub.state.forceNext("GetDCVEmailAddressList", { status: 502, body: "Bad Gateway" });
    const error = await failure(sectigo().getApproverEmails("example.com"));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(error.message).toMatch(/HTTP 502/);
    expect(stub.state.requestsTo("GetDCVEmailAddressList")).toHaveLength(3);
  });

  it("treats a timeout as unavailable", async () => {
    for (let i = 0; i < 2; i++) stub.state.forceNext("GetDCVEmailAddressList", { delayMs: 1_000 });
    const error = await failure(sectigo({ timeoutMs: 100, readRetries: 1 }).getApproverEmails("example.com"));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(error.message).toMatch(/timed out/);
  });

  it.each([
    ["an HTML page", "<html><body>Maintenance</body></html>"],
    ["URL-encoded without an error code", "orderNumber=5&status=ok"],
    ["a list holding something that is not an address", "0\nlevel2_email\tnot an address\n"],
    ["an empty body", ""],
  ])("treats %s as unavailable", async (_name, body) => {
    stub.state.forceNext("GetDCVEmailAddressList", { body });
    const error = await failure(sectigo().getApproverEmails("example.com"));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.message).toMatch(/cannot read/);
  });
});

describe("placeOrder", () => {
  it("places a DV order with email validation and sends every documented field", async () => {
    const result = await placeEmailOrder(sectigo());

    const [order] = [...stub.state.orders.values()];
    expect(result).toEqual({
      providerOrderId: order?.orderNumber,
      cost: { amount: "12.98" },
      status: "pending",
      dcv: [{ domain: "www.example.com", method: "email", email: "admin@example.com" }],
    });
    const [request] = stub.state.requestsTo("AutoApplySSL");
    expect(request?.path).toBe("/products/!AutoApplySSL");
    expect(request?.form).toEqual({
      loginName: LOGIN,
      loginPassword: PASSWORD,
      product: "287",
      days: "365",
      serverSoftware: "2",
      csr: csrFor("www.example.com"),
      isCustomerValidated: "N",
      dcvMethod: "EMAIL",
      dcvEmailAddress: "admin@example.com",
      uniqueValue: "SSL1042",
      showCertificateID: "Y",
      responseFormat: "1",
      organizationName: "Example Ltd",
      organizationalUnitName: "IT",
      streetAddress1: "1 High Street",
      localityName: "London",
      stateOrProvinceName: "Greater London",
      postalCode: "EC1A 1AA",
      countryName: "GB",
      telephoneNumber: "+44 20 7946 0000",
      emailAddress: "certs@example.com",
    });
  });

  it("sends test=Y when configured and two years as 730 days", async () => {
    await placeEmailOrder(sectigo({ test: true }), { periodMonths: 24 });
    const [request] = stub.state.requestsTo("AutoApplySSL");
    expect(request?.form).toMatchObject({ test: "Y", days: "730" });
    expect([...stub.state.orders.values()][0]?.test).toBe(true);
  });

  it("returns the HTTP file Sectigo checks, derived from the CSR", async () => {
    const result = await sectigo().placeOrder(orderRequest({ dcvMethod: "http", approverEmail: undefined }));

    const { md5, sha256 } = csrHashes(csrFor("www.example.com"));
    expect(result.dcv).toEqual([
      {
        domain: "www.example.com",
        method: "http",
        httpUrl: `http://www.example.com/.well-known/pki-validation/${md5}.txt`,
        httpContent: `${sha256}\nsectigo.com\nSSL1042`,
      },
    ]);
    const form = stub.state.requestsTo("AutoApplySSL")[0]?.form;
    expect(form).toMatchObject({ dcvMethod: "HTTP_CSR_HASH", uniqueValue: "SSL1042" });
    expect(form).not.toHaveProperty("dcvEmailAddress");
  });

  it("returns the CNAME for DNS validation of a wildcard", async () => {
    const result = await sectigo().placeOrder(
      orderRequest({
        productId: "289",
        commonName: "*.example.com",
        dcvMethod: "dns",
        approverEmail: undefined,
      }),
    );

    const { md5, sha256 } = csrHashes(csrFor("*.example.com"));
    expect(result.dcv).toEqual([
      {
        domain: "*.example.com",
        method: "dns",
        dnsRecord: {
          name: `_${md5}.example.com`,
          type: "CNAME",
          value: `${sha256.slice(0, 32)}.${sha256.slice(32)}.SSL1042.sectigo.com`,
        },
      },
    ]);
    expect(stub.state.requestsTo("AutoApplySSL")[0]?.form.dcvMethod).toBe("CNAME_CSR_HASH");
  });

  it("lists every domain of a multi-domain order and one instruction per domain", async () => {
    const result = await sectigo().placeOrder(
      orderRequest({
        productId: "279",
        sans: ["example.com", "shop.example.com"],
        dcvMethod: "http",
        approverEmail: undefined,
      }),
    );

    expect(stub.state.requestsTo("AutoApplySSL")[0]?.form).toMatchObject({
      domainNames: "www.example.com,example.com,shop.example.com",
      primaryDomainName: "www.example.com",
    });
    expect(result.dcv.map((instruction) => instruction.httpUrl?.split("/.well-known")[0])).toEqual([
      "http://www.example.com",
      "http://example.com",
      "http://shop.example.com",
    ]);
  });

  it("sends one approver address per domain for multi-domain email validation", async () => {
    const provider = sectigo();
    await provider.getApproverEmails("example.com");
    const result = await provider.placeOrder(orderRequest({ productId: "279", sans: ["shop.example.com"] }));

    expect(stub.state.requestsTo("AutoApplySSL")[0]?.form.dcvEmailAddresses).toBe(
      "admin@example.com,admin@example.com",
    );
    expect(result.dcv.map((instruction) => instruction.email)).toEqual([
      "admin@example.com",
      "admin@example.com",
    ]);
  });

  it.each([
    ["an unknown product", { productId: "9999" }, "product"],
    ["text that is not a CSR", { csrPem: "hello" }, "csr"],
    ["email validation without an approver", { approverEmail: undefined }, "approverEmail"],
    [
      "one approver for a domain it cannot approve",
      { productId: "279", sans: ["example.org"], approverEmail: "admin@example.com" },
      "dcvMethod",
    ],
  ] as [string, Partial<PlaceOrderRequest>, string][])(
    "refuses %s before contacting Sectigo",
    async (_name, overrides, field) => {
      const error = await failure(sectigo().placeOrder(orderRequest(overrides)));
      expect(error).toBeInstanceOf(ProviderInputError);
      expect(error).toMatchObject({ field });
      expect(stub.state.requestsTo("AutoApplySSL")).toHaveLength(0);
    },
  );

  it("keeps an order that still needs payment pending, with its cost", async () => {
    await replaceStub({ paymentRequired: true, totalCost: "7.50" });
    const provider = sectigo();
    const result = await placeEmailOrder(provider);

    expect(result).toMatchObject({ status: "pending", cost: { amount: "7.50" } });
    const status = await provider.getStatus(result.providerOrderId);
    expect(status.status).toBe("pending");
    expect(status.detail.join(" ")).toMatch(/awaiting payment/i);
  });

  it("reads the newline answer format as well", async () => {
    stub.state.forceNext("AutoApplySSL", { body: "0\n1234567\n9.50\n0\nSSL1042\n" });
    const result = await sectigo().placeOrder(orderRequest({ dcvMethod: "dns", approverEmail: undefined }));
    expect(result).toMatchObject({ providerOrderId: "1234567", cost: { amount: "9.50" }, status: "pending" });
  });

  it("sends the same uniqueValue when an order is resubmitted, so Sectigo refuses the duplicate", async () => {
    const provider = sectigo();
    await placeEmailOrder(provider);
    const error = await failure(provider.placeOrder(orderRequest()));

    expect(error).toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(error.message).toMatch(/uniqueValue SSL1042/);
    const tokens = stub.state.requestsTo("AutoApplySSL").map((request) => request.form.uniqueValue);
    expect(tokens).toEqual(["SSL1042", "SSL1042"]);
    expect(stub.state.orders.size).toBe(1);
  });

  it("shortens a long reference to a stable 20-character token", async () => {
    const provider = sectigo();
    const reference = "ACME-CORPORATION-2024-SSL-000123";
    await provider.placeOrder(orderRequest({ reference, dcvMethod: "dns", approverEmail: undefined }));
    await failure(
      provider.placeOrder(orderRequest({ reference, dcvMethod: "dns", approverEmail: undefined })),
    );

    const [first, second] = stub.state.requestsTo("AutoApplySSL").map((request) => request.form.uniqueValue);
    expect(first).toMatch(/^ACMECORPORAT[A-F0-9]{8}$/);
    expect(second).toBe(first);
  });

  it.each([
    ["a wildcard product for a plain name", { productId: "289", dcvMethod: "dns" as const }, "domain", "-6"],
    [
      "a wildcard name on a plain product",
      { commonName: "*.example.com", dcvMethod: "dns" as const },
      "domain",
      "-5",
    ],
    ["an unknown country", { dcvMethod: "dns" as const, organisation: { country: "U1" } }, "country", "-7"],
  ] as [string, Partial<PlaceOrderRequest>, string, string][])(
    "maps Sectigo's refusal of %s to the form field",
    async (_name, overrides, field, code) => {
      const error = await failure(
        sectigo().placeOrder(orderRequest({ approverEmail: undefined, ...overrides })),
      );
      expect(error).toBeInstanceOf(ProviderInputError);
      expect(error).toMatchObject({ field, providerCode: code });
    },
  );

  it("asks for a fresh approver list when Sectigo refuses the address", async () => {
    const error = await failure(sectigo().placeOrder(orderRequest()));
    expect(error).toBeInstanceOf(ProviderInputError);
    expect(error).toMatchObject({ field: "approverEmail", providerCode: "-4" });
    expect(error.message).toMatch(/last 24 hours/);
  });

  it.each([
    [-8, {}, "csr"],
    [-9, {}, "csr"],
    [-10, {}, "csr"],
    [-11, {}, "csr"],
    [-12, {}, "csr"],
    [-13, {}, "csr"],
    [-40, {}, "csr"],
    [-41, {}, "csr"],
    [-15, {}, "order"],
    [-18, {}, "domain"],
    [-19, {}, "domain"],
    [-35, {}, "domain"],
    [-115, {}, "period"],
    [-999, {}, "order"],
    [-2, { errorItem: "organizationalUnitName" }, "organisation"],
    [-2, { errorItem: "somethingNew" }, "order"],
    [-3, { errorItem: "days" }, "period"],
    [-4, { errorItem: "dcvEmailAddress" }, "approverEmail"],
    [-4, { errorItem: "serverSoftware" }, "serverType"],
    [-4, { errorItem: "product" }, "product"],
    [-4, { errorItem: "domainNames" }, "sans"],
    [-4, { errorMessage: "The value of the 'countryName' argument is invalid!" }, "country"],
  ] as [number, Record<string, string>, string][])(
    "maps error %i %j to ProviderInputError on %s",
    async (code, extra, field) => {
      const fields = { errorCode: String(code), errorMessage: "Sectigo says no", ...extra };
      stub.state.forceNext("AutoApplySSL", { body: urlEncoded(fields) });
      const error = await failure(
        sectigo().placeOrder(orderRequest({ dcvMethod: "dns", approverEmail: undefined })),
      );
      expect(error).toBeInstanceOf(ProviderInputError);
      expect(error).toMatchObject({
        field,
        providerCode: String(code),
        providerMessage: fields.errorMessage,
      });
    },
  );

  it.each([
    ["-16 (login refused)", "errorCode=-16&errorMessage=Permission+denied", ProviderAuthError],
    ["-3 naming loginPassword", "errorCode=-3&errorItem=loginPassword", ProviderAuthError],
    ["-42 (call limit)", "errorCode=-42&errorMessage=Call+limit+reached", ProviderUnavailableError],
    ["-1 (not HTTPS)", "errorCode=-1&errorMessage=Not+HTTPS", ProviderUnavailableError],
    ["-17 (not POST)", "errorCode=-17&errorMessage=Not+POST", ProviderUnavailableError],
  ])("maps %s to its error class", async (_name, body, errorClass) => {
    stub.state.forceNext("AutoApplySSL", { body });
    const error = await failure(
      sectigo().placeOrder(orderRequest({ dcvMethod: "dns", approverEmail: undefined })),
    );
    expect(error).toBeInstanceOf(errorClass);
    expect(error).not.toBeInstanceOf(ProviderOutcomeUnknownError);
  });

  it.each([
    ["a 5xx", { status: 500, body: "Internal Server Error" }],
    ["a timeout", { delayMs: 1_000 }],
    ["a reset connection", { destroySocket: true }],
    ["an unreadable body", { body: "<html>Oops</html>" }],
    ["success without an order number", { body: "errorCode=0&totalCost=1.00" }],
    ["an unknown error (-14)", { body: "errorCode=-14&errorMessage=Unknown+error" }],
  ])("sends the order once and reports %s as an unknown outcome", async (_name, response) => {
    stub.state.forceNext("AutoApplySSL", response);
    const provider = sectigo({ timeoutMs: 150, readRetries: 3 });
    const error = await failure(
      provider.placeOrder(orderRequest({ dcvMethod: "dns", approverEmail: undefined })),
    );

    expect(error).toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(error.message).toMatch(/uniqueValue SSL1042/);
    expect(stub.state.requestsTo("AutoApplySSL")).toHaveLength(1);
  });

  it("reports a 4xx as unavailable: the order was refused before processing", async () => {
    stub.state.forceNext("AutoApplySSL", { status: 404, body: "Not Found" });
    const error = await failure(
      sectigo().placeOrder(orderRequest({ dcvMethod: "dns", approverEmail: undefined })),
    );
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(error.message).toMatch(/SECTIGO_API_URL/);
  });
});

describe("renew", () => {
  it("places a new AutoApplySSL order with the same CSR", async () => {
    const provider = sectigo();
    const first = await placeEmailOrder(provider);
    const renewal = await provider.renew({
      ...orderRequest({ reference: "SSL-1043" }),
      previousProviderOrderId: first.providerOrderId,
    });

    expect(renewal.providerOrderId).not.toBe(first.providerOrderId);
    expect(renewal.status).toBe("pending");
    const requests = stub.state.requestsTo("AutoApplySSL");
    expect(requests).toHaveLength(2);
    expect(requests[1]?.form).toMatchObject({ csr: csrFor("www.example.com"), uniqueValue: "SSL1043" });
  });
});

describe("reissue", () => {
  /** An email-validated order, placed and issued; its certificate is the first one. */
  async function issuedOrder(provider: SectigoProvider, overrides: Partial<PlaceOrderRequest> = {}) {
    const placed = await placeEmailOrder(provider, overrides);
    stub.state.issue(placed.providerOrderId);
    const first = (await provider.getStatus(placed.providerOrderId)).certificate?.certificatePem;
    if (!first) throw new Error("the stub should have issued the order");
    return { orderNumber: placed.providerOrderId, first };
  }

  function reissueRequest(orderNumber: string, overrides: Partial<ReissueRequest> = {}): ReissueRequest {
    return {
      providerOrderId: orderNumber,
      reference: "SSL-1042",
      serverTypeId: "2",
      csrPem: createTestCsr("www.example.com"),
      commonName: "www.example.com",
      sans: [],
      dcvMethod: "email",
      approverEmail: "admin@example.com",
      ...overrides,
    };
  }

  it("sends AutoReplaceSSL with the new CSR; pending, then issued with the new certificate", async () => {
    const provider = sectigo();
    const { orderNumber, first } = await issuedOrder(provider);
    const request = reissueRequest(orderNumber);

    const result = await provider.reissue(request);

    expect(result).toEqual({
      status: "pending",
      dcv: [{ domain: "www.example.com", method: "email", email: "admin@example.com" }],
    });
    const [sent] = stub.state.requestsTo("AutoReplaceSSL");
    expect(sent?.path).toBe("/products/!AutoReplaceSSL");
    expect(sent?.contentType).toBe("application/x-www-form-urlencoded");
    expect(sent?.form).toEqual({
      loginName: LOGIN,
      loginPassword: PASSWORD,
      orderNumber,
      serverSoftware: "2",
      csr: request.csrPem,
      isCustomerValidated: "N",
      dcvMethod: "EMAIL",
      dcvEmailAddress: "admin@example.com",
      uniqueValue: "SSL1042",
      showCertificateID: "Y",
      responseFormat: "1",
    });
    // A reissue is no new order.
    expect(stub.state.requestsTo("AutoApplySSL")).toHaveLength(1);
    expect(stub.state.orders.size).toBe(1);

    const during = await provider.getStatus(orderNumber);
    expect(during.status).toBe("pending");
    expect(during.certificate).toBeUndefined();

    stub.state.issue(orderNumber);
    const after = await provider.getStatus(orderNumber);
    expect(after.status).toBe("issued");
    const second = after.certificate?.certificatePem ?? "";
    expect(pemBody(second)).not.toBe(pemBody(first));
    expect(certificateMatchesCsr(second, request.csrPem)).toBe(true);
    expect(certificateMatchesCsr(second, csrFor("www.example.com"))).toBe(false);
  });

  it("returns the CNAME of the new CSR with the order's uniqueValue", async () => {
    const provider = sectigo();
    const { orderNumber } = await issuedOrder(provider);
    const request = reissueRequest(orderNumber, { dcvMethod: "dns", approverEmail: undefined });

    const result = await provider.reissue(request);

    const { md5, sha256 } = csrHashes(request.csrPem);
    expect(result.dcv).toEqual([
      {
        domain: "www.example.com",
        method: "dns",
        dnsRecord: {
          name: `_${md5}.www.example.com`,
          type: "CNAME",
          value: `${sha256.slice(0, 32)}.${sha256.slice(32)}.SSL1042.sectigo.com`,
        },
      },
    ]);
    const form = stub.state.requestsTo("AutoReplaceSSL")[0]?.form;
    expect(form).toMatchObject({ dcvMethod: "CNAME_CSR_HASH", uniqueValue: "SSL1042" });
    expect(form).not.toHaveProperty("dcvEmailAddress");
  });

  it("lists the domains and one approver per domain when there are additional domains", async () => {
    const provider = sectigo();
    await provider.getApproverEmails("example.com");
    const { orderNumber } = await issuedOrder(provider, { productId: "279", sans: ["shop.example.com"] });
    const request = reissueRequest(orderNumber, {
      csrPem: createTestCsr("www.example.com", ["shop.example.com"]),
      sans: ["shop.example.com"],
    });

    const result = await provider.reissue(request);

    const form = stub.state.requestsTo("AutoReplaceSSL")[0]?.form;
    expect(form).toMatchObject({
      domainNames: "www.example.com,shop.example.com",
      dcvEmailAddresses: "admin@example.com,admin@example.com",
    });
    expect(form).not.toHaveProperty("dcvEmailAddress");
    expect(result.dcv.map((instruction) => [instruction.domain, instruction.email])).toEqual([
      ["www.example.com", "admin@example.com"],
      ["shop.example.com", "admin@example.com"],
    ]);
    expect(stub.state.orders.get(orderNumber)?.domains.map((domain) => domain.name)).toEqual([
      "www.example.com",
      "shop.example.com",
    ]);
  });

  it("uses the uniqueValue Sectigo answers with", async () => {
    stub.state.forceNext("AutoReplaceSSL", {
      body: urlEncoded({
        errorCode: "0",
        expectedDeliveryTime: "0",
        certificateID: "abc123456",
        uniqueValue: "XYZ987",
      }),
    });
    const result = await sectigo().reissue(
      reissueRequest("1000001", { dcvMethod: "http", approverEmail: undefined }),
    );
    expect(result.status).toBe("pending");
    expect(result.dcv[0]?.httpContent).toMatch(/\nsectigo\.com\nXYZ987$/);
  });

  it("reads the newline answer format as well, by its status line", async () => {
    stub.state.forceNext("AutoReplaceSSL", {
      body: "0\n0\n7710000011\nSSL1042\n",
      contentType: "text/plain",
    });
    const request = reissueRequest("1000001", { dcvMethod: "http", approverEmail: undefined });
    const result = await sectigo().reissue(request);
    const { md5, sha256 } = csrHashes(request.csrPem);
    expect(result).toEqual({
      status: "pending",
      dcv: [
        {
          domain: "www.example.com",
          method: "http",
          httpUrl: `http://www.example.com/.well-known/pki-validation/${md5}.txt`,
          httpContent: `${sha256}\nsectigo.com\nSSL1042`,
        },
      ],
    });

    stub.state.forceNext("AutoReplaceSSL", { body: "-26\nThe certificate is currently being issued!\n" });
    const busy = await failure(sectigo().reissue(request));
    expect(busy).toBeInstanceOf(ProviderInputError);
    expect(busy).toMatchObject({ field: "order", providerCode: "-26" });
  });

  it("reports an unknown order, a closed order and a refused CSR on the right field", async () => {
    const provider = sectigo();
    const unknown = await failure(provider.reissue(reissueRequest("987654321")));
    expect(unknown).toBeInstanceOf(ProviderInputError);
    expect(unknown).toMatchObject({ field: "order", providerCode: "-4" });

    const { orderNumber } = await issuedOrder(provider);
    stub.state.forceNext("AutoReplaceSSL", {
      body: urlEncoded({ errorCode: "-3", errorMessage: "The 'csr' argument is missing!", errorItem: "csr" }),
    });
    const missingCsr = await failure(provider.reissue(reissueRequest(orderNumber)));
    expect(missingCsr).toMatchObject({ field: "csr", providerCode: "-3" });

    stub.state.forceNext("AutoReplaceSSL", {
      body: urlEncoded({ errorCode: "-36", errorMessage: "The certificate has already expired!" }),
    });
    expect(await failure(provider.reissue(reissueRequest(orderNumber)))).toMatchObject({
      field: "order",
      providerCode: "-36",
    });

    stub.state.forceNext("AutoReplaceSSL", { body: urlEncoded({ errorCode: "-99", errorMessage: "No." }) });
    const unknownCode = await failure(provider.reissue(reissueRequest(orderNumber)));
    expect(unknownCode).toBeInstanceOf(ProviderInputError);
    expect(unknownCode.message).toMatch(/refused the reissue/);

    stub.state.reject(orderNumber);
    expect(await failure(provider.reissue(reissueRequest(orderNumber)))).toMatchObject({
      field: "order",
      providerCode: "-20",
    });
  });

  it("refuses text that is not a CSR, or email validation without an approver, before contacting Sectigo", async () => {
    const provider = sectigo();
    expect(await failure(provider.reissue(reissueRequest("1000001", { csrPem: "hello" })))).toMatchObject({
      field: "csr",
    });
    expect(
      await failure(provider.reissue(reissueRequest("1000001", { approverEmail: undefined }))),
    ).toMatchObject({ field: "approverEmail" });
    expect(stub.state.requestsTo("AutoReplaceSSL")).toHaveLength(0);
  });

  it("reports refused credentials as an authentication error without the password", async () => {
    stub.state.forceNext("AutoReplaceSSL", { body: `-16\nPermission denied for ${PASSWORD}\n` });
    expect(await failure(sectigo().reissue(reissueRequest("1000001")))).toBeInstanceOf(ProviderAuthError);
  });

  it("sends a reissue once: a 5xx, a timeout or an unreadable answer is unavailable, never an unknown order", async () => {
    const provider = sectigo({ timeoutMs: 200 });
    stub.state.forceNext("AutoReplaceSSL", { status: 503, body: "Service Unavailable" });
    const failed = await failure(provider.reissue(reissueRequest("1000001")));
    expect(failed).toBeInstanceOf(ProviderUnavailableError);
    expect(failed).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(failed.message).toMatch(/may have been accepted/);
    expect(stub.state.requestsTo("AutoReplaceSSL")).toHaveLength(1);

    stub.state.forceNext("AutoReplaceSSL", { delayMs: 1_000 });
    const late = await failure(provider.reissue(reissueRequest("1000001")));
    expect(late).toBeInstanceOf(ProviderUnavailableError);
    expect(late).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(stub.state.requestsTo("AutoReplaceSSL")).toHaveLength(2);

    stub.state.forceNext("AutoReplaceSSL", { body: "<html>Bad gateway</html>" });
    const garbage = await failure(provider.reissue(reissueRequest("1000001")));
    expect(garbage).toBeInstanceOf(ProviderUnavailableError);
    expect(garbage).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(stub.state.requestsTo("AutoReplaceSSL")).toHaveLength(3);
  });
});

describe("getStatus", () => {
  async function pendingOrder(overrides: Partial<PlaceOrderRequest> = {}) {
    const provider = sectigo();
    const placed = await provider.placeOrder(
      orderRequest({ dcvMethod: "http", approverEmail: undefined, ...overrides }),
    );
    return { provider, orderNumber: placed.providerOrderId };
  }

  it("asks CollectSSL for status and certificate and reports a pending order", async () => {
    const { provider, orderNumber } = await pendingOrder();
    const status = await provider.getStatus(orderNumber);

    expect(status).toEqual({
      status: "pending",
      detail: [
        "Certificate: Awaiting Validation",
        "Validation: Not Validated",
        "DCV: Awaiting Validation",
        "CSR: Valid",
      ],
      domains: [{ domain: "www.example.com", state: "pending" }],
    });
    const [request] = stub.state.requestsTo("CollectSSL");
    expect(request?.path).toBe("/products/download/CollectSSL");
    expect(request?.form).toMatchObject({
      loginName: LOGIN,
      loginPassword: PASSWORD,
      orderNumber,
      queryType: "1",
      responseType: "3",
      responseEncoding: "0",
      showValidityPeriod: "Y",
      showExtStatus: "Y",
      showStatusDetails: "Y",
      showMDCDomainDetails: "Y",
      responseFormat: "1",
    });
  });

  it("returns the issued certificate as PEM with the chain in issuing order", async () => {
    const { provider, orderNumber } = await pendingOrder();
    stub.state.issue(orderNumber);
    const order = stub.state.orders.get(orderNumber);
    const status = await provider.getStatus(orderNumber);

    expect(status.status).toBe("issued");
    expect(status.domains).toEqual([{ domain: "www.example.com", state: "validated" }]);
    const certificate = status.certificate;
    if (!certificate) throw new Error("expected a certificate");
    expect(certificate.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(certificate.certificatePem.split("\n").every((line) => line.length <= 64)).toBe(true);
    const leaf = new X509Certificate(certificate.certificatePem);
    const [intermediate, root] = certificate.chainPem.map((pem) => new X509Certificate(pem));
    expect(leaf.fingerprint256).toBe(new X509Certificate(order?.leafPem ?? "").fingerprint256);
    expect(certificate.chainPem).toHaveLength(2);
    expect(intermediate && leaf.checkIssued(intermediate)).toBe(true);
    expect(intermediate && root && intermediate.checkIssued(root)).toBe(true);
    expect(certificate.notBefore.getTime()).toBe(Math.floor(Date.parse(leaf.validFrom) / 1000) * 1000);
    expect(certificate.notAfter.getTime()).toBe(Math.floor(Date.parse(leaf.validTo) / 1000) * 1000);
  });

  it("reads percent-encoded certificate fields and dates from the certificate when none are sent", async () => {
    const issued = ca.issueCertificate(csrFor("www.example.com"));
    const body = [
      "errorCode=2",
      `certificate=${encodeURIComponent(pemBody(issued.leafPem))}`,
      ...[...issued.chainPems].reverse().map((pem) => `caCertificate=${encodeURIComponent(pemBody(pem))}`),
    ].join("&");
    stub.state.forceNext("CollectSSL", { body });
    const status = await sectigo().getStatus("1000001");

    const leaf = new X509Certificate(issued.leafPem);
    expect(status.status).toBe("issued");
    expect(new X509Certificate(status.certificate?.certificatePem ?? "").fingerprint256).toBe(
      leaf.fingerprint256,
    );
    expect(status.certificate?.chainPem.map((pem) => new X509Certificate(pem).subject)).toEqual(
      issued.chainPems.map((pem) => new X509Certificate(pem).subject),
    );
    expect(status.certificate?.notAfter.getTime()).toBe(Date.parse(leaf.validTo));
  });

  it("reports an issued certificate past its notAfter as expired", async () => {
    const { orderNumber } = await pendingOrder();
    stub.state.issue(orderNumber);
    const later = () => new Date(Date.now() + 400 * DAY_MS);
    const status = await sectigo({ now: later }).getStatus(orderNumber);
    expect(status.status).toBe("expired");
    expect(status.certificate).toBeDefined();
  });

  it.each([
    ["rejected", "reject", /rejected/],
    ["cancelled", "cancel", /revoked/],
  ] as const)("reports a %s order", async (expected, action, detail) => {
    const { provider, orderNumber } = await pendingOrder();
    stub.state[action](orderNumber);
    const status = await provider.getStatus(orderNumber);
    expect(status.status).toBe(expected);
    expect(status.detail.join(" ")).toMatch(detail);
  });

  it("reports each domain of a multi-domain order", async () => {
    const { provider, orderNumber } = await pendingOrder({
      productId: "279",
      sans: ["example.com", "shop.example.com"],
    });
    stub.state.validateDomain(orderNumber, "example.com");
    const status = await provider.getStatus(orderNumber);

    expect(status.domains).toEqual([
      { domain: "www.example.com", method: "http", state: "pending" },
      { domain: "example.com", method: "http", state: "validated" },
      { domain: "shop.example.com", method: "http", state: "pending" },
    ]);
  });

  it("reports an order Sectigo does not know as an input error on the order", async () => {
    const error = await failure(sectigo().getStatus("424242"));
    expect(error).toBeInstanceOf(ProviderInputError);
    expect(error).toMatchObject({ field: "order", providerCode: "-4" });
  });

  it("treats a certificate that is not X.509 as unavailable", async () => {
    stub.state.forceNext("CollectSSL", { body: "errorCode=2&certificate=bm90IGEgY2VydGlmaWNhdGU=" });
    const error = await failure(sectigo().getStatus("1000001"));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
  });

  it("retries a 5xx (a status check is a read)", async () => {
    const { provider, orderNumber } = await pendingOrder();
    stub.state.forceNext("CollectSSL", { status: 500, body: "oops" });
    expect((await provider.getStatus(orderNumber)).status).toBe("pending");
    expect(stub.state.requestsTo("CollectSSL")).toHaveLength(2);
  });

  it("never has two CollectSSL calls in flight", async () => {
    const { provider, orderNumber } = await pendingOrder();
    stub.state.forceNext("CollectSSL", { delayMs: 50 });
    stub.state.forceNext("CollectSSL", { delayMs: 50 });
    const results = await Promise.all([provider.getStatus(orderNumber), provider.getStatus(orderNumber)]);

    expect(results.map((result) => result.status)).toEqual(["pending", "pending"]);
    expect(stub.state.peakConcurrency).toBe(1);
  });

  it("keeps serialising after a failed CollectSSL call", async () => {
    const { provider, orderNumber } = await pendingOrder();
    stub.state.forceNext("CollectSSL", { delayMs: 50, body: "garbage" });
    stub.state.forceNext("CollectSSL", { delayMs: 50 });
    const [failed, succeeded] = await Promise.allSettled([
      provider.getStatus(orderNumber),
      provider.getStatus(orderNumber),
    ]);

    expect(failed?.status).toBe("rejected");
    expect(succeeded).toMatchObject({ status: "fulfilled", value: { status: "pending" } });
    expect(stub.state.peakConcurrency).toBe(1);
  });

  it("lets other calls overlap (the stub does see concurrency)", async () => {
    stub.state.forceNext("GetDCVEmailAddressList", { delayMs: 50 });
    stub.state.forceNext("GetDCVEmailAddressList", { delayMs: 50 });
    const provider = sectigo();
    await Promise.all([provider.getApproverEmails("example.com"), provider.getApproverEmails("example.com")]);
    expect(stub.state.peakConcurrency).toBe(2);
  });
});

describe("resendApproval", () => {
  it("asks Sectigo to resend the approval email to the last address", async () => {
    const provider = sectigo();
    const placed = await placeEmailOrder(provider);
    await provider.resendApproval(placed.providerOrderId);

    expect(stub.state.orders.get(placed.providerOrderId)?.dcvEmailsSent).toBe(2);
    const [request] = stub.state.requestsTo("ResendDCVEmail");
    expect(request?.path).toBe("/products/!ResendDCVEmail");
    expect(request?.form).toEqual({
      loginName: LOGIN,
      loginPassword: PASSWORD,
      orderNumber: placed.providerOrderId,
    });
  });

  it("reports an unknown or rejected order on the order", async () => {
    const provider = sectigo();
    expect(await failure(provider.resendApproval("999"))).toMatchObject({
      field: "order",
      providerCode: "-4",
    });
    const placed = await placeEmailOrder(provider);
    stub.state.reject(placed.providerOrderId);
    const rejected = await failure(provider.resendApproval(placed.providerOrderId));
    expect(rejected).toBeInstanceOf(ProviderInputError);
    expect(rejected).toMatchObject({ field: "order", providerCode: "-20" });
  });
});

describe("changeValidation", () => {
  function changeRequest(
    orderNumber: string,
    domains: ChangeValidationRequest["domains"],
    overrides: Partial<ChangeValidationRequest> = {},
  ): ChangeValidationRequest {
    return {
      providerOrderId: orderNumber,
      reference: "SSL-1042",
      csrPem: csrFor("www.example.com"),
      domains,
      ...overrides,
    };
  }

  it("sends AutoUpdateDCV without responseFormat or domainName for a single-name order: the CNAME", async () => {
    const provider = sectigo();
    const placed = await placeEmailOrder(provider);

    const dcv = await provider.changeValidation(
      changeRequest(placed.providerOrderId, [{ domain: "www.example.com", method: "dns" }]),
    );

    const { md5, sha256 } = csrHashes(csrFor("www.example.com"));
    expect(dcv).toEqual([
      {
        domain: "www.example.com",
        method: "dns",
        dnsRecord: {
          name: `_${md5}.www.example.com`,
          type: "CNAME",
          value: `${sha256.slice(0, 32)}.${sha256.slice(32)}.SSL1042.sectigo.com`,
        },
      },
    ]);
    const [sent] = stub.state.requestsTo("AutoUpdateDCV");
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe("/products/!AutoUpdateDCV");
    expect(sent?.contentType).toBe("application/x-www-form-urlencoded");
    expect(sent?.form).toEqual({
      loginName: LOGIN,
      loginPassword: PASSWORD,
      orderNumber: placed.providerOrderId,
      newMethod: "CNAME_CSR_HASH",
    });
    expect(stub.state.orders.get(placed.providerOrderId)?.domains).toEqual([
      { name: "www.example.com", dcvMethod: "CNAME_CSR_HASH", dcvStatus: "Awaiting Validation" },
    ]);
    // A change of validation is no new order and no reissue.
    expect(stub.state.requestsTo("AutoApplySSL")).toHaveLength(1);
    expect(stub.state.requestsTo("AutoReplaceSSL")).toHaveLength(0);
  });

  it("asks for the check again with AutoUpdateDCV and the method unchanged", async () => {
    const provider = sectigo();
    const placed = await placeEmailOrder(provider);
    await provider.changeValidation(
      changeRequest(placed.providerOrderId, [{ domain: "www.example.com", method: "dns" }]),
    );
    await provider.recheckValidation(
      changeRequest(placed.providerOrderId, [{ domain: "www.example.com", method: "dns" }]),
    );
    const sent = stub.state.requestsTo("AutoUpdateDCV");
    expect(sent).toHaveLength(2);
    expect(sent[1]?.form).toMatchObject({ orderNumber: placed.providerOrderId, newMethod: "CNAME_CSR_HASH" });
    expect(stub.state.orders.get(placed.providerOrderId)?.domains).toEqual([
      { name: "www.example.com", dcvMethod: "CNAME_CSR_HASH", dcvStatus: "Awaiting Validation" },
    ]);
  });

  it("sends the approval e-mail to another listed address with EMAIL and newDCVEmailAddress", async () => {
    const provider = sectigo();
    const placed = await placeEmailOrder(provider);

    const dcv = await provider.changeValidation(
      changeRequest(placed.providerOrderId, [
        { domain: "www.example.com", method: "email", approverEmail: " webmaster@example.com " },
      ]),
    );

    expect(dcv).toEqual([{ domain: "www.example.com", method: "email", email: "webmaster@example.com" }]);
    expect(stub.state.requestsTo("AutoUpdateDCV")[0]?.form).toEqual({
      loginName: LOGIN,
      loginPassword: PASSWORD,
      orderNumber: placed.providerOrderId,
      newMethod: "EMAIL",
      newDCVEmailAddress: "webmaster@example.com",
    });
    const order = stub.state.orders.get(placed.providerOrderId);
    expect(order?.domains[0]).toMatchObject({ dcvMethod: "EMAIL", dcvEmailAddress: "webmaster@example.com" });
    expect(order?.dcvEmailsSent).toBe(2);
  });

  it("changes each domain of a multi-domain order with its own call, naming it in domainName", async () => {
    const provider = sectigo();
    const csrPem = createTestCsr("www.example.com", ["shop.example.com"]);
    await provider.getApproverEmails("shop.example.com");
    const placed = await placeEmailOrder(provider, {
      productId: "279",
      csrPem,
      sans: ["shop.example.com"],
    });

    const dcv = await provider.changeValidation(
      changeRequest(
        placed.providerOrderId,
        [
          { domain: "www.example.com", method: "http" },
          { domain: "shop.example.com", method: "email", approverEmail: "admin@shop.example.com" },
        ],
        { csrPem },
      ),
    );

    const { md5, sha256 } = csrHashes(csrPem);
    expect(dcv).toEqual([
      {
        domain: "www.example.com",
        method: "http",
        httpUrl: `http://www.example.com/.well-known/pki-validation/${md5}.txt`,
        httpContent: `${sha256}\nsectigo.com\nSSL1042`,
      },
      { domain: "shop.example.com", method: "email", email: "admin@shop.example.com" },
    ]);
    expect(stub.state.requestsTo("AutoUpdateDCV").map((request) => request.form)).toEqual([
      {
        loginName: LOGIN,
        loginPassword: PASSWORD,
        orderNumber: placed.providerOrderId,
        domainName: "www.example.com",
        newMethod: "HTTP_CSR_HASH",
      },
      {
        loginName: LOGIN,
        loginPassword: PASSWORD,
        orderNumber: placed.providerOrderId,
        domainName: "shop.example.com",
        newMethod: "EMAIL",
        newDCVEmailAddress: "admin@shop.example.com",
      },
    ]);
    const status = await provider.getStatus(placed.providerOrderId);
    expect(status.domains).toEqual([
      { domain: "www.example.com", method: "http", state: "pending" },
      { domain: "shop.example.com", method: "email", state: "pending" },
    ]);
  });

  it("reports an unknown or rejected order on the order, and a refused address or method on its field", async () => {
    const provider = sectigo();
    const unknown = await failure(
      provider.changeValidation(changeRequest("987654321", [{ domain: "www.example.com", method: "dns" }])),
    );
    expect(unknown).toBeInstanceOf(ProviderInputError);
    expect(unknown).toMatchObject({ field: "order", providerCode: "-4" });

    const placed = await placeEmailOrder(provider);
    const unlisted = await failure(
      provider.changeValidation(
        changeRequest(placed.providerOrderId, [
          { domain: "www.example.com", method: "email", approverEmail: "ssl@example.com" },
        ]),
      ),
    );
    expect(unlisted).toBeInstanceOf(ProviderInputError);
    expect(unlisted).toMatchObject({ field: "approverEmail", providerCode: "-4" });
    expect(unlisted.message).toMatch(/last 24 hours/);

    stub.state.forceNext("AutoUpdateDCV", {
      body: urlEncoded({
        errorCode: "-4",
        errorMessage: "The value of the 'newMethod' argument is invalid!",
        errorItem: "newMethod",
      }),
    });
    const method = await failure(
      provider.changeValidation(
        changeRequest(placed.providerOrderId, [{ domain: "www.example.com", method: "http" }]),
      ),
    );
    expect(method).toMatchObject({ field: "dcvMethod", providerCode: "-4" });

    stub.state.forceNext("AutoUpdateDCV", { body: urlEncoded({ errorCode: "-99", errorMessage: "No." }) });
    const other = await failure(
      provider.changeValidation(
        changeRequest(placed.providerOrderId, [{ domain: "www.example.com", method: "http" }]),
      ),
    );
    expect(other).toBeInstanceOf(ProviderInputError);
    expect(other).toMatchObject({ field: "dcvMethod", providerCode: "-99" });
    expect(other.message).toMatch(/refused the change of validation/);

    stub.state.reject(placed.providerOrderId);
    const rejected = await failure(
      provider.changeValidation(
        changeRequest(placed.providerOrderId, [{ domain: "www.example.com", method: "dns" }]),
      ),
    );
    expect(rejected).toMatchObject({ field: "order", providerCode: "-20" });
    // Only the forced answers and the refusals above reached the order: it is still on e-mail.
    expect(stub.state.orders.get(placed.providerOrderId)?.domains[0]?.dcvMethod).toBe("EMAIL");
  });

  it("refuses a missing or unfitting approver and text that is not a CSR before contacting Sectigo", async () => {
    const provider = sectigo();
    const missing = await failure(
      provider.changeValidation(changeRequest("1000001", [{ domain: "www.example.com", method: "email" }])),
    );
    expect(missing).toMatchObject({ field: "approverEmail" });
    const elsewhere = await failure(
      provider.changeValidation(
        changeRequest("1000001", [
          { domain: "www.example.com", method: "email", approverEmail: "admin@example.org" },
        ]),
      ),
    );
    expect(elsewhere).toMatchObject({ field: "approverEmail" });
    const notCsr = await failure(
      provider.changeValidation(
        changeRequest("1000001", [{ domain: "www.example.com", method: "dns" }], { csrPem: "hello" }),
      ),
    );
    expect(notCsr).toMatchObject({ field: "csr" });
    expect(stub.state.requestsTo("AutoUpdateDCV")).toHaveLength(0);
  });

  it("reports refused credentials as an authentication error without the password", async () => {
    stub.state.forceNext("AutoUpdateDCV", {
      body: urlEncoded({ errorCode: "-16", errorMessage: `Permission denied for ${PASSWORD}` }),
    });
    const error = await failure(
      sectigo().changeValidation(changeRequest("1000001", [{ domain: "www.example.com", method: "dns" }])),
    );
    expect(error).toBeInstanceOf(ProviderAuthError);
  });

  it("retries a 5xx or a timeout (harmless to repeat) and then reports unavailable, never an unknown outcome", async () => {
    const provider = sectigo({ timeoutMs: 200 });
    const placed = await placeEmailOrder(provider);
    const request = changeRequest(placed.providerOrderId, [{ domain: "www.example.com", method: "dns" }]);

    stub.state.forceNext("AutoUpdateDCV", { status: 503, body: "Service Unavailable" });
    expect(await provider.changeValidation(request)).toHaveLength(1);
    expect(stub.state.requestsTo("AutoUpdateDCV")).toHaveLength(2);

    for (let attempt = 0; attempt < 3; attempt++) {
      stub.state.forceNext("AutoUpdateDCV", { status: 503, body: "Service Unavailable" });
    }
    const down = await failure(provider.changeValidation(request));
    expect(down).toBeInstanceOf(ProviderUnavailableError);
    expect(down).not.toBeInstanceOf(ProviderOutcomeUnknownError);
    expect(down.message).toMatch(/HTTP 503/);
    expect(stub.state.requestsTo("AutoUpdateDCV")).toHaveLength(5);

    for (let attempt = 0; attempt < 3; attempt++) stub.state.forceNext("AutoUpdateDCV", { delayMs: 1_000 });
    const late = await failure(provider.changeValidation(request));
    expect(late).toBeInstanceOf(ProviderUnavailableError);
    expect(late).not.toBeInstanceOf(ProviderOutcomeUnknownError);

    stub.state.forceNext("AutoUpdateDCV", { body: "<html>Bad gateway</html>" });
    const garbage = await failure(provider.changeValidation(request));
    expect(garbage).toBeInstanceOf(ProviderUnavailableError);
    expect(garbage).not.toBeInstanceOf(ProviderOutcomeUnknownError);
  });
});

describe("secrets", () => {
  it("keeps the login and password out of JSON.stringify and util.inspect", async () => {
    const provider = sectigo();
    await provider.getApproverEmails("example.com");
    for (const rendering of [JSON.stringify(provider), inspect(provider, { depth: 10, showHidden: true })]) {
      expect(rendering).not.toContain(PASSWORD);
      expect(rendering).not.toContain(LOGIN);
    }
  });

  it("keeps the password out of every error class, even when Sectigo echoes it", async () => {
    const provider = sectigo({ timeoutMs: 100, readRetries: 0 });
    stub.state.forceNext("AutoApplySSL", {
      body: urlEncoded({
        errorCode: "-4",
        errorItem: "csr",
        errorMessage: `bad csr for ${LOGIN}/${PASSWORD}`,
      }),
    });
    const input = await failure(
      provider.placeOrder(orderRequest({ dcvMethod: "dns", approverEmail: undefined })),
    );
    expect(input).toBeInstanceOf(ProviderInputError);
    expect(input.providerMessage).toContain("[redacted]");

    stub.state.forceNext("GetDCVEmailAddressList", { body: `-16\nDenied for ${PASSWORD}\n` });
    expect(await failure(provider.getApproverEmails("example.com"))).toBeInstanceOf(ProviderAuthError);

    stub.state.forceNext("CollectSSL", { status: 503, body: PASSWORD });
    expect(await failure(provider.getStatus("1"))).toBeInstanceOf(ProviderUnavailableError);

    stub.state.forceNext("AutoApplySSL", { delayMs: 1_000 });
    const unknown = await failure(
      provider.placeOrder(orderRequest({ dcvMethod: "dns", approverEmail: undefined })),
    );
    expect(unknown).toBeInstanceOf(ProviderOutcomeUnknownError);

    expect(JSON.stringify(provider)).not.toContain(PASSWORD);
    expect(inspect(provider)).not.toContain(PASSWORD);
  });
});

describe("stub wire format", () => {
  it("refuses GET with -17 and unknown arguments with -2", async () => {
    const get = await fetch(`${stub.url}/products/!AutoApplySSL?loginName=${LOGIN}`);
    expect(await get.text()).toBe("-17\nThe request was not a POST!\n");

    const post = await fetch(`${stub.url}/products/!ResendDCVEmail`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: urlEncoded({ loginName: LOGIN, loginPassword: PASSWORD, orderNumber: "1", colour: "blue" }),
    });
    expect(await post.text()).toBe(
      "errorCode=-2&errorMessage=%27colour%27+is+an+unrecognised+argument%21&errorItem=colour",
    );
  });

  it("answers AutoApplySSL in positional text when responseFormat is 0", async () => {
    await sectigo().getApproverEmails("example.com");
    const response = await fetch(`${stub.url}/products/!AutoApplySSL`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: urlEncoded({
        loginName: LOGIN,
        loginPassword: PASSWORD,
        product: "287",
        days: "365",
        serverSoftware: "-1",
        csr: csrFor("example.com"),
        isCustomerValidated: "N",
        dcvMethod: "EMAIL",
        dcvEmailAddress: "admin@example.com",
        uniqueValue: "ABC123",
        responseFormat: "0",
      }),
    });
    expect(await response.text()).toBe("0\n1000001\n12.98\n0\nABC123\n");
  });

  it("answers AutoUpdateDCV URL-encoded, refusing responseFormat, a missing method and an unlisted approver", async () => {
    const placed = await placeEmailOrder(sectigo());
    const update = async (fields: Record<string, string>) => {
      const response = await fetch(`${stub.url}/products/!AutoUpdateDCV`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: urlEncoded({ loginName: LOGIN, loginPassword: PASSWORD, ...fields }),
      });
      return response.text();
    };
    const orderNumber = placed.providerOrderId;

    expect(await update({ orderNumber, newMethod: "CNAME_CSR_HASH", responseFormat: "1" })).toBe(
      "errorCode=-2&errorMessage=%27responseFormat%27+is+an+unrecognised+argument%21&errorItem=responseFormat",
    );
    expect(await update({ orderNumber })).toBe(
      "errorCode=-3&errorMessage=The+%27newMethod%27+argument+is+missing%21&errorItem=newMethod",
    );
    expect(await update({ orderNumber, newMethod: "FAX" })).toBe(
      "errorCode=-4&errorMessage=The+value+of+the+%27newMethod%27+argument+is+invalid%21&errorItem=newMethod",
    );
    expect(await update({ orderNumber, newMethod: "EMAIL", newDCVEmailAddress: "ssl@example.com" })).toBe(
      "errorCode=-4&errorMessage=The+value+of+the+%27newDCVEmailAddress%27+argument+is+invalid%21&errorItem=newDCVEmailAddress",
    );
    expect(await update({ orderNumber, newMethod: "CNAME_CSR_HASH", domainName: "shop.example.com" })).toBe(
      "errorCode=-4&errorMessage=The+value+of+the+%27domainName%27+argument+is+invalid%21&errorItem=domainName",
    );
    expect(await update({ newMethod: "CNAME_CSR_HASH" })).toBe(
      "errorCode=-3&errorMessage=The+%27orderNumber%27+argument+is+missing%21&errorItem=orderNumber",
    );
    expect(stub.state.orders.get(orderNumber)?.domains[0]?.dcvMethod).toBe("EMAIL");

    expect(await update({ orderNumber, newMethod: "HTTPS_CSR_HASH", domainName: "www.example.com" })).toBe(
      "errorCode=0",
    );
    expect(stub.state.orders.get(orderNumber)?.domains[0]?.dcvMethod).toBe("HTTPS_CSR_HASH");
  });

  it("answers AutoReplaceSSL in either encoding and refuses it without a csr or for an unknown order", async () => {
    const placed = await placeEmailOrder(sectigo());
    const replace = async (fields: Record<string, string>) => {
      const response = await fetch(`${stub.url}/products/!AutoReplaceSSL`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: urlEncoded({ loginName: LOGIN, loginPassword: PASSWORD, ...fields }),
      });
      return response.text();
    };
    const csr = createTestCsr("www.example.com");
    const fields = {
      orderNumber: placed.providerOrderId,
      csr,
      dcvMethod: "CNAME_CSR_HASH",
      uniqueValue: "SSL1042",
    };

    expect(await replace({ ...fields, responseFormat: "0" })).toBe(
      `0\n0\n77${placed.providerOrderId}1\nSSL1042\n`,
    );
    expect(await replace({ ...fields, responseFormat: "1" })).toBe(
      `errorCode=0&expectedDeliveryTime=0&certificateID=77${placed.providerOrderId}2&uniqueValue=SSL1042`,
    );
    expect(stub.state.orders.get(placed.providerOrderId)).toMatchObject({
      csrPem: csr,
      state: "pending",
      reissues: 2,
    });

    expect(await replace({ orderNumber: placed.providerOrderId, responseFormat: "1" })).toBe(
      "errorCode=-3&errorMessage=The+%27csr%27+argument+is+missing%21&errorItem=csr",
    );
    expect(await replace({ ...fields, orderNumber: "42" })).toBe(
      "-4\nThe value of the 'orderNumber' argument is invalid!\n",
    );
    expect(await replace({ csr })).toBe("-3\nThe 'orderNumber' argument is missing!\n");
  });
});
