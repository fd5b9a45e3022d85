import type { PlainTextElement, PlainTextOption } from "@slack/types";
import { allCountries, countryName, isCountryCode } from "../domain/countries.js";
import { option, plain } from "./blocks.js";

/**
 * The Country field of the order and client forms is an external select: its options come from
 * `countrySuggestions` when the menu opens (min_query_length 0) and as the person types, instead of
 * 250 options travelling in every view and every update of the form (they made step 1 ~27 kB, most
 * of the CPU of a `/ssl order`: Slack's client serialises and logs each view it sends).
 */

export interface OptionGroup {
  label: PlainTextElement;
  options: PlainTextOption[];
}

let groups: OptionGroup[] | undefined;

/** ISO-3166 countries grouped by initial: 250 countries exceed a select's 100 options, 26 groups do not. */
export function countryOptionGroups(): OptionGroup[] {
  if (groups) return groups;
  const byInitial = new Map<string, PlainTextOption[]>();
  for (const [code, name] of allCountries()) {
    const initial = name.normalize("NFD").charAt(0).toUpperCase();
    const list = byInitial.get(initial) ?? [];
    list.push(option(name, code));
    byInitial.set(initial, list);
  }
  groups = [...byInitial.entries()].map(([initial, options]) => ({
    label: plain(initial, 75),
    options: options.slice(0, 100),
  }));
  return groups;
}

/** The option for a country code (the field's initial_option), or undefined for no or an unknown code. */
export function countryOption(code: string | undefined): PlainTextOption | undefined {
  const upper = code?.trim().toUpperCase() ?? "";
  return isCountryCode(upper) ? option(countryName(upper), upper) : undefined;
}

/** Lower case without accents, so "cote" finds Côte d'Ivoire. */
const folded = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** Slack shows at most 100 options in an external select's answer. */
const MAX_MATCHES = 100;

/**
 * What the Country menu offers for what was typed: every country by initial when nothing was, else
 * the countries whose code or name matches: the code first, then names starting with it.
 */
export function countrySuggestions(
  query: string,
): { option_groups: OptionGroup[] } | { options: PlainTextOption[] } {
  const wanted = folded(query.trim());
  if (!wanted) return { option_groups: countryOptionGroups() };
  const byCode: PlainTextOption[] = [];
  const starts: PlainTextOption[] = [];
  const contains: PlainTextOption[] = [];
  for (const [code, name] of allCountries()) {
    const candidate = folded(name);
    if (code.toLowerCase() === wanted) byCode.push(option(name, code));
    else if (candidate.startsWith(wanted)) starts.push(option(name, code));
    else if (candidate.includes(wanted)) contains.push(option(name, code));
  }
  return { options: [...byCode, ...starts, ...contains].slice(0, MAX_MATCHES) };
}
