import { createHash, randomBytes, X509Certificate } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import forge from "node-forge";
import { getDomain } from "tldts";

/**
 * A local GoGetSSL REST API v1 (see /work/shared/providers.md §2) for tests: form-encoded
 * requests, `?auth_key=` on every call but `/auth/`, JSON answers and the
 * `{"error":true,"message","description"}` error object. CSR problems are answered with HTTP 200
 * plus the error object, other validation problems with HTTP 400, a bad or expired key with 401,
 * because clients must handle the error object with and without an error status (providers.md §2.1).
 */

export type GoGetSslEndpoint =
  | "auth"
  | "products"
  | "webservers"
  | "domainEmails"
  | "addSslOrder"
  | "addSslRenewOrder"
  | "orderStatus"
  | "resendValidationEmail"
  | "reissueSslOrder"
  | "changeValidationEmail"
  | "changeValidationMethod"
  | "changeDomainsValidationMethod"
  | "revalidate";

export interface GoGetSslStubRequest {
  endpoint: GoGetSslEndpoint | "unknown";
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
}

/**
 * Replaces the next answer of an endpoint. `status`/`body` answer instead of the real handler;
 * `delayMs` alone delays the real handler (so a placement still creates the order after the client
 * gave up); `destroySocket` drops the connection without an answer.
 */
export interface GoGetSslForcedResponse {
  status?: number;
  body?: string | object;
  delayMs?: number;
  destroySocket?: boolean;
}

export interface GoGetSslStubSan {
  name: string;
  /** GoGetSSL's per-SAN `validation_method`: an address, or http/https/dns. */
  method: string;
  /** "0" not started, "1" processing, "2" validated. */
  status: "0" | "1" | "2";
}

export interface GoGetSslStubOrder {
  id: string;
  endpoint: "addSslOrder" | "addSslRenewOrder";
  status: string;
  productId: string;
  period: number;
  csr: string;
  domain: string;
  dcvMethod: string;
  approverEmail?: string;
  sans: GoGetSslStubSan[];
  dcvStatus: "0" | "1" | "2";
  form: Record<string, string>;
  /** Reissues accepted on this order (none when absent). */
  reissues?: number;
  /** The certificate before the last reissue, which GoGetSSL keeps sending in `crt_code` until the new one. */
  previousCrtCode?: string;
  crtCode?: string;
  caCode?: string;
  validFrom?: string;
  validTill?: string;
}

export interface GoGetSslStubState {
  readonly requests: GoGetSslStubRequest[];
  readonly orders: Map<string, GoGetSslStubOrder>;
  /** Every auth key handed out, for asserting that none leaks. */
  readonly issuedKeys: string[];
  requestsTo(endpoint: GoGetSslEndpoint): GoGetSslStubRequest[];
  forceNext(endpoint: GoGetSslEndpoint, response: GoGetSslForcedResponse, times?: number): void;
  /** Invalidates every key: the next call is answered 401 with an error object. */
  expireKeys(): void;
  issue(orderId: string): void;
  reject(orderId: string): void;
  cancel(orderId: string): void;
  expire(orderId: string): void;
  setStatus(orderId: string, status: string): void;
  validateDomain(orderId: string, domain: string): void;
}

export interface GoGetSslStub {
  /** Base URL to pass as the provider's `apiUrl` (ends in `/api`, like GoGetSSL's). */
  url: string;
  close(): Promise<void>;
  state: GoGetSslStubState;
}

export interface GoGetSslStubOptions {
  user?: string;
  password?: string;
  /** The `/products/ssl/` entries, served as given (so tests can send odd shapes). */
  products?: unknown[];
  webservers?: { id: number; software: string }[];
  /** Signs an order's CSR when a test issues it; chain = intermediates then root. */
  issueCertificate?: (csrPem: string) => { leafPem: string; chainPems: string[] };
  orderAmount?: string;
  currency?: string;
}

export const GOGETSSL_STUB_USER = "reseller@example.com";
export const GOGETSSL_STUB_PASSWORD = "stub-api-password-9f3e";

