import { z } from "zod";

/**
 * Building blocks for environment variables, shared by config.ts and the provider plug-ins.
 * They live under providers/ because a plug-in may not import config.ts (config.ts imports the
 * plug-in list). Every message follows config.ts: it reads after the variable's name
 * ("SECTIGO_TEST must be true or false…"), says how to fix it, and never echoes the value.
 */

/** Trimmed text; empty counts as unset. */
export const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

/** Text that must be set (a login, a password): missing and empty say the same thing. */
export const requiredText = (fix: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `is missing: ${fix}` : "must be text") })
    .trim()
    .min(1, { error: `is missing: ${fix}` });

/** true/1/yes or false/0/no, any case; unset or empty is false. */
export const flag = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return false;
      if (["true", "1", "yes"].includes(value)) return true;
      if (["false", "0", "no"].includes(value)) return false;
      ctx.addIssue({ code: "custom", message: `must be true or false (${name})` });
      return z.NEVER;
    });

/** An optional http(s) URL. */
export const httpUrl = (name: string) =>
  optionalText.pipe(
    z
      .string()
      .refine((value) => URL.canParse(value) && /^https?:/.test(value), {
        error: `must be an http(s) URL (${name})`,
      })
      .optional(),
  );

/** Loopback hosts: a local stub or proxy may speak plain HTTP; nothing else may carry credentials so. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * A provider's API URL: every request carries the reseller credentials and a CSR, so it must be
 * https, except on loopback (a local stub, or a TLS-terminating proxy on the same host).
 */
export const providerUrl = (name: string) =>
  httpUrl(name).refine(
    (value) => value === undefined || value.startsWith("https:") || isLoopback(new URL(value).hostname),
    {
      error: `must be an https:// URL (plain http is allowed only on localhost / 127.0.0.1): ${name}`,
    },
  );
