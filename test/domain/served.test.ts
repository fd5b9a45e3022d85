import { describe, expect, it } from "vitest";
import {
  type CertificateFacts,
  compareServed,
  probeNames,
  servedProblems,
  summariseServed,
} from "../../src/domain/served.js";

const DAY_MS = 86_400_000;
const now = new Date("2026-11-27T10:00:00Z");

function cert(subject: string, issuer: string, fingerprint: string, notAfter = now): CertificateFacts {
  return { fingerprint, serial: fingerprint, subject, issuer, notAfter };
}

const root = cert("CN=Root", "CN=Root", "R");
const intermediate = cert("CN=Intermediate", "CN=Root", "I");
const leaf = cert("CN=www.example.com", "CN=Intermediate", "L", new Date(now.getTime() + 90 * DAY_MS));
const ours = { leaf, chain: [intermediate, root] };

describe("compareServed", () => {
  it("is served with the intermediate, whether or not the root is sent", () => {
    expect(compareServed(ours, { ok: true, presented: [leaf, intermediate] })).toEqual({
      status: "served",
      chainIncomplete: false,
    });
    expect(compareServed(ours, { ok: true, presented: [leaf, intermediate, root] }).chainIncomplete).toBe(
      false,
    );
  });

  it("is served without its chain when the intermediate is missing; a cross-signed copy counts", () => {
    expect(compareServed(ours, { ok: true, presented: [leaf] })).toEqual({
      status: "served",
      chainIncomplete: true,
      missing: "CN=Intermediate",
    });
    const crossSigned = cert("CN=Intermediate", "CN=Other Root", "X");
    expect(compareServed(ours, { ok: true, presented: [leaf, crossSigned] }).chainIncomplete).toBe(false);
  });

  it("says nothing of the chain when certdesk holds none, or the leaf is issued by a root", () => {
    expect(compareServed({ leaf, chain: [] }, { ok: true, presented: [leaf] }).chainIncomplete).toBe(false);
    const direct = cert("CN=direct", "CN=Root", "D");
    expect(
      compareServed({ leaf: direct, chain: [root] }, { ok: true, presented: [direct] }).chainIncomplete,
    ).toBe(false);
  });

  it("tells a different certificate and nothing at all apart", () => {
    const old = cert("CN=www.example.com", "CN=Intermediate", "OLD", new Date(now.getTime() + 5 * DAY_MS));
    expect(compareServed(ours, { ok: true, presented: [old, intermediate] })).toEqual({
      status: "different",
      chainIncomplete: false,
      servedSerial: "OLD",
      servedNotAfter: old.notAfter,
    });
    expect(compareServed(ours, { ok: false, message: "refused" })).toEqual({
      status: "not_served",
      chainIncomplete: false,
      message: "refused",
    });
  });
});

describe("servedProblems", () => {
  const issuedAt = now;
  const later = (days: number) => new Date(now.getTime() + days * DAY_MS);

  it("tells an incomplete chain at once, a sooner-ending certificate only after 3 days", () => {
    expect(
      servedProblems({ status: "served", chainIncomplete: true }, { notAfter: leaf.notAfter, issuedAt }, now),
    ).toEqual(["incomplete_chain"]);
    const older = { status: "different" as const, chainIncomplete: false, servedNotAfter: later(5) };
    expect(servedProblems(older, { notAfter: leaf.notAfter, issuedAt }, later(2.9))).toEqual([]);
    expect(servedProblems(older, { notAfter: leaf.notAfter, issuedAt }, later(3))).toEqual([
      "expires_sooner",
    ]);
  });

  it("tells not served only from 3 days after issue, and a later-ending other certificate as not served", () => {
    const nothing = { status: "not_served" as const, chainIncomplete: false };
    expect(servedProblems(nothing, { notAfter: leaf.notAfter, issuedAt }, later(2.9))).toEqual([]);
    expect(servedProblems(nothing, { notAfter: leaf.notAfter, issuedAt }, later(3))).toEqual(["not_served"]);
    const newer = { status: "different" as const, chainIncomplete: false, servedNotAfter: later(400) };
    expect(servedProblems(newer, { notAfter: leaf.notAfter, issuedAt }, later(3))).toEqual(["not_served"]);
    expect(
      servedProblems(
        { status: "served", chainIncomplete: false },
        { notAfter: leaf.notAfter, issuedAt },
        later(9),
      ),
    ).toEqual([]);
  });
});

describe("summariseServed and probeNames", () => {
  const check = (status: "served" | "not_served" | "different", checkedAt = now) => ({
    name: "a.example.com",
    port: 443,
    status,
    chainIncomplete: false,
    servedSerial: null,
    servedNotAfter: null,
    message: null,
    checkedAt,
  });

  it("is served only where every name serves ours; a different certificate outweighs nothing served", () => {
    expect(summariseServed([])).toBeUndefined();
    expect(summariseServed([check("served"), check("served")])?.status).toBe("served");
    expect(summariseServed([check("served"), check("not_served")])).toMatchObject({
      status: "not_served",
      served: 1,
      total: 2,
    });
    expect(summariseServed([check("not_served"), check("different", new Date(0))])).toMatchObject({
      status: "different",
      checkedAt: new Date(0),
    });
  });

  it("skips wildcards and repeats", () => {
    expect(probeNames(["*.example.com", "WWW.example.com.", "www.example.com", "example.com"])).toEqual([
      "www.example.com",
      "example.com",
    ]);
  });
});
