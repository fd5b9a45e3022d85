import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  BUILDER_URL,
  blockKitBuilderUrl,
  blockKitLinksSection,
  END_MARKER,
  exampleViews,
  README,
  START_MARKER,
  withBlockKitLinks,
} from "../../scripts/block-kit-links.js";
import { expectValidBlockKit } from "../support/block-kit.js";

/**
 * The README's view links are generated from the view builders (scripts/block-kit-links.ts); this
 * fails when a view changed and the README was not regenerated, so `npm test` in CI keeps them
 * current. Fix: `npx tsx scripts/block-kit-links.ts`.
 *
 * URL length: the JSON rides in the URL's fragment, which the browser keeps to itself (it is not
 * part of the request sent to app.slack.com), so no server's request-line limit (the usual 8 KB)
 * applies; the old query-string form of Block Kit Builder links did hit one (HTTP 414), which is why
 * Slack moved to the fragment (yhatt/jsx-slack#168). The order form carries Slack's whole country
 * list (about 250 options), about 48 KB encoded, and cannot be made smaller without no longer being
 * the real view. Assumed limit: 64 KB per URL, far below what current browsers accept, and small
 * enough to keep the README light.
 */
const MAX_URL_LENGTH = 64 * 1024;

/** The payload a Block Kit Builder link carries. */
function decode(url: string): unknown {
  expect(url.startsWith(BUILDER_URL)).toBe(true);
  return JSON.parse(decodeURIComponent(url.slice(BUILDER_URL.length)));
}

function linksOf(section: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const match of section.matchAll(/^\[(view-[a-z-]+)\]: (\S+)$/gm)) {
    links.set(match[1] as string, match[2] as string);
  }
  return links;
}

describe("the README's Block Kit Builder links", () => {
  it("are what scripts/block-kit-links.ts writes today (else run `npx tsx scripts/block-kit-links.ts`)", () => {
    const readme = readFileSync(README, "utf8");
    expect(readme.split(START_MARKER)).toHaveLength(2);
    expect(readme.split(END_MARKER)).toHaveLength(2);
    // Compared as the section, so a failure shows which line differs rather than the whole README.
    const committed = readme.slice(
      readme.indexOf(START_MARKER),
      readme.indexOf(END_MARKER) + END_MARKER.length,
    );
    expect(committed).toBe(blockKitLinksSection());
    expect(withBlockKitLinks(readme)).toBe(readme);
  });

  it("cover the order form, its review, the order message, a thread reply, Details, an expiry alert and a CT find", () => {
    expect(exampleViews().map((view) => view.id)).toEqual([
      "view-order-form",
      "view-order-review",
      "view-order-message",
      "view-thread-reply",
      "view-details",
      "view-expiry-alert",
      "view-ct-sighting",
    ]);
  });

  it("each decode to a valid modal or message within Slack's Block Kit limits", () => {
    const section = blockKitLinksSection();
    const links = linksOf(section);
    const views = exampleViews();
    expect([...links.keys()]).toEqual(views.map((view) => view.id));
    for (const view of views) {
      const url = links.get(view.id) as string;
      expect(url).toBe(blockKitBuilderUrl(view.payload));
      expect(url.length, `${view.id} is ${url.length} characters long`).toBeLessThan(MAX_URL_LENGTH);
      // Every table row names its link.
      expect(section).toContain(`[${view.title}][${view.id}]`);

      const payload = decode(url) as { type?: string; blocks?: { type?: unknown }[] };
      expect(payload.blocks?.length, view.id).toBeGreaterThan(0);
      for (const block of payload.blocks ?? []) expect(typeof block.type, view.id).toBe("string");
      if (view.surface === "modal") {
        expect(payload.type, view.id).toBe("modal");
      } else {
        expect(Object.keys(payload), view.id).toEqual(["blocks"]);
      }
      // Slack wants a fallback text beside a message's blocks; the link leaves it out.
      expectValidBlockKit(
        view.surface,
        view.surface === "message" ? { text: view.text, ...payload } : payload,
      );
    }
  });

  it("are the same on every run and in every time zone, and leave the process's time zone alone", () => {
    const zone = process.env.TZ;
    const offset = new Date(0).getTimezoneOffset();
    const section = blockKitLinksSection();
    expect(blockKitLinksSection()).toBe(section);
    expect(process.env.TZ).toBe(zone);
    expect(new Date(0).getTimezoneOffset()).toBe(offset);
    try {
      for (const other of ["Pacific/Kiritimati", "Etc/GMT+12"]) {
        process.env.TZ = other;
        expect(blockKitLinksSection(), other).toBe(section);
        expect(process.env.TZ).toBe(other);
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    expect(new Date(0).getTimezoneOffset()).toBe(offset);
  });

  it("refuse a README without the marker lines instead of losing the links", () => {
    expect(() => withBlockKitLinks("# certdesk\n")).toThrow(/marker lines/);
  });
});
