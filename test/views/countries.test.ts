import { describe, expect, it } from "vitest";
import { allCountries } from "../../src/domain/countries.js";
import { countryOptionGroups } from "../../src/views/countries.js";
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
