import type { AxiosRequestConfig, AxiosResponse } from "axios";
import axiosRetry, { exponentialDelay, isNetworkError } from "axios-retry";
import axios, { isAxiosError } from "../axios.js";

export interface ProviderHttpOptions {
  baseURL: string;
  timeoutMs?: number;
  /** Retries for reads (lists, status); placements are never retried. */
  readRetries?: number;
  /** Base of the exponential backoff; tests shrink it. */
  retryDelayMs?: number;
}

/**
 * One axios instance per provider. `read` is retried with backoff on network errors,
 * timeouts, 5xx and 429 (honouring Retry-After); `send` is never retried, because a
 * repeated order placement bills the customer twice.
 */
export interface ProviderHttp {
  read(config: AxiosRequestConfig): Promise<AxiosResponse>;
  send(config: AxiosRequestConfig): Promise<AxiosResponse>;
}

export function createProviderHttp(options: ProviderHttpOptions): ProviderHttp {
  const instance = axios.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs ?? 30_000,
    // Bodies are parsed by each adapter against its own wire format.
    responseType: "text",
    transformResponse: (data: unknown) => data,
  });
  const delayMs = options.retryDelayMs ?? 500;
  axiosRetry(instance, {
    retries: options.readRetries ?? 3,
    // Each attempt gets the full timeout; otherwise a timed-out read leaves no time for its retry.
    shouldResetTimeout: true,
    retryDelay: (count, error) => exponentialDelay(count, error, delayMs),
    retryCondition: (error) => {
      if (isNetworkError(error) || error.code === "ECONNABORTED" || error.code === "ETIMEDOUT") return true;
      const status = error.response?.status ?? 0;
      return status === 429 || status >= 500;
    },
  });
  return {
    read: (config) => instance.request(config),
    send: (config) => instance.request({ ...config, "axios-retry": { retries: 0 } }),
  };
}

/**
 * A description of a transport failure that is safe to log and show: axios errors carry the
 * request body (credentials, CSR) in `config`, so they are never passed on as a cause.
 */
export function describeTransportFailure(error: unknown): string {
  if (isAxiosError(error)) {
    if (error.response) return `HTTP ${error.response.status}`;
    if (error.code === "ECONNABORTED" || error.code === "ETIMEDOUT") return "timed out";
    return error.code ? `network error (${error.code})` : "network error";
  }
  return "unexpected error";
}

/** The connection was never made (refused, name not resolved), so not one byte of the request left. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/** True when the request certainly never reached the provider: even a placement did not happen. */
export function requestNeverSent(error: unknown): boolean {
  return isAxiosError(error) && !error.response && NOT_SENT_CODES.has(error.code ?? "");
}

/** The response status when the provider answered at all. */
export function responseStatus(error: unknown): number | undefined {
  return isAxiosError(error) ? error.response?.status : undefined;
}

/** The response body when the provider answered with an error status. */
export function responseBody(error: unknown): string | undefined {
  if (!isAxiosError(error) || !error.response) return undefined;
  const data: unknown = error.response.data;
  return typeof data === "string" ? data : undefined;
}
