import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createReadinessChecker,
  parseDnsServers,
  type ReadinessCheckerOptions,
} from "../../src/checks/readiness-checker.js";
import type { DcvInstruction } from "../../src/domain/dcv.js";
import type { Finding, ReadinessCheck, ReadinessTarget } from "../../src/domain/readiness.js";
import { type DnsZone, SilentDnsServer, TestDnsServer, type ZoneRecord } from "../support/dns-server.js";
import { TestHttpFileServer } from "../support/http-file-server.js";

const CA = ["sectigo.com", "comodoca.com"];
const LOCAL: ZoneRecord = { type: "A", address: "127.0.0.1" };

let dns: TestDnsServer;
let silent: SilentDnsServer;
let web: TestHttpFileServer;

beforeAll(async () => {
  [dns, silent, web] = await Promise.all([
    TestDnsServer.start(),
    SilentDnsServer.start(),
    TestHttpFileServer.start(),
  ]);
});

afterAll(async () => {
  await Promise.all([dns?.close(), silent?.close(), web?.close()]);
});

function target(domain: string, more: Partial<ReadinessTarget> = {}): ReadinessTarget {
  return { domain, method: "dns", caIdentifiers: CA, ...more };
}

async function check(
  zone: DnsZone,
  targets: ReadinessTarget[],
  options: ReadinessCheckerOptions = {},
): Promise<Finding[]> {
  dns.setZone(zone);
  const checker = createReadinessChecker({
    dnsServers: [dns.address],
    timeoutMs: 2000,
    httpPort: web.port,
    ...options,
  });
  return checker.check(targets);
}

function only(findings: Finding[], name: ReadinessCheck, domain?: string): Finding {
  const matching = findings.filter(
    (finding) => finding.check === name && (!domain || finding.domain === domain),
  );
  expect(matching, `one ${name} finding`).toHaveLength(1);
  return matching[0] as Finding;
}

async function caaFinding(zone: DnsZone, subject: ReadinessTarget): Promise<Finding> {
  return only(await check(zone, [subject]), "caa");
}

