import type { Product, ServerType } from "../../domain/product.js";

/**
 * What an ACME CA "sells": DV certificates for one name, a wildcard (DNS validation only: RFC 8555
 * §7.1.3 offers no http-01 for a wildcard) and several names, free. Where the directory lists
 * profiles (Let's Encrypt: classic, tlsserver, shortlived), each kind comes in each profile.
 *
 * Period: an ACME certificate lives as long as the CA decides (90 days at Let's Encrypt today, 64
 * from 2027-02, 45 from 2028-02); there is no subscription. The form's one period, "3 months",
 * stands for that; certdesk follows the certificate's own dates and the CA's renewal window.
 */
export const ACME_PERIOD_MONTHS = 3;

const FREE = [{ months: ACME_PERIOD_MONTHS, price: { amount: "0.00", currency: "USD" } }];

interface Kind {
  id: string;
  name: string;
  wildcard: boolean;
  multiDomain: boolean;
}

const KINDS: Kind[] = [
  { id: "dv", name: "DV certificate", wildcard: false, multiDomain: false },
  // DNS validation only: RFC 8555 §7.1.3 offers no http-01 for a wildcard (order-request.ts says so).
  { id: "dv-wildcard", name: "DV wildcard", wildcard: true, multiDomain: false },
  { id: "dv-multidomain", name: "DV multi-domain", wildcard: false, multiDomain: true },
];

const PROFILE_SEPARATOR = "@";

export function acmeProducts(caName: string, profiles: Record<string, string> | undefined): Product[] {
  const profileNames = Object.keys(profiles ?? {});
  const variants: (string | undefined)[] = profileNames.length > 0 ? profileNames : [undefined];
  return variants.flatMap((profile) =>
    KINDS.map((kind) => ({
      id: profile ? `${kind.id}${PROFILE_SEPARATOR}${profile}` : kind.id,
      name: `${caName} ${kind.name}${profile ? `, ${profile} profile` : ""} (free)`,
      validation: "DV" as const,
      wildcard: kind.wildcard,
      multiDomain: kind.multiDomain,
      periods: [ACME_PERIOD_MONTHS],
      addons: [],
      prices: FREE,
      free: true,
    })),
  );
}

/** The product id's kind and profile: `dv@shortlived` → dv, shortlived. */
export function parseAcmeProductId(productId: string): { kind?: Kind; profile?: string } {
  const [kindId, profile] = productId.split(PROFILE_SEPARATOR, 2);
  return { kind: KINDS.find((kind) => kind.id === kindId), profile: profile || undefined };
}

/** Certificates from an ACME CA are the same for every server; the list keeps the form alike. */
export const ACME_SERVER_TYPES: readonly ServerType[] = [
  { id: "apache", label: "Apache/mod_ssl", isDefault: true },
  { id: "nginx", label: "nginx", isDefault: false },
  { id: "iis", label: "Microsoft IIS", isDefault: false },
  { id: "other", label: "Other", isDefault: false },
];
