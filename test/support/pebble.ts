import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { Agent, createServer as createHttpsServer, request as httpsRequest } from "node:https";
import { type AddressInfo, connect, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import forge from "node-forge";
import { rsaKeyPair, wholeSeconds } from "./test-ca.js";

/**
 * Let's Encrypt's test ACME server Pebble (Debian package `pebble`, 2.4.0) and its mock DNS server
 * pebble-challtestsrv, started per test with their own ports, config and temp dir, so ACME code runs
 * against a real RFC 8555 server: real JWS checks, nonces, orders, http-01 and dns-01 validation,
 * issued chains.
 */

const PEBBLE = "/usr/bin/pebble";
const CHALLTESTSRV = "/usr/bin/pebble-challtestsrv";
const START_TIMEOUT_MS = 10_000;
const POLL_MS = 20;
/** Enough of a process's output to explain why it failed; older output is dropped. */
const OUTPUT_LIMIT = 64 * 1024;

/** Whether Pebble is installed, so tests needing it can be skipped where it is not (`describe.skipIf`). */
export function pebbleInstalled(): boolean {
  return existsSync(PEBBLE) && existsSync(CHALLTESTSRV);
}

export interface StartPebbleOptions {
  /** Port Pebble's VA connects to on 127.0.0.1 for http-01 (the test's own HTTP server). */
  httpPort: number;
  /** Require External Account Binding; the server then accepts `eab` below. */
  eab?: boolean;
  /** PEBBLE_AUTHZREUSE percentage; default 0 (deterministic: every order validates afresh). */
  authzReusePercent?: number;
}

export interface PebbleServer {
  /** https://127.0.0.1:<port>/dir */
  directoryUrl: string;
  /** Path of a PEM file holding the test CA that signed Pebble's TLS certificate (for ACME_CA_BUNDLE). */
  caBundlePath: string;
  caBundlePem: string;
  /** The account binding Pebble accepts when started with `eab: true`; hmacKey is base64url, unpadded. */
  eab?: { kid: string; hmacKey: string };
  /** pebble-challtestsrv's DNS server "127.0.0.1:<port>", which Pebble uses for its look-ups (A answers 127.0.0.1). */
  dnsServer: string;
  /** Serves a TXT record (for dns-01) at `host`; a trailing dot is added when missing. */
  setTxt(host: string, value: string): Promise<void>;
  /** Removes every TXT record set at `host`. */
  clearTxt(host: string): Promise<void>;
  /** Pebble's issuing root (management /roots/0), made afresh per Pebble, to verify issued chains. */
  rootPem(): Promise<string>;
  /** Pebble's issuing intermediate (management /intermediates/0). */
  intermediatePem(): Promise<string>;
  /** What Pebble says of a certificate it issued (management /cert-status-by-serial/): "Valid" or "Revoked". */
  certificateStatus(serialHex: string): Promise<string>;
  /** Kills both processes and removes the temp dir. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The TLS identity Pebble (and the extensions proxy) serve: one throw-away CA per test process.

interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

let tlsMaterial: TlsMaterial | undefined;

/**
 * The test CA and a `localhost` / 127.0.0.1 server certificate it signed, made once per process: every
 * Pebble and proxy in the process serves it, so one CA bundle trusts them all.
 */
function testTlsMaterial(): TlsMaterial {
  if (tlsMaterial) return tlsMaterial;
  const ca = rsaKeyPair(2048);
  const caName = [{ name: "commonName", value: "certdesk Pebble Test CA" }];
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = `01${randomBytes(8).toString("hex")}`;
  caCert.validity.notBefore = wholeSeconds(Date.now() - 60 * 60 * 1000);
  caCert.validity.notAfter = wholeSeconds(Date.now() + 365 * 24 * 60 * 60 * 1000);
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const server = rsaKeyPair(2048);
  const serverCert = forge.pki.createCertificate();
  serverCert.publicKey = server.publicKey;
  serverCert.serialNumber = `01${randomBytes(8).toString("hex")}`;
  serverCert.validity.notBefore = caCert.validity.notBefore;
  serverCert.validity.notAfter = caCert.validity.notAfter;
  serverCert.setSubject([{ name: "commonName", value: "localhost" }]);
  serverCert.setIssuer(caName);
  serverCert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    {
      name: "subjectAltName",
      altNames: [
        { type: 2, value: "localhost" },
        { type: 7, ip: "127.0.0.1" },
      ],
    },
  ]);
  serverCert.sign(ca.privateKey, forge.md.sha256.create());

  tlsMaterial = {
    caPem: forge.pki.certificateToPem(caCert),
    certPem: forge.pki.certificateToPem(serverCert),
    keyPem: forge.pki.privateKeyToPem(server.privateKey),
  };
  return tlsMaterial;
}

