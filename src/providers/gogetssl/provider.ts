import type { z } from "zod";
import { parseCsr } from "../../certs/csr.js";
import { SECTIGO_CAA } from "../../domain/ca-identifiers.js";
import type { DcvInstruction } from "../../domain/dcv.js";
import type { Product, ServerType } from "../../domain/product.js";
import {
  ProviderError,
  ProviderInputError,
  ProviderOutcomeUnknownError,
  ProviderUnavailableError,
} from "../errors.js";
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
import { toProduct, toServerTypes } from "./catalogue.js";
import { GoGetSslClient } from "./client.js";
import { dcvInstruction } from "./dcv.js";
import { orderForm, reissueForm, validationChange } from "./order-form.js";
import { statusFromWord, toStatusResult } from "./status.js";
import {
  type ApproverMethod,
  approverEmailsResponse,
  orderStatusResponse,
  type PlaceOrderResponse,
  placeOrderResponse,
  productsResponse,
  reissueResponse,
  type SanEntry,
  type ValidationChangeResponse,
  validationChangeResponse,
  webserversResponse,
} from "./wire.js";

export interface GoGetSslProviderOptions {
  user: string;
  password: string;
  /** Production by default; GoGetSSL's sandbox is https://sandbox.gogetssl.com/api. */
  apiUrl?: string;
  timeoutMs?: number;
  readRetries?: number;
  retryDelayMs?: number;
  minPollIntervalSeconds?: number;
}

export const GOGETSSL_API_URL = "https://my.gogetssl.com/api";
/** Server types of the Comodo/Sectigo supplier; GoGetSSL's own products use the same list. */
const SECTIGO_SUPPLIER = 1;

