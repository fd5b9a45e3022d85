import { randomBytes, X509Certificate } from "node:crypto";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCsr } from "../../src/certs/csr.js";
import { certificateMatchesCsr } from "../../src/certs/inspect.js";
import { generateKeyPair, type KeyPairPem } from "../../src/certs/keys.js";
import { createVault, type Vault } from "../../src/certs/vault.js";
import { sandboxAuthority, sandboxOrders } from "../../src/db/schema.js";
import { ProviderInputError } from "../../src/providers/errors.js";
import { SandboxProvider } from "../../src/providers/sandbox/provider.js";
import type { IssuedCertificate, PlaceOrderRequest, StatusResult } from "../../src/providers/types.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TestClock } from "../support/harness.js";

const APPROVAL_SECONDS = 120;
const DAY_MS = 86_400_000;

let database: TestDatabase;
let rsaKeys: KeyPairPem;
let vault: Vault;
let clock: TestClock;
let sandbox: SandboxProvider;

beforeAll(async () => {
  [database, rsaKeys] = await Promise.all([createTestDatabase(), generateKeyPair("rsa-2048")]);
});

afterAll(async () => {
  await database.close();
});

beforeEach(async () => {
  await database.truncateAll();
  vault = createVault({ keys: [randomBytes(32)] });
  clock = new TestClock();
  sandbox = newSandbox();
});

/** Another process on the same database: what a restart or a second replica sees. */
function newSandbox(): SandboxProvider {
  return new SandboxProvider({ db: database.db, vault, clock, approvalSeconds: APPROVAL_SECONDS });
}

function csrFor(domains: string[], keys: KeyPairPem = rsaKeys): Promise<string> {
  return createCsr({ privateKeyPem: keys.privateKeyPem, subject: { commonName: domains[0] ?? "" }, domains });
}

async function orderFor(
  commonName: string,
  overrides: Partial<PlaceOrderRequest> = {},
): Promise<PlaceOrderRequest> {
  const sans = overrides.sans ?? [];
  return {
    reference: "SSL-1001",
    productId: sans.length > 0 ? "positivessl-multidomain" : "positivessl",
    periodMonths: 12,
    serverTypeId: "apache",
    csrPem: await csrFor([commonName, ...sans]),
    commonName,
    sans,
    dcvMethod: "email",
    approverEmail: "admin@example.com",
    addonIds: [],
    organisation: {},
    contact: { firstName: "Ann", lastName: "Operator", email: "ann@example.com", phone: "+1", title: "Ops" },
    ...overrides,
  };
}

function passApprovalTime(): void {
  clock.advance(APPROVAL_SECONDS * 1000);
}

function certificateOf(status: StatusResult): IssuedCertificate {
  if (!status.certificate) throw new Error(`expected a certificate, the order is ${status.status}`);
  return status.certificate;
}

async function storedOrders(): Promise<number> {
  const [row] = await database.db.select({ orders: count() }).from(sandboxOrders);
  return row?.orders ?? 0;
}

async function placeAndIssue(request: PlaceOrderRequest, provider = sandbox): Promise<IssuedCertificate> {
  const { providerOrderId } = await provider.placeOrder(request);
  passApprovalTime();
  return certificateOf(await provider.getStatus(providerOrderId));
}

describe("SandboxProvider issuing", () => {
  it("issues only once approvalSeconds have passed since the order was placed", async () => {
    const { providerOrderId } = await sandbox.placeOrder(await orderFor("www.example.com"));

    clock.advance(APPROVAL_SECONDS * 1000 - 1);
    const early = await sandbox.getStatus(providerOrderId);
    clock.advance(1);
    const due = await sandbox.getStatus(providerOrderId);

    expect(early.status).toBe("pending");
    expect(early.certificate).toBeUndefined();
    expect(early.domains).toEqual([{ domain: "www.example.com", method: "email", state: "pending" }]);
    expect(due.status).toBe("issued");
    expect(due.domains).toEqual([{ domain: "www.example.com", method: "email", state: "validated" }]);
    expect(certificateOf(due).notBefore).toEqual(clock.now());
  });

  it("caps not-after at 199 days however long the order was paid for", async () => {
    const request = await orderFor("www.example.com", { periodMonths: 24 });

    const certificate = await placeAndIssue(request);

    const days = (certificate.notAfter.getTime() - certificate.notBefore.getTime()) / DAY_MS;
    expect(days).toBe(199);
    expect(new Date(new X509Certificate(certificate.certificatePem).validTo)).toEqual(certificate.notAfter);
  });

  it("caps not-after at 99 days from 15 March 2027", async () => {
    clock.set(new Date("2027-03-15T00:00:00Z"));
    const certificate = await placeAndIssue(await orderFor("www.example.com"));
    expect((certificate.notAfter.getTime() - certificate.notBefore.getTime()) / DAY_MS).toBe(99);
  });
});

