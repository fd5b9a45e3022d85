import { isIP } from "node:net";
import { connect, type DetailedPeerCertificate } from "node:tls";
import { HOST_FETCH_TIMEOUT_MS, type HostPort, hostPortText } from "../domain/imported.js";

/** What a TLS handshake with a host showed: its certificate and chain, or why there was none. */
export type ServedCertificates =
  | {
      ok: true;
      /** PEM, server certificate first, then each issuer the server sent (a root it sent too). */
      pems: string[];
      /** Null when the chain is trusted by Node's CA list, else why not (the import goes on). */
      untrusted: string | null;
    }
  | { ok: false; message: string };

/**
 * One TLS handshake with `host:port` (SNI with the host name), reading the certificates the server
 * presents. The certificate is not required to be trusted (certdesk tracks what is served, not
 * whether it is good); the whole attempt is given `timeoutMs`. Never throws for network trouble.
 */
export function fetchServedCertificates(
  target: HostPort,
  options: {
    timeoutMs?: number;
    /** Connect here (an address resolved beforehand) while SNI still names `target.host`. */
    address?: string;
  } = {},
): Promise<ServedCertificates> {
  const timeoutMs = options.timeoutMs ?? HOST_FETCH_TIMEOUT_MS;
  const where = hostPortText(target);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ServedCertificates) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const socket = connect({
      host: options.address ?? target.host,
      port: target.port,
      ...(isIP(target.host) ? {} : { servername: target.host }),
      rejectUnauthorized: false,
    });
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          message: `${where} did not complete a TLS handshake within ${Math.round(timeoutMs / 1000)} s.`,
        }),
      timeoutMs,
    );
    socket.once("secureConnect", () => {
      const pems = chainOf(socket.getPeerCertificate(true));
      if (pems.length === 0) {
        finish({ ok: false, message: `${where} completed the handshake but presented no certificate.` });
        return;
      }
      const error = socket.authorizationError;
      finish({ ok: true, pems, untrusted: socket.authorized ? null : String(error ?? "not trusted") });
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      finish({ ok: false, message: `Could not fetch the certificate of ${where}: ${networkWords(error)}.` });
    });
  });
}

/** The peer's certificate and the issuers it sent, as PEM, stopping at a self-signed one. */
function chainOf(peer: DetailedPeerCertificate): string[] {
  const pems: string[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = peer;
  while (current?.raw && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    pems.push(toPem(current.raw));
    current = current.issuerCertificate;
  }
  return pems;
}

function toPem(der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

function networkWords(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return "the connection was refused (nothing listens on that port)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name does not resolve";
    case "ECONNRESET":
      return "the connection was reset (is it a TLS port?)";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "the host cannot be reached";
    default:
      // OpenSSL's words for a handshake that went wrong (e.g. "wrong version number": not TLS).
      return error.code?.startsWith("ERR_SSL")
        ? `the TLS handshake failed (${error.message.replace(/^.*routines:/, "")})`
        : (error.code ?? error.message);
  }
}