describe("caa", () => {
  it("reports a CAA record that allows another CA only, and the record to add", async () => {
    const finding = await caaFinding(
      { records: { "example.test": [LOCAL, { type: "CAA", tag: "issue", value: "letsencrypt.org" }] } },
      target("example.test"),
    );
    expect(finding.severity).toBe("problem");
    expect(finding.text).toContain(
      "CAA at example.test allows only letsencrypt.org, not sectigo.com or comodoca.com",
    );
    expect(finding.text).toContain('add example.test CAA 0 issue "sectigo.com"');
    expect(finding.seen).toBe('issue "letsencrypt.org"');
  });

  it("finds a CAA record at a parent domain that allows the CA", async () => {
    const finding = await caaFinding(
      {
        records: {
          "shop.example.test": [LOCAL],
          "example.test": [
            { type: "CAA", tag: "issue", value: "letsencrypt.org" },
            { type: "CAA", tag: "issue", value: "ComodoCA.com" },
            { type: "CAA", tag: "iodef", value: "mailto:security@example.test" },
          ],
        },
      },
      target("shop.example.test"),
    );
    expect(finding).toMatchObject({ severity: "ok", domain: "shop.example.test" });
    expect(finding.text).toBe('CAA at example.test allows comodoca.com (issue "ComodoCA.com").');
  });

  it("uses the closest CAA record set and ignores the parents' once one is found", async () => {
    const finding = await caaFinding(
      {
        records: {
          "shop.example.test": [LOCAL, { type: "CAA", tag: "issue", value: "pki.goog" }],
          "example.test": [{ type: "CAA", tag: "issue", value: "sectigo.com" }],
        },
      },
      target("shop.example.test"),
    );
    expect(finding.severity).toBe("problem");
    expect(finding.text).toContain("CAA at shop.example.test allows only pki.goog");
    expect(finding.text).toContain('add shop.example.test CAA 0 issue "sectigo.com"');
  });

  it("names an empty issuer as forbidding every CA", async () => {
    const finding = await caaFinding(
      { records: { "example.test": [LOCAL, { type: "CAA", tag: "issue", value: ";" }] } },
      target("example.test"),
    );
    expect(finding.severity).toBe("problem");
    expect(finding.text).toContain("CAA at example.test forbids every CA");
    expect(finding.seen).toBe('issue ";"');
  });

  it("mentions an accounturi restriction and stays ok", async () => {
    const finding = await caaFinding(
      {
        records: {
          "example.test": [
            LOCAL,
            {
              type: "CAA",
              tag: "issue",
              value: "sectigo.com; accounturi=https://acme.sectigo.com/account/42",
            },
          ],
        },
      },
      target("example.test"),
    );
    expect(finding.severity).toBe("ok");
    expect(finding.text).toContain("allows sectigo.com");
    expect(finding.text).toContain("only for account https://acme.sectigo.com/account/42");
  });

  it("warns when validationmethods leaves out the order's method, and is ok when it includes it", async () => {
    const zone: DnsZone = {
      records: {
        "example.test": [
          LOCAL,
          { type: "CAA", tag: "issue", value: "sectigo.com; validationmethods=dns-01" },
        ],
      },
    };
    const forHttp = await caaFinding(zone, target("example.test", { method: "http" }));
    expect(forHttp.severity).toBe("warning");
    expect(forHttp.text).toContain("only by validation methods dns-01");
    expect(forHttp.text).toContain("does not include HTTP validation");
    expect(forHttp.text).toContain("add http-01");
    expect(forHttp.seen).toBe("sectigo.com; validationmethods=dns-01");

    const forDns = await caaFinding(zone, target("example.test", { method: "dns" }));
    expect(forDns.severity).toBe("ok");
    expect(forDns.text).toContain("only by validation methods dns-01");
  });

  it("reads e-mail validation labels by their email prefix", async () => {
    const finding = await caaFinding(
      {
        records: {
          "example.test": [
            LOCAL,
            { type: "CAA", tag: "issue", value: "sectigo.com; validationmethods=email-constructed,http-01" },
          ],
        },
      },
      target("example.test", { method: "email" }),
    );
    expect(finding.severity).toBe("ok");
  });

  it("uses issuewild for a wildcard and issue for the plain name", async () => {
    const zone: DnsZone = {
      records: {
        "example.test": [
          LOCAL,
          { type: "CAA", tag: "issue", value: "sectigo.com" },
          { type: "CAA", tag: "issuewild", value: ";" },
        ],
      },
    };
    const wildcard = await caaFinding(zone, target("*.example.test"));
    expect(wildcard.severity).toBe("problem");
    expect(wildcard.domain).toBe("*.example.test");
    expect(wildcard.text).toContain("CAA at example.test forbids every CA");
    expect(wildcard.text).toContain('add example.test CAA 0 issuewild "sectigo.com"');

    const plain = await caaFinding(zone, target("example.test"));
    expect(plain).toMatchObject({
      severity: "ok",
      text: 'CAA at example.test allows sectigo.com (issue "sectigo.com").',
    });
  });

  it("falls back to issue for a wildcard when there is no issuewild", async () => {
    const finding = await caaFinding(
      { records: { "example.test": [LOCAL, { type: "CAA", tag: "issue", value: "sectigo.com" }] } },
      target("*.example.test"),
    );
    expect(finding.severity).toBe("ok");
    expect(finding.text).toContain('(issue "sectigo.com")');
  });

  it("refuses a critical property with a tag no CA knows, even when issue allows the CA", async () => {
    const finding = await caaFinding(
      {
        records: {
          "example.test": [
            LOCAL,
            { type: "CAA", tag: "issue", value: "sectigo.com" },
            { type: "CAA", tag: "tbs", value: "unknown", flags: 128 },
          ],
        },
      },
      target("example.test"),
    );
    expect(finding.severity).toBe("problem");
    expect(finding.text).toContain('"tbs" marked critical');
    expect(finding.text).toContain("must then not issue");
    expect(finding.seen).toBe('128 tbs "unknown"');
  });

  it("accepts the critical flag on a tag it knows", async () => {
    const finding = await caaFinding(
      {
        records: { "example.test": [LOCAL, { type: "CAA", tag: "issue", value: "sectigo.com", flags: 128 }] },
      },
      target("example.test"),
    );
    expect(finding.severity).toBe("ok");
  });

  it("says any CA may issue when there is no CAA record at all", async () => {
    const finding = await caaFinding(
      { records: { "a.b.example.test": [LOCAL] } },
      target("a.b.example.test"),
    );
    expect(finding).toMatchObject({
      severity: "ok",
      text: "No CAA record on a.b.example.test or its parents: any CA may issue.",
    });
    // Walked up to the last two labels, no further.
    expect(dns.queries.filter((query) => query.endsWith(" CAA"))).toEqual([
      "a.b.example.test CAA",
      "b.example.test CAA",
      "example.test CAA",
    ]);
  });

  it("says a record set with only iodef does not restrict issuance", async () => {
    const finding = await caaFinding(
      { records: { "example.test": [LOCAL, { type: "CAA", tag: "iodef", value: "mailto:x@example.test" }] } },
      target("example.test"),
    );
    expect(finding.severity).toBe("ok");
    expect(finding.text).toContain("does not restrict");
  });
});

