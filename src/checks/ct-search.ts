import type { AxiosInstance } from "axios";
import axiosRetry, { exponentialDelay, isNetworkError } from "axios-retry";
import { z } from "zod";
import axios, { isAxiosError } from "../axios.js";
import type { CtEntry } from "../domain/ct.js";

/**
 * The Certificate Transparency search service (CT_SEARCH_URL, crt.sh by default), read from outside
 * like the other checks: what it answers comes back as plain data, and trouble (a timeout, a 429,
 * a 5xx, an answer that is not its JSON) comes back as a failure to try again at the next run,
 * never as an exception.
 *
 * crt.sh's wire format, as certdesk uses it:
 *
 * - Search: `GET {CT_SEARCH_URL}/?q=<pattern>&output=json&exclude=expired&deduplicate=Y` → 200 with
 *   a JSON array (`[]` when nothing matches; crt.sh has also been seen answering an empty body),
 *   each element like
 *   `{"issuer_ca_id":16418,"issuer_name":"C=US, O=Let's Encrypt, CN=R3","common_name":"example.com",
 *   "name_value":"example.com\nwww.example.com","id":123456789,"entry_timestamp":"2024-01-01T00:00:00.123",
 *   "not_before":"2024-01-01T00:00:00","not_after":"2024-03-31T00:00:00","serial_number":"04a1b2…",
 *   "result_count":2}`. Dates are UTC without a zone. `%` is a wildcard: `q=%.example.com` finds
 *   names under example.com, not example.com itself, so each registrable domain is searched twice
 *   (`example.com`, then `%.example.com`), one request at a time. `exclude=expired` and
 *   `deduplicate=Y` (one entry per precertificate/certificate pair) make the answer smaller; both
 *   are filters of crt.sh's, so certdesk still drops expired certificates and merges entries of the
 *   same serial and CA itself (domain/ct.ts), for services that ignore them.
 * - One certificate: `GET {CT_SEARCH_URL}/?d=<id>` → 200 with the entry's certificate as PEM (a
 *   precertificate's entry gives the precertificate).
 * - crt.sh is slow and rate-limits: every request has a timeout and is retried once, with backoff,
 *   on a timeout, a network error or a 5xx. A 429 is not retried: more requests only prolong the
 *   limit (and its Retry-After can be an hour), so the watch stops and the next run starts over.
 */

export interface CtSearchOptions {
  baseUrl: string;
  /** Each request's time limit (crt.sh can take tens of seconds on a busy domain). */
  timeoutMs?: number;
  /** Retries after the first attempt, with exponential backoff from `retryDelayMs`. */
  retries?: number;
  retryDelayMs?: number;
}

/** Why a request brought nothing: each means "try again at the next run". */
export type CtSearchFailure = {
  ok: false;
  reason: "rate_limited" | "unavailable" | "timeout" | "bad_answer";
  /** Safe to log: a status or a word, never a body. */
  message: string;
};

export type CtSearchResult<T> = { ok: true; value: T } | CtSearchFailure;

export interface CtSearch {
  /** Every entry naming the domain or a name under it (two searches, merged by entry id). */
  searchDomain(domain: string): Promise<CtSearchResult<CtEntry[]>>;
  /** The PEM of one entry (`?d=<id>`). */
  certificatePem(id: number): Promise<CtSearchResult<string>>;
}

/** crt.sh's dates: "2024-01-01T00:00:00" (UTC, no zone), sometimes with fractions. */
const utcDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$/)
  .transform((value) => new Date(value.endsWith("Z") ? value : `${value}Z`));

const wireEntry = z
  .object({
    id: z.number().int().positive(),
    issuer_ca_id: z.number().int(),
    issuer_name: z.string(),
    common_name: z.string().nullish(),
    name_value: z.string(),
    serial_number: z.string().regex(/^[0-9a-fA-F:]+$/),
    not_before: utcDate,
    not_after: utcDate,
  })
  .loose();

const wireAnswer = z.array(z.unknown());

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

