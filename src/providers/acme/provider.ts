import { isBefore } from "date-fns/isBefore";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { parseCsr } from "../../certs/csr.js";
import { inspectCertificate, splitPemBundle } from "../../certs/inspect.js";
import { generateKeyPair } from "../../certs/keys.js";
import { renewalCertId } from "../../certs/renewal-id.js";
import type { Vault } from "../../certs/vault.js";
import type { Clock } from "../../clock.js";
import type { Database } from "../../db/client.js";
import { type AcmeChallengeRecord, acmeAccounts, acmeOrders } from "../../db/schema.js";
import type { DcvInstruction, DcvMethod, DomainValidationState } from "../../domain/dcv.js";
import { baseName, isWildcard } from "../../domain/names.js";
import type { Product, ServerType } from "../../domain/product.js";
import { ProviderAuthError, ProviderError, ProviderInputError, ProviderUnavailableError } from "../errors.js";
import type {
  ChangeValidationRequest,
  PlaceOrderRequest,
  PlaceOrderResult,
  ProviderCapabilities,
  ReissueResult,
  RenewalWindow,
  RenewRequest,
  RevokeRequest,
  SslProvider,
  StatusResult,
} from "../types.js";
import { REVOCATION_REASONS } from "../types.js";
import { ACME_SERVER_TYPES, acmeProducts, parseAcmeProductId } from "./catalogue.js";
import { type AcmeConnection, type AcmeSession, openAcmeSession } from "./connection.js";
import { type AcmeProblem, problemInPlainWords } from "./problems.js";

/**
 * Any ACME v2 CA (RFC 8555) as a provider: Let's Encrypt, ZeroSSL, Sectigo's DV ACME, a private CA.
 * An order here is an ACME order, "ACME-<n>" in certdesk, kept in acme_orders with what finalizing
 * needs (the CSR) and what the person must publish (each domain's challenge). The CA validates a
 * domain only when asked (capabilities.validatesWhenAsked): the "Record is in place" button and the
 * poller (after the "Will it issue?" check) call recheckValidation, which answers the challenges;
 * getStatus finalizes a ready order and downloads the certificate.
 */

const ID = "acme";

export interface AcmeProviderOptions {
  db: Database;
  vault: Vault;
  clock: Clock;
  connection: AcmeConnection;
  /** ACME_EMAIL: the account's contact, where the CA sends expiry and incident notices. */
  email?: string;
  /** ACME_AUTO_RENEW: renew in the CA's window without a person (orders/renewal-windows.ts). */
  autoRenew: boolean;
}

type AcmeOrderRow = typeof acmeOrders.$inferSelect;

/** The CAs certdesk knows by their directory's host: their name and their CAA identifiers. */
const KNOWN_CAS: { host: RegExp; name: string; caa: string[] }[] = [
  { host: /(^|\.)letsencrypt\.org$/, name: "Let's Encrypt", caa: ["letsencrypt.org"] },
  { host: /(^|\.)zerossl\.com$/, name: "ZeroSSL", caa: ["sectigo.com", "zerossl.com"] },
  { host: /(^|\.)sectigo\.com$/, name: "Sectigo ACME", caa: ["sectigo.com", "comodoca.com"] },
];

function knownCa(directoryUrl: string): { name: string; caa: string[] } {
  const host = new URL(directoryUrl).hostname.toLowerCase();
  const known = KNOWN_CAS.find((ca) => ca.host.test(host));
  if (known) return known;
  // A private or test CA: its CAA name is not published anywhere certdesk can read; its host
  // (an IP address becomes a placeholder) lets the "Will it issue?" check name something.
  const caa = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) && !/^[\d.]+$/.test(host) ? host : "acme.invalid";
  return { name: "ACME", caa: [caa] };
}

const RenewalInfoAnswer = z.object({
  suggestedWindow: z.object({
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
  }),
  explanationURL: z.url().optional(),
});

export class AcmeProvider implements SslProvider {
  readonly id = ID;
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities;
  readonly autoRenew: boolean;
  private session?: Promise<AcmeSession>;
  /** A session with a throw-away key, for reading the directory before any account exists. */
  private anonymous?: Promise<AcmeSession>;