// ---------------------------------------------------------------------------------------------
// Processes: captured output, and killed when the test process exits, whatever happens.

const liveProcesses = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

/** One hook for every server: a test that never calls close() still leaves no process or temp dir. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of liveProcesses) child.kill("SIGKILL");
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

interface Running {
  child: ChildProcess;
  output: () => string;
  /** Set once the process has exited: how it ended. */
  exited: () => string | undefined;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Running {
  installExitHook();
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let exited: string | undefined;
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  liveProcesses.add(child);
  child.on("error", (error) => {
    exited = `failed to start: ${error.message}`;
    liveProcesses.delete(child);
  });
  child.on("exit", (code, signal) => {
    exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
    liveProcesses.delete(child);
  });
  return { child, output: () => output, exited: () => exited };
}

async function stop(running: Running): Promise<void> {
  const { child } = running;
  if (running.exited() !== undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
  await gone;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Small network helpers.

/** A TCP port free on 127.0.0.1 right now (listen on 0, read, close). */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A port free for both TCP and UDP (the DNS server binds both). */
async function freeDnsPort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const socket = createSocket("udp4");
    const free = await new Promise<boolean>((resolve) => {
      socket.once("error", () => resolve(false));
      socket.bind(port, "127.0.0.1", () => resolve(true));
    });
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    if (free || attempt >= 20) return port;
  }
}

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer | string;
  /** CA to trust for https URLs. */
  ca?: string;
  agent?: Agent;
  timeoutMs?: number;
}

function fetchRaw(url: string, options: RequestOptions = {}): Promise<Response> {
  const target = new URL(url);
  const body = typeof options.body === "string" ? Buffer.from(options.body) : options.body;
  const headers = { ...options.headers };
  if (body) headers["content-length"] = String(body.length);
  const common = {
    host: target.hostname,
    port: target.port,
    path: `${target.pathname}${target.search}`,
    method: options.method ?? "GET",
    headers,
    timeout: options.timeoutMs ?? 5_000,
  };
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on("error", reject);
    };
    const request =
      target.protocol === "https:"
        ? httpsRequest({ ...common, ca: options.ca, agent: options.agent ?? false }, onResponse)
        : httpRequest({ ...common, agent: false }, onResponse);
    request.on("timeout", () => request.destroy(new Error(`${common.method} ${url} timed out`)));
    request.on("error", reject);
    request.end(body);
  });
}

function tcpConnects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Pebble itself.

interface Attempt {
  ports: { acme: number; management: number; dns: number; challtestManagement: number };
  pebble: Running;
  challtestsrv: Running;
}

async function launch(dir: string, options: StartPebbleOptions, eab: PebbleServer["eab"]): Promise<Attempt> {
  const ports = {
    acme: await freePort(),
    management: await freePort(),
    dns: await freeDnsPort(),
    challtestManagement: await freePort(),
  };
  const tlsPort = await freePort();
  const configPath = join(dir, "pebble-config.json");
  await writeFile(
    configPath,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${ports.acme}`,
        managementListenAddress: `127.0.0.1:${ports.management}`,
        certificate: join(dir, "cert.pem"),
        privateKey: join(dir, "key.pem"),
        httpPort: options.httpPort,
        tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: Boolean(options.eab),
        ...(eab ? { externalAccountMACKeys: { [eab.kid]: eab.hmacKey } } : {}),
      },
    }),
  );
  // `-defaultIPv6 ""` makes AAAA queries answer nothing: Pebble 2.4's VA dials the *first* address it
  // resolved and asks AAAA before A, so a ::1 answer would send http-01 to [::1]:httpPort.
  const challtestsrv = run(CHALLTESTSRV, [
    "-defaultIPv4",
    "127.0.0.1",
    "-defaultIPv6",
    "",
    "-http01",
    "",
    "-https01",
    "",
    "-tlsalpn01",
    "",
    "-dns01",
    `127.0.0.1:${ports.dns}`,
    "-management",
    `127.0.0.1:${ports.challtestManagement}`,
  ]);
  const pebble = run(PEBBLE, ["-config", configPath, "-dnsserver", `127.0.0.1:${ports.dns}`], {
    PEBBLE_VA_NOSLEEP: "1",
    PEBBLE_WFE_NONCEREJECT: "0",
    PEBBLE_AUTHZREUSE: String(options.authzReusePercent ?? 0),
  });
  return { ports, pebble, challtestsrv };
}

async function ready(attempt: Attempt, caPem: string): Promise<boolean> {
  const { ports } = attempt;
  const answers = async (url: string) => {
    try {
      return (await fetchRaw(url, { ca: caPem, timeoutMs: 1_000 })).status === 200;
    } catch {
      return false;
    }
  };
  const checks = await Promise.all([
    answers(`https://127.0.0.1:${ports.acme}/dir`),
    answers(`https://127.0.0.1:${ports.management}/roots/0`),
    tcpConnects(ports.dns),
    // Any answer (404 at /) means the management server is up.
    fetchRaw(`http://127.0.0.1:${ports.challtestManagement}/`, { timeoutMs: 1_000 }).then(
      () => true,
      () => false,
    ),
  ]);
  return checks.every(Boolean);
}

