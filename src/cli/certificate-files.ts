import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Clock } from "../clock.js";
import type { Database } from "../db/client.js";
import { createCertificateImport } from "../orders/certificate-import.js";
import { findClientByName } from "../orders/clients.js";

/**
 * `npm run import-certs`: every PEM file named, or found in the folders named (and their
 * subfolders), imported for one client (`--client`), each file one certificate with its chain.
 * In a folder, files that hold only a private key or only CA certificates (privkey.pem, chain.pem
 * beside cert.pem) are skipped, not failures; a file named on the command line is always tried.
 */

/** File names a folder walk reads (a .key file is never opened). */
export const CERTIFICATE_FILE = /\.(pem|crt|cer|cert)$/i;
/** Larger than any certificate chain: something else, not read. */
const MAX_FILE_BYTES = 1024 * 1024;

export interface FileResult {
  file: string;
  outcome: "imported" | "already_tracked" | "skipped" | "failed";
  /** The order reference, or why it was skipped or failed (never the file's text). */
  message: string;
}

export async function importCertificateFiles(
  db: Database,
  options: { paths: string[]; clientName: string; clock: Clock },
): Promise<{ results: FileResult[]; clientFound: boolean }> {
  const client = await findClientByName(db, options.clientName);
  if (!client) return { results: [], clientFound: false };
  const importer = createCertificateImport({ db, clock: options.clock });
  const results: FileResult[] = [];
  for (const given of options.paths) {
    const info = await stat(given).catch(() => undefined);
    if (!info) {
      results.push({ file: given, outcome: "failed", message: "no such file or folder" });
      continue;
    }
    const files = info.isDirectory() ? await walk(given) : [given];
    const inFolder = info.isDirectory();
    for (const file of files) {
      results.push(await importFile(file, inFolder));
    }
  }
  return { results, clientFound: true };

  async function importFile(file: string, inFolder: boolean): Promise<FileResult> {
    const size = (await stat(file)).size;
    if (size > MAX_FILE_BYTES)
      return { file, outcome: "failed", message: "larger than 1 MB: not a certificate file" };
    const text = await readFile(file, "utf8");
    const outcome = await importer.importCertificate({
      source: { kind: "pem", text },
      clientId: client?.id ?? 0,
      requestedBy: "cli",
    });
    switch (outcome.kind) {
      case "imported":
        return {
          file,
          outcome: "imported",
          message: `${outcome.order.reference} (${outcome.order.primaryDomain}, valid until ${day(outcome.bundle.details.notAfter)})${outcome.notes.length > 0 ? ` — ${outcome.notes.join(" ")}` : ""}`,
        };
      case "already_tracked":
        return { file, outcome: "already_tracked", message: `already tracked as ${outcome.order.reference}` };
      case "refused": {
        // privkey.pem beside cert.pem: a key file alone is skipped; a certificate with its key is refused.
        if (inFolder && outcome.reason === "private_key" && !/-----BEGIN CERTIFICATE-----/.test(text)) {
          return { file, outcome: "skipped", message: "a private key, not a certificate (not read further)" };
        }
        if (inFolder && outcome.reason === "ca_certificate") {
          return { file, outcome: "skipped", message: "CA certificates only (a chain file)" };
        }
        return { file, outcome: "failed", message: outcome.message };
      }
    }
  }
}

async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (entry.isFile() && CERTIFICATE_FILE.test(entry.name)) files.push(full);
  }
  return files;
}

export function summaryOf(results: FileResult[]): string {
  const count = (outcome: FileResult["outcome"]) =>
    results.filter((result) => result.outcome === outcome).length;
  const lines = results.map((result) => `${result.file}: ${words[result.outcome]} ${result.message}`);
  lines.push(
    `${count("imported")} imported, ${count("already_tracked")} already tracked, ${count("skipped")} skipped, ${count("failed")} failed.`,
  );
  return `${lines.join("\n")}\n`;
}

const words: Record<FileResult["outcome"], string> = {
  imported: "imported",
  already_tracked: "unchanged,",
  skipped: "skipped,",
  failed: "failed:",
};

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
