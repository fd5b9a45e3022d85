import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A CSR as a client makes it, with openssl (its key stays in a temporary directory, deleted at
 * once): the first name is the CN, all of them are in subjectAltName.
 */
export function clientCsr(names: string[], key: "rsa-2048" | "ec-p256" = "rsa-2048"): string {
  const newKey =
    key === "ec-p256" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-newkey", "rsa:2048"];
  const dir = mkdtempSync(path.join(tmpdir(), "certdesk-client-csr-"));
  try {
    const out = path.join(dir, "client.csr");
    const made = spawnSync(
      "openssl",
      [
        "req",
        "-new",
        ...newKey,
        "-nodes",
        "-keyout",
        path.join(dir, "client.key"),
        "-subj",
        `/CN=${names[0] ?? ""}`,
        "-addext",
        `subjectAltName=${names.map((name) => `DNS:${name}`).join(",")}`,
        "-out",
        out,
      ],
      { encoding: "utf8" },
    );
    if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
    return readFileSync(out, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
