import { describe, expect, it } from "vitest";
import { allCountries } from "../../src/domain/countries.js";
import { countryOption, countryOptionGroups, countrySuggestions } from "../../src/views/countries.js";
import { expectValidBlockKit } from "../support/block-kit.js";
import { modalOf } from "./fixtures.js";

describe("country option groups", () => {
  const groups = countryOptionGroups();
  const options = groups.flatMap((group) => group.options);

  it("offers every ISO-3166 country once, grouped by initial", () => {
    expect(options).toHaveLength(allCountries().length);
    expect(options.length).toBeGreaterThan(240);
    expect(new Set(options.map((candidate) => candidate.value)).size).toBe(options.length);
    const gb = options.find((candidate) => candidate.value === "GB");
    expect(gb?.text.text).toContain("United Kingdom");
    const group = groups.find((candidate) => candidate.options.includes(gb as never));
    expect(group?.label.text).toBe("U");
  });

  it("files a country under its initial without accents (Åland Islands under A)", () => {
    for (const group of groups) {
      for (const candidate of group.options) {
        expect(candidate.text.text.normalize("NFD").charAt(0).toUpperCase()).toBe(group.label.text);
      }
    }
    const aland = options.find((candidate) => candidate.value === "AX");
    expect(groups.find((group) => group.options.includes(aland as never))?.label.text).toBe("A");
  });

  it("stays within a static select's limits (100 groups, 100 options each, 75-character texts)", () => {
    expect(groups.length).toBeLessThanOrEqual(100);
    for (const group of groups) expect(group.options.length).toBeLessThanOrEqual(100);
    expectValidBlockKit(
      "modal",
      modalOf([
        {
          type: "input",
          block_id: "country",
          label: { type: "plain_text", text: "Country" },
          element: {
            type: "static_select",
            action_id: "country",
            option_groups: groups,
            initial_option: options.find((candidate) => candidate.value === "DE"),
          },
        },
      ]),
    );
  });

  it("builds the groups once", () => {
    expect(countryOptionGroups()).toBe(groups);
  });
});

const values = (answer: ReturnType<typeof countrySuggestions>) =>
  "options" in answer ? answer.options.map((option) => option.value) : [];

describe("the Country menu", () => {
  it("offers every country grouped by initial when nothing is typed, within Slack's limits", () => {
    const answer = countrySuggestions("  ");
    if (!("option_groups" in answer)) throw new Error("expected groups");
    expect(answer.option_groups.length).toBeLessThanOrEqual(100);
    expect(answer.option_groups.map((group) => group.label.text).slice(0, 3)).toEqual(["A", "B", "C"]);
    const codes = answer.option_groups.flatMap((group) => group.options.map((option) => option.value));
    expect(new Set(codes).size).toBe(250);
  });

  it("finds countries by the start of their name first, then by a part of it, ignoring case and accents", () => {
    const found = values(countrySuggestions("united"));
    // United Arab Emirates, United Kingdom, United Republic of Tanzania, United States…, in name order.
    expect(found.slice(0, 5).sort()).toEqual(["AE", "GB", "TZ", "UM", "US"]);
    expect(values(countrySuggestions("COTE"))).toContain("CI");
    // "land" starts no name before it is found inside them (Finland, Iceland, …).
    expect(values(countrySuggestions("land"))).toEqual(expect.arrayContaining(["FI", "IS", "NL"]));
  });

  it("finds a country by its two-letter code", () => {
    expect(values(countrySuggestions("de"))[0]).toBe("DE");
  });

  it("answers nothing for what no country matches", () => {
    expect(countrySuggestions("zzqx")).toEqual({ options: [] });
  });

  it("names a stored code as the field's initial option, and nothing for an unknown one", () => {
    // The same option the menu offers, so Slack shows it as chosen.
    const menu = countrySuggestions("");
    const offered = "option_groups" in menu ? menu.option_groups.flatMap((group) => group.options) : [];
    expect(countryOption("gb")).toEqual(offered.find((candidate) => candidate.value === "GB"));
    expect(countryOption("XX")).toBeUndefined();
    expect(countryOption(undefined)).toBeUndefined();
  });
});
