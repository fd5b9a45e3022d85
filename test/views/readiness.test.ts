import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/domain/readiness.js";
import { findingsSummary, findingsText } from "../../src/views/readiness.js";
import { HOSTILE } from "./fixtures.js";

/** The findings of "Will it issue?" as mrkdwn: worst first, and what a client published made harmless. */

const finding = (severity: Finding["severity"], text: string, seen?: string): Finding => ({
  domain: "www.example.com",
  check: "dns_record",
  severity,
  text,
  ...(seen ? { seen } : {}),
});

describe("findingsText", () => {
  it("puts problems first, then warnings, then what is fine", () => {
    const text = findingsText([
      finding("ok", "resolves"),
      finding("warning", "slow answer"),
      finding("problem", "record missing"),
    ]);
    expect(text.split("\n")).toEqual([
      ":x: record missing",
      ":warning: slow answer",
      ":white_check_mark: resolves",
    ]);
  });

  it("shows what was found without letting a TXT value or web page mention anyone or end the code span", () => {
    const text = findingsText([
      finding("problem", "wrong value", "x` <!channel> <https://evil.example|click> &"),
    ]);
    expect(text).toBe(
      ":x: wrong value (found: `x' &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp;`)",
    );
    expect(findingsText([finding("problem", HOSTILE, HOSTILE)])).not.toMatch(/<!|<@|<#|<http/);
  });

  it("counts problems and warnings for the person who asked", () => {
    expect(findingsSummary([finding("problem", "a"), finding("problem", "b"), finding("warning", "c")])).toBe(
      "2 problems, 1 warning",
    );
    expect(findingsSummary([finding("ok", "fine")])).toBe("nothing in the way");
  });
});