export const GOGETSSL_STUB_PRODUCTS: unknown[] = [
  {
    id: 71,
    product: "Sectigo PositiveSSL",
    brand: "Sectigo",
    product_type: "domain",
    wildcard_enabled: 0,
    san_enabled: 0,
    max_period: 24,
    prices: { "12": "8.95", "24": 16.9, san: { "12": "5.00" }, vendor: "n/a" },
  },
  {
    id: "72",
    product: "PositiveSSL Wildcard",
    brand: "Sectigo",
    product_type: "dv",
    wildcard_enabled: "1",
    san_enabled: "0",
    max_period: "12",
    prices: { "12": "69.00" },
  },
  {
    id: 74,
    name: "Sectigo PositiveSSL Multi-Domain",
    brand: "Sectigo",
    product_type: "domain",
    wildcard: "no",
    san_enabled: true,
    periods: [24, 12],
  },
  {
    id: 22,
    product: "Sectigo InstantSSL",
    brand: "Sectigo",
    product_type: "organization",
    wildcard_enabled: false,
    san_enabled: false,
    max_period: 36,
  },
  {
    id: 21,
    product: "Sectigo EV SSL",
    brand: "Sectigo",
    product_type: "extended",
    wildcard_enabled: 0,
    san_enabled: 0,
    max_period: 12,
  },
];

export const GOGETSSL_STUB_WEBSERVERS = [
  { id: 1, software: "AOL" },
  { id: 3, software: "Apache-SSL (Ben-SSL, not Stronghold)" },
  { id: 2, software: "Apache/ModSSL" },
  { id: 14, software: "Microsoft IIS 5.x and later" },
  { id: 24, software: "Tomcat" },
  { id: -1, software: "OTHER" },
];

const STATUS_DESCRIPTIONS: Record<string, string> = {
  processing: "Awaiting domain validation",
  reissue: "Reissue awaiting domain validation",
  active: "Certificate issued",
  rejected: "Order rejected by the CA",
  cancelled: "Order cancelled",
  expired: "Certificate expired",
};

const DOMAIN = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const REQUIRED_CONTACT = ["admin_firstname", "admin_lastname", "admin_phone", "admin_email", "admin_title"];

type Answer = { status: number; json: object };

function ok(json: object): Answer {
  return { status: 200, json: { ...json, success: true } };
}

function refuse(status: number, message: string, description: string): Answer {
  return { status, json: { error: true, message, description } };
}

function baseDomain(domain: string): string {
  return domain.replace(/^\*\./, "");
}

const GENERIC_MAILBOXES = ["admin", "administrator", "hostmaster", "postmaster", "webmaster"];

/** Like Sectigo's DCV list: the registrable domain's mailboxes first, then the host's own. */
function approverEmailsFor(domain: string): { comodo: string[]; geotrust: string[] } {
  const base = baseDomain(domain);
  const registrable = getDomain(base) ?? base;
  const mailDomains = registrable === base ? [base] : [registrable, base];
  const comodo = mailDomains.flatMap((mailDomain) => GENERIC_MAILBOXES.map((box) => `${box}@${mailDomain}`));
  // GeoTrust's list overlaps and is padded the way the real API sometimes sends it.
  return { comodo, geotrust: [` admin@${base} `, `webmaster@${base}`, `ssl-admin@${base}`] };
}

const WILDCARD_FLAGS = new Set<unknown>([1, "1", true, "yes"]);

/** The stub's products spell the wildcard flag in the real API's several ways. */
function coversWildcards(product: unknown): boolean {
  const { wildcard_enabled, wildcard } = product as { wildcard_enabled?: unknown; wildcard?: unknown };
  return WILDCARD_FLAGS.has(wildcard_enabled) || WILDCARD_FLAGS.has(wildcard);
}

function csrHashes(csrPem: string): { md5: string; sha256: string } {
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  return {
    md5: createHash("md5").update(der).digest("hex").toUpperCase(),
    sha256: createHash("sha256").update(der).digest("hex").toUpperCase(),
  };
}

