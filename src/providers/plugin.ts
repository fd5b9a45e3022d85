import type { z } from "zod";
import type { Vault } from "../certs/vault.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import type { SslProvider } from "./types.js";

/** What certdesk hands every provider it builds; a provider takes what it needs. */
export interface ProviderServices {
  db: Database;
  vault: Vault;
  clock: Clock;
}

/**
 * A provider as certdesk plugs it in: one folder `src/providers/<id>/` whose `index.ts` exports
 * this, plus one line in `plugins.ts`. Config validation, `SSL_PROVIDERS`, the registry and
 * `.env.example` all come from the plug-in list.
 */
export interface ProviderPlugin<Id extends string = string, Env extends z.ZodObject = z.ZodObject> {
  /** The word in SSL_PROVIDERS, and the `provider` of its orders and errors: never change it. */
  readonly id: Id;
  readonly displayName: string;
  /**
   * Its own environment variables (keys are the variable names, prefixed with the provider's
   * name), built from `./env.ts`. Messages read after the variable's name and never echo values.
   * While the provider is not enabled, only the variables that are set are checked.
   */
  readonly env: Env;
  /** One line per variable for `.env.example` (`npm run env:example`). */
  readonly envHelp: { readonly [Name in keyof Env["shape"]]: string };
  /**
   * The provider, from its validated variables; `provider.id` must be `id`. Asynchronous so that
   * the adapter (its HTTP client, its wire formats) is imported here, not by config.ts, which
   * reads the plug-in list before the database can start opening (docs/benchmarks.md, start time).
   */
  create(settings: z.output<Env>, services: ProviderServices): Promise<SslProvider>;
}

/** The settings `create` takes: the plug-in's variables, validated. */
export type PluginSettings<P extends ProviderPlugin> = z.output<P["env"]>;

/** Declares a plug-in with its id kept as a literal type (so the list can derive `ProviderId`). */
export function defineProviderPlugin<const Id extends string, Env extends z.ZodObject>(
  plugin: ProviderPlugin<Id, Env>,
): ProviderPlugin<Id, Env> {
  return plugin;
}

export type EnvInput = Readonly<Record<string, string | undefined>>;

/**
 * Validates one plug-in's variables in `env` (process.env or alike): its settings when they are
 * valid, else problem lines like "SECTIGO_LOGIN_NAME is missing: …". A provider that is not
 * enabled needs nothing: only its variables that are set are checked, so a mistyped URL is
 * reported before it is needed.
 */
export function checkPluginEnv<P extends ProviderPlugin>(
  plugin: P,
  env: EnvInput,
  options: { enabled: boolean } = { enabled: true },
): { settings?: PluginSettings<P>; problems: string[] } {
  const parsed = plugin.env.safeParse(env);
  if (parsed.success) return { settings: parsed.data as PluginSettings<P>, problems: [] };
  const problems = parsed.error.issues
    .filter((issue) => options.enabled || isSet(env, issue.path[0]))
    .map((issue) => `${String(issue.path[0] ?? plugin.id)} ${issue.message}`);
  return { problems: [...new Set(problems)] };
}

function isSet(env: EnvInput, name: PropertyKey | undefined): boolean {
  return typeof name === "string" && Boolean(env[name]?.trim());
}