describe("resolves", () => {
  it("warns, without calling it DNSSEC, when only one address type fails", async () => {
    const finding = only(
      await check({ records: { "www.example.test": [LOCAL] }, servfail: ["www.example.test AAAA"] }, [
        target("www.example.test"),
      ]),
      "resolves",
    );
    expect(finding).toMatchObject({ severity: "warning", seen: "SERVFAIL" });
    expect(finding.text).toContain("resolves to 127.0.0.1, but one of its address look-ups");
    expect(finding.text).not.toContain("DNSSEC");
  });

  it("is ok with the addresses, following a CNAME chain", async () => {
    const findings = await check(
      {
        records: {
          "www.example.test": [{ type: "CNAME", target: "web.example.test" }],
          "web.example.test": [LOCAL, { type: "AAAA", address: "::1" }],
        },
      },
      [target("www.example.test")],
    );
    expect(only(findings, "resolves")).toMatchObject({
      severity: "ok",
      text: "www.example.test resolves to 127.0.0.1, ::1.",
    });
  });

  it("looks up a wildcard's base name", async () => {
    const findings = await check({ records: { "example.test": [LOCAL] } }, [target("*.example.test")]);
    expect(only(findings, "resolves")).toMatchObject({
      domain: "*.example.test",
      severity: "ok",
      text: "example.test (the base of *.example.test) resolves to 127.0.0.1.",
    });
  });

  it("names NXDOMAIN as a domain that does not exist", async () => {
    const findings = await check({ records: { "example.test": [LOCAL] } }, [target("nope.example.test")]);
    const finding = only(findings, "resolves");
    expect(finding.severity).toBe("problem");
    expect(finding.text).toContain("nope.example.test does not exist in DNS (NXDOMAIN)");
    expect(finding.seen).toBe("NXDOMAIN");
    // NXDOMAIN at a CAA level only means "go up".
    expect(only(findings, "caa").severity).toBe("ok");
  });

  it("names SERVFAIL as how a broken DNSSEC chain shows, for the address and CAA lookups", async () => {
    const findings = await check({ servfail: ["broken.test"] }, [target("broken.test")]);
    const resolves = only(findings, "resolves");
    expect(resolves.severity).toBe("problem");
    expect(resolves.text).toContain("broken.test answers SERVFAIL, which is how a broken DNSSEC chain shows");
    expect(resolves.text).toContain("15 March 2026");
    const caa = only(findings, "caa");
    expect(caa.severity).toBe("warning");
    expect(caa.text).toContain("The CAA lookup for broken.test got SERVFAIL");
    expect(caa.text).toContain("a CA that cannot read CAA refuses to issue");
    expect(caa.seen).toBe("SERVFAIL");
  });

  it("judges a name without A or AAAA by the validation method", async () => {
    const zone: DnsZone = { records: { "example.test": [{ type: "TXT", value: "v=spf1 -all" }] } };
    const [dnsFinding, httpFinding, emailFinding] = await Promise.all(
      (["dns", "http", "email"] as const).map(async (method) =>
        only(await check(zone, [target("example.test", { method })]), "resolves"),
      ),
    );
    expect(dnsFinding).toMatchObject({ severity: "ok" });
    expect(dnsFinding?.text).toContain("fine for DNS validation");
    expect(httpFinding).toMatchObject({ severity: "problem" });
    expect(httpFinding?.text).toContain("nothing to connect to for HTTP validation");
    expect(emailFinding).toMatchObject({ severity: "warning", seen: "no A or AAAA record" });
  });

  it("gives up on a DNS server that never answers within the timeout, as warnings", async () => {
    const checker = createReadinessChecker({
      dnsServers: [silent.address],
      timeoutMs: 300,
      httpPort: web.port,
    });
    const started = Date.now();
    const findings = await checker.check([
      target("example.test", {
        instruction: instruction({ dnsRecord: { name: "_dnsauth.example.test", type: "TXT", value: "x" } }),
      }),
      target("www.example.test", {
        method: "http",
        instruction: instruction({ httpUrl: "http://www.example.test/f.txt" }),
      }),
      target("mail.example.test", { method: "email", approverEmail: "admin@example.test" }),
    ]);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1000);

    expect(only(findings, "resolves", "example.test")).toMatchObject({ severity: "warning" });
    expect(only(findings, "resolves", "example.test").text).toContain("got no DNS answer within 0.3 s");
    expect(only(findings, "caa", "example.test").text).toContain(
      "The CAA lookup for example.test got no DNS answer within 0.3 s",
    );
    expect(only(findings, "dns_record")).toMatchObject({ severity: "warning", seen: "TIMEOUT" });
    expect(only(findings, "http_file")).toMatchObject({ severity: "warning", seen: "TIMEOUT" });
    expect(only(findings, "mx")).toMatchObject({ severity: "warning", seen: "TIMEOUT" });
    expect(findings.every((finding) => finding.severity === "warning")).toBe(true);
  });
});

