import type { ProviderError } from "../errors.js";
import { createProviderHttp, type ProviderHttp, type ProviderHttpOptions } from "../http.js";
import { errorForRefusal, type SectigoCall, transportError, unreadableAnswer } from "./errors.js";
import { formBody, parseSectigoAnswer, type SectigoAnswer } from "./wire.js";

export interface SectigoCredentials {
  loginName: string;
  loginPassword: string;
}

export type FormParams = Record<string, string | undefined>;

const PATHS: Readonly<Record<SectigoCall, string>> = {
  approverEmails: "/products/!GetDCVEmailAddressList",
  placement: "/products/!AutoApplySSL",
  reissue: "/products/!AutoReplaceSSL",
  status: "/products/download/CollectSSL",
  resend: "/products/!ResendDCVEmail",
  updateDcv: "/products/!AutoUpdateDCV",
};

/**
 * Sectigo transport: form POSTs with the credentials in every body, answers parsed from either
 * encoding (wire.ts), every failure turned into a typed provider error that carries no secret.
 * The credentials are private fields, so they stay out of JSON.stringify and util.inspect.
 */
export class SectigoClient {
  readonly #loginName: string;
  readonly #loginPassword: string;
  readonly #http: ProviderHttp;
  #collectTail: Promise<unknown> = Promise.resolve();

  constructor(credentials: SectigoCredentials, httpOptions: ProviderHttpOptions) {
    this.#loginName = credentials.loginName;
    this.#loginPassword = credentials.loginPassword;
    this.#http = createProviderHttp(httpOptions);
  }

  /**
   * The parsed answer, whatever its status code (the caller knows what the code means for the call).
   * A placement or reissue is sent once, never retried (a second AutoReplaceSSL while the first is
   * being processed is refused with -26); the other calls are reads, retried on transport failures
   * (AutoUpdateDCV too: setting the same validation again does no harm).
   */
  call(call: SectigoCall, params: FormParams, uniqueValue?: string): Promise<SectigoAnswer> {
    const post = () => this.#post(call, params, uniqueValue);
    return call === "status" ? this.#oneCollectAtATime(post) : post();
  }

  /** The typed error for a refusal (negative code), with the password removed from Sectigo's echo. */
  refused(answer: SectigoAnswer, call: SectigoCall, uniqueValue?: string): ProviderError {
    return errorForRefusal(answer, { call, uniqueValue, redact: (text) => this.#redact(text) });
  }

  async #post(
    call: SectigoCall,
    params: FormParams,
    uniqueValue: string | undefined,
  ): Promise<SectigoAnswer> {
    let body: unknown;
    try {
      const response = await this.#http[call === "placement" || call === "reissue" ? "send" : "read"]({
        method: "POST",
        url: PATHS[call],
        data: formBody({ loginName: this.#loginName, loginPassword: this.#loginPassword, ...params }),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
      body = response.data;
    } catch (error) {
      throw transportError(call, error, uniqueValue);
    }
    const answer = parseSectigoAnswer(body);
    if (!answer) throw unreadableAnswer(call, uniqueValue);
    return answer;
  }

  /** Sectigo forbids concurrent CollectSSL calls, so this client sends one at a time. */
  #oneCollectAtATime<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#collectTail.then(task, task);
    this.#collectTail = run.catch(() => undefined);
    return run;
  }

  #redact(text: string): string {
    return this.#loginPassword === "" ? text : text.split(this.#loginPassword).join("[redacted]");
  }
}
