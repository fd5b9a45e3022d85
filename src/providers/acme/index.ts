import { readFileSync } from "node:fs";
import { z } from "zod";
import { flag, optionalText, providerUrl } from "../env.js";
import { defineProviderPlugin } from "../plugin.js";

/** A PEM file's text, checked when the configuration loads (a wrong path stops the start). */
const pemFile = optionalText.transform((path, ctx) => {
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    ctx.addIssue({ code: "custom", message: "cannot be read: give the path of a PEM file (ACME_CA_BUNDLE)" });
    return z.NEVER;
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----")) {
    ctx.addIssue({ code: "custom", message: "holds no PEM certificate (ACME_CA_BUNDLE)" });
    return z.NEVER;
  }
  return text;
});

/** Any ACME v2 CA, see provider.ts. */
export const acme = defineProviderPlugin({
  id: "acme",
  displayName: "ACME",
  env: z
    .object({
      ACME_DIRECTORY_URL: providerUrl("e.g. https://acme-v02.api.letsencrypt.org/directory").transform(
        (value, ctx) => {
          if (value) return value;
          ctx.addIssue({
            code: "custom",
            message:
              "is missing: SSL_PROVIDERS enables acme, which needs the CA's directory URL (README: Providers)",
          });
          return z.NEVER;
        },
      ),
      ACME_EMAIL: optionalText.pipe(z.email({ error: "must be an e-mail address (ACME_EMAIL)" }).optional()),
      ACME_EAB_KID: optionalText,
      ACME_EAB_HMAC_KEY: optionalText,
      ACME_CA_BUNDLE: pemFile,
      ACME_AUTO_RENEW: flag("ACME_AUTO_RENEW"),
    })
    .refine((env) => Boolean(env.ACME_EAB_KID) === Boolean(env.ACME_EAB_HMAC_KEY), {
      path: ["ACME_EAB_KID"],
      error: "and ACME_EAB_HMAC_KEY go together: set both (the CA gives them as a pair) or neither",
    }),
  envHelp: {
    ACME_DIRECTORY_URL:
      "ACME directory URL. Required when SSL_PROVIDERS has acme. Let's Encrypt https://acme-v02.api.letsencrypt.org/directory (staging https://acme-staging-v02.api.letsencrypt.org/directory), ZeroSSL https://acme.zerossl.com/v2/DV90, Sectigo https://acme.sectigo.com/v2/DV",
    ACME_EMAIL: "Contact address for the ACME account (the CA's expiry and incident notices).",
    ACME_EAB_KID: "External Account Binding key id, for CAs that need one (ZeroSSL, Sectigo).",
    ACME_EAB_HMAC_KEY: "External Account Binding HMAC key (base64url), given with ACME_EAB_KID.",
    ACME_CA_BUNDLE: "Path of a PEM file trusted for the directory's TLS (a private or test CA).",
    ACME_AUTO_RENEW:
      "true: renew ACME certificates in the CA's renewal window without asking (default false: the thread asks).",
  },
  create: async (settings, { db, vault, clock }) => {
    const { AcmeProvider } = await import("./provider.js");
    return new AcmeProvider({
      db,
      vault,
      clock,
      connection: {
        directoryUrl: settings.ACME_DIRECTORY_URL,
        caBundlePem: settings.ACME_CA_BUNDLE,
        externalAccountBinding:
          settings.ACME_EAB_KID && settings.ACME_EAB_HMAC_KEY
            ? { kid: settings.ACME_EAB_KID, hmacKey: settings.ACME_EAB_HMAC_KEY }
            : undefined,
        timeoutMs: 60_000,
      },
      email: settings.ACME_EMAIL,
      autoRenew: settings.ACME_AUTO_RENEW,
    });
  },
});