function instruction(more: Partial<DcvInstruction>): DcvInstruction {
  return { domain: "example.test", method: "dns", ...more };
}

describe("dns_record", () => {
  const txt = { name: "_dnsauth.example.test", type: "TXT" as const, value: "2025abcdef-token" };
  const cname = {
    name: "_ab12.example.test",
    type: "CNAME" as const,
    value: "ab12.cd34.sectigo.com",
  };

  async function recordFinding(zone: DnsZone, record: typeof txt | typeof cname): Promise<Finding> {
    const findings = await check(zone, [
      target("example.test", { instruction: instruction({ dnsRecord: record }) }),
    ]);
    return only(findings, "dns_record");
  }

  it("says a missing TXT record is not published yet and what to add", async () => {
    const finding = await recordFinding({ records: { "example.test": [LOCAL] } }, txt);
    expect(finding).toMatchObject({
      severity: "problem",
      text: "The TXT record at _dnsauth.example.test is not published yet: add TXT _dnsauth.example.test → 2025abcdef-token.",
    });
  });

  it("shows what a wrong TXT record holds instead", async () => {
    const finding = await recordFinding(
      {
        records: {
          "_dnsauth.example.test": [
            { type: "TXT", value: "old-token" },
            { type: "TXT", value: "other" },
          ],
        },
      },
      txt,
    );
    expect(finding.severity).toBe("problem");
    expect(finding.text).toContain("has a different value: change it to 2025abcdef-token");
    expect(finding.seen).toBe("old-token, other");
  });

  it("finds the right TXT record among others, joining a record's strings", async () => {
    const finding = await recordFinding(
      {
        records: {
          "_dnsauth.example.test": [
            { type: "TXT", value: "unrelated" },
            { type: "TXT", value: ["2025abcdef", "-token"] },
          ],
        },
      },
      txt,
    );
    expect(finding).toMatchObject({
      severity: "ok",
      text: "The TXT record at _dnsauth.example.test is in place with the expected value.",
    });
  });

  it("says a missing CNAME is not published yet, even when the name has other records", async () => {
    const finding = await recordFinding(
      { records: { "_ab12.example.test": [{ type: "TXT", value: "x" }] } },
      cname,
    );
    expect(finding.severity).toBe("problem");
    expect(finding.text).toContain("add CNAME _ab12.example.test → ab12.cd34.sectigo.com");
  });

  it("shows where a wrong CNAME points", async () => {
    const finding = await recordFinding(
      { records: { "_ab12.example.test": [{ type: "CNAME", target: "elsewhere.example.net" }] } },
      cname,
    );
    expect(finding).toMatchObject({ severity: "problem", seen: "elsewhere.example.net" });
    expect(finding.text).toContain("change it to ab12.cd34.sectigo.com");
  });

  it("accepts the right CNAME whatever its case and final dot", async () => {
    const finding = await recordFinding(
      { records: { "_ab12.example.test": [{ type: "CNAME", target: "AB12.cd34.Sectigo.com." }] } },
      { ...cname, value: "ab12.cd34.sectigo.com." },
    );
    expect(finding.severity).toBe("ok");
  });
});

