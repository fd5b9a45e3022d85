import type { PlainTextElement, PlainTextOption } from "@slack/types";
import { allCountries } from "../domain/countries.js";
import { option, plain } from "./blocks.js";

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
