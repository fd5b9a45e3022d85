import type { ContactSnapshot } from "../../domain/order.js";
import type {
  ChangeValidationRequest,
  OrderOrganisation,
  PlaceOrderRequest,
  ReissueRequest,
} from "../types.js";

/** Every GoGetSSL order covers unlimited servers. */
const UNLIMITED_SERVERS = "-1";

function withoutBlanks(fields: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    const trimmed = value?.trim();
    if (trimmed) result[name] = trimmed;
  }
  return result;
}

/**
 * The admin and tech contacts are the same person; OV/EV orders also need an address on them,
 * and the organisation's is the only one certdesk has.
 */
function contactFields(prefix: "admin" | "tech", contact: ContactSnapshot, organisation: OrderOrganisation) {
  return {
    [`${prefix}_firstname`]: contact.firstName,
    [`${prefix}_lastname`]: contact.lastName,
    [`${prefix}_email`]: contact.email,
    [`${prefix}_phone`]: contact.phone,
    [`${prefix}_title`]: contact.title,
    [`${prefix}_organization`]: organisation.name,
    [`${prefix}_addressline1`]: organisation.street,
    [`${prefix}_city`]: organisation.city,
    [`${prefix}_region`]: organisation.state,
    [`${prefix}_postalcode`]: organisation.postalCode,
    [`${prefix}_country`]: organisation.country,
  };
}

function organisationFields(organisation: OrderOrganisation) {
  return {
    org_name: organisation.name,
    org_division: organisation.unit,
    org_addressline1: organisation.street,
    org_city: organisation.city,
    org_region: organisation.state,
    org_postalcode: organisation.postalCode,
    org_country: organisation.country,
    org_phone: organisation.phone,
  };
}

/**
 * Per-SAN approvers: for email DCV the one approver address serves every SAN (certdesk asks for a
 * single address); for http/dns GoGetSSL takes the method name in place of an address.
 */
function sanFields(request: Pick<PlaceOrderRequest, "sans" | "dcvMethod" | "approverEmail">) {
  if (request.sans.length === 0) return {};
  const approver = request.dcvMethod === "email" ? request.approverEmail : request.dcvMethod;
  return {
    dns_names: request.sans.join(","),
    approver_emails: request.sans.map(() => approver ?? "").join(","),
  };
}

/** The form body of `add_ssl_order` and `add_ssl_renew_order`. */
export function orderForm(request: PlaceOrderRequest): Record<string, string> {
  return withoutBlanks({
    product_id: request.productId,
    period: String(request.periodMonths),
    csr: request.csrPem,
    server_count: UNLIMITED_SERVERS,
    webserver_type: request.serverTypeId,
    dcv_method: request.dcvMethod,
    approver_email: request.dcvMethod === "email" ? request.approverEmail : undefined,
    ...sanFields(request),
    ...contactFields("admin", request.contact, request.organisation),
    ...contactFields("tech", request.contact, request.organisation),
    ...organisationFields(request.organisation),
  });
}

/**
 * The form body of `POST /orders/ssl/reissue/{order_id}`: the new CSR, the server type and the
 * validation, with the additional domains the way add_ssl_order takes them (`dns_names`,
 * `approver_emails`). The order id travels in the path.
 */
export function reissueForm(request: ReissueRequest): Record<string, string> {
  return withoutBlanks({
    csr: request.csrPem,
    webserver_type: request.serverTypeId,
    dcv_method: request.dcvMethod,
    approver_email: request.dcvMethod === "email" ? request.approverEmail : undefined,
    ...sanFields(request),
  });
}

/** Which of GoGetSSL's three calls changes the validation, and its form body. */
export type ValidationChange =
  | { call: "change_validation_email"; form: Record<string, string> }
  | { call: "change_validation_method"; form: Record<string, string> }
  | { call: "change_domains_validation_method"; form: Record<string, string> };

/** GoGetSSL's per-domain word: the approver address for e-mail, else the method (as in approver_emails). */
function methodWord(change: ChangeValidationRequest["domains"][number]): string {
  return change.method === "email" ? (change.approverEmail?.trim() ?? "") : change.method;
}

/**
 * The call for a change of validation (providers.md §2.2, §8), the order id travelling in the path:
 * - another approver address for the order's own domain (the CSR's common name):
 *   `change_validation_email` with `approver_email` [C];
 * - one domain to another method (or a SAN to another address): `change_validation_method` with
 *   `domain` and `new_method` [S] (an address as `new_method` is assumed, like `approver_emails`);
 * - several domains: `change_domains_validation_method` with `domains` and `new_methods` [S], comma
 *   lists in the same order (the separator is assumed, like `dns_names` / `approver_emails`).
 */
export function validationChange(request: ChangeValidationRequest, commonName?: string): ValidationChange {
  const [only, ...others] = request.domains;
  if (only && others.length === 0) {
    const ownDomain = commonName !== undefined && only.domain.toLowerCase() === commonName.toLowerCase();
    if (only.method === "email" && ownDomain) {
      return { call: "change_validation_email", form: withoutBlanks({ approver_email: methodWord(only) }) };
    }
    return {
      call: "change_validation_method",
      form: withoutBlanks({ domain: only.domain, new_method: methodWord(only) }),
    };
  }
  return {
    call: "change_domains_validation_method",
    form: withoutBlanks({
      domains: request.domains.map((change) => change.domain).join(","),
      new_methods: request.domains.map(methodWord).join(","),
    }),
  };
}