export function createCtSearch(options: CtSearchOptions): CtSearch {
  const http: AxiosInstance = axios.create({
    baseURL: options.baseUrl.replace(/\/+$/, ""),
    timeout: options.timeoutMs ?? 60_000,
    responseType: "text",
    transformResponse: (data: unknown) => data,
    headers: { "User-Agent": "certdesk-ct-watch", Accept: "application/json, text/plain" },
    maxContentLength: 64 * 1024 * 1024,
  });
  const delayMs = options.retryDelayMs ?? 5_000;
  axiosRetry(http, {
    retries: options.retries ?? 1,
    shouldResetTimeout: true,
    retryDelay: (count, error) => exponentialDelay(count, error, delayMs),
    retryCondition: (error) => {
      if (isNetworkError(error) || isTimeout(error)) return true;
      return (error.response?.status ?? 0) >= 500;
    },
  });

  async function get(params: Record<string, string>): Promise<CtSearchResult<string>> {
    try {
      const response = await http.get<string>("/", { params });
      return { ok: true, value: typeof response.data === "string" ? response.data : "" };
    } catch (error) {
      return failure(error);
    }
  }

  async function search(pattern: string): Promise<CtSearchResult<CtEntry[]>> {
    const answer = await get({ q: pattern, output: "json", exclude: "expired", deduplicate: "Y" });
    if (!answer.ok) return answer;
    const text = answer.value.trim();
    if (text === "") return { ok: true, value: [] };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, reason: "bad_answer", message: "the answer is not JSON" };
    }
    const list = wireAnswer.safeParse(json);
    if (!list.success) return { ok: false, reason: "bad_answer", message: "the answer is not a JSON array" };
    // An element that is not an entry (a field crt.sh renamed) is skipped rather than failing the rest.
    const entries = list.data.flatMap((element) => {
      const parsed = wireEntry.safeParse(element);
      if (!parsed.success) return [];
      const entry = parsed.data;
      return [
        {
          id: entry.id,
          issuerCaId: entry.issuer_ca_id,
          issuerName: entry.issuer_name,
          commonName: entry.common_name ?? "",
          names: entry.name_value.split(/\s+/).filter(Boolean),
          serial: entry.serial_number,
          notBefore: entry.not_before,
          notAfter: entry.not_after,
        } satisfies CtEntry,
      ];
    });
    if (entries.length === 0 && list.data.length > 0) {
      return { ok: false, reason: "bad_answer", message: "no element of the answer is a CT entry" };
    }
    return { ok: true, value: entries };
  }

  return {
    async searchDomain(domain) {
      const merged = new Map<number, CtEntry>();
      for (const pattern of [domain, `%.${domain}`]) {
        const found = await search(pattern);
        if (!found.ok) return found;
        for (const entry of found.value) merged.set(entry.id, entry);
      }
      return { ok: true, value: [...merged.values()] };
    },
    async certificatePem(id) {
      const answer = await get({ d: String(id) });
      if (!answer.ok) return answer;
      const pem = PEM.exec(answer.value)?.[0];
      if (!pem)
        return {
          ok: false,
          reason: "bad_answer",
          message: `entry ${id} did not come back as a PEM certificate`,
        };
      return { ok: true, value: `${pem}\n` };
    },
  };
}

function isTimeout(error: { code?: string }): boolean {
  return error.code === "ECONNABORTED" || error.code === "ETIMEDOUT";
}

/** The failure in words safe to log: axios errors carry the request, so only the status or code is kept. */
function failure(error: unknown): CtSearchFailure {
  if (isAxiosError(error)) {
    const status = error.response?.status;
    if (status === 429) return { ok: false, reason: "rate_limited", message: "HTTP 429 (rate limited)" };
    if (status !== undefined) return { ok: false, reason: "unavailable", message: `HTTP ${status}` };
    if (isTimeout(error)) return { ok: false, reason: "timeout", message: "timed out" };
    return { ok: false, reason: "unavailable", message: `network error (${error.code ?? "unknown"})` };
  }
  return { ok: false, reason: "unavailable", message: "unexpected error" };
}
