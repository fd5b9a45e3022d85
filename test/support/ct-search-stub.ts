import { X509Certificate } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local Certificate Transparency search service in crt.sh's wire format (src/checks/ct-search.ts
 * describes it): `GET /?q=<pattern>&output=json` answers a JSON array of entries whose names match
 * the pattern (`%` a wildcard, case-insensitive, as crt.sh's identity search), `GET /?d=<id>` the
 * entry's certificate as PEM. Like a service that ignores `exclude=expired` and `deduplicate=Y`, it
 * lists every entry it holds, so certdesk's own filtering is what the tests see.
 */

export interface CtStubEntry {
  issuer_ca_id: number;
  issuer_name: string;
  common_name: string;
  name_value: string;
  id: number;
  entry_timestamp: string;
  not_before: string;
  not_after: string;
  serial_number: string;
  result_count: number;
}

export interface CtStubRequest {
  query: Record<string, string>;
}

/** Replaces the next answer: a status (and body), a delay before the real answer, or both. */
export interface CtForcedResponse {
  status?: number;
  body?: string;
  delayMs?: number;
}

/** crt.sh's dates: UTC, no zone. */
const wireDate = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "");

export class CtSearchStub {
  readonly requests: CtStubRequest[] = [];
  private readonly entries: CtStubEntry[] = [];
  private readonly pems = new Map<number, string>();
  private readonly forced: CtForcedResponse[] = [];
  private server?: Server;
  private nextId = 9_000_000;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  reset(): void {
    this.entries.length = 0;
    this.pems.clear();
    this.forced.length = 0;
    this.requests.length = 0;
  }

  /**
   * Logs a certificate: one entry, or with `precertificate` two (the precertificate first, as CAs
   * log it, then the certificate), the same serial and CA under two ids. `precertificatePem` serves
   * the precertificate's own PEM at its id (else the certificate's). Returns the entries' ids.
   */
  log(
    pem: string,
    options: { precertificate?: boolean; precertificatePem?: string; issuerCaId?: number } = {},
  ): number[] {
    const x509 = new X509Certificate(pem);
    const names = (x509.subjectAltName ?? "")
      .split(", ")
      .filter((part) => part.startsWith("DNS:"))
      .map((part) => part.slice(4));
    const commonName =
      x509.subject
        .split("\n")
        .find((line) => line.startsWith("CN="))
        ?.slice(3) ?? "";
    const issuer = x509.issuer.split("\n").join(", ");
    const ids: number[] = [];
    const add = (servedPem: string) => {
      this.nextId += 1;
      const id = this.nextId;
      this.entries.push({
        issuer_ca_id: options.issuerCaId ?? 16_418,
        issuer_name: issuer,
        common_name: commonName,
        name_value: [...new Set([commonName, ...names])].join("\n"),
        id,
        entry_timestamp: `${wireDate(new Date())}.123`,
        not_before: wireDate(new Date(x509.validFrom)),
        not_after: wireDate(new Date(x509.validTo)),
        // crt.sh: lower-case hex, leading zeros kept.
        serial_number: x509.serialNumber.toLowerCase(),
        result_count: 2,
      });
      this.pems.set(id, servedPem);
      ids.push(id);
    };
    if (options.precertificate) add(options.precertificatePem ?? pem);
    add(pem);
    return ids;
  }

  /** The next requests are answered this way, in order. */
  force(...responses: CtForcedResponse[]): void {
    this.forced.push(...responses);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ query });
    const forced = this.forced.shift();
    if (forced?.delayMs) await new Promise((resolve) => setTimeout(resolve, forced.delayMs));
    if (res.destroyed) return;
    if (forced?.status) {
      res.writeHead(forced.status, { "content-type": "text/html" });
      res.end(forced.body ?? "<html>Service unavailable</html>");
      return;
    }
    if (url.pathname !== "/") {
      res.writeHead(404).end();
      return;
    }
    if (query.d) {
      const pem = this.pems.get(Number(query.d));
      res.writeHead(pem ? 200 : 404, { "content-type": "application/pkix-cert" });
      res.end(pem ?? "");
      return;
    }
    if (query.q && query.output === "json") {
      const pattern = new RegExp(
        `^${query.q
          .split("%")
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join(".*")}$`,
        "i",
      );
      const matching = this.entries.filter((entry) =>
        [entry.common_name, ...entry.name_value.split("\n")].some((name) => pattern.test(name)),
      );
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(matching));
      return;
    }
    res.writeHead(400).end();
  }
}

export async function startCtSearchStub(): Promise<CtSearchStub> {
  return new CtSearchStub().start();
}
