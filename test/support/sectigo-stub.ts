import { X509Certificate } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import forge from "node-forge";

/**
 * A local stand-in for Sectigo's legacy reseller API (providers.md §1), speaking its wire
 * formats: form POSTs with loginName/loginPassword, newline-text or URL-encoded answers,
 * negative error codes. Orders live in memory; tests inspect requests and steer outcomes.
 */

export type SectigoStubEndpoint =
  | "GetDCVEmailAddressList"
  | "AutoApplySSL"
  | "AutoReplaceSSL"
  | "CollectSSL"
  | "ResendDCVEmail"
  | "AutoUpdateDCV";

export interface SectigoStubRequest {
  method: string;
  path: string;
  endpoint?: SectigoStubEndpoint;
  contentType?: string;
  /** The POST body (or query, for GET) as key -> last value. */
  form: Record<string, string>;
}

/** Replaces the next answer of an endpoint. With only `delayMs`, the normal answer comes late. */
export interface SectigoForcedResponse {
  status?: number;
  body?: string;
  contentType?: string;
  delayMs?: number;
  /** The normal answer once this settles: a test decides when the provider answers. */
  until?: Promise<unknown>;
  destroySocket?: boolean;
}

export type SectigoStubOrderState = "pending" | "issued" | "rejected" | "cancelled";

export interface SectigoStubDomain {
  name: string;
  dcvMethod: string;
  /** The approver address AutoUpdateDCV last set for the domain (placement keeps it in `form`). */
  dcvEmailAddress?: string;
  dcvStatus: "Awaiting Validation" | "Validated";
}

export interface SectigoStubOrder {
  orderNumber: string;
  certificateID: string;
  product: string;
  days: number;
  csrPem: string;
  commonName: string;
  multiDomain: boolean;
  domains: SectigoStubDomain[];
  uniqueValue: string;
  test: boolean;
  state: SectigoStubOrderState;
  awaitingPayment: boolean;
  dcvEmailsSent: number;
  /** AutoReplaceSSL calls accepted on this order (none when absent). */
  reissues?: number;
  /** The certificate signed before the last reissue: CollectSSL no longer returns it. */
  previousLeafPem?: string;
  leafPem?: string;
  chainPems?: string[];
  form: Record<string, string>;
}

export interface SectigoStubState {
  readonly requests: SectigoStubRequest[];
  readonly orders: Map<string, SectigoStubOrder>;
  /** Most requests the stub was answering at the same moment. */
  readonly peakConcurrency: number;
  requestsTo(endpoint: SectigoStubEndpoint): SectigoStubRequest[];
  forceNext(endpoint: SectigoStubEndpoint, response: SectigoForcedResponse): void;
  validateDomain(orderNumber: string, domain: string): void;
  issue(orderNumber: string): void;
  reject(orderNumber: string): void;
  cancel(orderNumber: string): void;
}

export interface SectigoStubOptions {
  loginName?: string;
  loginPassword?: string;
  /** Signs an order's CSR when a test issues it; chain = intermediates then root. */
  issueCertificate?: (csrPem: string) => { leafPem: string; chainPems: string[] };
  /** AutoApplySSL answers 1 (placed, payment due) and CollectSSL -22 until paid. */
  paymentRequired?: boolean;
  totalCost?: string;
}

export interface SectigoStub {
  url: string;
  close(): Promise<void>;
  state: SectigoStubState;
}

const ENDPOINTS: Record<string, SectigoStubEndpoint> = {
  "/products/!GetDCVEmailAddressList": "GetDCVEmailAddressList",
  "/products/!AutoApplySSL": "AutoApplySSL",
  "/products/!AutoReplaceSSL": "AutoReplaceSSL",
  "/products/download/CollectSSL": "CollectSSL",
  "/products/!ResendDCVEmail": "ResendDCVEmail",
  "/products/!AutoUpdateDCV": "AutoUpdateDCV",
};

