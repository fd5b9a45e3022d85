import { parseCsr } from "../../certs/csr.js";
import { SECTIGO_CAA } from "../../domain/ca-identifiers.js";
import type { DcvInstruction } from "../../domain/dcv.js";
import { approverCovers } from "../../domain/names.js";
import type { Product, ServerType } from "../../domain/product.js";
import { ProviderInputError } from "../errors.js";
import type {
  ChangeValidationRequest,
  PlaceOrderRequest,
  PlaceOrderResult,
  ProviderCapabilities,
  ReissueRequest,
  ReissueResult,
  RenewRequest,
  SslProvider,
  StatusResult,
} from "../types.js";
import { findSectigoProduct, SECTIGO_PRODUCTS, SECTIGO_SERVER_TYPES } from "./catalogue.js";
import { SectigoClient } from "./client.js";
import { type CsrHashes, csrHashes, dcvInstruction, uniqueValueFor } from "./dcv.js";
import { unreadableAnswer } from "./errors.js";
import { orderForm, reissueForm, updateDcvForm } from "./order-form.js";
import { describesOrderState, statusFromCollect, UnreadableCollectAnswer } from "./status.js";
import {
  appliedOrder,
  approverAddresses,
  fieldsWithPositional,
  replacedCertificate,
  updatedDcv,
} from "./wire.js";

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
export const SECTIGO_API_URL = "https://secure.trust-provider.com";

/**
 * Sectigo's legacy ("Comodo") reseller API: form POSTs with the credentials in every body,
 * answers in newline text or URL-encoded form (providers.md §1).
 */
export class SectigoProvider implements SslProvider {
  readonly id = PROVIDER;
  readonly displayName = "Sectigo";
  readonly capabilities: ProviderCapabilities;
  // Private fields, like the client's credentials: nothing of them in JSON.stringify or util.inspect.
  readonly #client: SectigoClient;
  readonly #test: boolean;
  readonly #now: () => Date;

  constructor(options: SectigoProviderOptions) {
    this.#client = new SectigoClient(
      { loginName: options.loginName, loginPassword: options.loginPassword },
      {
        baseURL: options.apiUrl ?? SECTIGO_API_URL,
        timeoutMs: options.timeoutMs,
        readRetries: options.readRetries,
        retryDelayMs: options.retryDelayMs,
      },
    );
    this.#test = options.test ?? false;
    this.#now = options.now ?? (() => new Date());
    this.capabilities = {
      oneApproverForAllDomains: true,
      // Sectigo reuses validations for 198 days since 2026-03-12 (providers.md §7).
      dcvReuseDays: 198,
      caIdentifiers: SECTIGO_CAA,
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
    const answer = await this.#client.call("approverEmails", { domainName: domain.trim() });
    if (answer.code !== 0) throw this.#client.refused(answer, "approverEmails");
    const addresses = answer.entries
      .filter(([key]) => key.endsWith("_email"))
      .map(([, value]) => value.trim())
      // whois_email is the literal `none` when WHOIS shows no address.
      .filter((value) => value !== "" && value.toLowerCase() !== "none");
    const parsed = approverAddresses.safeParse(addresses);
    if (!parsed.success) throw unreadableAnswer("approverEmails");
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

  /**
   * `!AutoReplaceSSL` on the same order: the new CSR and its validation, free. Its answer carries no
   * state, so the reissue is reported pending; getStatus (CollectSSL) tells when the new certificate
   * is there, even when Sectigo reused a validation for the same CSR and issued it at once.
   */
  async reissue(request: ReissueRequest): Promise<ReissueResult> {
    const hashes = readableCsr(request.csrPem);
    checkDcv(request);
    const uniqueValue = uniqueValueFor(request.reference);
    const answer = await this.#client.call("reissue", reissueForm(request, { uniqueValue }));
    if (answer.code < 0) throw this.#client.refused(answer, "reissue");
    const replaced = replacedCertificate.safeParse(answer.fields);
    if (!replaced.success) throw unreadableAnswer("reissue");
    const token = replaced.data.uniqueValue ?? uniqueValue;
    const domains = [request.commonName, ...request.sans];
    return {
      status: "pending",
      dcv: domains.map((domain) =>
        dcvInstruction(domain, request.dcvMethod, hashes, token, request.approverEmail),
      ),
    };
  }

  async getStatus(providerOrderId: string): Promise<StatusResult> {
    const answer = await this.#client.call("status", {
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
    });
    if (!describesOrderState(answer.code)) throw this.#client.refused(answer, "status");
    try {
      return statusFromCollect(answer, this.#now());
    } catch (error) {
      if (error instanceof UnreadableCollectAnswer) throw unreadableAnswer("status");
      throw error;
    }
  }

