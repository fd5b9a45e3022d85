// The library without its entry point, which loads all of its ~80 languages at start (index.js is
// what its "browser" field names): English is the one certdesk shows.
import countries from "i18n-iso-countries/index.js";
import english from "i18n-iso-countries/langs/en.json" with { type: "json" };

countries.registerLocale(english);

/** ISO-3166 alpha-2 country codes and their English names, for forms and messages. */

export function isCountryCode(code: string): boolean {
  return code.length === 2 && countries.isValid(code);
}

export function countryName(code: string): string {
  return countries.getName(code, "en") ?? code;
}

/** Every ISO-3166 country as [code, English name], sorted by name. */
export function allCountries(): [string, string][] {
  return Object.entries(countries.getNames("en", { select: "official" })).sort((a, b) =>
    a[1].localeCompare(b[1]),
  );
}
