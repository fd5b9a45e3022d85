import { EXTERNAL_PROVIDER, EXTERNAL_PROVIDER_NAME } from "../domain/imported.js";
import type { SslProvider } from "./types.js";

/** The enabled providers, in SSL_PROVIDERS order; the rest of certdesk reaches providers only here. */
export interface ProviderRegistry {
  readonly enabled: readonly SslProvider[];
  get(id: string): SslProvider;
  has(id: string): boolean;
  /** The provider's display name, or its id when it is no longer enabled (an old order's provider). */
  nameOf(id: string): string;
}

export class UnknownProviderError extends Error {
  override name = "UnknownProviderError";
}

export function createProviderRegistry(providers: SslProvider[]): ProviderRegistry {
  // "external" marks certificates certdesk did not order (domain/imported.ts): nothing orders from it.
  if (providers.some((provider) => provider.id === EXTERNAL_PROVIDER)) {
    throw new Error(
      `"${EXTERNAL_PROVIDER}" is reserved for imported certificates and cannot be a provider's id.`,
    );
  }
  const byId = new Map<string, SslProvider>(providers.map((provider) => [provider.id, provider]));
  return {
    enabled: providers,
    has: (id) => byId.has(id),
    nameOf: (id) => byId.get(id)?.displayName ?? (id === EXTERNAL_PROVIDER ? EXTERNAL_PROVIDER_NAME : id),
    get(id) {
      const provider = byId.get(id);
      if (!provider) {
        throw new UnknownProviderError(
          `The provider "${id}" is not enabled here (SSL_PROVIDERS is ${[...byId.keys()].join(", ")}).`,
        );
      }
      return provider;
    },
  };
}
