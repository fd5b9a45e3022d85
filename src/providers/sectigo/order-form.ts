import type { DcvMethod } from "../../domain/dcv.js";
import type { Product } from "../../domain/product.js";
import type { OrderOrganisation, PlaceOrderRequest, ReissueRequest } from "../types.js";
import type { FormParams } from "./client.js";
import { SECTIGO_DCV_METHODS } from "./dcv.js";

/** The AutoApplySSL parameters of a placement or renewal (credentials are added by the client). */
export function orderForm(
  request: PlaceOrderRequest,
  product: Product,
  options: { uniqueValue: string; test: boolean },
): FormParams {
  return {
    product: product.id,
    // Multi-year is sold as a bundle of one-year certificates, counted in days.
    days: String((request.periodMonths / 12) * 365),
    serverSoftware: request.serverTypeId,
    csr: request.csrPem,
    isCustomerValidated: "N",
    dcvMethod: SECTIGO_DCV_METHODS[request.dcvMethod],
    ...domainParams(request, product),
    uniqueValue: options.uniqueValue,
    showCertificateID: "Y",
    responseFormat: "1",
    test: options.test ? "Y" : undefined,
    ...organisationParams(request.organisation),
  };
}

function domainParams(request: PlaceOrderRequest, product: Product): FormParams {
  const email = request.dcvMethod === "email" ? request.approverEmail : undefined;
  if (!product.multiDomain) return { dcvEmailAddress: email };
  const domains = [request.commonName, ...request.sans];
  return {
    domainNames: domains.join(","),
    // Without it a Multi-Domain certificate carries no common name (SD:auto-apply-ssl/request).
    primaryDomainName: request.commonName,
    dcvEmailAddresses: email === undefined ? undefined : domains.map(() => email).join(","),
  };
}

/**
 * The AutoReplaceSSL parameters of a reissue (providers.md §1.6, §8): the order, the new CSR and its
 * validation, like AutoApplySSL's. The request does not name the product, so the domain list goes
 * in multi-domain form (`domainNames`, one `dcvEmailAddresses` entry per domain) exactly when there
 * are additional domains. `uniqueValue` is the order's own (from its reference): with the same CSR the
 * HTTP file and CNAME the customer already published stay valid.
 */
export function reissueForm(request: ReissueRequest, options: { uniqueValue: string }): FormParams {
  const email = request.dcvMethod === "email" ? request.approverEmail : undefined;
  const domains = [request.commonName, ...request.sans];
  const domainFields: FormParams =
    request.sans.length === 0
      ? { dcvEmailAddress: email }
      : {
          domainNames: domains.join(","),
          dcvEmailAddresses: email === undefined ? undefined : domains.map(() => email).join(","),
        };
  return {
    orderNumber: request.providerOrderId,
    serverSoftware: request.serverTypeId,
    csr: request.csrPem,
    isCustomerValidated: "N",
    dcvMethod: SECTIGO_DCV_METHODS[request.dcvMethod],
    ...domainFields,
    uniqueValue: options.uniqueValue,
    showCertificateID: "Y",
    responseFormat: "1",
  };
}

/**
 * The AutoUpdateDCV parameters for one domain of an order (providers.md §1.6, §8): the new method and,
 * for e-mail, the new approver address. `domainName` names the domain on a multi-domain order; a
 * production client leaves it out for single-name orders ("not necessary"), so it is sent only when
 * `namesDomain` says the order has more than that one name. No `responseFormat`: the call refuses it
 * (-2) and answers URL-encoded anyway.
 */
export function updateDcvForm(
  orderNumber: string,
  change: { domain: string; method: DcvMethod; approverEmail?: string },
  namesDomain: boolean,
): FormParams {
  return {
    orderNumber,
    domainName: namesDomain ? change.domain : undefined,
    newMethod: SECTIGO_DCV_METHODS[change.method],
    newDCVEmailAddress: change.method === "email" ? change.approverEmail?.trim() : undefined,
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
