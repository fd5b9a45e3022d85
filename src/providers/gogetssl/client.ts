import type { AxiosResponse } from "axios";
import type { ProviderError } from "../errors.js";
import {
  createProviderHttp,
  describeTransportFailure,
  type ProviderHttp,
  type ProviderHttpOptions,
  requestNeverSent,
  responseBody,
  responseStatus,
} from "../http.js";
import {
  authError,
  inputError,
  isAuthComplaint,
  outcomeUnknownError,
  reportText,
  unavailableError,
  unconfirmedChangeError,
} from "./errors.js";
import { authResponse, type ErrorReport, parseJson, readErrorReport } from "./wire.js";

export interface GoGetSslRequest {
  /**
   * `read` is retried on transport failures and repeated after a re-auth (so are changes that are free
   * and harmless to repeat: resending the approval e-mail, changing the validation); `send` places an
   * order, is never retried, and is repeated only after a 401 (which proves the order was not accepted).
   * `change` alters an existing order (a reissue): sent like `send`, but free, so a lost answer
   * leaves nothing to reconcile by hand (the order's status shows whether it was accepted).
   */
  kind: "read" | "send" | "change";
  method: "GET" | "POST";
  path: string;
  form?: Record<string, string>;
  /** What certdesk was doing, for error messages: "placing order SSL-1042". */
  action: string;
}

export interface GoGetSslCredentials {
  user: string;
  password: string;
}

type Attempt =
  | { kind: "ok"; body: unknown }
  | { kind: "keyRejected" }
  | { kind: "failed"; error: ProviderError };

const SUCCESS_STATUSES = new Set([200, 201, 204]);

/** A sign-in answered by GoGetSSL itself (not by a proxy, an outage or a rate limit) with a refusal. */
function refusesCredentials(status: number | undefined, report: ErrorReport | undefined): boolean {
  if (status === undefined || status >= 500 || status === 429) return false;
  return report !== undefined || status === 401 || status === 403;
}

/**
 * GoGetSSL transport: signs in with `POST /auth/`, caches the key, adds `?auth_key=` to every call,
 * and turns every failure into a typed provider error that carries no secret. The credentials and
 * keys are private fields, so they stay out of JSON.stringify and util.inspect.
 */
export class GoGetSslClient {
  readonly #credentials: GoGetSslCredentials;
  readonly #http: ProviderHttp;
  #key: string | undefined;
  #pendingAuth: Promise<string> | undefined;
  /** Every key ever received: an expired one is still a secret if GoGetSSL echoes it. */
  readonly #secrets = new Set<string>();

  constructor(credentials: GoGetSslCredentials, httpOptions: ProviderHttpOptions) {
    this.#credentials = { ...credentials };
    this.#http = createProviderHttp(httpOptions);
    if (credentials.password) this.#secrets.add(credentials.password);
  }

  /** The parsed JSON body of a successful call. */
  async call(request: GoGetSslRequest): Promise<unknown> {
    const key = await this.#authKey();
    const first = await this.#attempt(request, key);
    if (first.kind === "ok") return first.body;
    if (first.kind === "failed") throw first.error;
    this.#forgetKey(key);
    const second = await this.#attempt(request, await this.#authKey());
    if (second.kind === "ok") return second.body;
    if (second.kind === "failed") throw second.error;
    throw authError(undefined, `${request.action}, even with a freshly issued auth key`);
  }

