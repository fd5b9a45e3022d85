import type { Vault } from "../certs/vault.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import { GoGetSslProvider } from "./gogetssl.js";
import { createProviderRegistry, type ProviderRegistry } from "./registry.js";
import { SandboxProvider } from "./sandbox.js";
import { SectigoProvider } from "./sectigo.js";
import type { ProviderId, SslProvider } from "./types.js";

/** The providers SSL_PROVIDERS enables, configured from the environment. */
export function buildProviders(
  config: Config["providers"],
  services: { db: Database; vault: Vault; clock: Clock },
): ProviderRegistry {
  const now = () => services.clock.now();
  const factories: Record<ProviderId, () => SslProvider> = {
    sandbox: () => new SandboxProvider({ ...services, approvalSeconds: config.sandbox.approvalSeconds }),
    sectigo: () => {
      const sectigo = required(config.sectigo, "sectigo");
      return new SectigoProvider({ ...sectigo, now });
    },
    gogetssl: () => {
      const gogetssl = required(config.gogetssl, "gogetssl");
      return new GoGetSslProvider({ ...gogetssl, now });
    },
  };
  const providers = config.enabled.map((id) => factories[id]());
  return createProviderRegistry(providers);
}

function required<T>(value: T | undefined, provider: string): T {
  if (!value)
    throw new Error(`${provider} is enabled but not configured (config validation should have said so)`);
  return value;
}