describe("http_file", () => {
  const path = "/.well-known/pki-validation/AB12CD.txt";
  const content = "ab12cd34\nsectigo.com\nt0k3n";

  function httpTarget(domain = "www.example.test"): ReadinessTarget {
    return target(domain, {
      method: "http",
      instruction: instruction({ method: "http", httpUrl: `http://${domain}${path}`, httpContent: content }),
    });
  }
  const zone: DnsZone = { records: { "www.example.test": [LOCAL], "files.example.test": [LOCAL] } };

  it("is ok when the file has the expected content, whatever its line endings", async () => {
    web.setRoutes({ [path]: { status: 200, body: "ab12cd34\r\nsectigo.com\r\nt0k3n\r\n" } });
    const finding = only(await check(zone, [httpTarget()]), "http_file");
    expect(finding).toMatchObject({
      severity: "ok",
      text: `http://www.example.test${path} serves the expected content.`,
    });
    // Connected to the name the zone gives, with the domain as the Host header.
    expect(web.requests).toEqual([`www.example.test ${path}`]);
  });

  it("never fetches from a private or local address on the CAs' port 80", async () => {
    web.setRoutes({ [path]: { status: 200, body: content } });
    const metadata = {
      records: { "www.example.test": [{ type: "A" as const, address: "169.254.169.254" }] },
    };
    const finding = only(await check(metadata, [httpTarget()], { httpPort: 80 }), "http_file");
    expect(finding).toMatchObject({ severity: "problem", seen: "169.254.169.254" });
    expect(finding.text).toContain("points only to a private or local address");
    const local = only(await check(zone, [httpTarget()], { httpPort: 80 }), "http_file");
    expect(local).toMatchObject({ severity: "problem", seen: "127.0.0.1" });
    expect(web.requests).toEqual([]);
  });

  it("shows the start of what is served when the content differs", async () => {
    web.setRoutes({ [path]: { status: 200, body: `<html>${"x".repeat(500)}</html>` } });
    const finding = only(await check(zone, [httpTarget()]), "http_file");
    expect(finding.severity).toBe("problem");
    expect(finding.text).toContain("serves different content than the provider expects");
    expect(finding.seen).toBe(`<html>${"x".repeat(194)}`);
  });

  it("reads no more than 64 kB of a large answer", async () => {
    web.setRoutes({ [path]: { status: 200, body: "y".repeat(1024 * 1024) } });
    const finding = only(await check(zone, [httpTarget()]), "http_file");
    expect(finding).toMatchObject({ severity: "problem", seen: "y".repeat(200) });
  });

  it("gives up on a web server that never answers within the timeout", async () => {
    web.setRoutes({ [path]: { hang: true } });
    const started = Date.now();
    const finding = only(await check(zone, [httpTarget()], { timeoutMs: 300 }), "http_file");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(finding).toMatchObject({ severity: "warning", seen: "timeout" });
    expect(finding.text).toContain(`http://www.example.test${path} gave no HTTP answer within 0.3 s`);
  });

  it("names the status of a missing file", async () => {
    web.setRoutes({});
    const finding = only(await check(zone, [httpTarget()]), "http_file");
    expect(finding).toMatchObject({ severity: "problem", seen: "HTTP 404" });
    expect(finding.text).toBe(
      `http://www.example.test${path} answers HTTP 404: put the validation file at that path with the content the provider gave.`,
    );
  });

  it("follows a redirect to the right file, on another host too", async () => {
    web.setRoutes({
      [path]: { redirect: "/moved.txt", status: 302 },
      "/moved.txt": { redirect: `http://files.example.test:${web.port}/final.txt` },
      "/final.txt": { status: 200, body: content },
    });
    const finding = only(await check(zone, [httpTarget()]), "http_file");
    expect(finding.severity).toBe("ok");
    expect(finding.text).toContain(
      `serves the expected content (after 2 redirects, at http://files.example.test:${web.port}/final.txt)`,
    );
  });

  it("reports a redirect loop", async () => {
    web.setRoutes({ [path]: { redirect: "/b.txt" }, "/b.txt": { redirect: path } });
    const finding = only(await check(zone, [httpTarget()]), "http_file");
    expect(finding.severity).toBe("problem");
    expect(finding.text).toContain("redirects in a loop");
    expect(finding.seen).toContain("/b.txt →");
  });

  it("gives up after 10 redirects as the CAs do", async () => {
    const hops = Object.fromEntries(
      Array.from({ length: 12 }, (_, hop) => [
        hop === 0 ? path : `/hop${hop}`,
        { redirect: `/hop${hop + 1}` },
      ]),
    );
    web.setRoutes(hops);
    const finding = only(await check(zone, [httpTarget()]), "http_file");
    expect(finding.severity).toBe("problem");
    expect(finding.text).toContain("redirects more than 10 times");
    expect(web.requests).toHaveLength(11);
  });

  it("refuses a redirect to a port a CA will not use", async () => {
    web.setRoutes({ [path]: { redirect: "http://www.example.test:8080/x.txt" } });
    const finding = only(await check(zone, [httpTarget()]), "http_file");
    expect(finding).toMatchObject({ severity: "problem", seen: "http://www.example.test:8080/x.txt" });
    expect(finding.text).toContain("which a CA does not follow");
  });

  it("reports a refused connection", async () => {
    const closedPort = await freePort();
    const finding = only(await check(zone, [httpTarget()], { httpPort: closedPort }), "http_file");
    expect(finding).toMatchObject({ severity: "problem", seen: "connection refused" });
    expect(finding.text).toContain(`Nothing accepts connections on port ${closedPort} of www.example.test`);
  });

  it("checks nothing over HTTP for DNS validation", async () => {
    const findings = await check(zone, [target("www.example.test")]);
    expect(findings.map((finding) => finding.check)).toEqual(["resolves", "caa"]);
  });
});

