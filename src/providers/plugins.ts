import { acme } from "./acme/index.js";
import { gogetssl } from "./gogetssl/index.js";
import type { PluginSettings } from "./plugin.js";
import { sandbox } from "./sandbox/index.js";
import { sectigo } from "./sectigo/index.js";

/**
 * THE list of providers certdesk knows: SSL_PROVIDERS accepts these ids, config validates their
 * variables, buildProviders creates the enabled ones, and `npm run env:example` documents them.
 * Adding a provider is a folder `src/providers/<id>/` (see plugin.ts) plus one entry here.
 * The first entry is what SSL_PROVIDERS means when it is unset.
 */
export const PROVIDER_PLUGINS = [sandbox, sectigo, gogetssl, acme] as const;

export type ProviderId = (typeof PROVIDER_PLUGINS)[number]["id"];

export const PROVIDER_IDS: readonly ProviderId[] = PROVIDER_PLUGINS.map((plugin) => plugin.id);

/** Each known provider's validated variables, by id: what its plug-in's `create` takes. */
export type ProviderSettings = {
  [P in (typeof PROVIDER_PLUGINS)[number] as P["id"]]: PluginSettings<P>;
};