const CREDENTIALS = ["loginName", "loginPassword"];
/** Arguments each call accepts; anything else is refused with -2 as Sectigo does. */
const ARGUMENTS: Record<SectigoStubEndpoint, Set<string>> = {
  GetDCVEmailAddressList: new Set([...CREDENTIALS, "domainName", "responseFormat", "product"]),
  AutoApplySSL: new Set([
    ...CREDENTIALS,
    ...["product", "days", "years", "serverSoftware", "csr", "isCustomerValidated", "dcvMethod"],
    ...["dcvEmailAddress", "dcvEmailAddresses", "domainNames", "primaryDomainName", "uniqueValue"],
    ...["showCertificateID", "responseFormat", "test", "caCertificateID", "foreignOrderNumber"],
    ...["organizationName", "organizationalUnitName", "streetAddress1", "streetAddress2", "streetAddress3"],
    ...[
      "localityName",
      "stateOrProvinceName",
      "postalCode",
      "countryName",
      "telephoneNumber",
      "emailAddress",
    ],
  ]),
  // providers.md §1.6 and §8; uniqueValue and showCertificateID as a production client sends them.
  AutoReplaceSSL: new Set([
    ...CREDENTIALS,
    ...["orderNumber", "exactOrder", "serverSoftware", "csr", "isCustomerValidated", "dcvMethod"],
    ...["dcvEmailAddress", "dcvEmailAddresses", "domainNames", "uniqueValue", "showCertificateID"],
    "responseFormat",
  ]),
  CollectSSL: new Set([
    ...CREDENTIALS,
    ...["orderNumber", "certificateID", "baseOrderNumber", "queryType", "responseType", "responseEncoding"],
    ...["showValidityPeriod", "showFQDN", "showExtStatus", "showStatusDetails", "showMDCDomainDetails"],
    ...["showMDCDomainDetails2", "responseFormat"],
  ]),
  ResendDCVEmail: new Set([
    ...CREDENTIALS,
    "orderNumber",
    "baseOrderNumber",
    "dcvEmailAddress",
    "dcvTemplateID",
  ]),
  // providers.md §1.6; no responseFormat: the real call refuses it with -2 (§8).
  AutoUpdateDCV: new Set([...CREDENTIALS, "orderNumber", "newMethod", "newDCVEmailAddress", "domainName"]),
};

const PRODUCTS: Record<string, { wildcard: boolean; multiDomain: boolean }> = {
  "287": { wildcard: false, multiDomain: false },
  "289": { wildcard: true, multiDomain: false },
  "279": { wildcard: false, multiDomain: true },
  "316": { wildcard: false, multiDomain: false },
  "322": { wildcard: true, multiDomain: false },
  "583": { wildcard: false, multiDomain: true },
};
const DCV_METHODS = new Set(["EMAIL", "HTTP_CSR_HASH", "HTTPS_CSR_HASH", "CNAME_CSR_HASH"]);
const GENERIC_MAILBOXES = ["admin", "administrator", "hostmaster", "postmaster", "webmaster"];
const BASE64_FIELDS = new Set(["certificate", "caCertificate"]);

interface StubAnswer {
  code: number;
  message?: string;
  item?: string;
  /** URL-encoded keys, or `key<TAB>value` lines in text. */
  pairs?: [string, string][];
  /** Text only: positional success lines. */
  lines?: string[];
}

type Encoding = "text" | "url";

