import { createPrivateKey, randomBytes, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCsr } from "../../src/certs/csr.js";
import { generateKeyPair, type KeyPairPem } from "../../src/certs/keys.js";
import { renewalCertId } from "../../src/certs/renewal-id.js";
import { createVault, type Vault } from "../../src/certs/vault.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { acmeAccounts, acmeOrders } from "../../src/db/schema.js";
import type { DcvMethod } from "../../src/domain/dcv.js";
import { problemInPlainWords } from "../../src/providers/acme/problems.js";
import { buildProviders } from "../../src/providers/build.js";
import {
  ProviderAuthError,
  ProviderInputError,
  ProviderUnavailableError,
} from "../../src/providers/errors.js";
import type { PlaceOrderRequest, SslProvider } from "../../src/providers/types.js";
import { useTestDatabase } from "../support/database.js";
import { TestClock } from "../support/harness.js";
import { TestHttpFileServer } from "../support/http-file-server.js";
import {
  type AcmeExtensionsProxy,
  type PebbleServer,
  pebbleInstalled,
  startAcmeExtensionsProxy,
  startPebble,
} from "../support/pebble.js";
import { createTestCa } from "../support/test-ca.js";

/**
 * The acme provider beyond the shared SslProvider contract (contract.test.ts): External Account
 * Binding, the account kept once, the catalogue and its profiles, refusals made before anything is
 * sent, a wildcard by dns-01, the renewal window (RFC 9773), an unreachable CA, the plug-in's
 * configuration and the CA's problems in plain words. Against a real Pebble (and the extensions
 * proxy for renewalInfo and profiles), each provider built from environment variables as certdesk
 * builds it.
 */

const database = useTestDatabase();

const SLACK = { SLACK_BOT_TOKEN: "xoxb-acme-test", SLACK_SIGNING_SECRET: "acme-test-signing" };

/** The acme provider `env` configures, built as src/main.ts builds it (loadConfig + buildProviders). */
async function acmeProvider(
  env: Record<string, string>,
  services: { vault?: Vault; clock?: TestClock } = {},
): Promise<SslProvider> {
  const config = loadConfig({ ...SLACK, SSL_PROVIDERS: "acme", ...env });
  const [provider, ...others] = (
    await buildProviders(config.providers, {
      db: database.current.db,
      vault: services.vault ?? createVault({ keys: [randomBytes(32)] }),
      // Pebble's certificates are dated now: a clock at now keeps them "issued".
      clock: services.clock ?? new TestClock(new Date()),
    })
  ).enabled;
  if (!provider || others.length > 0) throw new Error("expected exactly the acme provider");
  return provider;
}

let csrKeys: KeyPairPem;

beforeAll(async () => {
  csrKeys = await generateKeyPair("ec-p256");
});

async function orderRequest(
  productId: string,
  names: string[],
  dcvMethod: DcvMethod,
): Promise<PlaceOrderRequest> {
  const [commonName = "", ...sans] = names;
  return {
    reference: "SSL-1001",
    productId,
    periodMonths: 3,
    serverTypeId: "apache",
    csrPem: await createCsr({
      privateKeyPem: csrKeys.privateKeyPem,
      subject: { commonName },
      domains: names,
    }),
    commonName,
    sans,
    dcvMethod,
    addonIds: [],
    organisation: {},
    contact: {
      firstName: "Ann",
      lastName: "Operator",
      email: "ann@example.com",
      phone: "+44 20 7946 0000",
      title: "Ops",
    },
  };
}

/** The order's status once the CA stopped working on it (Pebble validates on its own, in real time). */
async function statusOnceSettled(provider: SslProvider, providerOrderId: string) {
  const deadline = Date.now() + 15_000;
  let status = await provider.getStatus(providerOrderId);
  while (status.status === "pending" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await provider.getStatus(providerOrderId);
  }
  return status;
}

/** The rejection `promise` ends in (it must reject). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** Every text an error shows or logs: message, String(), stack and provider message, down its cause chain. */
function textsOf(error: unknown): string[] {
  const texts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof Error) {
      texts.push(current.message, String(current), current.stack ?? "");
    } else {
      texts.push(String(current));
    }
    const providerMessage = (current as { providerMessage?: unknown }).providerMessage;
    if (typeof providerMessage === "string") texts.push(providerMessage);
    current = (current as { cause?: unknown }).cause;
  }
  return texts;
}

