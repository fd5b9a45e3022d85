import { addSeconds } from "date-fns/addSeconds";
import { isBefore } from "date-fns/isBefore";
import { and, eq } from "drizzle-orm";
import { getDomain } from "tldts";
import { type CertificateAuthority, createCertificateAuthority, signCsr } from "../../certs/authority.js";
import { parseCsr } from "../../certs/csr.js";
import type { Vault } from "../../certs/vault.js";
import type { Clock } from "../../clock.js";
import type { Database } from "../../db/client.js";
import { sandboxAuthority, sandboxOrders } from "../../db/schema.js";
import type { DcvInstruction } from "../../domain/dcv.js";
import { certificateEnd, coverageEnd } from "../../domain/lifetime.js";
import { quote } from "../../domain/money.js";
import { baseName } from "../../domain/names.js";
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
  RevokeRequest,
  SslProvider,
  StatusResult,
} from "../types.js";
import { SANDBOX_PRODUCTS, SANDBOX_SERVER_TYPES } from "./catalogue.js";

/**
 * The built-in provider: behaves like a Sectigo reseller account so the whole product works
 * without one. Orders live in the database (restart-safe) and are issued, by a CA of its own,
 * SANDBOX_APPROVAL_SECONDS after they were placed (or reissued). A certificate lives as long as the
 * CA/Browser Forum allows on its day (199 days in 2026), never past the subscription's end; a
 * reissue is another such certificate on the same order.
 *
 * Trigger domains show the unhappy paths:
 * - a domain starting `refuse-` is refused when the order is placed (the form reopens);
 * - a domain starting `reject-` is rejected during validation.
 *
 * An issued order's current certificate can be revoked; the order is cancelled from then on.
 */

const MAILBOXES = ["admin", "administrator", "hostmaster", "postmaster", "webmaster"];

export interface SandboxOptions {
  db: Database;
  vault: Vault;
  clock: Clock;
  approvalSeconds: number;
}

export class SandboxProvider implements SslProvider {
  readonly id = "sandbox" as const;
  readonly displayName = "Sandbox";
  readonly capabilities: ProviderCapabilities = {
    // The sandbox's own test CA: a CAA record never names it, so a domain with CAA shows the refusal.
    caIdentifiers: ["sandbox.certdesk.invalid"],
    dcvMethods: ["email", "http", "dns"],
    addons: true,
    multiDomain: true,
    wildcard: true,
    renew: true,
    reissue: true,
    resendApproval: true,
    changeValidation: true,
    // The sandbox keeps one method per order (its orders table has one column for it).
    changeValidationPerDomain: false,
    // The sandbox validates after SANDBOX_APPROVAL_SECONDS whatever is published.
    recheckValidation: false,
    validatesWhenAsked: false,
    // Its own CA keeps no revocation list: a revoked order is reported cancelled from then on.
    revoke: true,
    minPollIntervalSeconds: 5,
  };
  private authority?: Promise<CertificateAuthority>;

  constructor(private readonly options: SandboxOptions) {}

  async listProducts(): Promise<Product[]> {
    return structuredClone([...SANDBOX_PRODUCTS]);
  }

  async listServerTypes(): Promise<ServerType[]> {
    return structuredClone([...SANDBOX_SERVER_TYPES]);
  }

