import { X509Certificate } from "node:crypto";
import { pemToDer } from "./pem.js";

/**
 * The RFC 9773 (ACME Renewal Information) certificate identifier: base64url of the Authority Key
 * Identifier's keyIdentifier, ".", base64url of the serial number's DER content bytes. It names a
 * certificate both in renewalInfo requests and in a renewal order's `replaces`.
 */
export async function renewalCertId(certificatePem: string): Promise<string> {
  const der = pemToDer(certificatePem, ["CERTIFICATE"]);
  if (!der) throw new Error("not a PEM certificate");
  const pkijs = await import("pkijs");
  const certificate = pkijs.Certificate.fromBER(der);
  const aki = certificate.extensions?.find((extension) => extension.extnID === "2.5.29.35");
  const keyIdentifier = (aki?.parsedValue as InstanceType<typeof pkijs.AuthorityKeyIdentifier> | undefined)
    ?.keyIdentifier;
  if (!keyIdentifier) throw new Error("the certificate has no Authority Key Identifier");
  // The INTEGER's content octets exactly as encoded (a leading 00 kept), as RFC 9773 §4.1 says.
  const serial = Buffer.from(certificate.serialNumber.valueBlock.valueHexView);
  return `${Buffer.from(keyIdentifier.valueBlock.valueHexView).toString("base64url")}.${serial.toString("base64url")}`;
}

/** The certificate's serial in hex, as `X509Certificate` gives it (for messages and look-ups). */
export function serialOf(certificatePem: string): string {
  return new X509Certificate(certificatePem).serialNumber.toUpperCase();
}