describe("SandboxProvider reissue", () => {
  const reissueOf = async (providerOrderId: string, keys: KeyPairPem) => ({
    providerOrderId,
    reference: "SSL-1001",
    serverTypeId: "apache",
    csrPem: await csrFor(["www.example.com"], keys),
    commonName: "www.example.com",
    sans: [],
    dcvMethod: "dns" as const,
  });

  it("issues another certificate for the new key, the first one served meanwhile", async () => {
    const request = await orderFor("www.example.com");
    const { providerOrderId } = await sandbox.placeOrder(request);
    passApprovalTime();
    const first = certificateOf(await sandbox.getStatus(providerOrderId));
    const newKeys = await generateKeyPair("ec-p256");

    const reissue = await sandbox.reissue(await reissueOf(providerOrderId, newKeys));
    expect(reissue.status).toBe("pending");
    expect(reissue.dcv).toEqual([expect.objectContaining({ domain: "www.example.com", method: "dns" })]);
    const waiting = await sandbox.getStatus(providerOrderId);
    expect(waiting.status).toBe("pending");
    expect(certificateOf(waiting).certificatePem).toBe(first.certificatePem);

    passApprovalTime();
    const second = certificateOf(await sandbox.getStatus(providerOrderId));
    expect(second.certificatePem).not.toBe(first.certificatePem);
    expect(new X509Certificate(second.certificatePem).publicKey.asymmetricKeyType).toBe("ec");
  });

  it("never issues past the subscription's end, and refuses once it has ended", async () => {
    const { providerOrderId } = await sandbox.placeOrder(await orderFor("www.example.com"));
    passApprovalTime();
    const first = certificateOf(await sandbox.getStatus(providerOrderId));
    const coverageEnd = new Date(first.notBefore);
    coverageEnd.setUTCMonth(coverageEnd.getUTCMonth() + 12);
    // 30 days before the coverage end (2027: certificates live 99 days), so the end is the cut.
    clock.set(new Date(coverageEnd.getTime() - 30 * DAY_MS));

    await sandbox.reissue(await reissueOf(providerOrderId, rsaKeys));
    passApprovalTime();
    const second = certificateOf(await sandbox.getStatus(providerOrderId));
    expect(second.notAfter).toEqual(coverageEnd);

    clock.set(coverageEnd);
    await expect(sandbox.reissue(await reissueOf(providerOrderId, rsaKeys))).rejects.toThrow(
      "subscription has ended",
    );
  });

  it("refuses to reissue an order that is not issued", async () => {
    const { providerOrderId } = await sandbox.placeOrder(await orderFor("www.example.com"));
    await expect(sandbox.reissue(await reissueOf(providerOrderId, rsaKeys))).rejects.toBeInstanceOf(
      ProviderInputError,
    );
  });

  it("issues for an EC P-256 CSR", async () => {
    const ecKeys = await generateKeyPair("ec-p256");
    const request = await orderFor("www.example.com", { csrPem: await csrFor(["www.example.com"], ecKeys) });

    const certificate = await placeAndIssue(request);

    expect(certificateMatchesCsr(certificate.certificatePem, request.csrPem)).toBe(true);
    expect(new X509Certificate(certificate.certificatePem).publicKey.asymmetricKeyType).toBe("ec");
  });
});

