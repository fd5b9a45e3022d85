import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { Resolver } from "node:dns/promises";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AcmeExtensionsProxy,
  type PebbleServer,
  pebbleInstalled,
  startAcmeExtensionsProxy,
  startPebble,
} from "./pebble.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** An HTTPS request trusting only `ca`: proves the bundle, not the system store, makes it work. */
function httpsFetch(
  url: string,
  ca: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? "GET", ca, agent: false, headers: init.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

/** A flattened-JSON ES256 JWS as an ACME client would POST it (RFC 8555 §6.2). */
function jws(key: KeyObject, header: Record<string, unknown>, payload: unknown): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const protectedHeader = encode({ alg: "ES256", ...header });
  const encodedPayload = payload === "" ? "" : encode(payload);
  const signature = sign("sha256", Buffer.from(`${protectedHeader}.${encodedPayload}`), {
    key,
    dsaEncoding: "ieee-p1363",
  });
  return JSON.stringify({
    protected: protectedHeader,
    payload: encodedPayload,
    signature: signature.toString("base64url"),
  });
}

describe.skipIf(!pebbleInstalled())("Pebble test support", () => {
  let pebble: PebbleServer;
  let eabPebble: PebbleServer;
  let proxy: AcmeExtensionsProxy;
  let startMs = 0;

  beforeAll(async () => {
    const started = Date.now();
    pebble = await startPebble({ httpPort: 1 });
    startMs = Date.now() - started;
    eabPebble = await startPebble({ httpPort: 1, eab: true });
    proxy = await startAcmeExtensionsProxy(pebble, { profiles: { classic: "The usual 90 days" } });
  });

  afterAll(async () => {
    await proxy?.close();
    await Promise.all([pebble?.close(), eabPebble?.close()]);
  });

  it("answers the directory over TLS trusting only the CA bundle", async () => {
    expect(startMs).toBeLessThan(10_000);
    expect(readFileSync(pebble.caBundlePath, "utf8")).toBe(pebble.caBundlePem);
    const answer = await httpsFetch(pebble.directoryUrl, pebble.caBundlePem);
    expect(answer.status).toBe(200);
    const directory = JSON.parse(answer.text) as Record<string, string>;
    expect(directory.newAccount).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(directory.renewalInfo).toBeUndefined();
    expect(await pebble.rootPem()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(await pebble.intermediatePem()).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it("serves TXT records set through challtestsrv, and A but no AAAA answers", async () => {
    const resolver = new Resolver();
    resolver.setServers([pebble.dnsServer]);
    await pebble.setTxt("_acme-challenge.example.test", "token-value");
    expect(await resolver.resolveTxt("_acme-challenge.example.test")).toEqual([["token-value"]]);
    expect(await resolver.resolve4("www.example.test")).toEqual(["127.0.0.1"]);
    await expect(resolver.resolve6("www.example.test")).rejects.toMatchObject({ code: "ENODATA" });
    await pebble.clearTxt("_acme-challenge.example.test.");
    await expect(resolver.resolveTxt("_acme-challenge.example.test")).rejects.toMatchObject({
      code: "ENODATA",
    });
  });

  it("requires External Account Binding when asked, with a key and the same CA bundle", async () => {
    expect(pebble.eab).toBeUndefined();
    expect(eabPebble.eab).toEqual({ kid: expect.any(String), hmacKey: expect.stringMatching(/^[\w-]{86}$/) });
    expect(eabPebble.caBundlePem).toBe(pebble.caBundlePem);
    const answer = await httpsFetch(eabPebble.directoryUrl, eabPebble.caBundlePem);
    expect(JSON.parse(answer.text).meta.externalAccountRequired).toBe(true);
  });

  it("proxies with renewalInfo and profiles added, keeping traffic on the proxy, and records POSTs", async () => {
    const directory = JSON.parse((await httpsFetch(proxy.directoryUrl, pebble.caBundlePem)).text) as {
      newNonce: string;
      newAccount: string;
      renewalInfo: string;
      meta: { profiles: Record<string, string> };
    };
    const proxyOrigin = new URL(proxy.directoryUrl).origin;
    expect(directory.renewalInfo).toBe(`${proxyOrigin}/renewal-info`);
    expect(directory.meta.profiles).toEqual({ classic: "The usual 90 days" });
    expect(directory.newAccount.startsWith(proxyOrigin)).toBe(true);

    const nonceOf = (answer: Answer) => String(answer.headers["replay-nonce"]);
    let nonce = nonceOf(await httpsFetch(directory.newNonce, pebble.caBundlePem, { method: "HEAD" }));
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const post = (url: string, header: Record<string, unknown>, payload: unknown) =>
      httpsFetch(url, pebble.caBundlePem, {
        method: "POST",
        headers: { "content-type": "application/jose+json" },
        body: jws(privateKey, { nonce, url, ...header }, payload),
      });

    const created = await post(directory.newAccount, { jwk }, { termsOfServiceAgreed: true });
    expect(created.status, created.text).toBe(201);
    const accountUrl = String(created.headers.location);
    expect(accountUrl.startsWith(proxyOrigin)).toBe(true);
    nonce = nonceOf(created);
    const fetched = await post(accountUrl, { kid: accountUrl }, "");
    expect(fetched.status, fetched.text).toBe(200);
    expect(JSON.parse(fetched.text).status).toBe("valid");

    expect(proxy.posts).toEqual([
      { path: new URL(directory.newAccount).pathname, payload: { termsOfServiceAgreed: true } },
      { path: new URL(accountUrl).pathname, payload: null },
    ]);
  });

  it("answers renewalInfo as set, with Retry-After, and 404 for an unknown certID", async () => {
    const info = { suggestedWindow: { start: "2030-01-01T00:00:00Z", end: "2030-01-02T00:00:00Z" } };
    proxy.setRenewalInfo("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", info);
    const origin = new URL(proxy.directoryUrl).origin;
    const known = await httpsFetch(
      `${origin}/renewal-info/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE`,
      pebble.caBundlePem,
    );
    expect(known.status).toBe(200);
    expect(known.headers["retry-after"]).toBe("21600");
    expect(JSON.parse(known.text)).toEqual(info);
    const unknown = await httpsFetch(`${origin}/renewal-info/unknown.id`, pebble.caBundlePem);
    expect(unknown.status).toBe(404);
    expect(proxy.renewalInfoRequests).toEqual(["aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", "unknown.id"]);
  });
});