/** GoGetSSL REST API v1 (https://my.gogetssl.com/api). */
export class GoGetSslProvider implements SslProvider {
  readonly id = "gogetssl" as const;
  readonly displayName = "GoGetSSL";
  readonly capabilities: ProviderCapabilities;
  // Private fields, like the client's credentials: nothing of them in JSON.stringify or util.inspect.
  readonly #client: GoGetSslClient;
  constructor(options: GoGetSslProviderOptions) {
    this.#client = new GoGetSslClient(
      { user: options.user, password: options.password },
      {
        baseURL: options.apiUrl ?? GOGETSSL_API_URL,
        timeoutMs: options.timeoutMs,
        readRetries: options.readRetries,
        retryDelayMs: options.retryDelayMs,
      },
    );
    this.capabilities = {
      // Most of GoGetSSL's products are Sectigo's; a product of another brand names its CA itself.
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
      minPollIntervalSeconds: options.minPollIntervalSeconds ?? 60,
    };
  }

  async listProducts(): Promise<Product[]> {
    const action = "listing products";
    const body = await this.#client.call({ kind: "read", method: "GET", path: "/products/ssl/", action });
    const entries = this.#expect(productsResponse, body, action).products;
    const products = entries.flatMap((entry) => toProduct(entry) ?? []);
    if (entries.length > 0 && products.length === 0) {
      throw new ProviderUnavailableError(
        "gogetssl",
        `GoGetSSL listed ${entries.length} products, but none had a recognisable id, name, validation ` +
          "level and period; the product list format may have changed.",
      );
    }
    return products;
  }

  async listServerTypes(): Promise<ServerType[]> {
    const action = "listing server types";
    const body = await this.#client.call({
      kind: "read",
      method: "GET",
      path: `/tools/webservers/${SECTIGO_SUPPLIER}`,
      action,
    });
    return toServerTypes(this.#expect(webserversResponse, body, action).webservers);
  }

  async getApproverEmails(domain: string): Promise<string[]> {
    const action = `listing approval email addresses for ${domain}`;
    const body = await this.#client.call({
      kind: "read",
      method: "POST",
      path: "/tools/domain/emails/",
      form: { domain },
      action,
    });
    const lists = this.#expect(approverEmailsResponse, body, action);
    const all = [...(lists.ComodoApprovalEmails ?? []), ...(lists.GeotrustApprovalEmails ?? [])];
    const seen = new Map<string, string>();
    for (const email of all.map((entry) => entry.trim())) {
      if (email.includes("@") && !seen.has(email.toLowerCase())) seen.set(email.toLowerCase(), email);
    }
    return [...seen.values()];
  }

  placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    return this.#submit("/orders/add_ssl_order/", `placing order ${request.reference}`, request);
  }

  renew(request: RenewRequest): Promise<PlaceOrderResult> {
    const action = `placing renewal ${request.reference} of GoGetSSL order ${request.previousProviderOrderId}`;
    return this.#submit("/orders/add_ssl_renew_order/", action, request);
  }

  /**
   * `POST /orders/ssl/reissue/{order_id}`: a new CSR on the same order, free. GoGetSSL puts the order
   * in status `reissue` (pending) until the new certificate is issued; should it answer that the
   * order is already active again, the reissue is reported issued.
   */
  async reissue(request: ReissueRequest): Promise<ReissueResult> {
    checkApprover(request);
    const action = `reissuing GoGetSSL order ${request.providerOrderId} (${request.reference})`;
    const body = await this.#client.call({
      kind: "change",
      method: "POST",
      path: `/orders/ssl/reissue/${encodeURIComponent(request.providerOrderId)}`,
      form: reissueForm(request),
      action,
    });
    const parsed = reissueResponse.safeParse(body);
    if (!parsed.success) {
      throw new ProviderUnavailableError(
        "gogetssl",
        `GoGetSSL answered ${action} in a format certdesk does not recognise. It may have been accepted: ` +
          "the order's status shows it.",
      );
    }
    const response = parsed.data;
    const issuedAlready =
      response.order_status !== undefined && statusFromWord(response.order_status) === "issued";
    return {
      status: issuedAlready ? "issued" : "pending",
      dcv: dcvInstructions(request, response.validation ?? response.approver_method, response.san),
    };
  }

  async getStatus(providerOrderId: string): Promise<StatusResult> {
    const action = `checking the status of GoGetSSL order ${providerOrderId}`;
    const body = await this.#client.call({
      kind: "read",
      method: "GET",
      path: `/orders/status/${encodeURIComponent(providerOrderId)}`,
      action,
    });
    return toStatusResult(providerOrderId, this.#expect(orderStatusResponse, body, action));
  }

  /**
   * `POST /orders/ssl/revalidate/{id}` with `domain`, one call per domain (providers.md §8): the CA
   * looks at the record or file again now instead of at its next round. Harmless to repeat: a read.
   */
  async recheckValidation(request: ChangeValidationRequest): Promise<void> {
    const { providerOrderId } = request;
    const orderId = encodeURIComponent(providerOrderId);
    for (const { domain } of request.domains) {
      await this.#client.call({
        kind: "read",
        method: "POST",
        path: `/orders/ssl/revalidate/${orderId}`,
        form: { domain },
        action: `asking GoGetSSL to check ${domain} of order ${providerOrderId} again`,
      });
    }
  }

  async resendApproval(providerOrderId: string): Promise<void> {
    await this.#client.call({
      kind: "read",
      method: "GET",
      path: `/orders/ssl/resend_validation_email/${encodeURIComponent(providerOrderId)}`,
      action: `resending the approval email of GoGetSSL order ${providerOrderId}`,
    });
  }

  /**
   * Changes a pending order's validation with one of GoGetSSL's three calls (order-form.ts says
   * which). Free and harmless to repeat, so it is sent like a read: retried on transport failures and
   * after a re-auth, and an answer lost on the way is "unavailable", never an unknown outcome. The
   * HTTP-file and DNS details come from the answer where it carries them; otherwise from the order's
   * status, read once, where GoGetSSL lists them per domain (as it does after a placement).
   */
  async changeValidation(request: ChangeValidationRequest): Promise<DcvInstruction[]> {
    if (request.domains.length === 0) return [];
    for (const change of request.domains) {
      checkApprover({ dcvMethod: change.method, approverEmail: change.approverEmail });
    }
    const orderId = encodeURIComponent(request.providerOrderId);
    const action = `changing the validation of GoGetSSL order ${request.providerOrderId} (${request.reference})`;
    const { call, form } = validationChange(request, csrCommonName(request.csrPem));
    const body = await this.#client.call({
      kind: "read",
      method: "POST",
      path: `/orders/ssl/${call}/${orderId}`,
      form,
      action,
    });
    const answer = this.#expect(validationChangeResponse, body, action);
    const single = request.domains.length === 1;
    let instructions = request.domains.map((change) =>
      dcvInstruction(
        change.domain,
        change.method,
        answeredDetails(answer, change.domain, single),
        change.approverEmail?.trim(),
      ),
    );
    if (instructions.some(lacksDetails)) {
      const status = await this.#statusForDetails(request.providerOrderId);
      if (status) {
        instructions = instructions.map((instruction, index) => {
          if (!lacksDetails(instruction)) return instruction;
          const change = request.domains[index];
          return dcvInstruction(
            instruction.domain,
            instruction.method,
            statusDetails(status, instruction.domain),
            change?.approverEmail?.trim(),
          );
        });
      }
    }
    return instructions;
  }

  /** The order's status for its validation details; the change is made, so a failed read costs nothing. */
  async #statusForDetails(
    providerOrderId: string,
  ): Promise<z.output<typeof orderStatusResponse> | undefined> {
    const action = `reading the validation details of GoGetSSL order ${providerOrderId}`;
    try {
      const body = await this.#client.call({
        kind: "read",
        method: "GET",
        path: `/orders/status/${encodeURIComponent(providerOrderId)}`,
        action,
      });
      return orderStatusResponse.safeParse(body).data;
    } catch (error) {
      // The Status tab shows the details once GoGetSSL answers again.
      if (error instanceof ProviderError) return undefined;
      throw error;
    }
  }

  async #submit(path: string, action: string, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    checkApprover(request);
    const body = await this.#client.call({
      kind: "send",
      method: "POST",
      path,
      form: orderForm(request),
      action,
    });
    const parsed = placeOrderResponse.safeParse(body);
    if (!parsed.success) {
      throw new ProviderOutcomeUnknownError(
        "gogetssl",
        `GoGetSSL answered ${action} without an order id, so the order may or may not exist. ` +
          "Look for it under Orders in the GoGetSSL client area before submitting again.",
      );
    }
    const result = toPlaceOrderResult(request, parsed.data);
    // A multi-domain order's answer may carry only its own domain's record or file: the others are
    // in the order's status, read once (the order exists whatever that read does).
    if (!result.dcv.some(lacksDetails)) return result;
    const status = await this.#statusForDetails(result.providerOrderId);
    if (!status) return result;
    return {
      ...result,
      dcv: result.dcv.map((instruction) =>
        lacksDetails(instruction)
          ? dcvInstruction(instruction.domain, instruction.method, statusDetails(status, instruction.domain))
          : instruction,
      ),
    };
  }

  #expect<S extends z.ZodType>(schema: S, body: unknown, action: string): z.output<S> {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ProviderUnavailableError(
        "gogetssl",
        `GoGetSSL answered ${action} in a format certdesk does not recognise. Try again later; ` +
          "if it persists, the GoGetSSL API may have changed.",
      );
    }
    return parsed.data;
  }
}

