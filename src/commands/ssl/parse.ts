/** What the text after `/ssl` asks for. Client names may be quoted: `/ssl order "Acme Ltd" example.com`. */
export type SslRequest =
  | { kind: "help" }
  | { kind: "order"; client?: string; domain?: string }
  | { kind: "list"; client?: string }
  | { kind: "status"; ref?: string }
  | { kind: "renew"; ref?: string }
  | { kind: "reissue"; ref?: string }
  | { kind: "client-add" }
  | { kind: "client-edit"; name?: string }
  | { kind: "clients" }
  | { kind: "validations" }
  | { kind: "forecast" }
  /** `/ssl import [host[:port] [client]]`: no host opens the import modal. */
  | { kind: "import"; host?: string; client?: string }
  | { kind: "unknown"; text: string };

const MAX_TEXT = 500;
const DOMAIN_LIKE = /^(\*\.)?[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+\.?$/u;

export function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|“([^”]*)”|(\S+)/g)) {
    words.push((match[1] ?? match[2] ?? match[3] ?? "").trim());
  }
  return words.filter(Boolean);
}

export function parseSslText(raw: string): SslRequest {
  // Control characters are never part of a name, reference or domain, and PostgreSQL refuses NUL in text.
  const text = raw
    .replace(/\p{Cc}/gu, " ")
    .trim()
    .slice(0, MAX_TEXT);
  const [head = "", ...rest] = splitWords(text);
  const verb = head.toLowerCase();
  const restText = rest.join(" ") || undefined;
  switch (verb) {
    case "":
    case "help":
      return { kind: "help" };
    case "order":
      return parseOrder(rest);
    case "list":
      return { kind: "list", client: restText };
    case "status":
      return { kind: "status", ref: rest[0] };
    case "renew":
      return { kind: "renew", ref: rest[0] };
    case "reissue":
      return { kind: "reissue", ref: rest[0] };
    case "clients":
      return { kind: "clients" };
    case "validations":
      return { kind: "validations" };
    case "forecast":
      return { kind: "forecast" };
    case "import":
      return { kind: "import", host: rest[0], client: rest.slice(1).join(" ") || undefined };
    case "client": {
      const sub = rest[0]?.toLowerCase();
      if (sub === "add") return { kind: "client-add" };
      if (sub === "edit") return { kind: "client-edit", name: rest.slice(1).join(" ") || undefined };
      if (sub === "list") return { kind: "clients" };
      return { kind: "unknown", text };
    }
    default:
      return { kind: "unknown", text };
  }
}

/** The last word is the domain when it looks like one; whatever comes before it names the client. */
function parseOrder(words: string[]): SslRequest {
  if (words.length === 0) return { kind: "order" };
  const last = words.at(-1) ?? "";
  if (DOMAIN_LIKE.test(last)) {
    const client = words.slice(0, -1).join(" ");
    return { kind: "order", domain: last, client: client || undefined };
  }
  return { kind: "order", client: words.join(" ") };
}