export async function startSectigoStub(options: SectigoStubOptions = {}): Promise<SectigoStub> {
  const loginName = options.loginName ?? "reseller";
  const loginPassword = options.loginPassword ?? "stub-password";
  const requests: SectigoStubRequest[] = [];
  const orders = new Map<string, SectigoStubOrder>();
  const forced = new Map<SectigoStubEndpoint, SectigoForcedResponse[]>();
  const servedApprovers = new Set<string>();
  let nextOrderNumber = 1_000_001;
  let inFlight = 0;
  let peakConcurrency = 0;

  const orderOrThrow = (orderNumber: string) => {
    const order = orders.get(orderNumber);
    if (!order) throw new Error(`Sectigo stub: no order ${orderNumber}`);
    return order;
  };

  const state: SectigoStubState = {
    requests,
    orders,
    get peakConcurrency() {
      return peakConcurrency;
    },
    requestsTo: (endpoint) => requests.filter((request) => request.endpoint === endpoint),
    forceNext(endpoint, response) {
      forced.set(endpoint, [...(forced.get(endpoint) ?? []), response]);
    },
    validateDomain(orderNumber, domain) {
      const entry = orderOrThrow(orderNumber).domains.find((candidate) => candidate.name === domain);
      if (!entry) throw new Error(`Sectigo stub: order ${orderNumber} has no domain ${domain}`);
      entry.dcvStatus = "Validated";
    },
    issue(orderNumber) {
      const order = orderOrThrow(orderNumber);
      if (!options.issueCertificate) throw new Error("Sectigo stub: pass issueCertificate to issue orders");
      const { leafPem, chainPems } = options.issueCertificate(order.csrPem);
      Object.assign(order, { state: "issued", leafPem, chainPems });
      for (const domain of order.domains) domain.dcvStatus = "Validated";
    },
    reject(orderNumber) {
      orderOrThrow(orderNumber).state = "rejected";
    },
    cancel(orderNumber) {
      orderOrThrow(orderNumber).state = "cancelled";
    },
  };

  function getDcvEmailAddressList(form: Record<string, string>): StubAnswer {
    const domain = (form.domainName ?? "").trim().toLowerCase().replace(/^\*\./, "");
    if (domain === "") return missingArgument("domainName");
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(domain)) {
      return { code: -19, message: "The domain name is an Internet-accessible IP address!" };
    }
    if (!/^([a-z0-9-]+\.)+[a-z]{2,}$/.test(domain)) return invalidArgument("domainName");
    const labels = domain.split(".");
    const registrable = labels.slice(-2).join(".");
    const level2 = GENERIC_MAILBOXES.map((mailbox) => `${mailbox}@${registrable}`);
    const level3 = labels.length > 2 ? GENERIC_MAILBOXES.map((mailbox) => `${mailbox}@${domain}`) : [];
    for (const address of [...level2, ...level3]) servedApprovers.add(address);
    return {
      code: 0,
      pairs: [
        ["domain_name", domain],
        ["whois_email", "none"],
        ...level2.map((address): [string, string] => ["level2_email", address]),
        ...level3.map((address): [string, string] => ["level3_email", address]),
      ],
    };
  }

  /** Sectigo only takes addresses from a list it served, at the domain or a parent of it. */
  function approverAccepted(address: string, domain: string): boolean {
    const mailDomain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
    const name = domain.replace(/^\*\./, "").toLowerCase();
    return (
      servedApprovers.has(address.toLowerCase()) && (name === mailDomain || name.endsWith(`.${mailDomain}`))
    );
  }

  function autoApplySsl(form: Record<string, string>): StubAnswer {
    const absent = ["product", "serverSoftware", "csr", "isCustomerValidated"].find((name) => !form[name]);
    if (absent) return missingArgument(absent);
    if (!form.days && !form.years) return missingArgument("days");
    const product = PRODUCTS[form.product ?? ""];
    if (!product) return invalidArgument("product");
    const days = Number(form.days ?? Number(form.years) * 365);
    if (!Number.isInteger(days) || days < 1 || days > 5 * 365 + 90) {
      return { code: -115, message: "No price was found for this product and validity period!" };
    }
    if (!/^-?\d+$/.test(form.serverSoftware ?? "")) return invalidArgument("serverSoftware");
    const csr = readCsr(form.csr ?? "");
    if ("code" in csr) return csr;
    if (product.wildcard && !csr.commonName.startsWith("*.")) {
      return { code: -6, message: "The CSR's Common Name MUST contain a wildcard!" };
    }
    if (!product.wildcard && csr.commonName.includes("*")) {
      return { code: -5, message: "The CSR's Common Name may NOT contain a wildcard!" };
    }
    if (form.countryName !== undefined && !/^[A-Z]{2}$/.test(form.countryName)) {
      return { code: -7, message: `'${form.countryName}' is not a valid ISO-3166 country!` };
    }
    const dcvMethod = form.dcvMethod ?? "EMAIL";
    if (!DCV_METHODS.has(dcvMethod)) return invalidArgument("dcvMethod");
    const domains = product.multiDomain
      ? (form.domainNames ?? csr.commonName).split(/[\s,]+/).filter((name) => name !== "")
      : [csr.commonName];
    const approverProblem =
      dcvMethod === "EMAIL" ? checkApprovers(form, domains, product.multiDomain) : undefined;
    if (approverProblem) return approverProblem;
    const uniqueValue = form.uniqueValue ?? `STUB${nextOrderNumber}`;
    if (!/^[A-Za-z0-9]{1,20}$/.test(uniqueValue)) return invalidArgument("uniqueValue");
    if ([...orders.values()].some((order) => order.uniqueValue === uniqueValue)) {
      return {
        code: -4,
        message: "The value of the 'uniqueValue' argument already exists!",
        item: "uniqueValue",
      };
    }

    const orderNumber = String(nextOrderNumber++);
    const order: SectigoStubOrder = {
      orderNumber,
      certificateID: `77${orderNumber}`,
      product: form.product ?? "",
      days,
      csrPem: csr.pem,
      commonName: csr.commonName,
      multiDomain: product.multiDomain,
      domains: domains.map((name) => ({ name, dcvMethod, dcvStatus: "Awaiting Validation" })),
      uniqueValue,
      test: form.test === "Y",
      state: "pending",
      awaitingPayment: options.paymentRequired ?? false,
      dcvEmailsSent: dcvMethod === "EMAIL" ? 1 : 0,
      reissues: 0,
      form: { ...form },
    };
    orders.set(orderNumber, order);
    const totalCost = options.totalCost ?? "12.98";
    const showId = form.showCertificateID === "Y";
    return {
      code: order.awaitingPayment ? 1 : 0,
      pairs: [
        ["orderNumber", orderNumber],
        ["totalCost", totalCost],
        ["expectedDeliveryTime", "0"],
        ...(showId ? [["certificateID", order.certificateID] as [string, string]] : []),
        ["uniqueValue", uniqueValue],
      ],
      // Text: status, orderNumber, amount, expectedDeliveryTime, [certificateID], uniqueValue.
      lines: [orderNumber, totalCost, "0", ...(showId ? [order.certificateID] : []), uniqueValue],
    };
  }

  /**
   * A new CSR on an existing order (AutoReplaceSSL): the order goes back to awaiting validation, and
   * the next `issue` signs the new CSR. The answer has the shape of checkdomain/Comodo's fixture:
   * `errorCode=0&expectedDeliveryTime=0&certificateID=…` plus uniqueValue. Whether a multi-domain
   * reissue needs `domainNames` is not documented: with it the approvers go in `dcvEmailAddresses`,
   * without it the CSR's common name is the one domain and `dcvEmailAddress` its approver.
   */
  function autoReplaceSsl(form: Record<string, string>): StubAnswer {
    if (!form.orderNumber) return missingArgument("orderNumber");
    const order = orders.get(form.orderNumber);
    if (!order) return invalidArgument("orderNumber");
    const refused = closedOrderRefusal(order);
    if (refused) return refused;
    if (!form.csr) return missingArgument("csr");
    if (form.serverSoftware !== undefined && !/^-?\d+$/.test(form.serverSoftware)) {
      return invalidArgument("serverSoftware");
    }
    const csr = readCsr(form.csr);
    if ("code" in csr) return csr;
    const product = PRODUCTS[order.product] ?? { wildcard: false, multiDomain: false };
    if (product.wildcard && !csr.commonName.startsWith("*.")) {
      return { code: -6, message: "The CSR's Common Name MUST contain a wildcard!" };
    }
    if (!product.wildcard && csr.commonName.includes("*")) {
      return { code: -5, message: "The CSR's Common Name may NOT contain a wildcard!" };
    }
    const dcvMethod = form.dcvMethod ?? "EMAIL";
    if (!DCV_METHODS.has(dcvMethod)) return invalidArgument("dcvMethod");
    const listed = form.domainNames !== undefined;
    if (listed && !product.multiDomain) return invalidArgument("domainNames");
    const domains = listed
      ? (form.domainNames ?? "").split(/[\s,]+/).filter((name) => name !== "")
      : [csr.commonName];
    const approverProblem = dcvMethod === "EMAIL" ? checkApprovers(form, domains, listed) : undefined;
    if (approverProblem) return approverProblem;
    const uniqueValue = form.uniqueValue ?? order.uniqueValue;
    if (!/^[A-Za-z0-9]{1,20}$/.test(uniqueValue)) return invalidArgument("uniqueValue");
    if ([...orders.values()].some((other) => other !== order && other.uniqueValue === uniqueValue)) {
      return {
        code: -4,
        message: "The value of the 'uniqueValue' argument already exists!",
        item: "uniqueValue",
      };
    }

    order.reissues = (order.reissues ?? 0) + 1;
    Object.assign(order, {
      certificateID: `77${order.orderNumber}${order.reissues}`,
      csrPem: csr.pem,
      commonName: csr.commonName,
      domains: domains.map((name) => ({ name, dcvMethod, dcvStatus: "Awaiting Validation" })),
      uniqueValue,
      state: "pending",
      previousLeafPem: order.leafPem ?? order.previousLeafPem,
      leafPem: undefined,
      chainPems: undefined,
    });
    if (dcvMethod === "EMAIL") order.dcvEmailsSent += 1;
    return {
      code: 0,
      pairs: [
        ["expectedDeliveryTime", "0"],
        ["certificateID", order.certificateID],
        ["uniqueValue", uniqueValue],
      ],
      // Text: the same values by position (their order in the newline encoding is not documented).
      lines: ["0", order.certificateID, uniqueValue],
    };
  }

  function checkApprovers(form: Record<string, string>, domains: string[], multiDomain: boolean) {
    if (!multiDomain) {
      if (!form.dcvEmailAddress) return missingArgument("dcvEmailAddress");
      return approverAccepted(form.dcvEmailAddress, domains[0] ?? "")
        ? undefined
        : invalidArgument("dcvEmailAddress");
    }
    if (!form.dcvEmailAddresses) return missingArgument("dcvEmailAddresses");
    const addresses = form.dcvEmailAddresses.split(/[\s,]+/);
    const accepted =
      addresses.length === domains.length &&
      domains.every((domain, index) => approverAccepted(addresses[index] ?? "", domain));
    return accepted ? undefined : invalidArgument("dcvEmailAddresses");
  }

  function collectSsl(form: Record<string, string>): StubAnswer {
    if (!form.orderNumber && !form.certificateID) return missingArgument("orderNumber");
    if (!form.queryType) return missingArgument("queryType");
    const order = form.orderNumber
      ? orders.get(form.orderNumber)
      : [...orders.values()].find((candidate) => candidate.certificateID === form.certificateID);
    if (!order) return invalidArgument(form.orderNumber ? "orderNumber" : "certificateID");
    if (order.awaitingPayment) return { code: -22, message: "Still awaiting payment!" };
    const refused = closedOrderRefusal(order);
    if (refused) return refused;
    return order.state === "issued" ? issuedAnswer(order, form) : pendingAnswer(order, form);
  }

  function pendingAnswer(order: SectigoStubOrder, form: Record<string, string>): StubAnswer {
    const primary = order.domains[0];
    const pairs: [string, string][] = [["orderNumber", order.orderNumber]];
    if (form.showFQDN === "Y") pairs.push(["fqdn", order.commonName]);
    if (form.showExtStatus === "Y") {
      pairs.push(["certificateStatus", "Awaiting Validation"], ["validationStatus", "Not Validated"]);
      pairs.push(["dcvStatus", primary?.dcvStatus ?? "Awaiting Validation"], ["csrStatus", "Valid"]);
    }
    if (form.showMDCDomainDetails === "Y" && order.multiDomain) {
      // Assumed layout (not documented in any source found): domain,method,status entries joined by `|`.
      const details = order.domains.map((domain) => `${domain.name},${domain.dcvMethod},${domain.dcvStatus}`);
      pairs.push(["mdcDomainDetails", details.join("|")]);
    }
    return { code: 0, pairs };
  }

  function issuedAnswer(order: SectigoStubOrder, form: Record<string, string>): StubAnswer {
    const queryType = form.queryType ?? "0";
    if (queryType !== "0" && form.responseType !== "3") {
      return {
        code: -4,
        message: "This stub only models responseType=3 (individually encoded)",
        item: "responseType",
      };
    }
    const leaf = new X509Certificate(order.leafPem ?? "");
    const pairs: [string, string][] = [["orderNumber", order.orderNumber]];
    if (form.showValidityPeriod === "Y") {
      pairs.push(["notBefore", unixSeconds(leaf.validFrom)], ["notAfter", unixSeconds(leaf.validTo)]);
    }
    if (form.showFQDN === "Y") pairs.push(["fqdn", order.commonName]);
    if (form.showExtStatus === "Y") {
      pairs.push(
        ["certificateStatus", "Issued"],
        ["validationStatus", "Validated"],
        ["dcvStatus", "Validated"],
      );
    }
    if (queryType === "1" || queryType === "2") pairs.push(["certificate", pemBody(order.leafPem ?? "")]);
    if (queryType === "1" || queryType === "3") {
      // Root first, as the real API lists them (clients reverse this for chain order).
      for (const pem of [...(order.chainPems ?? [])].reverse()) pairs.push(["caCertificate", pemBody(pem)]);
    }
    return { code: queryType === "0" ? 1 : 2, pairs };
  }

  function resendDcvEmail(form: Record<string, string>): StubAnswer {
    if (!form.orderNumber) return missingArgument("orderNumber");
    const order = orders.get(form.orderNumber);
    if (!order) return invalidArgument("orderNumber");
    const refused = closedOrderRefusal(order);
    if (refused) return refused;
    order.dcvEmailsSent += 1;
    return { code: 0 };
  }

  /**
   * AutoUpdateDCV (providers.md §1.6, §8): a pending order's validation for one domain. `domainName`
   * names the domain; a single-name order may leave it out (a production client does), a multi-domain
   * order may not (assumed: no source says what Sectigo does without it). EMAIL needs an address from
   * a list the stub served for that domain. The new method (and address) is kept on the domain, so
   * CollectSSL's mdcDomainDetails shows it. The answer is `errorCode=0`, always URL-encoded.
   */
  function autoUpdateDcv(form: Record<string, string>): StubAnswer {
    if (!form.orderNumber) return missingArgument("orderNumber");
    const order = orders.get(form.orderNumber);
    if (!order) return invalidArgument("orderNumber");
    const refused = closedOrderRefusal(order);
    if (refused) return refused;
    if (!form.newMethod) return missingArgument("newMethod");
    if (!DCV_METHODS.has(form.newMethod)) return invalidArgument("newMethod");
    if (!form.domainName && order.domains.length > 1) return missingArgument("domainName");
    const domainName = form.domainName?.trim().toLowerCase();
    const entry = domainName
      ? order.domains.find((candidate) => candidate.name === domainName)
      : order.domains[0];
    if (!entry) return invalidArgument("domainName");
    if (form.newMethod === "EMAIL") {
      if (!form.newDCVEmailAddress) return missingArgument("newDCVEmailAddress");
      if (!approverAccepted(form.newDCVEmailAddress, entry.name))
        return invalidArgument("newDCVEmailAddress");
      order.dcvEmailsSent += 1;
    }
    entry.dcvMethod = form.newMethod;
    entry.dcvEmailAddress = form.newMethod === "EMAIL" ? form.newDCVEmailAddress : undefined;
    return { code: 0 };
  }

  function answer(
    endpoint: SectigoStubEndpoint,
    form: Record<string, string>,
  ): { body: string; encoding: Encoding } {
    const encoding = encodingFor(endpoint, form);
    const unknown = Object.keys(form).find((name) => !ARGUMENTS[endpoint].has(name));
    let result: StubAnswer;
    if (form.loginName !== loginName || form.loginPassword !== loginPassword) {
      result = { code: -16, message: "Permission denied!" };
    } else if (unknown) {
      result = { code: -2, message: `'${unknown}' is an unrecognised argument!`, item: unknown };
    } else if (endpoint === "CollectSSL" && form.responseFormat !== "1") {
      result = {
        code: -4,
        message: "This stub only models responseFormat=1 for CollectSSL",
        item: "responseFormat",
      };
    } else {
      result = HANDLERS[endpoint](form);
    }
    return { body: encode(result, encoding), encoding };
  }

  const HANDLERS: Record<SectigoStubEndpoint, (form: Record<string, string>) => StubAnswer> = {
    GetDCVEmailAddressList: getDcvEmailAddressList,
    AutoApplySSL: autoApplySsl,
    AutoReplaceSSL: autoReplaceSsl,
    CollectSSL: collectSsl,
    ResendDCVEmail: resendDcvEmail,
    AutoUpdateDCV: autoUpdateDcv,
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? "/", "http://stub");
    const path = decodeURIComponent(url.pathname);
    const endpoint = ENDPOINTS[path];
    const method = request.method ?? "GET";
    const form = Object.fromEntries(method === "POST" ? new URLSearchParams(body) : url.searchParams);
    requests.push({ method, path, endpoint, contentType: request.headers["content-type"], form });

    inFlight += 1;
    peakConcurrency = Math.max(peakConcurrency, inFlight);
    response.on("close", () => {
      inFlight -= 1;
    });

    const override = endpoint ? forced.get(endpoint)?.shift() : undefined;
    const reply = () => {
      if (override?.destroySocket) {
        response.socket?.destroy();
        return;
      }
      if (override && (override.body !== undefined || override.status !== undefined)) {
        send(response, override.status ?? 200, override.body ?? "", override.contentType ?? "text/plain");
        return;
      }
      if (!endpoint) {
        send(response, 404, "<html><body>Not Found</body></html>", "text/html");
        return;
      }
      if (method !== "POST") {
        send(response, 200, "-17\nThe request was not a POST!\n", "text/plain");
        return;
      }
      const { body: answerBody, encoding } = answer(endpoint, form);
      send(
        response,
        200,
        answerBody,
        encoding === "url" ? "application/x-www-form-urlencoded" : "text/plain",
      );
    };
    if (override?.until) {
      void override.until.then(() => {
        if (!response.destroyed) reply();
      });
    } else if (override?.delayMs) {
      const timer = setTimeout(reply, override.delayMs);
      response.on("close", () => clearTimeout(timer));
    } else {
      reply();
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 500, `stub failure: ${String(error)}`, "text/plain");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * GetDCVEmailAddressList is always text; AutoApplySSL and AutoReplaceSSL follow responseFormat
 * (0 = text, the default).
 */
