import { X509Certificate } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ENV_EXAMPLE, withProviderSection } from "../../scripts/env-example.js";
import { createVault } from "../../src/certs/vault.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import type { Database } from "../../src/db/client.js";
import type { DcvInstruction } from "../../src/domain/dcv.js";
import type { Product, ServerType } from "../../src/domain/product.js";
import { buildProviders } from "../../src/providers/build.js";
import { requiredText } from "../../src/providers/env.js";
import { ProviderAuthError, ProviderInputError } from "../../src/providers/errors.js";
import { checkPluginEnv, defineProviderPlugin } from "../../src/providers/plugin.js";
import { PROVIDER_IDS, PROVIDER_PLUGINS } from "../../src/providers/plugins.js";
import { sectigo } from "../../src/providers/sectigo/index.js";
import type {
  PlaceOrderRequest,
  PlaceOrderResult,
  ProviderCapabilities,
  ReissueResult,
  RenewRequest,
  SslProvider,
  StatusResult,
} from "../../src/providers/types.js";
import { TestClock } from "../support/harness.js";
import { createTestCa, type TestCa } from "../support/test-ca.js";
import { describeProviderContract } from "./contract-suite.js";

const SLACK = { SLACK_BOT_TOKEN: "xoxb-plugins", SLACK_SIGNING_SECRET: "plugins-signing-secret" };
const PROVIDERS_DIR = fileURLToPath(new URL("../../src/providers", import.meta.url));

describe("the provider plug-in list", () => {
  it("derives the provider ids from the plug-ins, each id once", () => {
    expect(PROVIDER_IDS).toEqual(PROVIDER_PLUGINS.map((plugin) => plugin.id));
    expect(new Set(PROVIDER_IDS).size).toBe(PROVIDER_IDS.length);
  });

  it("gives every plug-in variables named after it, each with one line of help", () => {
    for (const plugin of PROVIDER_PLUGINS) {
      const names = Object.keys(plugin.env.shape);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(name).toMatch(new RegExp(`^${plugin.id.toUpperCase()}_[A-Z0-9_]+$`));
      expect(Object.keys(plugin.envHelp).sort()).toEqual([...names].sort());
      for (const help of Object.values<string>(plugin.envHelp)) expect(help).toMatch(/^[^\n]{10,}$/);
    }
  });

  it("keeps every provider in a folder of the same shape: the HTTP adapters' folders all alike", () => {
    const HTTP_FILES = ["client.ts", "dcv.ts", "errors.ts", "order-form.ts", "status.ts", "wire.ts"];
    // A protocol spoken through a library (ACME through acme-client): the connection and its problems.
    const PROTOCOL_FILES = ["connection.ts", "problems.ts"];
    for (const { id } of PROVIDER_PLUGINS) {
      const files = readdirSync(path.join(PROVIDERS_DIR, id)).sort();
      const speaksHttp = files.includes("client.ts");
      const speaksProtocol = files.includes("connection.ts");
      const expected = [
        "catalogue.ts",
        "index.ts",
        "provider.ts",
        ...(speaksHttp ? HTTP_FILES : []),
        ...(speaksProtocol ? PROTOCOL_FILES : []),
      ].sort();
      expect(files, `src/providers/${id}/`).toEqual(expected);
    }
  });

  it("names a provider's id nowhere in src/ outside its own folder", () => {
    const offenders: string[] = [];
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) visit(full);
        else if (entry.name.endsWith(".ts")) check(full);
      }
    };
    const check = (file: string) => {
      const text = readFileSync(file, "utf8");
      for (const id of PROVIDER_IDS) {
        if (file.startsWith(path.join(PROVIDERS_DIR, id) + path.sep)) continue;
        if (new RegExp(`["'\`]${id}["'\`]`).test(text))
          offenders.push(`${path.relative(PROVIDERS_DIR, file)}: "${id}"`);
      }
    };
    visit(path.resolve(PROVIDERS_DIR, ".."));
    expect(offenders).toEqual([]);
  });

  it("matches the committed .env.example (run `npm run env:example` after changing a plug-in)", () => {
    expect(existsSync(ENV_EXAMPLE)).toBe(true);
    const committed = readFileSync(ENV_EXAMPLE, "utf8");
    expect(committed).toBe(withProviderSection(committed));
    for (const plugin of PROVIDER_PLUGINS) {
      for (const name of Object.keys(plugin.env.shape))
        expect(committed).toMatch(new RegExp(`^${name}=`, "m"));
    }
  });

  it("checks a plug-in's variables on its own: settings, or problem lines that echo no value", () => {
    expect(checkPluginEnv(sectigo, { SECTIGO_LOGIN_NAME: "r", SECTIGO_LOGIN_PASSWORD: "p" })).toEqual({
      settings: {
        SECTIGO_LOGIN_NAME: "r",
        SECTIGO_LOGIN_PASSWORD: "p",
        SECTIGO_API_URL: undefined,
        SECTIGO_TEST: false,
      },
      problems: [],
    });
    const checked = checkPluginEnv(sectigo, { SECTIGO_LOGIN_PASSWORD: "hunter2", SECTIGO_TEST: "hunter3" });
    expect(checked.settings).toBeUndefined();
    expect(checked.problems).toEqual([
      "SECTIGO_LOGIN_NAME is missing: SSL_PROVIDERS enables sectigo, which needs its reseller account credentials",
      "SECTIGO_TEST must be true or false (SECTIGO_TEST)",
    ]);
    expect(checkPluginEnv(sectigo, { SECTIGO_TEST: "hunter3" }, { enabled: false }).problems).toEqual([
      "SECTIGO_TEST must be true or false (SECTIGO_TEST)",
    ]);
  });
});