function failureReport(attempt: Attempt, reason: string): string {
  const describe = (name: string, running: Running) =>
    `--- ${name} (${running.exited() ?? "still running"}) ---\n${running.output().trim()}`;
  return [
    `Pebble did not start: ${reason}`,
    describe("pebble", attempt.pebble),
    describe("pebble-challtestsrv", attempt.challtestsrv),
  ].join("\n");
}

/**
 * Starts Pebble and pebble-challtestsrv (as Pebble's DNS server) on free 127.0.0.1 ports, with no
 * artificial validation sleeps and no rejected nonces, and waits until both answer. Throws with both
 * processes' output when they do not start within 10 s.
 */
export async function startPebble(options: StartPebbleOptions): Promise<PebbleServer> {
  const tls = testTlsMaterial();
  installExitHook();
  const dir = await mkdtemp(join(tmpdir(), "certdesk-pebble-"));
  liveDirs.add(dir);
  const caBundlePath = join(dir, "ca-bundle.pem");
  await Promise.all([
    writeFile(caBundlePath, tls.caPem),
    writeFile(join(dir, "cert.pem"), tls.certPem),
    writeFile(join(dir, "key.pem"), tls.keyPem, { mode: 0o600 }),
  ]);
  // Pebble decodes each MAC key as unpadded base64url (Go's RawURLEncoding); padding is refused.
  const eab = options.eab
    ? { kid: `kid-${randomBytes(4).toString("hex")}`, hmacKey: randomBytes(64).toString("base64url") }
    : undefined;

  const deadline = Date.now() + START_TIMEOUT_MS;
  let attempt: Attempt | undefined;
  try {
    // A port taken between choosing and binding it (by another test worker) makes a process exit at
    // once; then it is tried again on new ports.
    for (let tries = 1; ; tries++) {
      attempt = await launch(dir, options, eab);
      let exitedEarly = false;
      while (!(await ready(attempt, tls.caPem))) {
        if (attempt.pebble.exited() !== undefined || attempt.challtestsrv.exited() !== undefined) {
          exitedEarly = true;
          break;
        }
        if (Date.now() > deadline) throw new Error(failureReport(attempt, "not ready within 10 s"));
        await delay(POLL_MS);
      }
      if (!exitedEarly) break;
      const failed = attempt;
      await Promise.all([stop(failed.pebble), stop(failed.challtestsrv)]);
      if (tries >= 3 || Date.now() > deadline) throw new Error(failureReport(failed, "a process exited"));
    }
  } catch (error) {
    if (attempt) await Promise.all([stop(attempt.pebble), stop(attempt.challtestsrv)]);
    await rm(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw error;
  }

  const { ports, pebble, challtestsrv } = attempt;
  const challtestManagement = `http://127.0.0.1:${ports.challtestManagement}`;
  const management = `https://127.0.0.1:${ports.management}`;
  const fqdn = (host: string) => (host.endsWith(".") ? host : `${host}.`);
  const challtestPost = async (path: string, body: object) => {
    const response = await fetchRaw(`${challtestManagement}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) {
      throw new Error(`pebble-challtestsrv ${path} answered ${response.status}: ${response.body.toString()}`);
    }
  };
  const managementGet = async (path: string) => {
    const response = await fetchRaw(`${management}${path}`, { ca: tls.caPem });
    if (response.status !== 200) throw new Error(`Pebble ${path} answered ${response.status}`);
    return response.body.toString("utf8");
  };
  let closed: Promise<void> | undefined;

  return {
    directoryUrl: `https://127.0.0.1:${ports.acme}/dir`,
    caBundlePath,
    caBundlePem: tls.caPem,
    ...(eab ? { eab } : {}),
    dnsServer: `127.0.0.1:${ports.dns}`,
    setTxt: (host, value) => challtestPost("/set-txt", { host: fqdn(host), value }),
    clearTxt: (host) => challtestPost("/clear-txt", { host: fqdn(host) }),
    rootPem: () => managementGet("/roots/0"),
    intermediatePem: () => managementGet("/intermediates/0"),
    async certificateStatus(serialHex) {
      const answer = JSON.parse(await managementGet(`/cert-status-by-serial/${serialHex.toLowerCase()}`));
      return String((answer as { Status?: unknown }).Status);
    },
    close() {
      closed ??= (async () => {
        await Promise.all([stop(pebble), stop(challtestsrv)]);
        await rm(dir, { recursive: true, force: true });
        liveDirs.delete(dir);
      })();
      return closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The ACME extensions proxy.

export interface RenewalInfo {
  suggestedWindow: { start: string; end: string };
  explanationURL?: string;
}

export interface AcmeExtensionsProxy {
  /** https://127.0.0.1:<proxyport>/dir */
  directoryUrl: string;
  /** Every POST's decoded JWS payload (JSON.parse of base64url payload; null for POST-as-GET ""), with its path. */
  posts: { path: string; payload: unknown }[];
  /** renewalInfo answers by certID (the path segment after renewal-info/); unknown → 404. */
  setRenewalInfo(certId: string, info: RenewalInfo, retryAfterSeconds?: number): void;
  /** certIDs asked, in order. */
  renewalInfoRequests: string[];
  close(): Promise<void>;
}

/** Hop-by-hop and length headers: each side of the proxy sets its own. */
const NOT_RELAYED = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "content-length",
]);

function relayable(headers: Record<string, string | string[] | undefined>) {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !NOT_RELAYED.has(name.toLowerCase())));
}

function decodePayload(body: Buffer): unknown {
  try {
    const jws = JSON.parse(body.toString("utf8")) as { payload?: unknown };
    if (typeof jws.payload !== "string") return undefined;
    if (jws.payload === "") return null;
    return JSON.parse(Buffer.from(jws.payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/**
 * An HTTPS front for a Pebble that adds what Pebble 2.4 lacks: ARI (RFC 9773 `renewalInfo`, answered
 * from `setRenewalInfo`) and `meta.profiles` in the directory. Everything else is forwarded to Pebble
 * with the Host header kept, so Pebble's URLs (and the JWS `url` checks) name the proxy and all later
 * traffic flows through it too; it records each POST's payload, to assert what a client sent.
 * It serves the same test CA as Pebble, so the Pebble's caBundle trusts it.
 */
export async function startAcmeExtensionsProxy(
  pebble: PebbleServer,
  options: { profiles?: Record<string, string> } = {},
): Promise<AcmeExtensionsProxy> {
  const tls = testTlsMaterial();
  const upstream = new URL(pebble.directoryUrl);
  const agent = new Agent({ ca: pebble.caBundlePem, keepAlive: true });
  const renewalInfos = new Map<string, { info: RenewalInfo; retryAfterSeconds: number }>();
  const posts: AcmeExtensionsProxy["posts"] = [];
  const renewalInfoRequests: string[] = [];

  const server = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const url = request.url ?? "/";
      const path = url.split("?")[0] ?? url;
      const method = request.method ?? "GET";
      const host = request.headers.host ?? `127.0.0.1:${port}`;
      const send = (
        status: number,
        headers: Record<string, string | string[] | undefined>,
        payload: Buffer,
      ) => {
        response.writeHead(status, { ...relayable(headers), "content-length": String(payload.length) });
        response.end(payload);
      };

      const renewal = /^\/renewal-info\/([^/]+)$/.exec(path);
      if (renewal && method === "GET") {
        const certId = decodeURIComponent(renewal[1] ?? "");
        renewalInfoRequests.push(certId);
        const known = renewalInfos.get(certId);
        if (!known) {
          const problem = {
            type: "urn:ietf:params:acme:error:malformed",
            detail: `no renewalInfo for ${certId}`,
          };
          send(404, { "content-type": "application/problem+json" }, Buffer.from(JSON.stringify(problem)));
          return;
        }
        send(
          200,
          { "content-type": "application/json", "retry-after": String(known.retryAfterSeconds) },
          Buffer.from(JSON.stringify(known.info)),
        );
        return;
      }

      if (method === "POST") posts.push({ path, payload: decodePayload(body) });
      fetchRaw(`${upstream.origin}${url}`, {
        method,
        headers: relayable(request.headers),
        body: body.length > 0 ? body : undefined,
        agent,
      }).then(
        (answer) => {
          if (method === "GET" && path === upstream.pathname && answer.status === 200) {
            const directory = JSON.parse(answer.body.toString("utf8")) as Record<string, unknown>;
            directory.renewalInfo = `https://${host}/renewal-info`;
            if (options.profiles) {
              directory.meta = { ...(directory.meta as object | undefined), profiles: options.profiles };
            }
            send(answer.status, answer.headers, Buffer.from(JSON.stringify(directory)));
          } else {
            send(answer.status, answer.headers, answer.body);
          }
        },
        (error: Error) => {
          send(502, { "content-type": "text/plain" }, Buffer.from(`proxy: ${error.message}`));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;

  return {
    directoryUrl: `https://127.0.0.1:${port}${upstream.pathname}`,
    posts,
    renewalInfoRequests,
    setRenewalInfo(certId, info, retryAfterSeconds = 21_600) {
      renewalInfos.set(certId, { info, retryAfterSeconds });
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      });
      return closed;
    },
  };
}
