import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../../scripts/build.js";
import { ensureSeed } from "../../src/db/seed.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/** The node invocation that ends `npm start` in package.json: its flags and its entry point. */
async function productionNodeCommand(): Promise<{ flags: string[]; entry: string }> {
  const manifest = JSON.parse(await readFile(path.join(repo, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const run = manifest.scripts.start?.split(" && ").at(-1) ?? "";
  const [command, ...args] = run.split(" ");
  const entry = args.pop();
  if (command !== "node" || !entry) throw new Error(`npm start should end by running node, not: ${run}`);
  return { flags: args, entry: path.join(repo, entry) };
}

/** The node flags production runs with (heap limit, source maps), for benchmarks of compiled code. */
export async function productionNodeFlags(): Promise<string[]> {
  return (await productionNodeCommand()).flags;
}

/**
 * Builds dist/ as `npm start` does and returns its node arguments, so the tests and benchmarks run
 * exactly what production runs.
 */
export async function buildProductionStart(): Promise<string[]> {
  const { flags, entry } = await productionNodeCommand();
  await compile({ entryPoints: ["src/**/*.ts"], outdir: "dist", outbase: "src" });
  // As `npm run build` does: a new DATA_DIR starts from the seed (src/db/seed.ts).
  await ensureSeed();
  return [...flags, entry];
}