async function accountRows() {
  return database.current.db.select().from(acmeAccounts);
}

async function orderRows() {
  return database.current.db.select().from(acmeOrders);
}

/**
 * Issues `names` by dns-01: places the order, publishes each TXT record at Pebble's DNS, asks the
 * CA to validate, and polls (bounded) until the certificate is there.
 */
async function issueByDns(
  provider: SslProvider,
  pebble: PebbleServer,
  productId: string,
  names: string[],
): Promise<{ providerOrderId: string; certificatePem: string }> {
  const request = await orderRequest(productId, names, "dns");
  const placed = await provider.placeOrder(request);
  for (const instruction of placed.dcv) {
    if (!instruction.dnsRecord) throw new Error(`no DNS record for ${instruction.domain}`);
    await pebble.setTxt(instruction.dnsRecord.name, instruction.dnsRecord.value);
  }
  await provider.recheckValidation?.({
    providerOrderId: placed.providerOrderId,
    reference: request.reference,
    csrPem: request.csrPem,
    domains: names.map((domain) => ({ domain, method: "dns" })),
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await provider.getStatus(placed.providerOrderId);
    if (status.status === "issued" && status.certificate) {
      return { providerOrderId: placed.providerOrderId, certificatePem: status.certificate.certificatePem };
    }
    if (status.status !== "pending" || Date.now() > deadline) {
      throw new Error(`${placed.providerOrderId} is ${status.status}: ${status.detail.join("; ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!pebbleInstalled() && !process.env.CI)("acme provider against Pebble", () => {
  /** Pebble's http-01 port: nothing here validates by HTTP file, but Pebble needs one. */
  let site: TestHttpFileServer;
  let pebble: PebbleServer;
  const proxies: AcmeExtensionsProxy[] = [];

  beforeAll(async () => {
    site = await TestHttpFileServer.start();
    pebble = await startPebble({ httpPort: site.port });
  });

  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await pebble?.close();
    await site?.close();
  });

  async function proxy(options: { profiles?: Record<string, string> } = {}): Promise<AcmeExtensionsProxy> {
    const started = await startAcmeExtensionsProxy(pebble, options);
    proxies.push(started);
    return started;
  }

  const envFor = (directoryUrl: string) => ({
    ACME_DIRECTORY_URL: directoryUrl,
    ACME_CA_BUNDLE: pebble.caBundlePath,
  });

  describe("External Account Binding", () => {
    let eabPebble: PebbleServer;
    let eab: { kid: string; hmacKey: string };

    beforeAll(async () => {
      eabPebble = await startPebble({ httpPort: site.port, eab: true });
      if (!eabPebble.eab) throw new Error("Pebble started with eab gives its binding");
      eab = eabPebble.eab;
    });

    afterAll(async () => {
      await eabPebble?.close();
    });

    const eabEnv = () => ({
      ACME_DIRECTORY_URL: eabPebble.directoryUrl,
      ACME_CA_BUNDLE: eabPebble.caBundlePath,
    });

    it("opens the account with the CA's binding and places an order", async () => {
      const provider = await acmeProvider({
        ...eabEnv(),
        ACME_EAB_KID: eab.kid,
        ACME_EAB_HMAC_KEY: eab.hmacKey,
      });
      const placed = await provider.placeOrder(await orderRequest("dv", ["eab.example.com"], "http"));
      expect(placed.providerOrderId).toMatch(/^ACME-\d+$/);
      expect(await accountRows()).toHaveLength(1);
    });

    it("reports a CA that needs a binding, when none is configured, as an account problem", async () => {
      const provider = await acmeProvider(eabEnv());
      const error = await rejectionOf(
        provider.placeOrder(await orderRequest("dv", ["no-eab.example.com"], "http")),
      );
      expect(error).toBeInstanceOf(ProviderAuthError);
      expect((error as Error).message).toMatch(/^The ACME CA refused to open an account: \S/);
      for (const text of textsOf(error)) expect(text).not.toContain(eab.hmacKey);
      expect(await accountRows()).toHaveLength(0);
      expect(await orderRows()).toHaveLength(0);
    });

    it("reports a wrong HMAC key as an account problem, without the key in any message", async () => {
      const wrongKey = randomBytes(64).toString("base64url");
      const provider = await acmeProvider({
        ...eabEnv(),
        ACME_EAB_KID: eab.kid,
        ACME_EAB_HMAC_KEY: wrongKey,
      });
      const error = await rejectionOf(
        provider.placeOrder(await orderRequest("dv", ["wrong-eab.example.com"], "http")),
      );
      expect(error).toBeInstanceOf(ProviderAuthError);
      const message = (error as Error).message;
      expect(message).toMatch(/^The ACME CA refused to open an account: \S/);
      // One line of words, not a dump of the request.
      expect(message).not.toMatch(/[\n{}]/);
      const texts = textsOf(error);
      expect(texts).toContain(String(error));
      for (const text of texts) {
        expect(text).not.toContain(wrongKey);
        expect(text).not.toContain(eab.hmacKey);
      }
      expect(await accountRows()).toHaveLength(0);
    });
  });

  describe("the account", () => {
    it("is made once, kept encrypted, and used by every provider on the same database and vault", async () => {
      const front = await proxy();
      const vault = createVault({ keys: [randomBytes(32)] });
      const first = await acmeProvider(envFor(front.directoryUrl), { vault });
      const firstOrder = await first.placeOrder(await orderRequest("dv", ["one.example.com"], "http"));

      const [account, ...more] = await accountRows();
      expect(more).toHaveLength(0);
      if (!account) throw new Error("no account row");
      expect(account.directoryUrl).toBe(front.directoryUrl);
      expect(account.encryptedAccountKey).not.toContain("PRIVATE KEY");
      const keyPem = vault.decrypt(account.encryptedAccountKey);
      expect(keyPem).toMatch(/^-----BEGIN (EC )?PRIVATE KEY-----\n/);
      expect(createPrivateKey(keyPem).asymmetricKeyType).toBe("ec");

      // A second provider (another replica, or after a restart) on the same database and vault.
      const second = await acmeProvider(envFor(front.directoryUrl), { vault });
      const secondOrder = await second.placeOrder(await orderRequest("dv", ["two.example.com"], "http"));
      expect(secondOrder.providerOrderId).not.toBe(firstOrder.providerOrderId);
      expect(await accountRows()).toEqual([account]);

      // One newAccount ever reached the CA; both orders did.
      const newAccounts = front.posts.filter(
        (post) => (post.payload as { termsOfServiceAgreed?: boolean } | null)?.termsOfServiceAgreed,
      );
      const newOrders = front.posts.filter(
        (post) => (post.payload as { identifiers?: unknown } | null)?.identifiers,
      );
      expect(newAccounts).toHaveLength(1);
      expect(newOrders).toHaveLength(2);
      // Pebble lets an account read only its own orders: the second provider reads the first's.
      expect((await second.getStatus(firstOrder.providerOrderId)).status).toBe("pending");
    });
  });

  describe("products", () => {
    it("are DV, DV wildcard and DV multi-domain, free, where the directory lists no profiles", async () => {
      const products = await (await acmeProvider(envFor(pebble.directoryUrl))).listProducts();
      expect(products.map((product) => product.id)).toEqual(["dv", "dv-wildcard", "dv-multidomain"]);
      for (const product of products) {
        expect(product.validation).toBe("DV");
        expect(product.periods).toHaveLength(1);
        expect(product.prices).toEqual([
          { months: product.periods[0], price: { amount: "0.00", currency: "USD" } },
        ]);
      }
      expect(products.filter((product) => product.wildcard).map((product) => product.id)).toEqual([
        "dv-wildcard",
      ]);
      expect(products.filter((product) => product.multiDomain).map((product) => product.id)).toEqual([
        "dv-multidomain",
      ]);
      // Listing reads the directory only: no account is opened at the CA for it.
      expect(await accountRows()).toEqual([]);
    });

    it("come in each profile the directory lists, and an order sends its profile", async () => {
      const front = await proxy({
        profiles: { classic: "The usual 90-day certificate", shortlived: "A 6-day certificate" },
      });
      const provider = await acmeProvider(envFor(front.directoryUrl));
      const ids = (await provider.listProducts()).map((product) => product.id);
      expect(ids.sort()).toEqual(
        [
          "dv@classic",
          "dv-wildcard@classic",
          "dv-multidomain@classic",
          "dv@shortlived",
          "dv-wildcard@shortlived",
          "dv-multidomain@shortlived",
        ].sort(),
      );

      const placed = await provider.placeOrder(
        await orderRequest("dv@shortlived", ["short.example.com"], "http"),
      );
      const newOrders = front.posts.filter(
        (post) => (post.payload as { identifiers?: unknown } | null)?.identifiers,
      );
      expect(newOrders.map((post) => post.payload)).toEqual([
        { identifiers: [{ type: "dns", value: "short.example.com" }], profile: "shortlived" },
      ]);
      const [row] = await orderRows();
      expect(row).toMatchObject({ profile: "shortlived" });
      expect(placed.providerOrderId).toBe(`ACME-${row?.id}`);
    });

    it("refuses an order naming a profile the directory does not list", async () => {
      const front = await proxy({ profiles: { classic: "The usual 90-day certificate" } });
      const provider = await acmeProvider(envFor(front.directoryUrl));
      const error = await rejectionOf(
        provider.placeOrder(await orderRequest("dv@shortlived", ["gone.example.com"], "http")),
      );
      expect(error).toBeInstanceOf(ProviderInputError);
      expect(error).toMatchObject({ field: "product" });
      expect((error as Error).message).toContain("shortlived");
      expect(
        front.posts.filter((post) => (post.payload as { identifiers?: unknown } | null)?.identifiers),
      ).toEqual([]);
      expect(await orderRows()).toHaveLength(0);
    });
  });

  describe("refusals before anything is sent", () => {
    it("refuses e-mail validation, http-01 for a wildcard, and a wildcard on the single-name product", async () => {
      const front = await proxy();
      const provider = await acmeProvider(envFor(front.directoryUrl));

      const email = await rejectionOf(
        provider.placeOrder(await orderRequest("dv", ["mail.example.com"], "email")),
      );
      expect(email).toBeInstanceOf(ProviderInputError);
      expect(email).toMatchObject({ field: "dcvMethod" });

      const httpWildcard = await rejectionOf(
        provider.placeOrder(await orderRequest("dv-wildcard", ["*.example.com"], "http")),
      );
      expect(httpWildcard).toBeInstanceOf(ProviderInputError);
      expect(httpWildcard).toMatchObject({ field: "dcvMethod" });
      expect((httpWildcard as Error).message).toContain("*.example.com");

      const wildcardOnDv = await rejectionOf(
        provider.placeOrder(await orderRequest("dv", ["*.example.com"], "dns")),
      );
      expect(wildcardOnDv).toBeInstanceOf(ProviderInputError);
      expect(wildcardOnDv).toMatchObject({ field: "domain" });

      // Nothing reached the CA: no account, no order.
      expect(front.posts).toEqual([]);
      expect(await accountRows()).toHaveLength(0);
      expect(await orderRows()).toHaveLength(0);
    });
  });

  it("issues a wildcard validated by dns-01", async () => {
    const provider = await acmeProvider(envFor(pebble.directoryUrl));
    const request = await orderRequest("dv-wildcard", ["*.wild.example.com"], "dns");
    const placed = await provider.placeOrder(request);
    expect(placed.dcv).toEqual([
      {
        domain: "*.wild.example.com",
        method: "dns",
        dnsRecord: { name: "_acme-challenge.wild.example.com", type: "TXT", value: expect.any(String) },
      },
    ]);
    const record = placed.dcv[0]?.dnsRecord;
    if (!record) throw new Error("no DNS record");
    // RFC 8555 §8.4: the record holds base64url(SHA-256(key authorization)), 43 characters.
    expect(record.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Asking before the record is published would fail the challenge for good; publish first.
    await pebble.setTxt(record.name, record.value);
    await provider.recheckValidation?.({
      providerOrderId: placed.providerOrderId,
      reference: request.reference,
      csrPem: request.csrPem,
      domains: [{ domain: "*.wild.example.com", method: "dns" }],
    });
    const status = await statusOnceSettled(provider, placed.providerOrderId);
    expect(status.status, status.detail.join("; ")).toBe("issued");
    expect(status.domains).toEqual([{ domain: "*.wild.example.com", method: "dns", state: "validated" }]);
    const certificatePem = status.certificate?.certificatePem ?? "";
    expect(new X509Certificate(certificatePem).subjectAltName).toBe("DNS:*.wild.example.com");
    expect(new X509Certificate(certificatePem).checkHost("www.wild.example.com")).toBe("*.wild.example.com");
  });

  it("moves a pending domain from DNS to an HTTP file, and issues once the file is served", async () => {
    const provider = await acmeProvider(envFor(pebble.directoryUrl));
    const request = await orderRequest("dv", ["switch.example.com"], "dns");
    const placed = await provider.placeOrder(request);
    const [changed] = await provider.changeValidation({
      providerOrderId: placed.providerOrderId,
      reference: request.reference,
      csrPem: request.csrPem,
      domains: [{ domain: "switch.example.com", method: "http" }],
    });
    expect(changed?.httpUrl).toMatch(/^http:\/\/switch\.example\.com\/\.well-known\/acme-challenge\/[\w-]+$/);
    site.setRoutes({
      [new URL(changed?.httpUrl ?? "http://x/").pathname]: { status: 200, body: changed?.httpContent ?? "" },
    });
    await provider.recheckValidation?.({
      providerOrderId: placed.providerOrderId,
      reference: request.reference,
      csrPem: request.csrPem,
      domains: [{ domain: "switch.example.com", method: "http" }],
    });
    const status = await statusOnceSettled(provider, placed.providerOrderId);
    expect(status.status, status.detail.join("; ")).toBe("issued");
    expect(status.domains).toEqual([{ domain: "switch.example.com", method: "http", state: "validated" }]);
    site.setRoutes({});
  });

  describe("renewal window (RFC 9773)", () => {
    it("is the CA's suggested window, with its explanation and when to ask again", async () => {
      const front = await proxy();
      const clock = new TestClock(new Date());
      const provider = await acmeProvider(envFor(front.directoryUrl), { clock });
      const { providerOrderId, certificatePem } = await issueByDns(provider, pebble, "dv", [
        "ari.example.com",
      ]);
      const certId = await renewalCertId(certificatePem);

      // A certificate the CA has no renewal information for.
      expect(await provider.renewalWindow?.(providerOrderId, certificatePem)).toBeUndefined();
      expect(front.renewalInfoRequests).toEqual([certId]);

      const start = new Date(clock.now().getTime() + 20 * 24 * 3600_000);
      const end = new Date(start.getTime() + 2 * 24 * 3600_000);
      front.setRenewalInfo(
        certId,
        {
          suggestedWindow: { start: start.toISOString(), end: end.toISOString() },
          explanationURL: "https://ca.example.com/incidents/42",
        },
        3600,
      );
      expect(await provider.renewalWindow?.(providerOrderId, certificatePem)).toEqual({
        start,
        end,
        explanationUrl: "https://ca.example.com/incidents/42",
        retryAfter: new Date(clock.now().getTime() + 3600_000),
      });
      expect(front.renewalInfoRequests).toEqual([certId, certId]);
    });

    it("is unknown where the directory offers no renewal information", async () => {
      const provider = await acmeProvider(envFor(pebble.directoryUrl));
      const { providerOrderId, certificatePem } = await issueByDns(provider, pebble, "dv", [
        "no-ari.example.com",
      ]);
      expect(await provider.renewalWindow?.(providerOrderId, certificatePem)).toBeUndefined();
    });
  });
});

describe("an unreachable ACME directory", () => {
  it("is reported as unavailable at once (acme-client's retries are off)", async () => {
    const provider = await acmeProvider({ ACME_DIRECTORY_URL: "https://127.0.0.1:1/dir" });
    const listing = await rejectionOf(provider.listProducts());
    expect(listing).toBeInstanceOf(ProviderUnavailableError);
    expect((listing as Error).message).toMatch(/could not be reached .*\(ECONNREFUSED\)/);

    const placing = await rejectionOf(
      provider.placeOrder(await orderRequest("dv", ["down.example.com"], "http")),
    );
    expect(placing).toBeInstanceOf(ProviderUnavailableError);
    expect(placing).not.toBeInstanceOf(ProviderAuthError);
    expect((placing as Error).message).toMatch(/could not be reached .*\(ECONNREFUSED\)/);
    expect(await accountRows()).toHaveLength(0);
  }, 10_000); // Well under acme-client's default 75 s of retries.
});

describe("acme configuration", () => {
  const acmeEnv = { ...SLACK, SSL_PROVIDERS: "acme" };
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "certdesk-acme-config-"));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function configError(env: Record<string, string>): ConfigError {
    try {
      loadConfig({ ...acmeEnv, ...env });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error("expected a ConfigError");
  }

  /** The one problem about `variable`; the whole message echoes none of `values`. */
  function problemAbout(env: Record<string, string>, variable: string, values: string[] = []): string {
    const error = configError(env);
    for (const value of values) expect(error.message).not.toContain(value);
    const lines = error.problems.filter((problem) => problem.startsWith(`${variable} `));
    expect(lines, error.message).toHaveLength(1);
    return lines[0] ?? "";
  }

  it("loads a complete configuration, reading the CA bundle", () => {
    const bundlePath = path.join(dir, "bundle.pem");
    const caPem = createTestCa().rootPem;
    writeFileSync(bundlePath, caPem);
    const config = loadConfig({
      ...acmeEnv,
      ACME_DIRECTORY_URL: "https://acme.example.com/directory",
      ACME_EMAIL: "ops@example.com",
      ACME_EAB_KID: "kid-1",
      ACME_EAB_HMAC_KEY: "c2VjcmV0LWhtYWMta2V5",
      ACME_CA_BUNDLE: bundlePath,
      ACME_AUTO_RENEW: "true",
    });
    expect(config.providers.settings.acme).toEqual({
      ACME_DIRECTORY_URL: "https://acme.example.com/directory",
      ACME_EMAIL: "ops@example.com",
      ACME_EAB_KID: "kid-1",
      ACME_EAB_HMAC_KEY: "c2VjcmV0LWhtYWMta2V5",
      ACME_CA_BUNDLE: caPem,
      ACME_AUTO_RENEW: true,
    });
    // Plain http only on loopback (a local test CA).
    expect(
      loadConfig({ ...acmeEnv, ACME_DIRECTORY_URL: "http://127.0.0.1:14000/dir" }).providers.settings.acme,
    ).toMatchObject({ ACME_DIRECTORY_URL: "http://127.0.0.1:14000/dir" });
  });

  it("names a missing directory URL", () => {
    expect(problemAbout({}, "ACME_DIRECTORY_URL")).toMatch(/^ACME_DIRECTORY_URL is missing: .*directory URL/);
    expect(problemAbout({ ACME_DIRECTORY_URL: "  " }, "ACME_DIRECTORY_URL")).toMatch(
      /^ACME_DIRECTORY_URL is missing/,
    );
  });

  it("refuses a plain-http directory off loopback, without echoing it", () => {
    const url = "http://acme.internal.example.com/directory";
    expect(problemAbout({ ACME_DIRECTORY_URL: url }, "ACME_DIRECTORY_URL", [url])).toMatch(
      /^ACME_DIRECTORY_URL must be an https:\/\/ URL/,
    );
  });

  it("refuses half an External Account Binding, without echoing either half", () => {
    const base = { ACME_DIRECTORY_URL: "https://acme.example.com/directory" };
    const kid = "kid-only-5f3a";
    const hmacKey = "hmac-only-c2VjcmV0LWhtYWMta2V5";
    const pair = /^ACME_EAB_KID and ACME_EAB_HMAC_KEY go together/;
    expect(problemAbout({ ...base, ACME_EAB_KID: kid }, "ACME_EAB_KID", [kid])).toMatch(pair);
    expect(problemAbout({ ...base, ACME_EAB_HMAC_KEY: hmacKey }, "ACME_EAB_KID", [hmacKey])).toMatch(pair);
  });

  it("refuses a CA bundle that cannot be read or holds no certificate, without echoing path or content", () => {
    const base = { ACME_DIRECTORY_URL: "https://acme.example.com/directory" };
    const missing = path.join(dir, "no-such-bundle.pem");
    expect(problemAbout({ ...base, ACME_CA_BUNDLE: missing }, "ACME_CA_BUNDLE", [missing])).toMatch(
      /^ACME_CA_BUNDLE cannot be read/,
    );
    // A directory is a path that exists but is no file.
    expect(problemAbout({ ...base, ACME_CA_BUNDLE: dir }, "ACME_CA_BUNDLE", [dir])).toMatch(
      /^ACME_CA_BUNDLE cannot be read/,
    );

    const notPem = path.join(dir, "key-not-ca.pem");
    const content = "-----BEGIN PRIVATE KEY-----\nnot-a-certificate-9d8c\n-----END PRIVATE KEY-----\n";
    writeFileSync(notPem, content);
    expect(
      problemAbout({ ...base, ACME_CA_BUNDLE: notPem }, "ACME_CA_BUNDLE", [notPem, "not-a-certificate-9d8c"]),
    ).toMatch(/^ACME_CA_BUNDLE holds no PEM certificate/);
  });

  it("refuses a contact that is not an e-mail address, without echoing it", () => {
    const email = "ops-at-example";
    expect(
      problemAbout(
        { ACME_DIRECTORY_URL: "https://acme.example.com/directory", ACME_EMAIL: email },
        "ACME_EMAIL",
        [email],
      ),
    ).toMatch(/^ACME_EMAIL must be an e-mail address/);
  });
});

describe("problemInPlainWords", () => {
  const ERROR = "urn:ietf:params:acme:error:";

  it("says what the CA found, where, then the CA's own detail", () => {
    expect(
      problemInPlainWords(
        {
          type: `${ERROR}unauthorized`,
          detail: "Invalid response from http://www.example.com/.well-known/acme-challenge/abc: 404",
        },
        "www.example.com",
      ),
    ).toBe(
      "The CA did not find the expected content at the validation file or record (www.example.com): Invalid response from http://www.example.com/.well-known/acme-challenge/abc: 404",
    );
    expect(
      problemInPlainWords(
        {
          type: `${ERROR}dns`,
          detail: "DNS problem: NXDOMAIN looking up TXT for\n  _acme-challenge.example.com",
        },
        "*.example.com",
      ),
    ).toBe(
      "The CA's DNS look-up for the domain failed (*.example.com): DNS problem: NXDOMAIN looking up TXT for _acme-challenge.example.com",
    );
    expect(
      problemInPlainWords(
        { type: `${ERROR}caa`, detail: "CAA record for example.com prevents issuance" },
        "example.com",
      ),
    ).toBe(
      "A CAA record on the domain does not allow this CA to issue (example.com): CAA record for example.com prevents issuance",
    );
    expect(
      problemInPlainWords(
        { type: `${ERROR}rateLimited`, detail: "too many certificates already issued" },
        "www.example.com",
      ),
    ).toBe(
      "The CA's rate limit was reached, so it refused for now (www.example.com): too many certificates already issued",
    );
  });

  it("says only that the CA refused, for a type it does not know, keeping the CA's detail", () => {
    expect(problemInPlainWords({ type: `${ERROR}somethingNew`, detail: "a reason" }, "www.example.com")).toBe(
      "The CA refused (www.example.com): a reason",
    );
    expect(problemInPlainWords({ type: "about:blank", detail: "a reason" })).toBe("The CA refused: a reason");
    // Object.prototype's names are no problem types.
    expect(problemInPlainWords({ type: `${ERROR}constructor` })).toBe("The CA refused.");
  });

  it("ends the sentence where the CA gave no detail, or no problem at all", () => {
    expect(problemInPlainWords({ type: `${ERROR}dns` }, "www.example.com")).toBe(
      "The CA's DNS look-up for the domain failed (www.example.com).",
    );
    expect(problemInPlainWords(undefined)).toBe("The CA refused the validation without saying why.");
    expect(problemInPlainWords(undefined, "www.example.com")).toBe(
      "The CA refused the validation without saying why.",
    );
  });
});
