import { z } from "zod";
import type { Product, ServerType } from "../domain/product.js";
import {
  type ProviderError,
  ProviderInputError,
  ProviderOutcomeUnknownError,
  ProviderUnavailableError,
} from "./errors.js";
import {
  createProviderHttp,
  describeTransportFailure,
  type ProviderHttp,
  requestNeverSent,
  responseStatus,
} from "./http.js";
import { findSectigoProduct, SECTIGO_PRODUCTS, SECTIGO_SERVER_TYPES } from "./sectigo/catalogue.js";
import {
  type CsrHashes,
  csrHashes,
  dcvInstruction,
  SECTIGO_DCV_METHODS,
  uniqueValueFor,
} from "./sectigo/dcv.js";
import { errorForRefusal, type SectigoCall } from "./sectigo/errors.js";
import { describesOrderState, statusFromCollect, UnreadableCollectAnswer } from "./sectigo/status.js";
import { fieldsWithPositional, formBody, parseSectigoAnswer, type SectigoAnswer } from "./sectigo/wire.js";
import type {
  OrderOrganisation,
  PlaceOrderRequest,
  PlaceOrderResult,
  ProviderCapabilities,
  RenewRequest,
  SslProvider,
  StatusResult,
} from "./types.js";

export interface SectigoProviderOptions {
  loginName: string;
  loginPassword: string;
  apiUrl?: string;
  /** Sends `test=Y`: unbilled orders signed by an untrusted chain (must be enabled on the account). */
  test?: boolean;
  timeoutMs?: number;
  readRetries?: number;
  retryDelayMs?: number;
  /** Sectigo asks partners to poll CollectSSL no more than once every 3 hours. */
  minPollIntervalSeconds?: number;
  now?: () => Date;
}

const PROVIDER = "sectigo";
const DEFAULT_API_URL = "https://secure.trust-provider.com";
const PATHS = {
  approverEmails: "/products/!GetDCVEmailAddressList",
  apply: "/products/!AutoApplySSL",
  collect: "/products/download/CollectSSL",
  resend: "/products/!ResendDCVEmail",
} as const;

type FormParams = Record<string, string | undefined>;

const appliedOrder = z.object({
  orderNumber: z.string().regex(/^\d+$/),
  totalCost: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional(),
  uniqueValue: z
    .string()
    .regex(/^[A-Za-z0-9]{1,20}$/)
    .optional(),
});
const approverAddresses = z.array(z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/));

/**
 * Sectigo's legacy ("Comodo") reseller API: form POSTs with the credentials in every body,
 * answers in newline text or URL-encoded form (providers.md §1).
 */
export class SectigoProvider implements SslProvider {
  readonly id = PROVIDER;
  readonly displayName = "Sectigo";
  readonly capabilities: ProviderCapabilities;
  // Private fields: the credentials stay out of JSON.stringify and util.inspect of the provider.
  readonly #loginName: string;
  readonly #loginPassword: string;
  readonly #test: boolean;
  readonly #now: () => Date;
  readonly #http: ProviderHttp;
  #collectTail: Promise<unknown> = Promise.resolve();

