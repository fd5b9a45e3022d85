import { spawnSync } from "node:child_process";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCsr } from "../../src/certs/csr.js";
import { certificateMatchesCsr } from "../../src/certs/inspect.js";
import { generateKeyPair, type KeyPairPem } from "../../src/certs/keys.js";
import { type Product, periodFor } from "../../src/domain/product.js";
import { ProviderError, ProviderInputError } from "../../src/providers/errors.js";
import type {
  ChangeValidationRequest,
  IssuedCertificate,
  PlaceOrderRequest,
  PlaceOrderResult,
  ReissueRequest,
  SslProvider,
} from "../../src/providers/types.js";

/**
 * The SslProvider contract: one suite, run against every provider (contract.test.ts for the real
 * ones, plugins.test.ts for a plug-in defined in a test). Whatever the provider, the rest of
 * certdesk relies on this behaviour. A driver hides how each provider's outcome is steered (the
 * sandbox by its clock and trigger domains, the adapters by their stub servers).
 */
export interface ProviderContractDriver {
  provider: SslProvider;
  /** A domain whose order the driver can later reject. */
  rejectableDomain: string;
  /** Well-formed for the provider, but no such order exists. */
  unknownOrderId: string;
  /** Makes the CA issue the order (or its reissue): the next getStatus must report it issued. */
  issue(providerOrderId: string): Promise<void>;
  /** Makes the CA reject the order (placed for `rejectableDomain`). */
  reject(providerOrderId: string): Promise<void>;
  /** Placements (new orders and renewals) that reached the CA. */
  placementRequests(): Promise<number>;
  close(): Promise<void>;
}

/** Sectigo refuses a uniqueValue twice, so references never repeat within a test run. */
let nextReference = 1001;

function isSingleNameDv(product: Product): boolean {
  return product.validation === "DV" && !product.wildcard && !product.multiDomain;
}

function opensslParses(certificatePem: string): { status: number | null; text: string } {
  const result = spawnSync("openssl", ["x509", "-noout", "-text"], {
    input: certificatePem,
    encoding: "utf8",
  });
  return { status: result.status, text: `${result.stdout}${result.stderr}` };
}

const MAILBOX = /^(admin|administrator|hostmaster|postmaster|webmaster)@/;

/**
 * Registers the contract's tests for one provider. `start` runs before every test and gives a fresh
 * driver (a provider with no orders yet); its `close` runs after the test.
 */