  async resendApproval(providerOrderId: string): Promise<void> {
    // A read, so retried: a duplicate approval email does no harm. Without dcvEmailAddress
    // Sectigo resends to the address it last used.
    const answer = await this.#client.call("resend", { orderNumber: providerOrderId });
    if (answer.code < 0) throw this.#client.refused(answer, "resend");
  }

  /**
   * `!AutoUpdateDCV`, one call per domain in the order given (providers.md §1.6, §8). Every call is
   * free and harmless to repeat, so it is retried like a read, and a failure part-way (earlier domains
   * changed, later ones not) is put right by asking again. The instructions are computed as at
   * placement: from the CSR's hashes and the order's uniqueValue, derived from its reference.
   */
  async changeValidation(request: ChangeValidationRequest): Promise<DcvInstruction[]> {
    const hashes = readableCsr(request.csrPem);
    for (const change of request.domains) checkChange(change);
    const csrNames = csrDomainNames(request.csrPem);
    const uniqueValue = uniqueValueFor(request.reference);
    const instructions: DcvInstruction[] = [];
    for (const change of request.domains) {
      const onlyName = csrNames.length === 1 && csrNames[0] === change.domain.toLowerCase();
      const answer = await this.#client.call(
        "updateDcv",
        updateDcvForm(request.providerOrderId, change, !onlyName),
      );
      if (answer.code < 0) throw this.#client.refused(answer, "updateDcv");
      if (!updatedDcv.safeParse(answer.fields).success) throw unreadableAnswer("updateDcv");
      const approver = change.method === "email" ? change.approverEmail?.trim() : undefined;
      instructions.push(dcvInstruction(change.domain, change.method, hashes, uniqueValue, approver));
    }
    return instructions;
  }

  /**
   * `!AutoUpdateDCV` with each domain's method unchanged: how a production client re-triggers
   * Sectigo's CNAME or file check now rather than at its next round (providers.md §1.6).
   */
  async recheckValidation(request: ChangeValidationRequest): Promise<void> {
    await this.changeValidation(request);
  }

  async #apply(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const { product, hashes } = checkOrder(request);
    const uniqueValue = uniqueValueFor(request.reference);
    const domains = [request.commonName, ...request.sans];
    const answer = await this.#client.call(
      "placement",
      orderForm(request, product, { uniqueValue, test: this.#test }),
      uniqueValue,
    );
    if (answer.code < 0) throw this.#client.refused(answer, "placement", uniqueValue);
    // 0 = placed and paid, 1 = placed, payment still due in the account.
    const order = appliedOrder.safeParse(
      fieldsWithPositional(answer, ["orderNumber", "totalCost", "expectedDeliveryTime"]),
    );
    if (answer.code > 1 || !order.success) throw unreadableAnswer("placement", uniqueValue);
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
}

/**
 * Checks of Sectigo's own wire format, before anything is sent: a product code it has, a readable
 * CSR, the one approver address Sectigo takes for every domain. Whether the order fits the product
 * (periods, wildcards, several domains) is decided before, in orders/order-request.ts.
 */
function checkOrder(request: PlaceOrderRequest): { product: Product; hashes: CsrHashes } {
  const product = findSectigoProduct(request.productId);
  if (!product) {
    throw new ProviderInputError(PROVIDER, "product", `Sectigo product ${request.productId} is not offered.`);
  }
  const hashes = readableCsr(request.csrPem);
  checkDcv(request);
  return { product, hashes };
}

/** The CSR's hashes (for the HTTP and CNAME validation), or an input error when it is no CSR. */
function readableCsr(csrPem: string): CsrHashes {
  const hashes = csrHashes(csrPem);
  if (!hashes) {
    throw new ProviderInputError(
      PROVIDER,
      "csr",
      "The CSR is not a PEM certificate request: make a new CSR.",
    );
  }
  return hashes;
}

/** An e-mail change needs an address that can approve the domain (Sectigo takes one per call). */
function checkChange(change: ChangeValidationRequest["domains"][number]): void {
  if (change.method !== "email") return;
  const approver = change.approverEmail?.trim();
  if (!approver) {
    throw new ProviderInputError(
      PROVIDER,
      "approverEmail",
      `Choose the approver email address for ${change.domain}.`,
    );
  }
  if (!approverCovers(approver, change.domain)) {
    throw new ProviderInputError(
      PROVIDER,
      "approverEmail",
      `The approver address ${approver} cannot approve ${change.domain}: choose an address at that domain or a parent of it.`,
    );
  }
}

/**
 * The names the CSR covers, lower case: a single-name order's CSR names its one domain (certdesk
 * makes them so), a multi-domain order's several. Empty when the CSR cannot be parsed.
 */
function csrDomainNames(csrPem: string): string[] {
  try {
    return parseCsr(csrPem).domains.map((name) => name.toLowerCase());
  } catch {
    return [];
  }
}

function checkDcv(request: Pick<PlaceOrderRequest, "dcvMethod" | "approverEmail" | "sans">): void {
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