/** The alternative-DCV shape from GoGetSSL's getDomainAlternative / status `approver_method`. */
function approverMethodFor(
  order: Pick<GoGetSslStubOrder, "csr" | "dcvMethod" | "approverEmail">,
  domain: string,
) {
  const { md5, sha256 } = csrHashes(order.csr);
  if (order.dcvMethod === "http" || order.dcvMethod === "https") {
    const filename = `${md5}.txt`;
    return {
      [order.dcvMethod]: {
        link: `${order.dcvMethod}://${baseDomain(domain)}/.well-known/pki-validation/${filename}`,
        filename,
        content: `${sha256}\ncomodoca.com\nstub1234`,
      },
    };
  }
  if (order.dcvMethod === "dns") {
    return {
      dns: {
        record: `_${md5}.${baseDomain(domain)} CNAME ${sha256.slice(0, 32)}.${sha256.slice(32)}.comodoca.com`,
      },
    };
  }
  return { email: order.approverEmail ?? "" };
}

function validating(order: GoGetSslStubOrder): boolean {
  return order.status === "processing" || order.status === "reissue";
}

function sqlDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function route(method: string, path: string): { endpoint: GoGetSslEndpoint; id?: string } | undefined {
  const clean = path.replace(/\/+$/, "");
  const match = (pattern: RegExp) => clean.match(pattern);
  if (method === "POST" && clean === "/auth") return { endpoint: "auth" };
  if (method === "GET" && clean === "/products/ssl") return { endpoint: "products" };
  const webservers = match(/^\/tools\/webservers\/([^/]+)$/);
  if (method === "GET" && webservers) return { endpoint: "webservers", id: webservers[1] };
  if (method === "POST" && clean === "/tools/domain/emails") return { endpoint: "domainEmails" };
  if (method === "POST" && clean === "/orders/add_ssl_order") return { endpoint: "addSslOrder" };
  if (method === "POST" && clean === "/orders/add_ssl_renew_order") return { endpoint: "addSslRenewOrder" };
  const status = match(/^\/orders\/status\/([^/]+)$/);
  if (method === "GET" && status) return { endpoint: "orderStatus", id: decodeURIComponent(status[1] ?? "") };
  const reissue = match(/^\/orders\/ssl\/reissue\/([^/]+)$/);
  if (method === "POST" && reissue)
    return { endpoint: "reissueSslOrder", id: decodeURIComponent(reissue[1] ?? "") };
  const revalidate = match(/^\/orders\/ssl\/revalidate\/([^/]+)$/);
  if (method === "POST" && revalidate)
    return { endpoint: "revalidate", id: decodeURIComponent(revalidate[1] ?? "") };
  const change = match(
    /^\/orders\/ssl\/(change_validation_email|change_validation_method|change_domains_validation_method)\/([^/]+)$/,
  );
  if (method === "POST" && change) {
    const endpoint = {
      change_validation_email: "changeValidationEmail",
      change_validation_method: "changeValidationMethod",
      change_domains_validation_method: "changeDomainsValidationMethod",
    }[change[1] ?? ""] as GoGetSslEndpoint;
    return { endpoint, id: decodeURIComponent(change[2] ?? "") };
  }
  const resend = match(/^\/orders\/ssl\/resend_validation_email\/([^/]+)$/);
  if (method === "GET" && resend) {
    return { endpoint: "resendValidationEmail", id: decodeURIComponent(resend[1] ?? "") };
  }
  return undefined;
}

