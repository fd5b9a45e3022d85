import {
  chainPem,
  createPfx,
  fullChainPem,
  generatePfxPassword,
  type PfxEncryption,
  UnsupportedKeyError,
} from "../certs/bundle.js";
import type { Vault } from "../certs/vault.js";
import type { Order } from "./repository.js";

export interface DeliveryFile {
  filename: string;
  content: Buffer;
}

/** The files one person receives for an issued certificate. */
export interface Delivery {
  files: DeliveryFile[];
  /** Protects the PFX; shown to the recipient once and never kept. */
  pfxPassword?: string;
  includesKey: boolean;
  /** Why a PFX could not be made (e.g. an EC key), when the key was included without one. */
  pfxUnavailable?: string;
}

export class NotIssuedError extends Error {
  override name = "NotIssuedError";
}

type DeliverableOrder = Pick<
  Order,
  "reference" | "primaryDomain" | "certificate" | "chain" | "encryptedPrivateKey"
>;

/**
 * Certificate, chain and full chain for anyone; the private key and a PKCS#12 bundle only when
 * `includeKey` (the caller decides who may have them). The key is decrypted here and nowhere else.
 */
export async function buildDelivery(
  order: DeliverableOrder,
  vault: Vault,
  options: { includeKey: boolean; pfx?: PfxEncryption },
): Promise<Delivery> {
  if (!order.certificate) throw new NotIssuedError(`${order.reference} has no certificate yet.`);
  const chain = order.chain ?? [];
  const files: DeliveryFile[] = [{ filename: "certificate.pem", content: pemFile(order.certificate) }];
  // Slack refuses empty uploads, and a provider may send no intermediates.
  if (chain.length > 0) files.push({ filename: "chain.pem", content: Buffer.from(chainPem(chain)) });
  files.push({ filename: "fullchain.pem", content: Buffer.from(fullChainPem(order.certificate, chain)) });
  if (!options.includeKey || !order.encryptedPrivateKey) return { files, includesKey: false };

  const privateKeyPem = vault.decrypt(order.encryptedPrivateKey);
  files.push({ filename: "private-key.pem", content: Buffer.from(privateKeyPem) });
  try {
    const password = generatePfxPassword();
    const pfx = await createPfx({
      encryption: options.pfx,
      privateKeyPem,
      certificatePem: order.certificate,
      chainPems: chain,
      password,
      friendlyName: order.primaryDomain,
    });
    files.push({ filename: `${fileSafeDomain(order.primaryDomain)}.pfx`, content: pfx });
    return { files, includesKey: true, pfxPassword: password };
  } catch (error) {
    if (!(error instanceof UnsupportedKeyError)) throw error;
    return { files, includesKey: true, pfxUnavailable: error.message };
  }
}

function pemFile(pem: string): Buffer {
  return Buffer.from(`${pem.replace(/\r\n/g, "\n").trim()}\n`);
}

/** `*.example.com` is not a file name Windows accepts. */
function fileSafeDomain(domain: string): string {
  return domain.replace(/^\*\./, "wildcard.").replace(/[^A-Za-z0-9.-]/g, "_");
}