/*
 * The proof that a provider is one folder plus one line: a throw-away plug-in, defined here, added
 * to the list, enabled with SSL_PROVIDERS=echo, built by buildProviders, and held to the same
 * contract as the real providers. Its "CA" is in memory (like a stub server, it decides when an
 * order is issued or rejected); the provider talks to it only through its public methods.
 */

interface EchoOrder {
  commonName: string;
  csrPem: string;
  status: "pending" | "issued" | "rejected";
  certificate?: { leafPem: string; chainPems: string[] };
}

/** The CA behind the echo provider: it knows one account token and signs with a test CA. */
class EchoCa {
  readonly orders = new Map<string, EchoOrder>();
  placements = 0;

  constructor(
    private readonly ca: TestCa,
    readonly token: string,
  ) {}

  place(token: string, commonName: string, csrPem: string): string {
    if (token !== this.token) throw new Error("bad token");
    this.placements += 1;
    const id = `ECHO-${this.placements}`;
    this.orders.set(id, { commonName, csrPem, status: "pending" });
    return id;
  }

  issue(id: string): void {
    const order = this.order(id);
    order.status = "issued";
    order.certificate = this.ca.issueCertificate(order.csrPem);
  }

  reject(id: string): void {
    this.order(id).status = "rejected";
  }

  order(id: string): EchoOrder {
    const order = this.orders.get(id);
    if (!order) throw new Error(`no order ${id}`);
    return order;
  }
}

const ECHO_PRODUCTS: Product[] = [
  {
    id: "dv",
    name: "Echo DV",
    validation: "DV",
    wildcard: false,
    multiDomain: false,
    periods: [12],
    addons: [],
  },
];
const ECHO_SERVER_TYPES: ServerType[] = [
  { id: "apache", label: "Apache/mod_ssl", isDefault: true },
  { id: "other", label: "Other", isDefault: false },
];

class EchoProvider implements SslProvider {
  readonly id = "echo";
  readonly displayName = "Echo";
  readonly capabilities: ProviderCapabilities = {
    caIdentifiers: ["example-ca.test"],
    dcvMethods: ["email"],
    addons: false,
    multiDomain: false,
    wildcard: false,
    renew: true,
    reissue: false,
    resendApproval: true,
    changeValidation: false,
    changeValidationPerDomain: false,
    recheckValidation: false,
    validatesWhenAsked: false,
    revoke: false,
    minPollIntervalSeconds: 1,
  };
  readonly #token: string;
  readonly #ca: EchoCa;

  constructor(token: string, ca: EchoCa) {
    this.#token = token;
    this.#ca = ca;
  }

  async listProducts(): Promise<Product[]> {
    return structuredClone(ECHO_PRODUCTS);
  }

