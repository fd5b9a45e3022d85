import { describe, expect, it } from "vitest";
import {
  belongsTo,
  type CtEntry,
  mergeEntries,
  normaliseSerial,
  registrableDomain,
  serialSpellings,
  stillValid,
} from "../../src/domain/ct.js";

const entry = (overrides: Partial<CtEntry>): CtEntry => ({
  id: 1,
  issuerCaId: 16418,
  issuerName: "C=US, O=Let's Encrypt, CN=R3",
  commonName: "example.com",
  names: ["example.com"],
  serial: "04a1b2",
  notBefore: new Date("2026-11-01T00:00:00Z"),
  notAfter: new Date("2027-01-30T00:00:00Z"),
  ...overrides,
});

describe("Certificate Transparency rules", () => {
  it("merges a precertificate and its certificate (same serial and CA) into one, newest entry first", () => {
    const merged = mergeEntries([
      entry({ id: 100, names: ["example.com"] }),
      entry({ id: 101, serial: "04:A1:B2", names: ["www.example.com", "EXAMPLE.com"] }),
      entry({ id: 102, issuerCaId: 9, serial: "04a1b2" }),
    ]);
    expect(merged).toMatchObject([
      { serial: "4A1B2", issuerCaId: 16418, entryIds: [101, 100], names: ["example.com", "www.example.com"] },
      { serial: "4A1B2", issuerCaId: 9, entryIds: [102] },
    ]);
  });

  it("compares serials without case, separators or leading zeros, and looks up openssl's spellings", () => {
    expect(normaliseSerial("00:0a:ff")).toBe("AFF");
    expect(normaliseSerial("0")).toBe("0");
    expect(serialSpellings("AFF")).toEqual(["AFF", "0AFF", "00AFF"]);
  });

  it("finds a name's registrable domain and which names belong to it", () => {
    expect(registrableDomain("www.shop.example.co.uk")).toBe("example.co.uk");
    expect(registrableDomain("*.Example.com.")).toBe("example.com");
    expect(registrableDomain("localhost")).toBeUndefined();
    expect(belongsTo("*.example.com", "example.com")).toBe(true);
    expect(belongsTo("example.com", "example.com")).toBe(true);
    expect(belongsTo("badexample.com", "example.com")).toBe(false);
  });

  it("leaves out certificates expired at the time asked", () => {
    const at = new Date("2027-01-30T00:00:00Z");
    expect(stillValid({ notAfter: new Date(at.getTime() + 1) }, at)).toBe(true);
    expect(stillValid({ notAfter: at }, at)).toBe(false);
  });
});