function encodingFor(endpoint: SectigoStubEndpoint, form: Record<string, string>): Encoding {
  switch (endpoint) {
    case "GetDCVEmailAddressList":
      return "text";
    case "AutoApplySSL":
    case "AutoReplaceSSL":
      return form.responseFormat === "1" ? "url" : "text";
    case "CollectSSL":
    case "ResendDCVEmail":
    case "AutoUpdateDCV":
      return "url";
  }
}

function encode(result: StubAnswer, encoding: Encoding): string {
  if (encoding === "text") {
    if (result.code < 0) return `${result.code}\n${result.message ?? ""}\n`;
    const keyed = (result.pairs ?? []).map(([key, value]) => `${key}\t${value}`);
    const lines = result.lines ?? keyed;
    return `${[String(result.code), ...lines].join("\n")}\n`;
  }
  const pairs: [string, string][] = [["errorCode", String(result.code)]];
  if (result.message) pairs.push(["errorMessage", result.message]);
  if (result.item) pairs.push(["errorItem", result.item]);
  pairs.push(...(result.pairs ?? []));
  // Base64 goes out as is (literal `+`), everything else form-encoded.
  return pairs
    .map(([key, value]) =>
      BASE64_FIELDS.has(key) ? `${key}=${value}` : new URLSearchParams([[key, value]]).toString(),
    )
    .join("&");
}

