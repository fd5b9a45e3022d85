import type { Clock } from "../clock.js";
import type { Product, ProviderCatalogue, ServerType } from "../domain/product.js";
import type { ProviderRegistry } from "../providers/registry.js";
import type { SslProvider } from "../providers/types.js";

/** A provider's product list does not change by the minute. */
const TTL_MS = 60 * 60_000;
/** A provider that failed is asked again no sooner than this. */
const RETRY_MS = 60_000;

interface Entry {
  provider: SslProvider;
  lists?: { products: Product[]; serverTypes: ServerType[]; at: number };
  error?: string;
  failedAt?: number;
  loading?: Promise<void>;
}

/**
 * Products and server types per provider. Handlers read `snapshot()`, which never waits: each
 * provider shows its last good lists (served stale when a refresh fails, and refreshed in the
 * background once older than an hour), so one slow or failing provider never holds up another, and
 * nothing a handler does before Slack's 3-second ack waits on a provider.
 */
export function createCatalogue(providers: ProviderRegistry, clock: Clock) {
  const entries = providers.enabled.map((provider): Entry => ({ provider }));

  function load(entry: Entry): Promise<void> {
    // Started inside a promise: an adapter that throws at once fails this load, not the caller.
    entry.loading ??= Promise.resolve()
      .then(() => Promise.all([entry.provider.listProducts(), entry.provider.listServerTypes()]))
      .then(
        ([products, serverTypes]) => {
          entry.lists = { products, serverTypes, at: clock.now().getTime() };
          entry.error = undefined;
          entry.failedAt = undefined;
        },
        (error: unknown) => {
          entry.error = (error as Error).message;
          entry.failedAt = clock.now().getTime();
        },
      )
      .finally(() => {
        entry.loading = undefined;
      });
    return entry.loading;
  }

  /** Starts a background load where the lists are missing or old, unless one runs or just failed. */
  function refreshIfDue(entry: Entry, now: number): void {
    if (entry.loading) return;
    if (entry.failedAt !== undefined && now - entry.failedAt < RETRY_MS) return;
    if (entry.lists && now - entry.lists.at < TTL_MS && entry.failedAt === undefined) return;
    void load(entry);
  }

  function view(entry: Entry): ProviderCatalogue {
    const provider = {
      id: entry.provider.id,
      displayName: entry.provider.displayName,
      dcvMethods: entry.provider.capabilities.dcvMethods,
      oneApproverForAllDomains: entry.provider.capabilities.oneApproverForAllDomains ?? false,
    };
    if (entry.lists) {
      return {
        provider,
        products: entry.lists.products,
        serverTypes: entry.lists.serverTypes,
        state: "ready",
        ...(entry.error ? { error: entry.error } : {}),
      };
    }
    return {
      provider,
      products: [],
      serverTypes: [],
      state: entry.error && !entry.loading ? "unavailable" : "loading",
      ...(entry.error ? { error: entry.error } : {}),
    };
  }

  return {
    /** Every enabled provider's lists as known now; starts refreshes that are due. Never waits. */
    snapshot(): ProviderCatalogue[] {
      const now = clock.now().getTime();
      for (const entry of entries) refreshIfDue(entry, now);
      return entries.map(view);
    },
    /**
     * Waits until every provider's current load has ended (each loaded or failed), for start-up and
     * tests. Never call it before an ack: a hanging provider makes it wait as long as its timeouts.
     */
    async get(): Promise<ProviderCatalogue[]> {
      const now = clock.now().getTime();
      for (const entry of entries) refreshIfDue(entry, now);
      await Promise.all(entries.map((entry) => entry.loading));
      return entries.map(view);
    },
    /** One provider's lists once its current load (if any) has ended: after an ack only. */
    async settled(providerId: string): Promise<ProviderCatalogue | undefined> {
      const entry = entries.find((candidate) => candidate.provider.id === providerId);
      if (!entry) return undefined;
      refreshIfDue(entry, clock.now().getTime());
      await entry.loading;
      return view(entry);
    },
    /** Resolves as soon as some provider has products, or every load has ended: after an ack only. */
    async firstUsable(): Promise<ProviderCatalogue[]> {
      const current = this.snapshot();
      if (current.some((entry) => entry.products.length > 0)) return current;
      const loads = entries.map((entry) => entry.loading).filter((loading) => loading !== undefined);
      await new Promise<void>((resolve) => {
        let left = loads.length;
        if (left === 0) resolve();
        for (const loading of loads) {
          void loading.then(() => {
            left -= 1;
            if (left === 0 || entries.some((entry) => entry.lists && entry.lists.products.length > 0))
              resolve();
          });
        }
      });
      return entries.map(view);
    },
  };
}

export type Catalogue = ReturnType<typeof createCatalogue>;