  constructor(options: SectigoProviderOptions) {
    this.#loginName = options.loginName;
    this.#loginPassword = options.loginPassword;
    this.#test = options.test ?? false;
    this.#now = options.now ?? (() => new Date());
    this.#http = createProviderHttp({
      baseURL: options.apiUrl ?? DEFAULT_API_URL,
      timeoutMs: options.timeoutMs,
      readRetries: options.readRetries,
      retryDelayMs: options.retryDelayMs,
    });
    this.capabilities = {
      dcvMethods: ["email", "http", "dns"],
      addons: false,
      multiDomain: true,
      wildcard: true,
      renew: true,
      resendApproval: true,
      minPollIntervalSeconds: options.minPollIntervalSeconds ?? 10_800,
    };
  }

  async listProducts(): Promise<Product[]> {
    return structuredClone([...SECTIGO_PRODUCTS]);
  }

  async listServerTypes(): Promise<ServerType[]> {
    return structuredClone([...SECTIGO_SERVER_TYPES]);
  }

  async getApproverEmails(domain: string): Promise<string[]> {
    // Always answered as text (providers.md §1.3); the JSON variant is undocumented.
    const answer = await this.#post("read", "approverEmails", PATHS.approverEmails, {
      domainName: domain.trim(),
    });
    if (answer.code !== 0) throw this.#refused(answer, "approverEmails");
    const addresses = answer.entries
      .filter(([key]) => key.endsWith("_email"))
      .map(([, value]) => value.trim())
      // whois_email is the literal `none` when WHOIS shows no address.
      .filter((value) => value !== "" && value.toLowerCase() !== "none");
    const parsed = approverAddresses.safeParse(addresses);
    if (!parsed.success) throw this.#unreadable("approverEmails");
    const seen = new Set<string>();
    return parsed.data.filter((address) => {
      const key = address.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    return this.#apply(request);
  }

  /**
   * Sectigo's reseller API has no renewal call: a renewal is a new AutoApplySSL order, here
   * with the same CSR. Sectigo does not link it to the previous order.
   */
  renew(request: RenewRequest): Promise<PlaceOrderResult> {
    return this.#apply(request);
  }

  async getStatus(providerOrderId: string): Promise<StatusResult> {
    const answer = await this.#oneCollectAtATime(() =>
      this.#post("read", "status", PATHS.collect, {
        orderNumber: providerOrderId,
        queryType: "1",
        responseType: "3",
        responseEncoding: "0",
        showValidityPeriod: "Y",
        showFQDN: "Y",
        showExtStatus: "Y",
        showStatusDetails: "Y",
        showMDCDomainDetails: "Y",
        responseFormat: "1",
      }),
    );
    if (!describesOrderState(answer.code)) throw this.#refused(answer, "status");
    try {
      return statusFromCollect(answer, this.#now());
    } catch (error) {
      if (error instanceof UnreadableCollectAnswer) throw this.#unreadable("status");
      throw error;
    }
  }

  async resendApproval(providerOrderId: string): Promise<void> {
    // A read, so retried: a duplicate approval email does no harm. Without dcvEmailAddress
    // Sectigo resends to the address it last used.
    const answer = await this.#post("read", "resend", PATHS.resend, { orderNumber: providerOrderId });
    if (answer.code < 0) throw this.#refused(answer, "resend");
  }

  async #apply(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const { product, hashes } = checkOrder(request);
    const uniqueValue = uniqueValueFor(request.reference);
    const domains = [request.commonName, ...request.sans];
    const answer = await this.#post(
      "send",
      "placement",
      PATHS.apply,
      {
        product: product.id,
        // Multi-year is sold as a bundle of one-year certificates, counted in days.
        days: String((request.periodMonths / 12) * 365),
        serverSoftware: request.serverTypeId,
        csr: request.csrPem,
        isCustomerValidated: "N",
        dcvMethod: SECTIGO_DCV_METHODS[request.dcvMethod],
        ...domainParams(request, product, domains),
        uniqueValue,
        showCertificateID: "Y",
        responseFormat: "1",
        test: this.#test ? "Y" : undefined,
        ...organisationParams(request.organisation),
      },
      uniqueValue,
    );
    if (answer.code < 0) throw this.#refused(answer, "placement", uniqueValue);
    // 0 = placed and paid, 1 = placed, payment still due in the account.
    const order = appliedOrder.safeParse(
      fieldsWithPositional(answer, ["orderNumber", "totalCost", "expectedDeliveryTime"]),
    );
    if (answer.code > 1 || !order.success) throw this.#unreadable("placement", uniqueValue);
    const token = order.data.uniqueValue ?? uniqueValue;
    return {
      providerOrderId: order.data.orderNumber,
      ...(order.data.totalCost ? { cost: { amount: order.data.totalCost } } : {}),
      status: "pending",
      dcv: domains.map((domain) =>
        dcvInstruction(domain, request.dcvMethod, hashes, token, request.approverEmail),
      ),
    };
  }

  async #post(
    mode: keyof ProviderHttp,
    call: SectigoCall,
    path: string,
    params: FormParams,
    uniqueValue?: string,
  ): Promise<SectigoAnswer> {
    let body: unknown;
    try {
      const response = await this.#http[mode]({
        method: "POST",
        url: path,
        data: formBody({ loginName: this.#loginName, loginPassword: this.#loginPassword, ...params }),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
      body = response.data;
    } catch (error) {
      throw transportError(call, error, uniqueValue);
    }
    const answer = parseSectigoAnswer(body);
    if (!answer) throw this.#unreadable(call, uniqueValue);
    return answer;
  }

  /** Sectigo forbids concurrent CollectSSL calls, so this provider sends one at a time. */
  #oneCollectAtATime<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#collectTail.then(task, task);
    this.#collectTail = run.catch(() => undefined);
    return run;
  }

  #refused(answer: SectigoAnswer, call: SectigoCall, uniqueValue?: string): ProviderError {
    return errorForRefusal(answer, { call, uniqueValue, redact: (text) => this.#redact(text) });
  }

  #redact(text: string): string {
    return this.#loginPassword === "" ? text : text.split(this.#loginPassword).join("[redacted]");
  }

  #unreadable(call: SectigoCall, uniqueValue?: string): ProviderError {
    if (call === "placement") {
      return new ProviderOutcomeUnknownError(
        PROVIDER,
        "Sectigo answered the order with something certdesk cannot read, so it may have been placed: " +
          `look for uniqueValue ${uniqueValue} in the Sectigo account before ordering again.`,
      );
    }
    return new ProviderUnavailableError(
      PROVIDER,
      "Sectigo answered with something certdesk cannot read: try again later, and check that " +
        "SECTIGO_API_URL points at the Sectigo reseller API if it keeps happening.",
    );
  }
}

