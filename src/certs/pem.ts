/** Decodes the first PEM block whose label is one of `labels`; returns undefined when there is none. */
export function pemToDer(pem: string, labels: readonly string[]): Buffer | undefined {
  for (const label of labels) {
    const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
    if (match?.[1] !== undefined) return Buffer.from(match[1].replace(/\s+/g, ""), "base64");
  }
  return undefined;
}

export function derToPem(der: Buffer, label: string): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
