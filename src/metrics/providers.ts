import { createProviderRegistry, type ProviderRegistry } from "../providers/registry.js";
import type { SslProvider } from "../providers/types.js";

/** Told of every call to a provider's API: how long it took, and the error when it failed. */
export interface ProviderCallRecorder {
  call(provider: string, method: string, seconds: number, error?: unknown): void;
}

/** The SslProvider methods that reach the provider: the only ones timed, so the labels stay few. */
const TIMED_METHODS = [
  "listProducts",
  "listServerTypes",
  "getApproverEmails",
  "placeOrder",
  "getStatus",
  "renew",
  "reissue",
  "resendApproval",
  "changeValidation",
  "recheckValidation",
  "revoke",
  "renewalWindow",
] as const satisfies readonly (keyof SslProvider)[];

const TIMED: ReadonlySet<string> = new Set(TIMED_METHODS);

/**
 * The same registry with each provider wrapped once (app.ts builds it so): every call of a timed
 * method is measured and its failure counted, whoever makes it (order service, poller, catalogue).
 * Calls a provider makes to itself (`this.getStatus()` inside `renew`) are not counted twice: the
 * wrapped methods run with the provider itself as `this`. Optional methods a provider lacks stay
 * absent, so `provider.revoke?.(…)` still reads as before.
 */
export function instrumentProviders(
  registry: ProviderRegistry,
  recorder: ProviderCallRecorder,
): ProviderRegistry {
  return createProviderRegistry(registry.enabled.map((provider) => instrumentProvider(provider, recorder)));
}

function instrumentProvider(provider: SslProvider, recorder: ProviderCallRecorder): SslProvider {
  const wrapped = new Map<string, unknown>();
  return new Proxy(provider, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof key !== "string" || !TIMED.has(key) || typeof value !== "function") return value;
      const known = wrapped.get(key);
      if (known) return known;
      const method = value as (...args: unknown[]) => unknown;
      const timed = (...args: unknown[]) =>
        timeCall(target.id, key, () => method.apply(target, args), recorder);
      wrapped.set(key, timed);
      return timed;
    },
  });
}

function timeCall(
  provider: string,
  method: string,
  call: () => unknown,
  recorder: ProviderCallRecorder,
): unknown {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1_000;
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    recorder.call(provider, method, elapsed(), error);
    throw error;
  }
  if (!(result instanceof Promise)) {
    recorder.call(provider, method, elapsed());
    return result;
  }
  return result.then(
    (value: unknown) => {
      recorder.call(provider, method, elapsed());
      return value;
    },
    (error: unknown) => {
      recorder.call(provider, method, elapsed(), error);
      throw error;
    },
  );
}