function transportError(call: SectigoCall, error: unknown, uniqueValue: string | undefined): ProviderError {
  const failure = describeTransportFailure(error);
  const status = responseStatus(error);
  // A 4xx is a refusal before processing; no answer or a 5xx leaves a placement undecided. A refused
  // connection is not "no answer": nothing was sent, so the order is certainly not placed and may be
  // submitted again, instead of waiting in `submitting` for a person to search Sectigo's portal.
  const refusedUnprocessed = status !== undefined && status < 500;
  if (call === "placement" && !refusedUnprocessed && !requestNeverSent(error)) {
    return new ProviderOutcomeUnknownError(
      PROVIDER,
      `The order was sent to Sectigo but no usable answer came back (${failure}). It may have been placed: ` +
        `look for uniqueValue ${uniqueValue} in the Sectigo account before ordering again.`,
    );
  }
  if (status === 429) {
    return new ProviderUnavailableError(
      PROVIDER,
      `Sectigo is limiting requests (${failure}): try again later.`,
    );
  }
  if (refusedUnprocessed) {
    return new ProviderUnavailableError(
      PROVIDER,
      `Sectigo refused the request without processing it (${failure}): check SECTIGO_API_URL.`,
    );
  }
  return new ProviderUnavailableError(
    PROVIDER,
    `Sectigo could not be reached (${failure}): try again later.`,
  );
}

/** Refuses, before anything is sent, what Sectigo would refuse or what cannot be validated. */
function checkOrder(request: PlaceOrderRequest): { product: Product; hashes: CsrHashes } {
  const product = findSectigoProduct(request.productId);
  if (!product) {
    throw new ProviderInputError(PROVIDER, "product", `Sectigo product ${request.productId} is not offered.`);
  }
  if (!product.periods.includes(request.periodMonths)) {
    throw new ProviderInputError(
      PROVIDER,
      "period",
      `${product.name} is sold for ${product.periods.join(" or ")} months, not ${request.periodMonths}.`,
    );
  }
  if (request.sans.length > 0 && !product.multiDomain) {
    throw new ProviderInputError(
      PROVIDER,
      "sans",
      `${product.name} covers one domain: choose a multi-domain product or remove the additional domains.`,
    );
  }
  const hashes = csrHashes(request.csrPem);
  if (!hashes) {
    throw new ProviderInputError(
      PROVIDER,
      "csr",
      "The CSR is not a PEM certificate request: make a new CSR.",
    );
  }
  checkDcv(request);
  return { product, hashes };
}

function checkDcv(request: PlaceOrderRequest): void {
  const domains = [request.commonName, ...request.sans];
  if (request.dcvMethod === "http" && domains.some((domain) => domain.startsWith("*."))) {
    throw new ProviderInputError(
      PROVIDER,
      "dcvMethod",
      "A file on a web server cannot prove control of a wildcard domain: choose DNS (CNAME) or email validation.",
    );
  }
  if (request.dcvMethod !== "email") return;
  if (!request.approverEmail) {
    throw new ProviderInputError(PROVIDER, "approverEmail", "Choose the approver email address.");
  }
  const outside = request.sans.find((domain) => !approverCovers(request.approverEmail ?? "", domain));
  if (outside) {
    throw new ProviderInputError(
      PROVIDER,
      "dcvMethod",
      `The approver address ${request.approverEmail} cannot approve ${outside}: certdesk sends one address for ` +
        "every domain, so choose DNS or HTTP validation for domains under different names.",
    );
  }
}

/** admin@example.com may approve example.com and any name under it (Sectigo's authorization domain). */
function approverCovers(approverEmail: string, domain: string): boolean {
  const mailDomain = approverEmail.slice(approverEmail.lastIndexOf("@") + 1).toLowerCase();
  const name = domain.replace(/^\*\./, "").toLowerCase();
  return name === mailDomain || name.endsWith(`.${mailDomain}`);
}

function domainParams(request: PlaceOrderRequest, product: Product, domains: string[]): FormParams {
  const email = request.dcvMethod === "email" ? request.approverEmail : undefined;
  if (!product.multiDomain) return { dcvEmailAddress: email };
  return {
    domainNames: domains.join(","),
    // Without it a Multi-Domain certificate carries no common name (SD:auto-apply-ssl/request).
    primaryDomainName: request.commonName,
    dcvEmailAddresses: email === undefined ? undefined : domains.map(() => email).join(","),
  };
}

function organisationParams(organisation: OrderOrganisation): FormParams {
  return {
    organizationName: organisation.name?.trim(),
    organizationalUnitName: organisation.unit?.trim(),
    streetAddress1: organisation.street?.trim(),
    localityName: organisation.city?.trim(),
    stateOrProvinceName: organisation.state?.trim(),
    postalCode: organisation.postalCode?.trim(),
    // X.509 attribute naming like its siblings; also what a current trust-provider client sends.
    countryName: organisation.country?.trim().toUpperCase(),
    telephoneNumber: organisation.phone?.trim(),
    emailAddress: organisation.email?.trim(),
  };
}