describe("mx", () => {
  function emailTarget(approverEmail: string): ReadinessTarget {
    return target("example.test", { method: "email", approverEmail });
  }

  it("is ok when the approver's domain has MX records", async () => {
    const findings = await check(
      {
        records: {
          "example.test": [
            LOCAL,
            { type: "MX", exchange: "mx2.example.test", priority: 20 },
            { type: "MX", exchange: "mx1.example.test", priority: 10 },
          ],
        },
      },
      [emailTarget("admin@Example.test")],
    );
    expect(only(findings, "mx")).toMatchObject({
      severity: "ok",
      text: "example.test has MX records (mx1.example.test, mx2.example.test), so the approval e-mail to admin@Example.test can arrive.",
    });
  });

  it("says the approval e-mail cannot arrive without MX records", async () => {
    const findings = await check({ records: { "example.test": [LOCAL] } }, [
      emailTarget("admin@example.test"),
    ]);
    const finding = only(findings, "mx");
    expect(finding.severity).toBe("problem");
    expect(finding.text).toContain(
      "example.test has no MX record, so the approval e-mail to admin@example.test cannot arrive",
    );
  });

  it("treats a null MX as accepting no mail", async () => {
    const findings = await check(
      { records: { "example.test": [LOCAL, { type: "MX", exchange: "", priority: 0 }] } },
      [emailTarget("admin@example.test")],
    );
    expect(only(findings, "mx")).toMatchObject({ severity: "problem", seen: 'MX 0 "."' });
  });

  it("looks at the approver's domain, not the certificate's", async () => {
    const findings = await check(
      {
        records: {
          "example.test": [LOCAL],
          "example.org.test": [{ type: "MX", exchange: "mx.example.org.test" }],
        },
      },
      [emailTarget("hostmaster@example.org.test")],
    );
    expect(only(findings, "mx").severity).toBe("ok");
  });
});