function closedOrderRefusal(order: SectigoStubOrder): StubAnswer | undefined {
  if (order.state === "rejected") return { code: -20, message: "The certificate request has been rejected!" };
  if (order.state === "cancelled") return { code: -21, message: "The certificate has been revoked!" };
  return undefined;
}

function missingArgument(name: string): StubAnswer {
  return { code: -3, message: `The '${name}' argument is missing!`, item: name };
}

function invalidArgument(name: string): StubAnswer {
  return { code: -4, message: `The value of the '${name}' argument is invalid!`, item: name };
}

function readCsr(csr: string): { pem: string; commonName: string } | StubAnswer {
  const pem = csr.includes("-----BEGIN")
    ? csr
    : `-----BEGIN CERTIFICATE REQUEST-----\n${csr}\n-----END CERTIFICATE REQUEST-----\n`;
  let request: forge.pki.CertificateSigningRequest;
  try {
    request = forge.pki.certificationRequestFromPem(pem);
  } catch {
    return { code: -10, message: "The CSR could not be decoded!" };
  }
  if (!request.verify()) return { code: -12, message: "The CSR's signature is invalid!" };
  const commonName = request.subject.getField("CN")?.value;
  if (typeof commonName !== "string" || commonName === "") {
    return { code: -8, message: "The CSR is missing a required field!" };
  }
  return { pem, commonName: commonName.toLowerCase() };
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
}

function unixSeconds(date: string): string {
  return String(Math.floor(new Date(date).getTime() / 1000));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, body: string, contentType: string): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { "Content-Type": contentType });
  response.end(body);
}