function checkApprover(request: Pick<PlaceOrderRequest, "dcvMethod" | "approverEmail">): void {
  if (request.dcvMethod === "email" && !request.approverEmail?.trim()) {
    throw new ProviderInputError(
      "gogetssl",
      "approverEmail",
      "Choose an approval email address: email validation needs one.",
    );
  }
}

/** GoGetSSL sends HTTP/DNS details with the order where it can; otherwise they appear in the status. */
function dcvInstructions(
  request: Pick<PlaceOrderRequest, "commonName" | "sans" | "dcvMethod" | "approverEmail">,
  details: ApproverMethod | undefined,
  sans: SanEntry[] | undefined,
): DcvInstruction[] {
  return [
    dcvInstruction(request.commonName, request.dcvMethod, details, request.approverEmail),
    ...request.sans.map((domain) => {
      const san = sans?.find((entry) => entry.san_name === domain);
      // The order's own record or file names its own domain: never another domain's instruction.
      const fallback = request.dcvMethod === "email" ? details : undefined;
      return dcvInstruction(domain, request.dcvMethod, san?.validation ?? fallback, request.approverEmail);
    }),
  ];
}

/** The CSR's common name (the order's own domain), or undefined when it cannot be read. */
function csrCommonName(csrPem: string): string | undefined {
  try {
    return parseCsr(csrPem).commonName || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The details a change-of-validation answer gives for `domain`: its `san` entry by name; the answer's
 * own fields (`dns`, `http`, `approver_email`, `validation`, …) only when one domain was changed,
 * because they name no domain.
 */
function answeredDetails(
  answer: ValidationChangeResponse,
  domain: string,
  single: boolean,
): ApproverMethod | undefined {
  const san = answer.san?.find((entry) => entry.san_name.toLowerCase() === domain.toLowerCase());
  if (san?.validation && Object.keys(san.validation).length > 0) return san.validation;
  if (!single) return undefined;
  const details: ApproverMethod = { ...(answer.approver_method ?? {}), ...(answer.validation ?? {}) };
  if (answer.http) details.http = answer.http;
  if (answer.https) details.https = answer.https;
  if (answer.dns) details.dns = answer.dns;
  if (answer.approver_email?.includes("@")) details.email = { email: answer.approver_email };
  return details;
}

/** An HTTP or DNS instruction without the file or record to publish. */
function lacksDetails(instruction: DcvInstruction): boolean {
  return (
    (instruction.method === "http" && !instruction.httpUrl) ||
    (instruction.method === "dns" && !instruction.dnsRecord)
  );
}

/** The status's details for `domain`: `approver_method` for the order's own domain, `san` for the others. */
function statusDetails(
  status: z.output<typeof orderStatusResponse>,
  domain: string,
): ApproverMethod | undefined {
  const name = domain.toLowerCase();
  if (status.domain?.toLowerCase() === name) return status.approver_method;
  return status.san?.find((entry) => entry.san_name.toLowerCase() === name)?.validation;
}

function toPlaceOrderResult(request: PlaceOrderRequest, response: PlaceOrderResponse): PlaceOrderResult {
  const dcv = dcvInstructions(request, response.approver_method, response.san);
  const result: PlaceOrderResult = { providerOrderId: response.order_id, status: "pending", dcv };
  if (response.order_amount) {
    result.cost = {
      amount: response.order_amount,
      ...(response.currency ? { currency: response.currency } : {}),
    };
  }
  return result;
}