  constructor(private readonly options: AcmeProviderOptions) {
    const ca = knownCa(options.connection.directoryUrl);
    this.displayName = ca.name;
    this.autoRenew = options.autoRenew;
    this.capabilities = {
      caIdentifiers: ca.caa,
      // No e-mail: ACME validates by http-01 and dns-01 (tls-alpn-01 needs the server's TLS stack).
      dcvMethods: ["http", "dns"],
      addons: false,
      multiDomain: true,
      wildcard: true,
      // A renewal is a new ACME order (free), with `replaces` naming the certificate it succeeds.
      renew: true,
      reissue: false,
      resendApproval: false,
      // Until a challenge is answered, any of the authorization's challenges may be used instead.
      changeValidation: true,
      changeValidationPerDomain: true,
      recheckValidation: true,
      validatesWhenAsked: true,
      revoke: true,
      minPollIntervalSeconds: 10,
      // How long a CA reuses a valid authorization is its own (Let's Encrypt: up to 30 days); the
      // renewal forms promise no more than that. A renewal shows whether the CA reused it.
      dcvReuseDays: 30,
    };
  }

  async listProducts(): Promise<Product[]> {
    // Reading the directory needs no account: listing products must not register one at the CA.
    this.anonymous ??= generateKeyPair("ec-p256").then(({ privateKeyPem }) =>
      openAcmeSession(this.options.connection, { key: privateKeyPem }),
    );
    try {
      const directory = await (await this.anonymous).directory();
      return acmeProducts(this.displayName, directory.meta?.profiles);
    } catch (error) {
      throw this.providerError("read the directory", error);
    }
  }

  async listServerTypes(): Promise<ServerType[]> {
    return structuredClone([...ACME_SERVER_TYPES]);
  }

  /** ACME has no e-mail validation: nobody approves by mail. */
  async getApproverEmails(): Promise<string[]> {
    return [];
  }

  placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    return this.place(request);
  }

  async renew(request: RenewRequest): Promise<PlaceOrderResult> {
    const previous = await this.findOrder(request.previousProviderOrderId).catch(() => undefined);
    return this.place(request, previous?.certificatePem ?? undefined);
  }

  async reissue(): Promise<ReissueResult> {
    throw new ProviderInputError(
      ID,
      "order",
      "ACME certificates are not reissued: renew instead (it is free).",
    );
  }

  async resendApproval(): Promise<void> {
    throw new ProviderInputError(
      ID,
      "dcvMethod",
      "ACME validates by a DNS record or an HTTP file, not by e-mail.",
    );
  }

  async changeValidation(request: ChangeValidationRequest): Promise<DcvInstruction[]> {
    const row = await this.findOrder(request.providerOrderId);
    const changed: DcvInstruction[] = [];
    const challenges = [...row.challenges];
    await this.call("change the validation", async (session) => {
      for (const change of request.domains) {
        const index = challenges.findIndex((record) => record.domain === change.domain);
        const record = challenges[index];
        if (!record) {
          throw new ProviderInputError(
            ID,
            "domain",
            `${change.domain} is not a domain of ${request.providerOrderId}.`,
          );
        }
        const method = this.acmeMethod(change.method, isWildcard(change.domain) ? change.domain : undefined);
        const [authorization] = await session.client.getAuthorizations({
          authorizations: [record.authorizationUrl],
        } as never);
        if (authorization?.status !== "pending") {
          throw new ProviderInputError(
            ID,
            "dcvMethod",
            `${change.domain} is already ${authorization?.status ?? "unknown"} at the CA: its validation can no longer change.`,
          );
        }
        if (authorization.challenges.some((challenge) => challenge.status !== "pending")) {
          throw new ProviderInputError(
            ID,
            "dcvMethod",
            `The CA is already checking ${change.domain}: its validation can no longer change.`,
          );
        }
        const next = await this.challengeRecord(session, change.domain, authorization, method);
        challenges[index] = next;
        const instruction = this.instruction(next, method);
        if (instruction) changed.push(instruction);
      }
    });
    const methods = new Set(challenges.filter((record) => record.type).map((record) => record.type));
    await this.options.db
      .update(acmeOrders)
      .set({
        challenges,
        ...(methods.size === 1 ? { dcvMethod: fromChallengeType([...methods][0]) } : {}),
        updatedAt: this.options.clock.now(),
      })
      .where(eq(acmeOrders.id, row.id));
    return changed;
  }

  /**
   * Answers the challenges of these domains: the CA now fetches the file or looks up the record
   * (once: a challenge that fails stays failed, the order with it). Domains already valid, or
   * being checked, are left alone, so a second click or a poll changes nothing.
   */
  async recheckValidation(request: ChangeValidationRequest): Promise<void> {
    const row = await this.findOrder(request.providerOrderId);
    const wanted = new Set(request.domains.map((change) => change.domain));
    await this.call("ask the CA to validate", async (session) => {
      for (const record of row.challenges) {
        if (!wanted.has(record.domain) || !record.challengeUrl) continue;
        const [authorization] = await session.client.getAuthorizations({
          authorizations: [record.authorizationUrl],
        } as never);
        const challenge = authorization?.challenges.find(
          (candidate) => candidate.url === record.challengeUrl,
        );
        if (authorization?.status !== "pending" || challenge?.status !== "pending") continue;
        await session.client.completeChallenge(challenge);
      }
    });
  }

  async getStatus(providerOrderId: string): Promise<StatusResult> {
    let row = await this.findOrder(providerOrderId);
    if (row.certificatePem) return this.issuedStatus(row);
    if (row.status === "invalid") return this.rejectedStatus(row, []);
    // Only the CA's answers are read inside `call` (its errors become provider errors); what is
    // stored of them is written after, so a database failure stays a database failure.
    const seen = await this.call("read the order", async (session) => {
      let order = await session.client.getOrder({ url: row.orderUrl } as never);
      if (order.status === "ready") order = await this.finalize(session, row, order);
      if (order.status === "valid" && order.certificate) {
        return { certificate: await session.client.getCertificate(order) };
      }
      return { order, authorizations: await session.client.getAuthorizations(order) };
    });
    if ("certificate" in seen) {
      row = await this.storeCertificate(row, seen.certificate ?? "");
      return this.issuedStatus(row);
    }
    const { order, authorizations } = seen;
    const domains = authorizations.map((authorization) => ({
      domain: authorization.wildcard ? `*.${authorization.identifier.value}` : authorization.identifier.value,
      method: fromChallengeType(this.recordFor(row, authorization.url)?.type),
      state: authorizationState(authorization.status),
    }));
    if (order.status === "invalid") {
      const problem = this.problemOf(order, authorizations);
      row = (await this.update(row, { status: "invalid", problem })) ?? row;
      return this.rejectedStatus(row, domains);
    }
    const waiting = domains.filter((domain) => domain.state === "pending").map((domain) => domain.domain);
    const detail =
      order.status === "processing" || order.status === "ready"
        ? ["The CA is issuing the certificate"]
        : [
            `Waiting for validation of ${waiting.join(", ") || "the domains"} (${row.dcvMethod}): publish the record, then press "Record is in place"`,
          ];
    return { status: "pending", detail, domains };
  }

  async revoke(request: RevokeRequest): Promise<void> {
    const row = await this.findOrder(request.providerOrderId);
    const current = row.certificatePem === request.certificatePem;
    // Revoked already (a retry after certdesk failed to record it, two approvers at once): done,
    // so the retry can record it instead of being told "nothing changed".
    if (current && row.revokedAt) return;
    await this.call("revoke the certificate", async (session) => {
      await session.client
        .revokeCertificate(request.certificatePem, { reason: REVOCATION_REASONS[request.reason] })
        .catch((error: unknown) => {
          if (/already (been )?revoked/i.test((error as Error).message ?? "")) return;
          throw error;
        });
    });
    if (current) {
      await this.update(row, { revokedAt: this.options.clock.now() });
    }
  }

  async renewalWindow(_providerOrderId: string, certificatePem: string): Promise<RenewalWindow | undefined> {
    return this.call("read the renewal window", async (session) => {
      const directory = await session.directory();
      if (!directory.renewalInfo) return undefined;
      const certId = await renewalCertId(certificatePem);
      const answer = await session.get(`${directory.renewalInfo.replace(/\/$/, "")}/${certId}`);
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) {
        throw new ProviderUnavailableError(
          ID,
          `The CA's renewal information answered HTTP ${answer.status}.`,
        );
      }
      const parsed = RenewalInfoAnswer.safeParse(answer.data);
      if (!parsed.success) {
        throw new ProviderUnavailableError(ID, "The CA's renewal information could not be read.");
      }
      const retryAfterSeconds = Number(answer.headers["retry-after"]);
      return {
        start: new Date(parsed.data.suggestedWindow.start),
        end: new Date(parsed.data.suggestedWindow.end),
        ...(parsed.data.explanationURL ? { explanationUrl: parsed.data.explanationURL } : {}),
        ...(Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0
          ? { retryAfter: new Date(this.options.clock.now().getTime() + retryAfterSeconds * 1000) }
          : {}),
      };
    });
  }

  private async place(request: PlaceOrderRequest, replacing?: string): Promise<PlaceOrderResult> {
    const { kind, profile } = parseAcmeProductId(request.productId);
    if (!kind)
      throw new ProviderInputError(
        ID,
        "product",
        `${this.displayName} has no product "${request.productId}".`,
      );
    const domains = [request.commonName, ...request.sans];
    if (domains.some(isWildcard) && !kind.wildcard) {
      throw new ProviderInputError(ID, "domain", "Choose the wildcard product for a name starting with *.");
    }
    if (request.sans.length > 0 && !kind.multiDomain) {
      throw new ProviderInputError(ID, "sans", "Choose the multi-domain product for more than one name.");
    }
    const method = this.acmeMethod(request.dcvMethod, domains.find(isWildcard));
    let csrDomains: string[];
    try {
      csrDomains = parseCsr(request.csrPem).domains;
    } catch (error) {
      throw new ProviderInputError(ID, "csr", `The CSR could not be read: ${(error as Error).message}`);
    }
    if (!csrDomains.includes(request.commonName)) {
      throw new ProviderInputError(ID, "csr", `The CSR does not name ${request.commonName}.`);
    }
    const placed = await this.call("place the order", async (session) => {
      const directory = await session.directory();
      if (profile && !directory.meta?.profiles?.[profile]) {
        throw new ProviderInputError(
          ID,
          "product",
          `${this.displayName} no longer offers the ${profile} profile.`,
        );
      }
      // RFC 9773 §5: `replaces` only where the CA offers renewal information (others may refuse it).
      const replaces = replacing && directory.renewalInfo ? await renewalCertId(replacing) : undefined;
      const order = await session.client.createOrder({
        identifiers: domains.map((domain) => ({ type: "dns", value: domain })),
        ...(profile ? { profile } : {}),
        ...(replaces ? { replaces } : {}),
      } as never);
      const authorizations = await session.client.getAuthorizations(order);
      const challenges: AcmeChallengeRecord[] = [];
      for (const authorization of authorizations) {
        const domain = authorization.wildcard
          ? `*.${authorization.identifier.value}`
          : authorization.identifier.value;
        challenges.push(await this.challengeRecord(session, domain, authorization, method));
      }
      return { order, challenges, replaces };
    });
    // Stored after the CA answered (outside `call`: a database failure is not the CA's refusal).
    // Should this fail, the ACME order is left unused at the CA: free, and it expires by itself.
    const now = this.options.clock.now();
    const [row] = await this.options.db
      .insert(acmeOrders)
      .values({
        directoryUrl: this.options.connection.directoryUrl,
        orderUrl: placed.order.url,
        csr: request.csrPem,
        dcvMethod: method,
        domains,
        challenges: placed.challenges,
        profile: profile ?? null,
        replaces: placed.replaces ?? null,
        status: placed.order.status,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!row) throw new Error("the ACME order could not be stored");
    return {
      providerOrderId: `ACME-${row.id}`,
      status: "pending",
      cost: { amount: "0.00", currency: "USD" },
      dcv: placed.challenges.flatMap((record) => this.instruction(record, method) ?? []),
    };
  }

  private acmeMethod(method: DcvMethod, wildcard?: string): "http" | "dns" {
    if (method === "email") {
      throw new ProviderInputError(
        ID,
        "dcvMethod",
        `${this.displayName} validates by DNS record or HTTP file, not by e-mail.`,
      );
    }
    if (method === "http" && wildcard) {
      throw new ProviderInputError(
        ID,
        "dcvMethod",
        `A wildcard name (${wildcard}) is validated by DNS only.`,
      );
    }
    return method;
  }

  private async challengeRecord(
    session: AcmeSession,
    domain: string,
    authorization: {
      url: string;
      status: string;
      challenges: { type: string; url: string; token: string; status: string }[];
    },
    method: "http" | "dns",
  ): Promise<AcmeChallengeRecord> {
    if (authorization.status === "valid") {
      return { domain, authorizationUrl: authorization.url, alreadyValid: true };
    }
    const type = `${method}-01`;
    const challenge = authorization.challenges.find((candidate) => candidate.type === type);
    if (!challenge) {
      throw new ProviderInputError(ID, "dcvMethod", `The CA offers no ${type} validation for ${domain}.`);
    }
    return {
      domain,
      authorizationUrl: authorization.url,
      challengeUrl: challenge.url,
      type,
      token: challenge.token,
      keyAuthorization: await session.client.getChallengeKeyAuthorization(challenge as never),
    };
  }

  /** What the person publishes: the file at its URL, or the TXT record (RFC 8555 §8.3, §8.4). */
  private instruction(record: AcmeChallengeRecord, method: "http" | "dns"): DcvInstruction | undefined {
    if (record.alreadyValid || !record.token || !record.keyAuthorization) return undefined;
    const host = baseName(record.domain);
    if (method === "http") {
      return {
        domain: record.domain,
        method: "http",
        httpUrl: `http://${host}/.well-known/acme-challenge/${record.token}`,
        httpContent: record.keyAuthorization,
      };
    }
    return {
      domain: record.domain,
      method: "dns",
      dnsRecord: { name: `_acme-challenge.${host}`, type: "TXT", value: record.keyAuthorization },
    };
  }

  private recordFor(row: AcmeOrderRow, authorizationUrl: string): AcmeChallengeRecord | undefined {
    return row.challenges.find((record) => record.authorizationUrl === authorizationUrl);
  }

  /**
   * Sends the CSR; the CA then issues, usually within a second or two. A few short looks save a
   * poll cycle; a CA that takes longer is found "processing" and asked again by the next poll.
   */
  private async finalize(session: AcmeSession, row: AcmeOrderRow, order: { url: string; status: string }) {
    let current = await session.client
      .finalizeOrder(order as never, row.csr)
      .catch(async (error: unknown) => {
        // Another poller (or replica) finalized it first: the order has moved on.
        const again = await session.client.getOrder({ url: row.orderUrl } as never);
        if (again.status === "ready") throw error;
        return again;
      });
    for (let look = 0; look < 5 && current.status === "processing"; look++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      current = await session.client.getOrder({ url: row.orderUrl } as never);
    }
    return current;
  }

  private async storeCertificate(row: AcmeOrderRow, bundle: string): Promise<AcmeOrderRow> {
    const [leaf, ...chain] = splitPemBundle(bundle);
    if (!leaf) throw new ProviderUnavailableError(ID, "The CA's certificate download held no certificate.");
    const details = inspectCertificate(leaf);
    const [stored] = await this.options.db
      .update(acmeOrders)
      .set({
        status: "valid",
        certificatePem: leaf,
        chain,
        notBefore: details.notBefore,
        notAfter: details.notAfter,
        updatedAt: this.options.clock.now(),
      })
      // Two pollers at once store the same certificate once.
      .where(and(eq(acmeOrders.id, row.id), isNull(acmeOrders.certificatePem)))
      .returning();
    return stored ?? (await this.findOrder(`ACME-${row.id}`));
  }

  private issuedStatus(row: AcmeOrderRow): StatusResult {
    const now = this.options.clock.now();
    const notAfter = row.notAfter ?? now;
    const expired = !isBefore(now, notAfter);
    return {
      status: expired ? "expired" : "issued",
      detail: [
        row.revokedAt
          ? `Certificate revoked on ${row.revokedAt.toISOString().slice(0, 10)}`
          : expired
            ? "Certificate expired"
            : `Certificate issued by ${this.displayName}`,
      ],
      domains: row.domains.map((domain) => ({
        domain,
        method: fromChallengeType(row.challenges.find((record) => record.domain === domain)?.type),
        state: "validated" as const,
      })),
      certificate: {
        certificatePem: row.certificatePem ?? "",
        chainPem: row.chain ?? [],
        notBefore: row.notBefore ?? now,
        notAfter,
        // No subscription: the certificate's end is the coverage's end.
        coverageEndsAt: notAfter,
      },
    };
  }

  private rejectedStatus(row: AcmeOrderRow, domains: StatusResult["domains"]): StatusResult {
    return {
      status: "rejected",
      detail: [row.problem ?? "The CA refused the order."],
      domains:
        domains.length > 0 ? domains : row.domains.map((domain) => ({ domain, state: "failed" as const })),
    };
  }

  /** The first failed challenge's problem in plain words, else the order's own error. */
  private problemOf(
    order: { error?: object; expires?: string },
    authorizations: { identifier: { value: string }; wildcard?: boolean; challenges: { error?: object }[] }[],
  ): string {
    for (const authorization of authorizations) {
      const failed = authorization.challenges.find((challenge) => challenge.error);
      if (failed?.error) {
        const domain = authorization.wildcard
          ? `*.${authorization.identifier.value}`
          : authorization.identifier.value;
        return problemInPlainWords(failed.error as AcmeProblem, domain);
      }
    }
    if (!order.error && order.expires && new Date(order.expires) < this.options.clock.now()) {
      return "The order expired at the CA before every domain was validated: order again.";
    }
    return problemInPlainWords(order.error as AcmeProblem | undefined);
  }

  private async update(row: AcmeOrderRow, patch: Partial<typeof acmeOrders.$inferInsert>) {
    const [updated] = await this.options.db
      .update(acmeOrders)
      .set({ ...patch, updatedAt: this.options.clock.now() })
      .where(eq(acmeOrders.id, row.id))
      .returning();
    return updated;
  }

  private async findOrder(providerOrderId: string): Promise<AcmeOrderRow> {
    const id = Number(/^ACME-(\d+)$/.exec(providerOrderId)?.[1]);
    const [row] = Number.isSafeInteger(id)
      ? await this.options.db.select().from(acmeOrders).where(eq(acmeOrders.id, id))
      : [];
    if (!row)
      throw new ProviderInputError(ID, "order", `${this.displayName} has no order ${providerOrderId}.`);
    if (row.directoryUrl !== this.options.connection.directoryUrl) {
      // Its account and URLs belong to the other CA: asking this one would only fail, every poll.
      throw new ProviderInputError(
        ID,
        "order",
        `${providerOrderId} was ordered from ${new URL(row.directoryUrl).host}, but ACME_DIRECTORY_URL now names ${new URL(this.options.connection.directoryUrl).host}: follow it at that CA.`,
      );
    }
    return row;
  }

  /** Runs `work` with the account's session; acme-client's errors become provider errors. */
  private async call<T>(what: string, work: (session: AcmeSession) => Promise<T>): Promise<T> {
    let session: AcmeSession | undefined;
    try {
      session = await this.openSession();
      return await work(session);
    } catch (error) {
      throw this.providerError(what, error, session?.lastProblem());
    }
  }

  private providerError(
    what: string,
    error: unknown,
    problem?: { status: number; type?: string },
  ): ProviderError {
    if (error instanceof ProviderError) return error;
    const host = new URL(this.options.connection.directoryUrl).host;
    const code = (error as { code?: string }).code;
    const response = (error as { response?: unknown }).response;
    if (code && !response) {
      return new ProviderUnavailableError(
        ID,
        `The ACME CA at ${host} could not be reached to ${what} (${code}).`,
        {
          cause: error,
        },
      );
    }
    const message = (error as Error).message?.replace(/\s+/g, " ").trim() || "no reason given";
    const kind = problem?.type?.replace("urn:ietf:params:acme:error:", "");
    if (kind === "rateLimited" || kind === "serverInternal" || (problem && problem.status >= 500)) {
      return new ProviderUnavailableError(
        ID,
        `${problemInPlainWords({ type: problem?.type, detail: message })}`,
        {
          providerCode: kind,
          providerMessage: message,
          cause: error,
        },
      );
    }
    if (kind === "unauthorized" && what === "place the order") {
      return new ProviderInputError(ID, "domain", `The CA will not issue for these names: ${message}`, {
        providerCode: kind,
        providerMessage: message,
      });
    }
    if (
      kind === "externalAccountRequired" ||
      kind === "accountDoesNotExist" ||
      kind === "unauthorizedAccount" ||
      (!kind && /account|external account|eab|unauthorized/i.test(message) && /account/i.test(what + message))
    ) {
      return new ProviderAuthError(ID, `The ACME CA at ${host} refused the account: ${message}`, {
        providerMessage: message,
      });
    }
    const status = (response as { status?: number } | undefined)?.status;
    if (status !== undefined && (status >= 500 || status === 429)) {
      return new ProviderUnavailableError(ID, `The ACME CA at ${host} could not ${what} (HTTP ${status}).`, {
        cause: error,
      });
    }
    if (what === "place the order") {
      return new ProviderInputError(ID, "domain", `The CA refused the order: ${message}`, {
        providerMessage: message,
      });
    }
    return new ProviderUnavailableError(ID, `The ACME CA at ${host} could not ${what}: ${message}`, {
      providerMessage: message,
      cause: error,
    });
  }

  private openSession(): Promise<AcmeSession> {
    this.session ??= this.loadOrCreateAccount().catch((error: unknown) => {
      this.session = undefined;
      throw error;
    });
    return this.session;
  }

  /**
   * The account at this directory, made once: its key is generated here, registered (with EAB where
   * the CA needs it), and kept encrypted by the vault. Replicas racing to make it keep the first
   * stored one (the loser's registration stays unused at the CA).
   */
  private async loadOrCreateAccount(): Promise<AcmeSession> {
    const { db, vault, connection, email } = this.options;
    const stored = async () =>
      (await db.select().from(acmeAccounts).where(eq(acmeAccounts.directoryUrl, connection.directoryUrl)))[0];
    const existing = await stored();
    if (existing) {
      return openAcmeSession(connection, {
        key: vault.decrypt(existing.encryptedAccountKey),
        url: existing.accountUrl,
      });
    }
    const { privateKeyPem } = await generateKeyPair("ec-p256");
    const session = await openAcmeSession(connection, { key: privateKeyPem });
    try {
      await session.client.createAccount({
        termsOfServiceAgreed: true,
        ...(email ? { contact: [`mailto:${email}`] } : {}),
      });
    } catch (error) {
      const message = (error as Error).message?.replace(/\s+/g, " ").trim();
      if ((error as { code?: string }).code && !(error as { response?: unknown }).response) throw error;
      throw new ProviderAuthError(ID, `The ACME CA refused to open an account: ${message}`, {
        providerMessage: message,
      });
    }
    await db
      .insert(acmeAccounts)
      .values({
        directoryUrl: connection.directoryUrl,
        accountUrl: session.client.getAccountUrl(),
        encryptedAccountKey: vault.encrypt(privateKeyPem),
      })
      .onConflictDoNothing();
    const row = await stored();
    if (!row) throw new Error("the ACME account could not be stored");
    return openAcmeSession(connection, { key: vault.decrypt(row.encryptedAccountKey), url: row.accountUrl });
  }
}

function fromChallengeType(type: string | undefined): DcvMethod | undefined {
  if (type === "http-01") return "http";
  if (type === "dns-01") return "dns";
  return undefined;
}

function authorizationState(status: string): DomainValidationState {
  if (status === "valid") return "validated";
  if (status === "pending") return "pending";
  if (status === "invalid" || status === "revoked" || status === "expired" || status === "deactivated")
    return "failed";
  return "unknown";
}