  async listServerTypes(): Promise<ServerType[]> {
    return structuredClone(ECHO_SERVER_TYPES);
  }

  async getApproverEmails(domain: string): Promise<string[]> {
    const host = domain.replace(/^\*\./, "").toLowerCase();
    if (!host.includes(".")) throw new ProviderInputError("echo", "domain", "Enter a domain name.");
    const parent = host.split(".").slice(-2).join(".");
    return [...new Set([parent, host])].flatMap((name) => [`admin@${name}`, `webmaster@${name}`]);
  }

  placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    return this.#place(request);
  }

  renew(request: RenewRequest): Promise<PlaceOrderResult> {
    return this.#place(request);
  }

  /** Echo offers no reissue (capabilities.reissue is false): certdesk must not ask. */
  async reissue(): Promise<ReissueResult> {
    throw new Error("Echo does not reissue certificates");
  }

  /** Echo cannot change an order's validation (capabilities.changeValidation is false): certdesk must not ask. */
  async changeValidation(): Promise<DcvInstruction[]> {
    throw new Error("Echo does not change the validation of an order");
  }

  async getStatus(providerOrderId: string): Promise<StatusResult> {
    const order = this.#find(providerOrderId);
    const state =
      order.status === "issued" ? "validated" : order.status === "rejected" ? "failed" : "pending";
    const result: StatusResult = {
      status: order.status,
      detail: [`Echo says ${order.status}`],
      domains: [{ domain: order.commonName, method: "email", state }],
    };
    if (order.certificate) {
      const leaf = new X509Certificate(order.certificate.leafPem);
      result.certificate = {
        certificatePem: order.certificate.leafPem,
        chainPem: order.certificate.chainPems,
        notBefore: new Date(leaf.validFrom),
        notAfter: new Date(leaf.validTo),
      };
    }
    return result;
  }

  async resendApproval(providerOrderId: string): Promise<void> {
    this.#find(providerOrderId);
  }

  async #place(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const product = ECHO_PRODUCTS.find((candidate) => candidate.id === request.productId);
    if (!product) throw new ProviderInputError("echo", "product", `Echo sells no ${request.productId}.`);
    if (request.commonName.startsWith("*.") && !product.wildcard) {
      throw new ProviderInputError("echo", "domain", `${product.name} does not cover wildcards.`);
    }
    if (!request.approverEmail) throw new ProviderInputError("echo", "approverEmail", "Choose an approver.");
    let providerOrderId: string;
    try {
      providerOrderId = this.#ca.place(this.#token, request.commonName, request.csrPem);
    } catch {
      throw new ProviderAuthError("echo", "Echo refused the token: check ECHO_TOKEN.");
    }
    return {
      providerOrderId,
      status: "pending",
      dcv: [{ domain: request.commonName, method: "email", email: request.approverEmail }],
    };
  }

  #find(providerOrderId: string): EchoOrder {
    const order = this.#ca.orders.get(providerOrderId);
    if (!order) throw new ProviderInputError("echo", "order", `Echo has no order ${providerOrderId}.`);
    return order;
  }
}

/** The whole plug-in: what `src/providers/echo/index.ts` would export. */
function echoPlugin(ca: EchoCa) {
  return defineProviderPlugin({
    id: "echo",
    displayName: "Echo",
    env: z.object({
      ECHO_TOKEN: requiredText("SSL_PROVIDERS enables echo, which needs its account token"),
      ECHO_REGION: z.enum(["eu", "us"], { error: "must be eu or us" }).default("eu"),
    }),
    envHelp: {
      ECHO_TOKEN: "Echo account token. Required when SSL_PROVIDERS has echo.",
      ECHO_REGION: "eu or us. Default eu.",
    },
    create: async (settings) => new EchoProvider(settings.ECHO_TOKEN, ca),
  });
}

const TOKEN = "echo-token-7f3a9c";
let testCa: TestCa;

beforeAll(() => {
  testCa = createTestCa();
});

/** The list with the echo plug-in added: the "one line". */
function pluginsWith(ca: EchoCa) {
  return [...PROVIDER_PLUGINS, echoPlugin(ca)] as const;
}

