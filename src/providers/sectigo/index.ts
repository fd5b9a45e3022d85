import { z } from "zod";
import { flag, providerUrl, requiredText } from "../env.js";
import { defineProviderPlugin } from "../plugin.js";

const credentials = "SSL_PROVIDERS enables sectigo, which needs its reseller account credentials";

/** Sectigo's legacy ("Comodo") reseller API, see provider.ts. */
export const sectigo = defineProviderPlugin({
  id: "sectigo",
  displayName: "Sectigo",
  env: z.object({
    SECTIGO_LOGIN_NAME: requiredText(credentials),
    SECTIGO_LOGIN_PASSWORD: requiredText(credentials),
    SECTIGO_API_URL: providerUrl("the reseller API base, e.g. https://secure.trust-provider.com"),
    SECTIGO_TEST: flag("SECTIGO_TEST"),
  }),
  envHelp: {
    SECTIGO_LOGIN_NAME: "Sectigo reseller account login name. Required when SSL_PROVIDERS has sectigo.",
    SECTIGO_LOGIN_PASSWORD: "Sectigo reseller account password. Required when SSL_PROVIDERS has sectigo.",
    SECTIGO_API_URL:
      "Sectigo API URL override (https only, plain http only on localhost). Default https://secure.trust-provider.com",
    SECTIGO_TEST: "true sends test=Y (unbilled test) orders; must be enabled on the account. Default false.",
  },
  create: async (settings, { clock }) => {
    const { SectigoProvider } = await import("./provider.js");
    return new SectigoProvider({
      loginName: settings.SECTIGO_LOGIN_NAME,
      loginPassword: settings.SECTIGO_LOGIN_PASSWORD,
      apiUrl: settings.SECTIGO_API_URL,
      test: settings.SECTIGO_TEST,
      now: () => clock.now(),
    });
  },
});
