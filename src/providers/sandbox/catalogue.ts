import type { PeriodPrice } from "../../domain/money.js";
import type { Product, ServerType } from "../../domain/product.js";

/** The sandbox's catalogue, shaped like a Sectigo reseller's. */

const usd = (amount: string) => ({ amount, currency: "USD" });
/** A price list of the sandbox's own, in the range resellers charge, so reviews show a real sum. */
const yearly = (oneYear: string, twoYears?: string): PeriodPrice[] => [
  { months: 12, price: usd(oneYear) },
  ...(twoYears ? [{ months: 24, price: usd(twoYears) }] : []),
];
const ADDONS = [
  { id: "sitelock", name: "SiteLock malware scan", prices: yearly("19.99", "37.99") },
  { id: "hackerguardian", name: "HackerGuardian PCI scan", prices: yearly("59.00", "112.00") },
];

export const SANDBOX_PRODUCTS: readonly Product[] = [
  {
    id: "positivessl",
    name: "PositiveSSL (DV)",
    validation: "DV",
    wildcard: false,
    multiDomain: false,
    periods: [12, 24],
    addons: ADDONS,
    prices: yearly("8.95", "16.90"),
  },
  {
    id: "positivessl-wildcard",
    name: "PositiveSSL Wildcard (DV)",
    validation: "DV",
    wildcard: true,
    multiDomain: false,
    periods: [12, 24],
    addons: ADDONS,
    prices: yearly("69.00", "131.00"),
  },
  {
    id: "positivessl-multidomain",
    name: "PositiveSSL Multi-Domain (DV)",
    validation: "DV",
    wildcard: false,
    multiDomain: true,
    periods: [12, 24],
    addons: [],
    prices: yearly("29.00", "55.00"),
    additionalDomainPrices: yearly("9.00", "17.00"),
  },
  {
    id: "instantssl",
    name: "InstantSSL (OV)",
    validation: "OV",
    wildcard: false,
    multiDomain: false,
    periods: [12, 24],
    addons: ADDONS,
    prices: yearly("39.00", "74.00"),
  },
  {
    id: "ev-ssl",
    name: "EV SSL",
    validation: "EV",
    wildcard: false,
    multiDomain: false,
    periods: [12],
    addons: [],
    prices: yearly("89.00"),
  },
];

export const SANDBOX_SERVER_TYPES: readonly ServerType[] = [
  { id: "apache", label: "Apache/mod_ssl", isDefault: true },
  { id: "nginx", label: "nginx", isDefault: false },
  { id: "iis", label: "Microsoft IIS", isDefault: false },
  { id: "tomcat", label: "Tomcat", isDefault: false },
  { id: "cpanel", label: "WHM/cPanel", isDefault: false },
  { id: "plesk", label: "Plesk", isDefault: false },
  { id: "other", label: "Other", isDefault: false },
];
