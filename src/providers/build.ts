import type { Config } from "../config.js";
import type { ProviderPlugin, ProviderServices } from "./plugin.js";
import { PROVIDER_PLUGINS } from "./plugins.js";
import { createProviderRegistry, type ProviderRegistry } from "./registry.js";
import type { SslProvider } from "./types.js";

/**
 * The providers SSL_PROVIDERS enables, each created by its plug-in from the settings loadConfig
 * validated. `plugins` is the list loadConfig was given (tests plug in providers of their own).
 */
export async function buildProviders(
  config: Config["providers"],
  services: ProviderServices,
  plugins: readonly ProviderPlugin[] = PROVIDER_PLUGINS,
): Promise<ProviderRegistry> {
  return createProviderRegistry(
    await Promise.all(config.enabled.map((id) => createProvider(id, config, services, plugins))),
  );
}

async function createProvider(
  id: string,
  config: Config["providers"],
  services: ProviderServices,
  plugins: readonly ProviderPlugin[],
): Promise<SslProvider> {
  const plugin = plugins.find((candidate) => candidate.id === id);
  if (!plugin) throw new Error(`SSL_PROVIDERS enables "${id}", but no provider plug-in has that id`);
  const settings = config.settings[id];
  if (settings === undefined) {
    throw new Error(`${id} is enabled but not configured (config validation should have said so)`);
  }
  const provider = await plugin.create(settings as Record<string, unknown>, services);
  if (provider.id !== id) {
    throw new Error(`The "${id}" plug-in created a provider whose id is "${provider.id}"`);
  }
  return provider;
}