export async function startGoGetSslStub(options: GoGetSslStubOptions = {}): Promise<GoGetSslStub> {
  const user = options.user ?? GOGETSSL_STUB_USER;
  const password = options.password ?? GOGETSSL_STUB_PASSWORD;
  const products = options.products ?? GOGETSSL_STUB_PRODUCTS;
  const webservers = options.webservers ?? GOGETSSL_STUB_WEBSERVERS;
  const validKeys = new Set<string>();
  const forced = new Map<GoGetSslEndpoint, GoGetSslForcedResponse[]>();
  const timers = new Set<NodeJS.Timeout>();
  let nextOrderId = 1500;

  const orderOrThrow = (orderId: string): GoGetSslStubOrder => {
    const order = state.orders.get(orderId);
    if (!order) throw new Error(`stub has no order ${orderId}`);
    return order;
  };

  const state: GoGetSslStubState = {
    requests: [],
    orders: new Map(),
    issuedKeys: [],
    requestsTo: (endpoint) => state.requests.filter((request) => request.endpoint === endpoint),
    forceNext(endpoint, response, times = 1) {
      const queue = forced.get(endpoint) ?? [];
      for (let i = 0; i < times; i++) queue.push(response);
      forced.set(endpoint, queue);
    },
    expireKeys: () => validKeys.clear(),
    issue(orderId) {
      const order = orderOrThrow(orderId);
      if (!options.issueCertificate) throw new Error("start the stub with issueCertificate to issue orders");
      const { leafPem, chainPems } = options.issueCertificate(order.csr);
      const leaf = new X509Certificate(leafPem);
      Object.assign(order, {
        status: "active",
        dcvStatus: "2",
        crtCode: leafPem,
        caCode: chainPems.join("\n"),
        validFrom: sqlDate(new Date(leaf.validFrom)),
        validTill: sqlDate(new Date(leaf.validTo)),
      });
      for (const san of order.sans) san.status = "2";
    },
    reject: (orderId) => state.setStatus(orderId, "rejected"),
    cancel: (orderId) => state.setStatus(orderId, "cancelled"),
    expire: (orderId) => state.setStatus(orderId, "expired"),
    setStatus(orderId, status) {
      orderOrThrow(orderId).status = status;
    },
    validateDomain(orderId, domain) {
      const order = orderOrThrow(orderId);
      if (order.domain === domain) order.dcvStatus = "2";
      for (const san of order.sans) if (san.name === domain) san.status = "2";
    },
  };

  function authenticate(form: Record<string, string>): Answer {
    if (form.user !== user || form.pass !== password) {
      return refuse(401, "Auth error", "Wrong login or API password");
    }
    const key = `ggs${randomBytes(16).toString("hex")}`;
    validKeys.add(key);
    state.issuedKeys.push(key);
    return ok({ key });
  }

  function commonNameOf(csrPem: string | undefined): string | undefined {
    try {
      const csr = forge.pki.certificationRequestFromPem(csrPem ?? "");
      return String(csr.subject.getField("CN")?.value ?? "");
    } catch {
      return undefined;
    }
  }

  /** What an order and a reissue both send: the CSR against the product, server type and validation. */
  function refuseCertificateForm(form: Record<string, string>, product: unknown): Answer | undefined {
    const domain = commonNameOf(form.csr);
    if (domain === undefined) return refuse(200, "Invalid CSR", "The CSR could not be decoded");
    if (product && coversWildcards(product) !== domain.startsWith("*.")) {
      const expected = coversWildcards(product) ? "a wildcard" : "a single-name";
      return refuse(200, "Invalid CSR", `CSR common name ${domain} does not fit ${expected} product`);
    }
    if (!webservers.some((server) => String(server.id) === form.webserver_type)) {
      return refuse(400, "Invalid webserver_type", "Unknown web server type");
    }
    if (!["email", "http", "https", "dns"].includes(form.dcv_method ?? "")) {
      return refuse(400, "Invalid dcv_method", "dcv_method must be email, http, https or dns");
    }
    if (
      form.dcv_method === "email" &&
      !approverEmailsFor(domain).comodo.includes(form.approver_email ?? "")
    ) {
      return refuse(400, "Invalid approver_email", `Approver email is not allowed for ${domain}`);
    }
    const sans = form.dns_names ? form.dns_names.split(",") : [];
    const sanApprovers = form.approver_emails ? form.approver_emails.split(",") : [];
    if (sans.length !== sanApprovers.length) {
      return refuse(
        400,
        "Invalid approver_emails",
        "approver_emails must have one entry per dns_names entry",
      );
    }
    return undefined;
  }

  function validateOrder(form: Record<string, string>): Answer | undefined {
    const product = products.find((entry) => String((entry as { id?: unknown }).id) === form.product_id);
    if (!product) {
      return refuse(400, "Invalid product", `Product ${form.product_id ?? "(none)"} is not available`);
    }
    if (!/^\d+$/.test(form.period ?? ""))
      return refuse(400, "Invalid period", "Period must be given in months");
    const refused = refuseCertificateForm(form, product);
    if (refused) return refused;
    const missing = REQUIRED_CONTACT.find((field) => !form[field]);
    if (missing) return refuse(400, "Missing contact", `${missing} is required`);
    return undefined;
  }

  function placeOrder(endpoint: "addSslOrder" | "addSslRenewOrder", form: Record<string, string>): Answer {
    const invalid = validateOrder(form);
    if (invalid) return invalid;
    const csr = form.csr ?? "";
    const domain = String(forge.pki.certificationRequestFromPem(csr).subject.getField("CN")?.value ?? "");
    const sanNames = form.dns_names ? form.dns_names.split(",") : [];
    const sanApprovers = form.approver_emails ? form.approver_emails.split(",") : [];
    const order: GoGetSslStubOrder = {
      id: String(nextOrderId++),
      endpoint,
      status: "processing",
      productId: form.product_id ?? "",
      period: Number(form.period),
      csr,
      domain,
      dcvMethod: form.dcv_method ?? "",
      approverEmail: form.approver_email,
      sans: sanNames.map((name, index) => ({ name, method: sanApprovers[index] ?? "", status: "0" })),
      dcvStatus: "1",
      form,
    };
    state.orders.set(order.id, order);
    return ok({
      product_id: order.productId,
      order_id: Number(order.id),
      invoice_id: Number(order.id) + 70000,
      order_status: "processing",
      order_amount: options.orderAmount ?? "29.00",
      currency: options.currency ?? "USD",
      approver_method: approverMethodFor(order, domain),
    });
  }

  /** Reissue is offered for issued certificates (and a reissue still validating may be redone). */
  const REISSUABLE = new Set(["active", "reissue"]);

  /**
   * `POST /orders/ssl/reissue/{order_id}` (providers.md §8): `csr`, `webserver_type`, `dcv_method`,
   * `approver_email`, and for the additional domains `dns_names` + `approver_emails`. The order goes to
   * status `reissue` with the new CSR; its earlier certificate stays in `crt_code` until `issue` signs
   * the new CSR. The answer is what a third-party client documents: order_id, order_status, validation.
   */
  function reissueOrder(order: GoGetSslStubOrder, form: Record<string, string>): Answer {
    if (!REISSUABLE.has(order.status)) {
      return refuse(400, "Order cannot be reissued", `Order ${order.id} is ${order.status}, not active`);
    }
    if (!form.csr) return refuse(400, "Missing csr", "The csr parameter is required");
    const product = products.find((entry) => String((entry as { id?: unknown }).id) === order.productId);
    const refused = refuseCertificateForm(form, product);
    if (refused) return refused;
    const domain = commonNameOf(form.csr) ?? "";
    const sanNames = form.dns_names ? form.dns_names.split(",") : [];
    const sanApprovers = form.approver_emails ? form.approver_emails.split(",") : [];
    order.reissues = (order.reissues ?? 0) + 1;
    Object.assign(order, {
      status: "reissue",
      csr: form.csr,
      domain,
      dcvMethod: form.dcv_method ?? "",
      approverEmail: form.approver_email,
      sans: sanNames.map((name, index) => ({ name, method: sanApprovers[index] ?? "", status: "0" })),
      dcvStatus: "1",
      form: { ...order.form, webserver_type: form.webserver_type ?? "" },
      previousCrtCode: order.crtCode ?? order.previousCrtCode,
    });
    return ok({
      order_id: Number(order.id),
      order_status: "reissue",
      validation: approverMethodFor(order, domain),
    });
  }

  const METHOD_WORDS = new Set(["http", "https", "dns"]);

  /**
   * One domain's new validation: http/https/dns, or an approver address from the stub's list for that
   * domain. Returns the refusal, or a function that applies it (so a list is applied all or nothing).
   */
  function validationFor(order: GoGetSslStubOrder, domain: string, word: string): Answer | (() => void) {
    const san = order.sans.find((entry) => entry.name === domain);
    if (domain !== order.domain && !san) {
      return refuse(400, "Invalid domain", `${domain || "(empty)"} is not a domain of order ${order.id}`);
    }
    if (word.includes("@")) {
      if (!approverEmailsFor(domain).comodo.includes(word)) {
        return refuse(400, "Invalid approver_email", `Approver email is not allowed for ${domain}`);
      }
    } else if (!METHOD_WORDS.has(word)) {
      return refuse(
        400,
        "Invalid validation method",
        `${word || "(empty)"} is not http, https, dns or an approver email address`,
      );
    }
    return () => {
      if (san) {
        san.method = word;
        return;
      }
      order.dcvMethod = word.includes("@") ? "email" : word;
      order.approverEmail = word.includes("@") ? word : undefined;
    };
  }

  /**
   * The three changes of validation (providers.md §2.2, §8), for an order still being validated:
   * - `change_validation_email`: `approver_email` (an address, or http/https/dns) for the order's own
   *   domain; answered as GoGetSSL's wiki documents: `dcv_method` + `approver_email` for e-mail, the
   *   getDomainAlternative object (`{"dns": {"record"}}`, `{"http": {…}}`) otherwise;
   * - `change_validation_method`: `domain`, `new_method` (http/https/dns or an address);
   * - `change_domains_validation_method`: `domains`, `new_methods`, comma lists of equal length.
   * The last two answers are undocumented: the stub says only `success` and a message, so the order's
   * status is where the new details are.
   */
  function changeValidation(
    endpoint: "changeValidationEmail" | "changeValidationMethod" | "changeDomainsValidationMethod",
    order: GoGetSslStubOrder,
    form: Record<string, string>,
  ): Answer {
    if (!validating(order)) {
      return refuse(
        400,
        "Order is not pending",
        `Order ${order.id} is ${order.status}; only an order awaiting validation can change it`,
      );
    }
    if (endpoint === "changeValidationEmail") {
      if (!form.approver_email) {
        return refuse(400, "Missing approver_email", "The approver_email parameter is required");
      }
      const apply = validationFor(order, order.domain, form.approver_email);
      if (typeof apply !== "function") return apply;
      apply();
      if (order.dcvMethod === "email") {
        return ok({
          message: "Validation email changed",
          dcv_method: "email",
          approver_email: order.approverEmail,
        });
      }
      return ok(approverMethodFor(order, order.domain));
    }
    if (endpoint === "changeValidationMethod") {
      if (!form.domain) return refuse(400, "Missing domain", "The domain parameter is required");
      if (!form.new_method) {
        return refuse(400, "Missing validation method", "The new_method parameter is required");
      }
      const apply = validationFor(order, form.domain, form.new_method);
      if (typeof apply !== "function") return apply;
      apply();
      return ok({ message: "Validation method changed" });
    }
    const domains = form.domains ? form.domains.split(",") : [];
    const methods = form.new_methods ? form.new_methods.split(",") : [];
    if (domains.length === 0 || domains.length !== methods.length) {
      return refuse(
        400,
        "Invalid validation methods",
        "new_methods must name one validation method per entry of domains",
      );
    }
    const changes: (() => void)[] = [];
    for (const [index, domain] of domains.entries()) {
      const apply = validationFor(order, domain, methods[index] ?? "");
      if (typeof apply !== "function") return apply;
      changes.push(apply);
    }
    for (const apply of changes) apply();
    return ok({ message: "Validation methods changed" });
  }

  /** `revalidate` (providers.md §8, [S]): `domain`, one of a pending order's domains; says only success. */
  function revalidateDomain(order: GoGetSslStubOrder, form: Record<string, string>): Answer {
    if (!validating(order)) {
      return refuse(
        400,
        "Order is not pending",
        `Order ${order.id} is ${order.status}; nothing to revalidate`,
      );
    }
    const domains = [order.domain, ...order.sans.map((san) => san.name)];
    if (!form.domain || !domains.includes(form.domain)) {
      return refuse(
        400,
        "Invalid domain",
        `${form.domain || "(empty)"} is not a domain of order ${order.id}`,
      );
    }
    return ok({ message: "Revalidation started" });
  }

  function orderStatus(order: GoGetSslStubOrder): Answer {
    const contactEcho = Object.fromEntries(
      Object.entries(order.form).filter(([field]) => /^(admin|tech|org)_/.test(field)),
    );
    return ok({
      ...contactEcho,
      order_id: order.id,
      partner_order_id: `${order.id}9`,
      status: order.status,
      status_description: STATUS_DESCRIPTIONS[order.status] ?? "",
      dcv_status: order.dcvStatus,
      product_id: order.productId,
      domain: order.domain,
      domains: [order.domain, ...order.sans.map((san) => san.name)].join(","),
      total_domains: 1 + order.sans.length,
      validity_period: order.period,
      valid_from: order.validFrom ?? "",
      valid_till: order.validTill ?? "",
      csr_code: order.csr,
      crt_code: order.crtCode ?? "",
      ca_code: order.caCode ?? "",
      webserver_type: Number(order.form.webserver_type),
      server_count: -1,
      approver_email: order.approverEmail ?? "",
      dcv_method: order.dcvMethod,
      approver_method: validating(order) ? approverMethodFor(order, order.domain) : [],
      san: order.sans.map((san) => ({
        san_name: san.name,
        validation_method: san.method,
        status: san.status,
        status_description: san.status === "2" ? "Validated" : "Awaiting validation",
        validation: san.method.includes("@")
          ? []
          : approverMethodFor({ ...order, dcvMethod: san.method }, san.name),
      })),
      manual_check: "0",
      pre_signing: "0",
      validation_description: validating(order) ? "Waiting for domain control validation" : "",
      ssl_price: options.orderAmount ?? "29.00",
    });
  }

  function answer(target: ReturnType<typeof route>, form: Record<string, string>): Answer {
    if (!target) return refuse(404, "Not found", "Unknown API method");
    switch (target.endpoint) {
      case "auth":
        return authenticate(form);
      case "products":
        return ok({ products });
      case "webservers":
        return target.id === "1" || target.id === "2"
          ? ok({ webservers })
          : refuse(400, "Invalid supplier", "Supplier must be 1 or 2");
      case "domainEmails": {
        const domain = form.domain ?? "";
        if (!DOMAIN.test(domain))
          return refuse(400, "Invalid domain", `${domain || "(empty)"} is not a domain name`);
        const lists = approverEmailsFor(domain);
        return ok({ ComodoApprovalEmails: lists.comodo, GeotrustApprovalEmails: lists.geotrust });
      }
      case "addSslOrder":
      case "addSslRenewOrder":
        return placeOrder(target.endpoint, form);
      case "orderStatus":
      case "resendValidationEmail":
      case "reissueSslOrder":
      case "changeValidationEmail":
      case "changeValidationMethod":
      case "changeDomainsValidationMethod":
      case "revalidate": {
        const order = state.orders.get(target.id ?? "");
        if (!order) return refuse(400, "Order not found", `There is no order ${target.id ?? ""}`);
        if (target.endpoint === "revalidate") return revalidateDomain(order, form);
        if (target.endpoint === "orderStatus") return orderStatus(order);
        if (target.endpoint === "reissueSslOrder") return reissueOrder(order, form);
        if (target.endpoint === "resendValidationEmail") {
          return ok({ message: "Validation email has been resent" });
        }
        return changeValidation(target.endpoint, order, form);
      }
    }
  }

  function send(res: ServerResponse, status: number, body: string | object): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    // No keep-alive: once the stub is closed, clients get a clean "connection refused" instead of
    // a reset on a pooled socket, so tests can tell "never sent" from "sent, answer lost".
    res.writeHead(status, { "content-type": "application/json", connection: "close" });
    res.end(text);
  }

  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stub.invalid");
    const method = req.method ?? "GET";
    const text = await readBody(req);
    const form = Object.fromEntries(new URLSearchParams(text));
    const query = Object.fromEntries(url.searchParams);
    const path = url.pathname.replace(/^\/api(?=\/)/, "");
    const target = route(method, path);
    state.requests.push({ endpoint: target?.endpoint ?? "unknown", method, path, query, form });

    const override = target ? forced.get(target.endpoint)?.shift() : undefined;
    if (override?.destroySocket) {
      req.socket.destroy();
      return;
    }
    if (override?.delayMs) await wait(override.delayMs);
    if (override && (override.status !== undefined || override.body !== undefined)) {
      send(res, override.status ?? 200, override.body ?? "");
      return;
    }
    if (target && target.endpoint !== "auth" && !validKeys.has(query.auth_key ?? "")) {
      send(res, 401, {
        error: true,
        message: "Unauthorized",
        description: "Auth key is invalid or has expired",
      });
      return;
    }
    const result = answer(target, form);
    send(res, result.status, result.json);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: true, message: "Stub failure", description: "" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/api`,
    state,
    close() {
      closing ??= new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
