/**
 * The names CAA records (RFC 8659 `issue` / `issuewild`) use for the CAs behind our providers: a
 * CAA record naming any of them lets that CA issue. From the CAs' own CAA pages (providers.md §8);
 * Sectigo still honours its Comodo-era names, DigiCert those of the brands it bought.
 */
export const SECTIGO_CAA = [
  "sectigo.com",
  "comodoca.com",
  "comodo.com",
  "usertrust.com",
  "trust-provider.com",
];
export const DIGICERT_CAA = ["digicert.com", "geotrust.com", "rapidssl.com", "thawte.com", "symantec.com"];

/** A reseller's brand (GoGetSSL's `brand` field) → the CA that issues it; unknown brands: none. */
export function caIdentifiersOfBrand(brand: string | undefined): string[] | undefined {
  const name = brand?.toLowerCase() ?? "";
  if (/sectigo|comodo|positivessl|gogetssl|instantssl|essentialssl/.test(name)) return SECTIGO_CAA;
  if (/digicert|geotrust|rapidssl|thawte|symantec/.test(name)) return DIGICERT_CAA;
  return undefined;
}
