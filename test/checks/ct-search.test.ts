import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createCtSearch } from "../../src/checks/ct-search.js";
import { createImportCa } from "../support/certificates.js";
import { startCtSearchStub } from "../support/ct-search-stub.js";

/** The crt.sh client against the local stub: its answers, and the answers it must not trust. */

const stub = await startCtSearchStub();
afterAll(async () => {
  await stub.stop();
});
beforeEach(() => {
  stub.reset();
});
const search = createCtSearch({ baseUrl: `${stub.url}/`, timeoutMs: 300, retries: 1, retryDelayMs: 0 });
const ca = createImportCa("CT Client");

describe("CT search client (crt.sh JSON)", () => {
  it("reads crt.sh's entries for a domain and the names under it, and an entry's PEM", async () => {
    const leaf = ca.leaf(["example.com", "www.example.com"]);
    const [id] = stub.log(leaf.pem, { issuerCaId: 7 });
    const found = await search.searchDomain("example.com");
    expect(found).toMatchObject({
      ok: true,
      value: [{ id, issuerCaId: 7, commonName: "example.com", names: ["example.com", "www.example.com"] }],
    });
    expect(stub.requests.map((request) => request.query)).toEqual([
      { q: "example.com", output: "json", exclude: "expired", deduplicate: "Y" },
      { q: "%.example.com", output: "json", exclude: "expired", deduplicate: "Y" },
    ]);
    expect(await search.certificatePem(id ?? 0)).toEqual({ ok: true, value: leaf.pem });
  });

  it("treats an answer that is not crt.sh's JSON as a failure to try again, not as 'nothing found'", async () => {
    stub.force({ status: 200, body: "<html>Sorry, something went wrong</html>" });
    expect(await search.searchDomain("example.com")).toMatchObject({ ok: false, reason: "bad_answer" });
    stub.force({ status: 200, body: '[{"id":"x"}]' });
    expect(await search.searchDomain("example.com")).toMatchObject({ ok: false, reason: "bad_answer" });
    stub.force({ status: 200, body: "" }, { status: 200, body: "" });
    expect(await search.searchDomain("example.com")).toEqual({ ok: true, value: [] });
    stub.force({ status: 200, body: "not a certificate" });
    expect(await search.certificatePem(5)).toMatchObject({ ok: false, reason: "bad_answer" });
  });

  it("retries a 5xx once and gives up on a second, and does not retry a 429", async () => {
    stub.force({ status: 502 }, { status: 502 });
    expect(await search.searchDomain("example.com")).toEqual({
      ok: false,
      reason: "unavailable",
      message: "HTTP 502",
    });
    expect(stub.requests).toHaveLength(2);
    stub.reset();
    stub.force({ status: 429 });
    expect(await search.searchDomain("example.com")).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(stub.requests).toHaveLength(1);
  });
});
