import type { Clock } from "../clock.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { Product, ServerType, SslProvider } from "../providers/types.js";

export interface ProviderCatalogue {
  provider: { id: string; displayName: string; dcvMethods: SslProvider["capabilities"]["dcvMethods"] };
  products: Product[];
  serverTypes: ServerType[];
  /** Set when this provider's lists could not be loaded; the others still are. */
  error?: string;
}

const TTL_MS = 60 * 60_000;

/**
 * Products and server types of every enabled provider, kept for an hour: the order modal must open
 * within Slack's 3 seconds, and a provider's product list does not change by the minute.
 */
export function createCatalogue(providers: ProviderRegistry, clock: Clock) {
  let cached: { at: number; value: ProviderCatalogue[] } | undefined;
  let loading: Promise<ProviderCatalogue[]> | undefined;

  async function loadOne(provider: SslProvider): Promise<ProviderCatalogue> {
    const summary = {
      id: provider.id,
      displayName: provider.displayName,
      dcvMethods: provider.capabilities.dcvMethods,
    };
    try {
      const [products, serverTypes] = await Promise.all([
        provider.listProducts(),
        provider.listServerTypes(),
      ]);
      return { provider: summary, products, serverTypes };
    } catch (error) {
      return { provider: summary, products: [], serverTypes: [], error: (error as Error).message };
    }
  }

  function refresh(): Promise<ProviderCatalogue[]> {
    loading ??= Promise.all(providers.enabled.map(loadOne))
      .then((value) => {
        // A provider that failed is asked again next time instead of being cached empty for an hour.
        if (value.every((entry) => !entry.error)) cached = { at: clock.now().getTime(), value };
        return value;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  }

  return {
    /** The cached catalogue when fresh, without waiting. */
    peek(): ProviderCatalogue[] | undefined {
      return cached && clock.now().getTime() - cached.at < TTL_MS ? cached.value : undefined;
    },
    async get(): Promise<ProviderCatalogue[]> {
      return this.peek() ?? refresh();
    },
  };
}

export type Catalogue = ReturnType<typeof createCatalogue>;

export function productKey(providerId: string, productId: string): string {
  return `${providerId}:${productId}`;
}

export function findProduct(
  catalogue: ProviderCatalogue[],
  key: string | undefined,
): { entry: ProviderCatalogue; product: Product } | undefined {
  if (!key) return undefined;
  const separator = key.indexOf(":");
  const providerId = key.slice(0, separator);
  const productId = key.slice(separator + 1);
  const entry = catalogue.find((candidate) => candidate.provider.id === providerId);
  const product = entry?.products.find((candidate) => candidate.id === productId);
  return entry && product ? { entry, product } : undefined;
}
