import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ProviderPlugin } from "../src/providers/plugin.js";
import { PROVIDER_PLUGINS } from "../src/providers/plugins.js";

/**
 * Writes the providers' part of `.env.example` from the provider plug-ins (their variables, one
 * comment line each, and the value a variable takes when unset). The rest of the file is written
 * by hand; the generated part sits between the two marker lines. Run: `npm run env:example`.
 * test/providers/plugins.test.ts fails when the committed file differs from what this writes.
 */

export const ENV_EXAMPLE = fileURLToPath(new URL("../.env.example", import.meta.url));
const BEGIN = "# >>> providers: written by `npm run env:example` from src/providers/*/index.ts; edit those.";
const END = "# <<< providers";

/** The generated lines, markers included. */
export function providerSection(plugins: readonly ProviderPlugin[] = PROVIDER_PLUGINS): string {
  const ids = plugins.map((plugin) => plugin.id);
  const lines = [
    BEGIN,
    `# Enabled providers, comma list of ${ids.join(", ")}. Default ${ids[0] ?? ""}.`,
    `SSL_PROVIDERS=${ids[0] ?? ""}`,
  ];
  for (const plugin of plugins) {
    lines.push("", `# ${plugin.displayName} (SSL_PROVIDERS=${plugin.id})`);
    for (const [name, schema] of Object.entries(plugin.env.shape)) {
      const help = (plugin.envHelp as Record<string, string | undefined>)[name];
      if (!help) throw new Error(`The ${plugin.id} plug-in has no envHelp line for ${name}`);
      lines.push(`# ${help}`, `${name}=${valueWhenUnset(schema)}`);
    }
  }
  lines.push(END);
  return lines.join("\n");
}

/** `.env.example`'s text with its providers' part replaced by `providerSection(plugins)`. */
export function withProviderSection(
  text: string,
  plugins: readonly ProviderPlugin[] = PROVIDER_PLUGINS,
): string {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END, begin);
  if (begin < 0 || end < 0) {
    throw new Error(
      `.env.example lacks the marker lines "${BEGIN}" and "${END}": put them back around the providers' part`,
    );
  }
  return text.slice(0, begin) + providerSection(plugins) + text.slice(end + END.length);
}

/** The default a variable takes when unset (60, false), or nothing for required and optional ones. */
function valueWhenUnset(schema: { safeParse(input: unknown): { success: boolean; data?: unknown } }): string {
  const parsed = schema.safeParse(undefined);
  return parsed.success && parsed.data !== undefined ? String(parsed.data) : "";
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(ENV_EXAMPLE, withProviderSection(readFileSync(ENV_EXAMPLE, "utf8")));
  console.log(`Wrote the providers' part of ${path.relative(process.cwd(), ENV_EXAMPLE)}.`);
}
