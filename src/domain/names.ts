import { domainToUnicode } from "node:url";

/**
 * Domain names in the two forms certdesk stores and shows them: ASCII (punycode, lower case, with a
 * leading "*." for a wildcard) everywhere inside, Unicode in what people read.
 */

export function isWildcard(name: string): boolean {
  return name.startsWith("*.");
}

/** The name without a wildcard's "*.": what a DCV list, an approver address or a DNS record is for. */
export function baseName(name: string): string {
  return isWildcard(name) ? name.slice(2) : name;
}

/**
 * Whether an approver address may approve a domain: admin@example.com approves example.com and
 * any name under it (the CA's authorization domain), wildcard or not.
 */
export function approverCovers(approverEmail: string, domain: string): boolean {
  const mailDomain = approverEmail.slice(approverEmail.lastIndexOf("@") + 1).toLowerCase();
  const name = baseName(domain).toLowerCase();
  return name === mailDomain || name.endsWith(`.${mailDomain}`);
}

/** The domain as people read it (IDN in Unicode), for messages. */
export function displayDomain(ascii: string): string {
  const base = baseName(ascii);
  const unicode = domainToUnicode(base) || base;
  return isWildcard(ascii) ? `*.${unicode}` : unicode;
}