describe("the checker as a whole", () => {
  it("gives one finding per domain and check, in order, for a domain listed twice", async () => {
    const findings = await check({ records: { "example.test": [LOCAL] } }, [
      target("example.test"),
      target("EXAMPLE.test."),
      target("other.test"),
    ]);
    expect(findings.map((finding) => `${finding.domain} ${finding.check}`)).toEqual([
      "example.test resolves",
      "example.test caa",
      "other.test resolves",
      "other.test caa",
    ]);
  });

  it("refuses a bad DNS server list when it is created", () => {
    expect(() => createReadinessChecker({ dnsServers: ["not-an-ip"] })).toThrow();
  });
});

describe("parseDnsServers", () => {
  it("reads addresses with and without ports, separated by commas or spaces", () => {
    expect(parseDnsServers("1.1.1.1, 127.0.0.1:5353  [2606:4700::1111]:53,::1 [::2]")).toEqual([
      "1.1.1.1",
      "127.0.0.1:5353",
      "[2606:4700::1111]:53",
      "::1",
      "::2",
    ]);
    expect(parseDnsServers("")).toEqual([]);
    expect(parseDnsServers(" , ")).toEqual([]);
  });

  it.each([
    ["dns.google", "it is not an IP address"],
    ["1.1.1.1:0", '"0" is not a port from 1 to 65535'],
    ["1.1.1.1:99999", '"99999" is not a port'],
    ["1.1.1.1:abc", '"abc" is not a port'],
    ["[1.1.1.1]:53", '"1.1.1.1" is not an IPv6 address'],
    ["2606:4700::1111:53:zz", "it is not an IP address"],
    ["256.1.1.1", "it is not an IP address"],
  ])("refuses %s with a clear message", (entry, why) => {
    expect(() => parseDnsServers(`1.1.1.1, ${entry}`)).toThrow(
      `DNS_SERVERS: "${entry}" is not a resolver address (${why}`,
    );
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