async function buildEcho(ca: EchoCa, env: Record<string, string>) {
  const plugins = pluginsWith(ca);
  const config = loadConfig({ ...SLACK, ...env }, plugins);
  const services = {
    // Nothing enabled here uses the database (the sandbox would).
    db: undefined as unknown as Database,
    vault: createVault({ keys: [Buffer.alloc(32, 9)] }),
    clock: new TestClock(),
  };
  return { config, providers: await buildProviders(config.providers, services, plugins) };
}

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("a plug-in added to the list", () => {
  it("is enabled by SSL_PROVIDERS, configured from its own variables and built into the registry", async () => {
    const ca = new EchoCa(testCa, TOKEN);
    const { config, providers } = await buildEcho(ca, { SSL_PROVIDERS: "echo", ECHO_TOKEN: TOKEN });

    expect(config.providers.enabled).toEqual(["echo"]);
    expect(config.providers.settings.echo).toEqual({ ECHO_TOKEN: TOKEN, ECHO_REGION: "eu" });
    expect(providers.enabled.map((provider) => provider.id)).toEqual(["echo"]);
    expect(providers.get("echo").displayName).toBe("Echo");
    expect(JSON.stringify(providers.get("echo"))).not.toContain(TOKEN);
    expect(inspect(providers.get("echo"), { showHidden: true })).not.toContain(TOKEN);
  });

  it("has its variables validated with the others, in the same one-list error, echoing no value", () => {
    const ca = new EchoCa(testCa, TOKEN);
    const plugins = pluginsWith(ca);
    const problems = problemsOf(() =>
      loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SSL_PROVIDERS: "echo", ECHO_REGION: "mars-secret" }, plugins),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SLACK_SIGNING_SECRET is missing/),
        "ECHO_TOKEN is missing: SSL_PROVIDERS enables echo, which needs its account token",
        "ECHO_REGION must be eu or us",
      ]),
    );
    expect(new ConfigError(problems).message).not.toContain("mars-secret");
    // Not enabled: nothing is required, but what is set is still checked.
    expect(() => loadConfig({ ...SLACK, SSL_PROVIDERS: "sandbox" }, plugins)).not.toThrow();
    expect(problemsOf(() => loadConfig({ ...SLACK, ECHO_REGION: "mars" }, plugins))).toEqual([
      "ECHO_REGION must be eu or us",
    ]);
  });

  it("exists only in the list it was added to", async () => {
    expect(problemsOf(() => loadConfig({ ...SLACK, SSL_PROVIDERS: "echo", ECHO_TOKEN: TOKEN }))).toEqual([
      `SSL_PROVIDERS has "echo", which is not a provider: use ${PROVIDER_IDS.join(", ")}`,
    ]);
    const ca = new EchoCa(testCa, TOKEN);
    const { config } = await buildEcho(ca, { SSL_PROVIDERS: "echo", ECHO_TOKEN: TOKEN });
    await expect(
      buildProviders(config.providers, {
        db: undefined as unknown as Database,
        vault: createVault({ keys: [Buffer.alloc(32, 9)] }),
        clock: new TestClock(),
      }),
    ).rejects.toThrow(/no provider plug-in has that id/);
  });

  it("appears in .env.example once the script is run", () => {
    const ca = new EchoCa(testCa, TOKEN);
    const text = withProviderSection(readFileSync(ENV_EXAMPLE, "utf8"), pluginsWith(ca));
    expect(text).toContain(
      "# Enabled providers, comma list of sandbox, sectigo, gogetssl, acme, echo. Default sandbox.",
    );
    expect(text).toContain(
      "# Echo (SSL_PROVIDERS=echo)\n# Echo account token. Required when SSL_PROVIDERS has echo.\nECHO_TOKEN=\n# eu or us. Default eu.\nECHO_REGION=eu\n",
    );
  });
});

describeProviderContract("echo, a plug-in defined in this test", async () => {
  const ca = new EchoCa(testCa, TOKEN);
  const { providers } = await buildEcho(ca, { SSL_PROVIDERS: "echo", ECHO_TOKEN: TOKEN });
  return {
    provider: providers.get("echo"),
    rejectableDomain: "www.example.com",
    unknownOrderId: "ECHO-404",
    issue: async (id) => ca.issue(id),
    reject: async (id) => ca.reject(id),
    placementRequests: async () => ca.placements,
    close: async () => {},
  };
});
