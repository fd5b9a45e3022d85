import { generateKeyPairSync, randomBytes } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:tls";
import forge from "node-forge";

/**
 * Certificates made in the test, for the import: a root, an intermediate and server certificates
 * with chosen names and dates, and a local TLS server that presents one (127.0.0.1, no network).
 */

const DAY_MS = 86_400_000;

interface KeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  privateKeyPem: string;
}

function keyPair(bits: number): KeyPair {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: bits,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  return {
    privateKey: forgeKey,
    publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e),
    privateKeyPem: privateKey,
  };
}

function sign(spec: {
  commonName: string;
  issuer: { commonName: string; key: forge.pki.rsa.PrivateKey };
  publicKey: forge.pki.PublicKey;
  isCa: boolean;
  notBefore: Date;
  notAfter: Date;
  altNames?: string[];
  serialNumber?: string;
  /** RFC 6962's critical poison extension: a precertificate, as CAs log it before issuing. */
  precertificate?: boolean;
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.publicKey;
  cert.serialNumber = spec.serialNumber ?? `01${randomBytes(8).toString("hex")}`;
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject([{ name: "commonName", value: spec.commonName }]);
  cert.setIssuer([{ name: "commonName", value: spec.issuer.commonName }]);
  const extensions: object[] = [{ name: "basicConstraints", cA: spec.isCa }];
  if (spec.isCa) extensions.push({ name: "keyUsage", keyCertSign: true, cRLSign: true });
  if (spec.altNames) {
    extensions.push({ name: "subjectAltName", altNames: spec.altNames.map((value) => ({ type: 2, value })) });
  }
  if (spec.precertificate) {
    const asn1 = forge.asn1;
    const poison = asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, "")).getBytes();
    extensions.push({ id: "1.3.6.1.4.1.11129.2.4.3", critical: true, value: poison });
  }
  cert.setExtensions(extensions);
  cert.sign(spec.issuer.key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, "\n");
}

const seconds = (time: number) => new Date(Math.floor(time / 1000) * 1000);

export interface ImportCa {
  rootPem: string;
  intermediatePem: string;
  /** A server certificate signed by the intermediate; `days` from now (negative: expired). */
  leaf(
    names: string[],
    options?: { days?: number; bits?: number; now?: Date },
  ): { pem: string; keyPem: string; notAfter: Date };
  /** A server certificate and the precertificate logged for it: same serial, key, names and dates. */
  leafWithPrecertificate(
    names: string[],
    options?: { days?: number },
  ): { pem: string; precertificatePem: string; keyPem: string; notAfter: Date };
}

export function createImportCa(name = "Import Test"): ImportCa {
  const root = keyPair(2048);
  const rootName = `${name} Root`;
  const now = Date.now();
  const rootPem = sign({
    commonName: rootName,
    issuer: { commonName: rootName, key: root.privateKey },
    publicKey: root.publicKey,
    isCa: true,
    notBefore: seconds(now - 10 * 365 * DAY_MS),
    notAfter: seconds(now + 3650 * DAY_MS),
  });
  const intermediate = keyPair(2048);
  const intermediateName = `${name} Intermediate`;
  const intermediatePem = sign({
    commonName: intermediateName,
    issuer: { commonName: rootName, key: root.privateKey },
    publicKey: intermediate.publicKey,
    isCa: true,
    notBefore: seconds(now - 5 * 365 * DAY_MS),
    notAfter: seconds(now + 1825 * DAY_MS),
  });
  function leafSpec(names: string[], options: { days?: number; bits?: number; now?: Date }) {
    const key = keyPair(options.bits ?? 2048);
    const at = options.now?.getTime() ?? Date.now();
    const days = options.days ?? 90;
    const notAfter = seconds(at + days * DAY_MS);
    const spec = {
      commonName: names[0] ?? "unknown",
      issuer: { commonName: intermediateName, key: intermediate.privateKey },
      publicKey: key.publicKey,
      isCa: false,
      notBefore: seconds(Math.min(at - DAY_MS, notAfter.getTime() - DAY_MS)),
      notAfter,
      altNames: names,
      serialNumber: `01${randomBytes(8).toString("hex")}`,
    };
    return { spec, keyPem: key.privateKeyPem, notAfter };
  }
  return {
    rootPem,
    intermediatePem,
    leaf(names, options = {}) {
      const { spec, keyPem, notAfter } = leafSpec(names, options);
      return { pem: sign(spec), keyPem, notAfter };
    },
    leafWithPrecertificate(names, options = {}) {
      const { spec, keyPem, notAfter } = leafSpec(names, options);
      return {
        pem: sign(spec),
        precertificatePem: sign({ ...spec, precertificate: true }),
        keyPem,
        notAfter,
      };
    },
  };
}

/** A TLS server on 127.0.0.1 presenting `certificatePem` and `chainPems`; `port` once listening. */
export async function startTlsServer(
  certificatePem: string,
  keyPem: string,
  chainPems: string[] = [],
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer(
    { cert: [certificatePem, ...chainPems].join(""), key: keyPem },
    (socket) => {
      socket.end();
    },
  );
  server.on("tlsClientError", () => undefined);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