describe("SandboxProvider revoke", () => {
  it("says it revokes, and revokes an issued order's current certificate: the order is cancelled from then on", async () => {
    expect(sandbox.capabilities.revoke).toBe(true);
    const { providerOrderId } = await sandbox.placeOrder(await orderFor("www.example.com"));
    passApprovalTime();
    const issued = certificateOf(await sandbox.getStatus(providerOrderId));

    // The PEM as certdesk stored it may differ in line endings only.
    await sandbox.revoke({
      providerOrderId,
      certificatePem: issued.certificatePem.replace(/\n/g, "\r\n"),
      reason: "keyCompromise",
    });

    const after = await sandbox.getStatus(providerOrderId);
    expect(after.status).toBe("cancelled");
    expect(after.detail).toEqual(["Certificate revoked"]);
    expect(after.domains).toEqual([{ domain: "www.example.com", method: "email", state: "validated" }]);
    const again = await sandbox
      .revoke({ providerOrderId, certificatePem: issued.certificatePem, reason: "keyCompromise" })
      .catch((caught: unknown) => caught);
    expect(again).toBeInstanceOf(ProviderInputError);
    expect((again as ProviderInputError).message).toContain("SBX-1 is revoked");
  });

  it("refuses an order not issued, an unknown order and a certificate it did not issue for the order, on the order", async () => {
    const pending = await sandbox.placeOrder(await orderFor("www.example.com"));
    const other = await placeAndIssue(await orderFor("shop.example.com"));
    const refusals = await Promise.all(
      [
        { providerOrderId: pending.providerOrderId, certificatePem: other.certificatePem },
        { providerOrderId: "SBX-999", certificatePem: other.certificatePem },
        {
          providerOrderId: pending.providerOrderId.replace("1", "2"),
          certificatePem: "-----BEGIN CERTIFICATE-----",
        },
      ].map((request) =>
        sandbox.revoke({ ...request, reason: "superseded" }).catch((caught: unknown) => caught),
      ),
    );

    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(ProviderInputError);
      expect((refusal as ProviderInputError).field).toBe("order");
    }
    expect(refusals.map((refusal) => (refusal as Error).message)).toEqual([
      "The sandbox can only revoke an issued certificate; SBX-1 is pending.",
      "The sandbox has no order SBX-999.",
      "That certificate is not the current certificate of SBX-2.",
    ]);
    expect((await sandbox.getStatus("SBX-2")).status).toBe("issued");
  });
});

describe("SandboxProvider CA", () => {
  it("creates its CA once and signs every order with it", async () => {
    const first = await placeAndIssue(await orderFor("www.example.com"));
    const second = await placeAndIssue(await orderFor("shop.example.com"));

    expect(first.chainPem).toHaveLength(1);
    expect(second.chainPem).toEqual(first.chainPem);
    const ca = new X509Certificate(first.chainPem[0] ?? "");
    expect(new X509Certificate(first.certificatePem).verify(ca.publicKey)).toBe(true);
    expect(new X509Certificate(second.certificatePem).verify(ca.publicKey)).toBe(true);
    const [authorities] = await database.db.select({ rows: count() }).from(sandboxAuthority);
    expect(authorities?.rows).toBe(1);
  });

  it("keeps the CA across a restart: a new instance on the same database signs with the same one", async () => {
    const before = await placeAndIssue(await orderFor("www.example.com"));

    const after = await placeAndIssue(await orderFor("shop.example.com"), newSandbox());

    expect(after.chainPem).toEqual(before.chainPem);
    const ca = new X509Certificate(before.chainPem[0] ?? "");
    expect(new X509Certificate(after.certificatePem).verify(ca.publicKey)).toBe(true);
  });

  it("keeps the private key of the CA encrypted in the database", async () => {
    await placeAndIssue(await orderFor("www.example.com"));

    const [row] = await database.db.select().from(sandboxAuthority);

    expect(row?.encryptedPrivateKey).not.toContain("PRIVATE KEY");
    expect(vault.decrypt(row?.encryptedPrivateKey ?? "")).toContain("-----BEGIN PRIVATE KEY-----");
  });
});

