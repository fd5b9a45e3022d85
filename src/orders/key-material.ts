import { createCsr } from "../certs/csr.js";
import { generateKeyPair, type KeyAlgorithm } from "../certs/keys.js";
import type { Vault } from "../certs/vault.js";
import type { Order } from "./repository.js";

/**
 * A CSR for an order's organisation and domains, signed by `privateKeyPem`: the one way certdesk
 * writes a CSR, for a first certificate, a renewal and a reissue.
 */
export function csrForOrder(
  order: Pick<Order, "organisation" | "unit" | "locality" | "state" | "country">,
  domains: string[],
  privateKeyPem: string,
): Promise<string> {
  return createCsr({
    privateKeyPem,
    subject: {
      commonName: domains[0] ?? "",
      organisation: order.organisation ?? undefined,
      unit: order.unit ?? undefined,
      locality: order.locality ?? undefined,
      state: order.state ?? undefined,
      country: order.country ?? undefined,
    },
    domains,
  });
}

/** A new key pair and its CSR; the key leaves only as vault ciphertext. */
export async function newKeyMaterial(
  vault: Vault,
  order: Parameters<typeof csrForOrder>[0],
  domains: string[],
  algorithm: KeyAlgorithm,
): Promise<{ csr: string; encryptedPrivateKey: string; keyAlgorithm: KeyAlgorithm }> {
  const { privateKeyPem } = await generateKeyPair(algorithm);
  const csr = await csrForOrder(order, domains, privateKeyPem);
  return { csr, encryptedPrivateKey: vault.encrypt(privateKeyPem), keyAlgorithm: algorithm };
}