  async getApproverEmails(domain: string): Promise<string[]> {
    const host = baseName(domain).toLowerCase();
    const labels = host.split(".");
    if (labels.length < 2 || /^\d+(\.\d+){3}$/.test(host)) {
      throw new ProviderInputError(
        "sandbox",
        "domain",
        "The sandbox only issues for domain names like www.example.com.",
      );
    }
    const registrable = getDomain(host) ?? labels.slice(-2).join(".");
    const addresses = MAILBOXES.map((box) => `${box}@${registrable}`);
    if (host !== registrable) addresses.push(...MAILBOXES.map((box) => `${box}@${host}`));
    return addresses;
  }

  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    return this.place(request);
  }

  async renew(request: RenewRequest): Promise<PlaceOrderResult> {
    return this.place(request, request.previousProviderOrderId);
  }

  async reissue(request: ReissueRequest): Promise<ReissueResult> {
    const order = await this.findOrder(request.providerOrderId);
    if (order.status !== "issued" || !order.coverageEndsAt) {
      throw new ProviderInputError(
        "sandbox",
        "order",
        `The sandbox can only reissue an issued order; ${request.providerOrderId} is ${order.status}.`,
      );
    }
    const now = this.options.clock.now();
    if (!isBefore(now, order.coverageEndsAt)) {
      throw new ProviderInputError(
        "sandbox",
        "order",
        `${request.providerOrderId}'s subscription has ended.`,
      );
    }
    const domains = [request.commonName, ...request.sans];
    await Promise.all(domains.map((domain) => this.getApproverEmails(domain)));
    const csrDomains = this.csrDomains(request.csrPem);
    if (!csrDomains.includes(request.commonName)) {
      throw new ProviderInputError("sandbox", "csr", `The CSR does not name ${request.commonName}.`);
    }
    if (request.dcvMethod === "email" && !request.approverEmail) {
      throw new ProviderInputError("sandbox", "approverEmail", "Choose an approver e-mail address.");
    }
    // The earlier certificate stays on the row (and valid) until the new one is signed.
    await this.options.db
      .update(sandboxOrders)
      .set({
        commonName: request.commonName,
        domains,
        csr: request.csrPem,
        dcvMethod: request.dcvMethod,
        approverEmail: request.approverEmail ?? null,
        status: "pending",
        issueAt: addSeconds(now, this.options.approvalSeconds),
      })
      .where(eq(sandboxOrders.id, order.id));
    return {
      status: "pending",
      dcv: domains.map((domain) => this.dcvInstruction(domain, request, order.id)),
    };
  }

  async resendApproval(providerOrderId: string): Promise<void> {
    await this.findOrder(providerOrderId);
  }

  /**
   * The sandbox validates every domain of an order the same way (one method and approver per order),
   * so the change applies to the whole order and a request mixing methods or approvers is refused.
   * Only a pending order can change; its issue time stays as it was.
   */
  async changeValidation(request: ChangeValidationRequest): Promise<DcvInstruction[]> {
    const order = await this.findOrder(request.providerOrderId);
    const [first] = request.domains;
    if (!first) return [];
    if (order.status !== "pending") {
      throw new ProviderInputError(
        "sandbox",
        "order",
        `The sandbox can only change the validation of a pending order; ${request.providerOrderId} is ${order.status}.`,
      );
    }
    const outside = request.domains.find((change) => !order.domains.includes(change.domain));
    if (outside) {
      throw new ProviderInputError(
        "sandbox",
        "domain",
        `${outside.domain} is not a domain of ${request.providerOrderId}.`,
      );
    }
    const approverEmail = first.method === "email" ? first.approverEmail?.trim() : undefined;
    const mixed = request.domains.some(
      (change) =>
        change.method !== first.method ||
        (change.method === "email" && change.approverEmail?.trim() !== approverEmail),
    );
    if (mixed) {
      throw new ProviderInputError(
        "sandbox",
        "dcvMethod",
        "The sandbox validates every domain of an order the same way: choose one method (and one approver address) for all of them.",
      );
    }
    if (first.method === "email" && !approverEmail) {
      throw new ProviderInputError("sandbox", "approverEmail", "Choose an approver e-mail address.");
    }
    // Only while still pending: an order issued meanwhile keeps the validation it was issued with.
    const [changed] = await this.options.db
      .update(sandboxOrders)
      .set({ dcvMethod: first.method, approverEmail: approverEmail ?? null })
      .where(and(eq(sandboxOrders.id, order.id), eq(sandboxOrders.status, "pending")))
      .returning({ id: sandboxOrders.id });
    if (!changed) {
      throw new ProviderInputError(
        "sandbox",
        "order",
        `The sandbox can only change the validation of a pending order; ${request.providerOrderId} is no longer pending.`,
      );
    }
    const validation = { dcvMethod: first.method, approverEmail };
    return request.domains.map((change) => this.dcvInstruction(change.domain, validation, order.id));
  }

  /**
   * Revokes the order's current certificate (the one on its row: an earlier certificate of a
   * reissued order is not known any more). The order then reports cancelled, as GoGetSSL reports a
   * revoked one.
   */
  async revoke(request: RevokeRequest): Promise<void> {
    const order = await this.findOrder(request.providerOrderId);
    if (order.status !== "issued" || !order.certificatePem) {
      throw new ProviderInputError(
        "sandbox",
        "order",
        `The sandbox can only revoke an issued certificate; ${request.providerOrderId} is ${order.status}.`,
      );
    }
    if (!samePem(order.certificatePem, request.certificatePem)) {
      throw new ProviderInputError(
        "sandbox",
        "order",
        `That certificate is not the current certificate of ${request.providerOrderId}.`,
      );
    }
    // Only while still issued: a reissue started meanwhile keeps the order pending.
    const [revoked] = await this.options.db
      .update(sandboxOrders)
      .set({ status: "revoked" })
      .where(and(eq(sandboxOrders.id, order.id), eq(sandboxOrders.status, "issued")))
      .returning({ id: sandboxOrders.id });
    if (!revoked) {
      throw new ProviderInputError(
        "sandbox",
        "order",
        `The sandbox can only revoke an issued certificate; ${request.providerOrderId} is no longer issued.`,
      );
    }
  }

  async getStatus(providerOrderId: string): Promise<StatusResult> {
    const order = await this.findOrder(providerOrderId);
    const now = this.options.clock.now();
    if (order.status === "pending" && !isBefore(now, order.issueAt)) {
      if (baseName(order.commonName).startsWith("reject-")) {
        await this.options.db
          .update(sandboxOrders)
          .set({ status: "rejected" })
          .where(eq(sandboxOrders.id, order.id));
        order.status = "rejected";
      } else {
        Object.assign(order, await this.issue(order, now));
      }
    }
    return this.toStatus(order, now);
  }

  private async place(request: PlaceOrderRequest, renewalOf?: string): Promise<PlaceOrderResult> {
    const product = SANDBOX_PRODUCTS.find((candidate) => candidate.id === request.productId);
    if (!product)
      throw new ProviderInputError(
        "sandbox",
        "product",
        `The sandbox has no product "${request.productId}".`,
      );
    const domains = [request.commonName, ...request.sans];
    // Like a real CA, refuse IP addresses and bare names whatever the DCV method (HTTP/DNS skip the list).
    await Promise.all(domains.map((domain) => this.getApproverEmails(domain)));
    const refused = domains.find((domain) => baseName(domain).startsWith("refuse-"));
    if (refused) {
      throw new ProviderInputError(
        "sandbox",
        "domain",
        `The sandbox refuses ${refused} (a refuse- trigger domain).`,
        {
          providerCode: "-4",
          providerMessage: "The 'domainName' argument is invalid!",
        },
      );
    }
    // The simulated CA's own refusal of a CSR that does not fit the product (Sectigo's -5 / -6), as
    // the contract asks of every provider. certdesk decides this earlier, in orders/order-request.ts;
    // this is what a CA answers when something skipped that.
    if (product.wildcard !== request.commonName.startsWith("*.")) {
      throw new ProviderInputError("sandbox", "csr", "The CSR's common name does not fit the product.", {
        providerCode: product.wildcard ? "-6" : "-5",
      });
    }
    const csrDomains = this.csrDomains(request.csrPem);
    if (!csrDomains.includes(request.commonName)) {
      throw new ProviderInputError("sandbox", "csr", `The CSR does not name ${request.commonName}.`);
    }
    if (request.dcvMethod === "email" && !request.approverEmail) {
      throw new ProviderInputError("sandbox", "approverEmail", "Choose an approver e-mail address.");
    }
    const charged = quote(product, {
      periodMonths: request.periodMonths,
      addonIds: request.addonIds,
      additionalDomains: request.sans.length,
    });
    const now = this.options.clock.now();
    const [row] = await this.options.db
      .insert(sandboxOrders)
      .values({
        productId: product.id,
        commonName: request.commonName,
        domains,
        csr: request.csrPem,
        periodMonths: request.periodMonths,
        dcvMethod: request.dcvMethod,
        approverEmail: request.approverEmail,
        status: "pending",
        placedAt: now,
        issueAt: addSeconds(now, this.options.approvalSeconds),
        renewalOf: renewalOf ?? null,
      })
      .returning({ id: sandboxOrders.id });
    if (!row) throw new Error("sandbox order insert returned nothing");
    return {
      providerOrderId: `SBX-${row.id}`,
      status: "pending",
      // What its price list says, as a reseller charges the account.
      ...(charged ? { cost: charged } : {}),
      dcv: domains.map((domain) => this.dcvInstruction(domain, request, row.id)),
    };
  }

  private csrDomains(csrPem: string): string[] {
    try {
      return parseCsr(csrPem).domains;
    } catch (error) {
      throw new ProviderInputError(
        "sandbox",
        "csr",
        `The sandbox could not read the CSR: ${(error as Error).message}`,
      );
    }
  }

  private dcvInstruction(
    domain: string,
    request: Pick<PlaceOrderRequest, "dcvMethod" | "approverEmail">,
    id: number,
  ): DcvInstruction {
    const host = baseName(domain);
    const token = `sandbox${id}`;
    switch (request.dcvMethod) {
      case "http":
        return {
          domain,
          method: "http",
          httpUrl: `http://${host}/.well-known/pki-validation/${token.toUpperCase()}.txt`,
          httpContent: `${token}\nsandbox.certdesk`,
        };
      case "dns":
        return {
          domain,
          method: "dns",
          dnsRecord: { name: `_${token}.${host}`, type: "CNAME", value: `${token}.dcv.sandbox.certdesk` },
        };
      default:
        return { domain, method: "email", email: request.approverEmail };
    }
  }

  private async findOrder(providerOrderId: string) {
    const id = Number(/^SBX-(\d+)$/.exec(providerOrderId)?.[1]);
    const [order] = Number.isSafeInteger(id)
      ? await this.options.db.select().from(sandboxOrders).where(eq(sandboxOrders.id, id))
      : [];
    if (!order)
      throw new ProviderInputError("sandbox", "order", `The sandbox has no order ${providerOrderId}.`);
    return order;
  }

  private async issue(order: typeof sandboxOrders.$inferSelect, now: Date) {
    const ca = await this.certificateAuthority();
    const coverageEndsAt = order.coverageEndsAt ?? coverageEnd(now, order.periodMonths);
    const notAfter = certificateEnd(now, coverageEndsAt);
    const certificatePem = await signCsr({ ca, csrPem: order.csr, notBefore: now, notAfter });
    const issued = {
      status: "issued",
      certificatePem,
      chain: [ca.certificatePem],
      notBefore: now,
      notAfter,
      coverageEndsAt,
      issuedCount: order.issuedCount + 1,
    };
    // Only a pending order is issued: two pollers at once must not sign twice.
    const [stored] = await this.options.db
      .update(sandboxOrders)
      .set(issued)
      .where(and(eq(sandboxOrders.id, order.id), eq(sandboxOrders.status, "pending")))
      .returning();
    return stored ?? (await this.findOrder(`SBX-${order.id}`));
  }

  private certificateAuthority(): Promise<CertificateAuthority> {
    this.authority ??= this.loadOrCreateAuthority().catch((error: unknown) => {
      this.authority = undefined;
      throw error;
    });
    return this.authority;
  }

  private async loadOrCreateAuthority(): Promise<CertificateAuthority> {
    const { db, vault, clock } = this.options;
    const existing = await db.select().from(sandboxAuthority).where(eq(sandboxAuthority.id, 1));
    if (!existing[0]) {
      const created = await createCertificateAuthority({
        commonName: "certdesk Sandbox CA",
        now: clock.now(),
      });
      await db
        .insert(sandboxAuthority)
        .values({
          id: 1,
          certificatePem: created.certificatePem,
          encryptedPrivateKey: vault.encrypt(created.privateKeyPem),
        })
        .onConflictDoNothing();
    }
    // Re-read: another replica may have created it first, and everyone must sign with that one.
    const [row] = await db.select().from(sandboxAuthority).where(eq(sandboxAuthority.id, 1));
    if (!row) throw new Error("the sandbox CA could not be stored");
    return { certificatePem: row.certificatePem, privateKeyPem: vault.decrypt(row.encryptedPrivateKey) };
  }

  private toStatus(order: typeof sandboxOrders.$inferSelect, now: Date): StatusResult {
    const expired = order.status === "issued" && order.notAfter !== null && !isBefore(now, order.notAfter);
    const revoked = order.status === "revoked";
    const status = expired ? "expired" : revoked ? "cancelled" : (order.status as StatusResult["status"]);
    const domainState =
      status === "issued" || expired || revoked ? "validated" : status === "rejected" ? "failed" : "pending";
    const detail = {
      pending: [
        `Awaiting domain control validation (${order.dcvMethod})`,
        `Issues automatically at ${order.issueAt.toISOString()}`,
      ],
      issued: ["Certificate issued by certdesk Sandbox CA"],
      expired: ["Certificate expired"],
      rejected: ["Rejected during validation (reject- trigger domain)"],
      cancelled: [revoked ? "Certificate revoked" : "Cancelled"],
    }[status];
    return {
      status,
      detail,
      domains: order.domains.map((domain) => ({
        domain,
        method: order.dcvMethod as "email",
        state: domainState,
      })),
      certificate:
        order.certificatePem && order.notBefore && order.notAfter
          ? {
              certificatePem: order.certificatePem,
              chainPem: order.chain ?? [],
              notBefore: order.notBefore,
              notAfter: order.notAfter,
            }
          : undefined,
    };
  }
}

/** The same certificate, whatever the line endings and surrounding space. */
function samePem(a: string, b: string): boolean {
  const normal = (pem: string) => pem.replace(/\r\n/g, "\n").trim();
  return normal(a) === normal(b);
}