describe("SandboxProvider orders", () => {
  it("keeps an order across a restart", async () => {
    const { providerOrderId } = await sandbox.placeOrder(await orderFor("www.example.com"));

    const restarted = newSandbox();
    const pending = await restarted.getStatus(providerOrderId);
    passApprovalTime();
    const issued = await restarted.getStatus(providerOrderId);

    expect(pending.status).toBe("pending");
    expect(issued.status).toBe("issued");
    expect((await sandbox.getStatus(providerOrderId)).certificate).toEqual(issued.certificate);
  });

  it("refuses a refuse- domain when the order is placed, storing nothing", async () => {
    const error = await sandbox
      .placeOrder(await orderFor("refuse-www.example.com"))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderInputError);
    expect((error as ProviderInputError).field).toBe("domain");
    expect((error as ProviderInputError).message).toContain("refuse-www.example.com");
    expect(await storedOrders()).toBe(0);
  });

  it("refuses a refuse- domain among the additional domains too", async () => {
    const request = await orderFor("www.example.com", { sans: ["refuse-shop.example.com"] });

    await expect(sandbox.placeOrder(request)).rejects.toMatchObject({ field: "domain" });
  });

  it("rejects a reject- domain during validation, after the approval time", async () => {
    const { providerOrderId, status } = await sandbox.placeOrder(await orderFor("reject-www.example.com"));

    const early = await sandbox.getStatus(providerOrderId);
    passApprovalTime();
    const rejected = await sandbox.getStatus(providerOrderId);

    expect(status).toBe("pending");
    expect(early.status).toBe("pending");
    expect(rejected.status).toBe("rejected");
    expect(rejected.certificate).toBeUndefined();
    expect(rejected.domains).toEqual([
      { domain: "reject-www.example.com", method: "email", state: "failed" },
    ]);
    expect((await newSandbox().getStatus(providerOrderId)).status).toBe("rejected");
  });

  it("links a renewal to the order it renews", async () => {
    const request = await orderFor("www.example.com");
    const { providerOrderId } = await sandbox.placeOrder(request);

    const renewal = await sandbox.renew({ ...request, previousProviderOrderId: providerOrderId });

    const [row] = await database.db.select().from(sandboxOrders).orderBy(sandboxOrders.id).offset(1);
    expect(`SBX-${row?.id}`).toBe(renewal.providerOrderId);
    expect(row?.renewalOf).toBe(providerOrderId);
  });
});

describe("SandboxProvider domain validation", () => {
  it("lists approvers at the registrable domain and at the sub-domain", async () => {
    const approvers = await sandbox.getApproverEmails("www.shop.example.co.uk");

    expect(approvers).toEqual(
      expect.arrayContaining([
        "admin@example.co.uk",
        "postmaster@example.co.uk",
        "admin@www.shop.example.co.uk",
        "postmaster@www.shop.example.co.uk",
      ]),
    );
    expect(approvers.filter((address) => address.endsWith("@co.uk"))).toEqual([]);
    expect(new Set(approvers).size).toBe(approvers.length);
  });

  it("refuses an IP address with a domain error", async () => {
    const error = await sandbox.getApproverEmails("192.0.2.10").catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProviderInputError);
    expect((error as ProviderInputError).field).toBe("domain");
  });

  it("refuses an order for an IP address with a domain error", async () => {
    const request = await orderFor("192.0.2.10");

    await expect(sandbox.placeOrder(request)).rejects.toMatchObject({ field: "domain" });
    expect(await storedOrders()).toBe(0);
  });

  it("tells where to publish the file for HTTP validation", async () => {
    const request = await orderFor("www.example.com", { dcvMethod: "http", approverEmail: undefined });

    const { dcv } = await sandbox.placeOrder(request);

    expect(dcv).toHaveLength(1);
    expect(dcv[0]).toMatchObject({ domain: "www.example.com", method: "http" });
    expect(dcv[0]?.httpUrl).toMatch(/^http:\/\/www\.example\.com\/\.well-known\/pki-validation\/\S+\.txt$/);
    expect(dcv[0]?.httpContent).toBeTruthy();
    expect(dcv[0]?.email).toBeUndefined();
  });

  it("tells which DNS record to create for DNS validation, one per domain", async () => {
    const request = await orderFor("www.example.com", {
      sans: ["shop.example.com"],
      dcvMethod: "dns",
      approverEmail: undefined,
    });

    const { dcv } = await sandbox.placeOrder(request);

    expect(dcv.map((instruction) => instruction.domain)).toEqual(["www.example.com", "shop.example.com"]);
    for (const instruction of dcv) {
      expect(instruction.method).toBe("dns");
      expect(instruction.dnsRecord?.type).toBe("CNAME");
      expect(instruction.dnsRecord?.name).toMatch(
        new RegExp(`^_\\S+\\.${instruction.domain.replace(/\./g, "\\.")}$`),
      );
      expect(instruction.dnsRecord?.value).toBeTruthy();
    }
  });

  it("reports the validation method of a DNS order in its status", async () => {
    const request = await orderFor("www.example.com", { dcvMethod: "dns", approverEmail: undefined });
    const { providerOrderId } = await sandbox.placeOrder(request);

    const status = await sandbox.getStatus(providerOrderId);

    expect(status.domains).toEqual([{ domain: "www.example.com", method: "dns", state: "pending" }]);
  });
});