export function describeProviderContract(name: string, start: () => Promise<ProviderContractDriver>): void {
  describe(`SslProvider contract: ${name}`, () => {
    let driver: ProviderContractDriver;
    let provider: SslProvider;
    let csrKeys: KeyPairPem;

    beforeAll(async () => {
      csrKeys = await generateKeyPair("rsa-2048");
    });

    beforeEach(async () => {
      driver = await start();
      provider = driver.provider;
    });

    afterEach(async () => {
      await driver.close();
    });

    function makeCsr(commonName: string, keys: KeyPairPem = csrKeys): Promise<string> {
      return createCsr({
        privateKeyPem: keys.privateKeyPem,
        subject: { commonName },
        domains: [commonName],
      });
    }

    async function dvOrder(
      commonName: string,
      overrides: Partial<PlaceOrderRequest> = {},
    ): Promise<PlaceOrderRequest> {
      const product = (await provider.listProducts()).find(isSingleNameDv);
      const serverType = (await provider.listServerTypes()).find((type) => type.isDefault);
      if (!product || !serverType)
        throw new Error("the provider offers no single-name DV product or server type");
      const approvers = await provider.getApproverEmails(commonName.replace(/^\*\./, ""));
      return {
        reference: `SSL-${nextReference++}`,
        productId: product.id,
        periodMonths: periodFor(product.periods),
        serverTypeId: serverType.id,
        csrPem: await makeCsr(commonName),
        commonName,
        sans: [],
        // E-mail where offered (what most resellers' orders use), else an HTTP file (ACME).
        dcvMethod: offersEmail() ? "email" : "http",
        approverEmail: approvers.find((address) => address.startsWith("admin@")),
        addonIds: [],
        organisation: {},
        contact: {
          firstName: "Ann",
          lastName: "Operator",
          email: "ann@example.com",
          phone: "+44 20 7946 0000",
          title: "Ops",
        },
        ...overrides,
      };
    }

    function offersEmail(): boolean {
      return provider.capabilities.dcvMethods.includes("email");
    }

    async function place(
      commonName = "www.example.com",
    ): Promise<{ request: PlaceOrderRequest; placed: PlaceOrderResult }> {
      const request = await dvOrder(commonName);
      return { request, placed: await provider.placeOrder(request) };
    }

    it("describes its capabilities with the shared shape", () => {
      const { capabilities } = provider;
      expect(capabilities.dcvMethods.length).toBeGreaterThan(0);
      for (const method of capabilities.dcvMethods) expect(["email", "http", "dns"]).toContain(method);
      expect(new Set(capabilities.dcvMethods).size).toBe(capabilities.dcvMethods.length);
      for (const flag of [
        "addons",
        "multiDomain",
        "wildcard",
        "renew",
        "reissue",
        "resendApproval",
        "changeValidation",
        "changeValidationPerDomain",
        "recheckValidation",
        "validatesWhenAsked",
        "revoke",
      ] as const) {
        expect(typeof capabilities[flag]).toBe("boolean");
      }
      expect(Number.isInteger(capabilities.minPollIntervalSeconds)).toBe(true);
      expect(capabilities.minPollIntervalSeconds).toBeGreaterThan(0);
      // CAA names, as a record's `issue` value gives them: lower-case domain names.
      expect(capabilities.caIdentifiers.length).toBeGreaterThan(0);
      for (const name of capabilities.caIdentifiers) expect(name).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    });

    it("lists products with a single-name DV product, consistent with its capabilities", async () => {
      const products = await provider.listProducts();
      expect(products.length).toBeGreaterThan(0);
      expect(products.some(isSingleNameDv)).toBe(true);
      for (const product of products) {
        expect(["DV", "OV", "EV"]).toContain(product.validation);
        expect(product.id).not.toBe("");
        expect(product.name).not.toBe("");
        expect(product.periods.length).toBeGreaterThan(0);
        expect(product.periods).toEqual([...product.periods].sort((a, b) => a - b));
      }
      expect(new Set(products.map((product) => product.id)).size).toBe(products.length);
      const { capabilities } = provider;
      expect(products.some((product) => product.wildcard)).toBe(capabilities.wildcard);
      expect(products.some((product) => product.multiDomain)).toBe(capabilities.multiDomain);
      expect(products.some((product) => product.addons.length > 0)).toBe(capabilities.addons);
    });

    it("lists server types with exactly one default, the Apache/mod_ssl entry", async () => {
      const serverTypes = await provider.listServerTypes();
      const defaults = serverTypes.filter((type) => type.isDefault);
      expect(defaults).toHaveLength(1);
      expect(defaults[0]?.label).toMatch(/apache/i);
      expect(defaults[0]?.label).toMatch(/mod[ _/]?ssl/i);
    });

    it("lists no approver addresses when it offers no e-mail validation", async (context) => {
      if (offersEmail()) context.skip();
      expect(await provider.getApproverEmails("www.example.com")).toEqual([]);
    });

    it("lists approver addresses for the domain: trimmed, real, without duplicates", async (context) => {
      if (!offersEmail()) context.skip();
      const approvers = await provider.getApproverEmails("www.example.com");
      expect(approvers.length).toBeGreaterThan(0);
      expect(approvers.some((address) => MAILBOX.test(address))).toBe(true);
      for (const address of approvers) {
        expect(address).toBe(address.trim());
        expect(address.toLowerCase()).not.toBe("none");
        // Only the name itself and its parent domain can approve it.
        expect(address).toMatch(/^[^\s@]+@(www\.)?example\.com$/);
      }
      expect(new Set(approvers.map((address) => address.toLowerCase())).size).toBe(approvers.length);
    });

    it("offers the generic mailboxes of the registrable domain for a sub-domain", async (context) => {
      if (!offersEmail()) context.skip();
      const approvers = await provider.getApproverEmails("www.example.com");
      expect(approvers).toContain("admin@example.com");
    });

    it("places a DV order: an id, pending, and the validation instruction for its method", async () => {
      const { request, placed } = await place();
      expect(placed.providerOrderId).not.toBe("");
      expect(placed.status).toBe("pending");
      if (request.dcvMethod === "email") {
        expect(placed.dcv).toContainEqual(
          expect.objectContaining({
            domain: "www.example.com",
            method: "email",
            email: request.approverEmail,
          }),
        );
      } else {
        const instruction = placed.dcv.find((dcv) => dcv.domain === "www.example.com");
        expect(instruction).toMatchObject({ method: "http" });
        expect(instruction?.httpUrl).toMatch(/^http:\/\/www\.example\.com\/\.well-known\//);
        expect(instruction?.httpContent).toMatch(/\S/);
      }
      expect(await driver.placementRequests()).toBe(1);
      expect((await provider.getStatus(placed.providerOrderId)).status).toBe("pending");
    });

    it("reports the issued certificate for the CSR's key, with its chain and validity", async () => {
      const { request, placed } = await place();
      expect((await provider.getStatus(placed.providerOrderId)).status).toBe("pending");

      await driver.issue(placed.providerOrderId);
      const status = await provider.getStatus(placed.providerOrderId);

      expect(status.status).toBe("issued");
      const certificate = status.certificate;
      if (!certificate) throw new Error("an issued status must carry the certificate");
      expect(certificateMatchesCsr(certificate.certificatePem, request.csrPem)).toBe(true);
      const openssl = opensslParses(certificate.certificatePem);
      expect(openssl.status, openssl.text).toBe(0);
      expect(openssl.text).toContain("www.example.com");
      expect(certificate.chainPem.length).toBeGreaterThan(0);
      for (const pem of certificate.chainPem) expect(pem).toContain("-----BEGIN CERTIFICATE-----");
      expect(certificate.notBefore.getTime()).toBeLessThan(certificate.notAfter.getTime());
    });

    it("revokes an issued certificate", async (context) => {
      if (!provider.capabilities.revoke) context.skip();
      const revoke = provider.revoke?.bind(provider);
      if (!revoke) throw new Error("capabilities.revoke is true but the provider has no revoke()");
      const { placed } = await place();
      await driver.issue(placed.providerOrderId);
      const certificate = (await provider.getStatus(placed.providerOrderId)).certificate;
      if (!certificate) throw new Error("an issued status must carry the certificate");
      const { certificatePem } = certificate;

      await expect(
        revoke({ providerOrderId: placed.providerOrderId, certificatePem, reason: "superseded" }),
      ).resolves.toBeUndefined();

      const unknown = await revoke({
        providerOrderId: driver.unknownOrderId,
        certificatePem,
        reason: "superseded",
      }).catch((caught: unknown) => caught);
      expect(unknown).toBeInstanceOf(ProviderInputError);
      expect((unknown as ProviderInputError).provider).toBe(provider.id);
      expect((unknown as ProviderInputError).field).toBe("order");
    });

    it("reports a rejected order as rejected, without a certificate", async () => {
      const { placed } = await place(driver.rejectableDomain);

      await driver.reject(placed.providerOrderId);
      const status = await provider.getStatus(placed.providerOrderId);

      expect(status.status).toBe("rejected");
      expect(status.certificate).toBeUndefined();
    });

    it("renews with the same CSR as a new order", async () => {
      const { request, placed } = await place();

      const renewal = await provider.renew({
        ...request,
        reference: `SSL-${nextReference++}`,
        previousProviderOrderId: placed.providerOrderId,
      });

      expect(renewal.providerOrderId).not.toBe("");
      expect(renewal.providerOrderId).not.toBe(placed.providerOrderId);
      expect(renewal.status).toBe("pending");
      expect(await driver.placementRequests()).toBe(2);
    });

    it("answers an unknown order id with a typed provider error", async () => {
      const error = await provider.getStatus(driver.unknownOrderId).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).provider).toBe(provider.id);
      // A subclass says what to do about it; the base class says nothing.
      expect((error as ProviderError).constructor).not.toBe(ProviderError);
    });

    it("refuses a wildcard common name on a product that does not cover wildcards", async () => {
      const request = await dvOrder("*.example.com");

      const error = await provider.placeOrder(request).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ProviderInputError);
      expect(["domain", "csr"]).toContain((error as ProviderInputError).field);
    });

    /** Only for providers whose capabilities say they reissue; the others are never asked. */
    describe("reissue", () => {
      let newKeys: KeyPairPem;

      beforeAll(async () => {
        newKeys = await generateKeyPair("rsa-2048");
      });

      /** An order placed and issued, with its certificate (A). */
      async function issuedOrder(): Promise<{
        request: PlaceOrderRequest;
        orderId: string;
        first: IssuedCertificate;
      }> {
        const { request, placed } = await place();
        await driver.issue(placed.providerOrderId);
        const status = await provider.getStatus(placed.providerOrderId);
        expect(status.status).toBe("issued");
        if (!status.certificate) throw new Error("an issued status must carry the certificate");
        expect(certificateMatchesCsr(status.certificate.certificatePem, request.csrPem)).toBe(true);
        return { request, orderId: placed.providerOrderId, first: status.certificate };
      }

      async function reissueRequest(request: PlaceOrderRequest, orderId: string): Promise<ReissueRequest> {
        // Sectigo takes only approver addresses it listed in the last 24 hours, as for an order.
        const approvers = await provider.getApproverEmails(request.commonName);
        return {
          providerOrderId: orderId,
          reference: request.reference,
          serverTypeId: request.serverTypeId,
          csrPem: await makeCsr(request.commonName, newKeys),
          commonName: request.commonName,
          sans: [],
          dcvMethod: "email",
          approverEmail: approvers.find((address) => address.startsWith("admin@")),
        };
      }

      it("reissues an issued order with a new key: pending, then issued with a new certificate", async (context) => {
        if (!provider.capabilities.reissue) context.skip();
        const { request, orderId, first } = await issuedOrder();
        const reissue = await reissueRequest(request, orderId);

        const result = await provider.reissue(reissue);

        expect(["pending", "issued"]).toContain(result.status);
        for (const domain of [reissue.commonName, ...reissue.sans]) {
          expect(result.dcv).toContainEqual(
            expect.objectContaining({ domain, method: "email", email: reissue.approverEmail }),
          );
        }
        const during = await provider.getStatus(orderId);
        expect(["pending", "issued"]).toContain(during.status);
        if (during.status === "issued") {
          expect(during.certificate?.certificatePem).not.toBe(first.certificatePem);
        }

        await driver.issue(orderId);
        const after = await provider.getStatus(orderId);

        expect(after.status).toBe("issued");
        const second = after.certificate;
        if (!second) throw new Error("an issued status must carry the certificate");
        expect(second.certificatePem).not.toBe(first.certificatePem);
        expect(certificateMatchesCsr(second.certificatePem, reissue.csrPem)).toBe(true);
        expect(certificateMatchesCsr(second.certificatePem, request.csrPem)).toBe(false);
        const openssl = opensslParses(second.certificatePem);
        expect(openssl.status, openssl.text).toBe(0);
        expect(openssl.text).toContain(reissue.commonName);
        expect(second.chainPem.length).toBeGreaterThan(0);
      });

      it("refuses to reissue an order it does not know, on the order", async (context) => {
        if (!provider.capabilities.reissue) context.skip();
        const { request } = await place();
        const reissue = await reissueRequest(request, driver.unknownOrderId);

        const error = await provider.reissue(reissue).catch((caught: unknown) => caught);

        expect(error).toBeInstanceOf(ProviderInputError);
        expect((error as ProviderInputError).provider).toBe(provider.id);
        expect((error as ProviderInputError).field).toBe("order");
      });
    });

    /** Only for providers whose capabilities say a pending order's validation can change. */
    describe("changeValidation", () => {
      function change(
        request: PlaceOrderRequest,
        providerOrderId: string,
        domains: ChangeValidationRequest["domains"],
      ): ChangeValidationRequest {
        return { providerOrderId, reference: request.reference, csrPem: request.csrPem, domains };
      }

      it("moves a pending order to DNS validation: the record to create for the domain", async (context) => {
        if (!provider.capabilities.changeValidation) context.skip();
        const { request, placed } = await place();

        const dcv = await provider.changeValidation(
          change(request, placed.providerOrderId, [{ domain: request.commonName, method: "dns" }]),
        );

        expect(dcv).toHaveLength(1);
        const [instruction] = dcv;
        expect(instruction).toMatchObject({ domain: request.commonName, method: "dns" });
        expect(instruction?.email).toBeUndefined();
        expect(instruction?.dnsRecord?.name).toMatch(/\.www\.example\.com$/);
        expect(["CNAME", "TXT"]).toContain(instruction?.dnsRecord?.type);
        expect(instruction?.dnsRecord?.value).not.toBe("");
        const status = await provider.getStatus(placed.providerOrderId);
        expect(status.status).toBe("pending");
        // Where the provider reports the method per domain, it is the new one.
        const method = status.domains.find((domain) => domain.domain === request.commonName)?.method;
        if (method) expect(method).toBe("dns");
      });

      it("sends the approval e-mail to another listed address", async (context) => {
        if (!provider.capabilities.changeValidation || !offersEmail()) context.skip();
        const { request, placed } = await place();
        const approvers = await provider.getApproverEmails(request.commonName);
        const other = approvers.find((address) => MAILBOX.test(address) && address !== request.approverEmail);
        if (!other) throw new Error("the provider lists only one approver address");

        const dcv = await provider.changeValidation(
          change(request, placed.providerOrderId, [
            { domain: request.commonName, method: "email", approverEmail: other },
          ]),
        );

        expect(dcv).toEqual([
          expect.objectContaining({ domain: request.commonName, method: "email", email: other }),
        ]);
        expect((await provider.getStatus(placed.providerOrderId)).status).toBe("pending");
      });

      it("refuses to change an order it does not know, on the order", async (context) => {
        if (!provider.capabilities.changeValidation) context.skip();
        const { request } = await place();

        const error = await provider
          .changeValidation(
            change(request, driver.unknownOrderId, [{ domain: request.commonName, method: "dns" }]),
          )
          .catch((caught: unknown) => caught);

        expect(error).toBeInstanceOf(ProviderInputError);
        expect((error as ProviderInputError).provider).toBe(provider.id);
        expect((error as ProviderInputError).field).toBe("order");
      });
    });
  });
}