  /** Concurrent callers share one sign-in. */
  #authKey(): Promise<string> {
    if (this.#key) return Promise.resolve(this.#key);
    this.#pendingAuth ??= this.#authenticate().finally(() => {
      this.#pendingAuth = undefined;
    });
    return this.#pendingAuth;
  }

  /** Only the caller holding the current key drops it; others already got a newer one. */
  #forgetKey(staleKey: string): void {
    if (this.#key === staleKey) this.#key = undefined;
  }

  async #authenticate(): Promise<string> {
    const action = "signing in";
    let response: AxiosResponse;
    try {
      response = await this.#http.read({
        method: "POST",
        url: "/auth/",
        data: new URLSearchParams({ user: this.#credentials.user, pass: this.#credentials.password }),
      });
    } catch (error) {
      const status = responseStatus(error);
      const report = readErrorReport(parseJson(responseBody(error)));
      if (refusesCredentials(status, report)) throw authError(report && this.#scrubReport(report), action);
      const hint = status === 404 ? "; check GOGETSSL_API_URL" : "";
      throw unavailableError(action, `${describeTransportFailure(error)}${hint}`);
    }
    const body = parseJson(response.data);
    const report = readErrorReport(body);
    if (report) throw authError(this.#scrubReport(report), action);
    const parsed = authResponse.safeParse(body);
    if (!parsed.success) throw unavailableError(action, "the answer carried no auth key");
    this.#secrets.add(parsed.data.key);
    this.#key = parsed.data.key;
    return parsed.data.key;
  }

  async #attempt(request: GoGetSslRequest, key: string): Promise<Attempt> {
    const config = {
      method: request.method,
      url: request.path,
      params: { auth_key: key },
      data: request.form ? new URLSearchParams(request.form) : undefined,
    };
    try {
      const response = await (request.kind === "read" ? this.#http.read(config) : this.#http.send(config));
      return this.#interpretAnswer(request, response.status, response.data);
    } catch (error) {
      return this.#interpretFailure(request, error);
    }
  }

  #interpretAnswer(request: GoGetSslRequest, status: number, data: unknown): Attempt {
    const text = typeof data === "string" ? data : undefined;
    const body = status === 204 || text?.trim() === "" ? {} : parseJson(text);
    if (body === undefined) return this.#unclear(request, "the answer was not JSON");
    const report = readErrorReport(body);
    if (report) return this.#refusal(request, report);
    if (!SUCCESS_STATUSES.has(status)) return this.#unclear(request, `HTTP ${status}`);
    return { kind: "ok", body };
  }

  #interpretFailure(request: GoGetSslRequest, error: unknown): Attempt {
    const status = responseStatus(error);
    if (status === undefined) {
      return this.#unclear(request, describeTransportFailure(error), requestNeverSent(error));
    }
    if (status === 401) return { kind: "keyRejected" };
    const report = readErrorReport(parseJson(responseBody(error)));
    if (status >= 500 || status === 429) {
      const said = report ? `: ${reportText(this.#scrubReport(report))}` : "";
      // Rate limiting refuses the request before it is processed, so even a placement did not happen.
      return this.#unclear(request, `HTTP ${status}${said}`, status === 429);
    }
    if (report) return this.#refusal(request, report);
    return this.#unclear(request, `HTTP ${status} without an error description`);
  }

  /** GoGetSSL answered with its error object: the call definitely did not succeed. */
  #refusal(request: GoGetSslRequest, said: ErrorReport): Attempt {
    const report = this.#scrubReport(said);
    if (isAuthComplaint(report)) {
      // A read is safe to repeat with a new key; a placement or change is repeated only on a 401.
      if (request.kind === "read") return { kind: "keyRejected" };
      return { kind: "failed", error: authError(report, request.action) };
    }
    return { kind: "failed", error: inputError(report, request.action) };
  }

  /** No usable answer: for a placement that was sent, nobody knows whether the order exists. */
  #unclear(request: GoGetSslRequest, reason: string, certainlyNotPlaced = false): Attempt {
    const sentMaybe = request.kind !== "read" && !certainlyNotPlaced;
    const error =
      sentMaybe && request.kind === "send"
        ? outcomeUnknownError(request.action, reason)
        : sentMaybe
          ? unconfirmedChangeError(request.action, reason)
          : unavailableError(request.action, reason);
    return { kind: "failed", error };
  }

  /** GoGetSSL may echo the request; the password and keys must not travel on in an error. */
  #scrubReport(report: ErrorReport): ErrorReport {
    const scrub = (text: string) => {
      let clean = text;
      for (const secret of this.#secrets) clean = clean.split(secret).join("[redacted]");
      return clean;
    };
    return { message: scrub(report.message), description: scrub(report.description) };
  }
}