describe("SandboxProvider changeValidation", () => {
  it("applies one method to the whole order and answers for the domains asked about", async () => {
    const request = await orderFor("www.example.com", { sans: ["shop.example.com"] });
    const { providerOrderId } = await sandbox.placeOrder(request);

    const dcv = await sandbox.changeValidation({
      providerOrderId,
      reference: request.reference,
      csrPem: request.csrPem,
      domains: [{ domain: "shop.example.com", method: "http" }],
    });

    expect(dcv).toHaveLength(1);
    expect(dcv[0]).toMatchObject({ domain: "shop.example.com", method: "http" });
    expect(dcv[0]?.httpUrl).toMatch(/^http:\/\/shop\.example\.com\/\.well-known\/pki-validation\/\S+\.txt$/);
    // One method per order: every domain now validates by HTTP, and the order still issues on time.
    const status = await newSandbox().getStatus(providerOrderId);
    expect(status.domains.map((domain) => domain.method)).toEqual(["http", "http"]);
    passApprovalTime();
    expect((await sandbox.getStatus(providerOrderId)).status).toBe("issued");
  });

  it("refuses mixed methods, a domain of another order, a missing approver and an order not pending", async () => {
    const request = await orderFor("www.example.com", { sans: ["shop.example.com"] });
    const { providerOrderId } = await sandbox.placeOrder(request);
    const change = (
      domains: { domain: string; method: "email" | "http" | "dns"; approverEmail?: string }[],
    ) =>
      sandbox
        .changeValidation({ providerOrderId, reference: request.reference, csrPem: request.csrPem, domains })
        .catch((caught: unknown) => caught as ProviderInputError);

    const mixed = await change([
      { domain: "www.example.com", method: "dns" },
      { domain: "shop.example.com", method: "http" },
    ]);
    expect(mixed).toBeInstanceOf(ProviderInputError);
    expect(mixed).toMatchObject({ field: "dcvMethod" });
    expect((mixed as ProviderInputError).message).toMatch(
      /^The sandbox validates every domain of an order the same way/,
    );
    expect(
      await change([
        { domain: "www.example.com", method: "email", approverEmail: "admin@example.com" },
        { domain: "shop.example.com", method: "email", approverEmail: "webmaster@example.com" },
      ]),
    ).toMatchObject({ field: "dcvMethod" });
    expect(await change([{ domain: "other.example.org", method: "dns" }])).toMatchObject({ field: "domain" });
    expect(await change([{ domain: "www.example.com", method: "email" }])).toMatchObject({
      field: "approverEmail",
    });
    expect((await sandbox.getStatus(providerOrderId)).domains[0]?.method).toBe("email");

    passApprovalTime();
    await sandbox.getStatus(providerOrderId);
    const issued = await change([{ domain: "www.example.com", method: "dns" }]);
    expect(issued).toBeInstanceOf(ProviderInputError);
    expect(issued).toMatchObject({ field: "order" });
    expect((issued as ProviderInputError).message).toMatch(/pending order/);
  });
});
