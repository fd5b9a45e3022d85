import { z } from "zod";
import { providerUrl, requiredText } from "../env.js";
import { defineProviderPlugin } from "../plugin.js";

const credentials = "SSL_PROVIDERS enables gogetssl, which needs its reseller account credentials";

/** GoGetSSL's REST API, see provider.ts. */
export const gogetssl = defineProviderPlugin({
  id: "gogetssl",
  displayName: "GoGetSSL",
  env: z.object({
    GOGETSSL_USER: requiredText(credentials),
    GOGETSSL_PASSWORD: requiredText(credentials),
    GOGETSSL_API_URL: providerUrl("e.g. https://sandbox.gogetssl.com/api for their sandbox"),
  }),
  envHelp: {
    GOGETSSL_USER: "GoGetSSL account login. Required when SSL_PROVIDERS has gogetssl.",
    GOGETSSL_PASSWORD:
      "GoGetSSL API password (Reseller Modules → API settings). Required when SSL_PROVIDERS has gogetssl.",
    GOGETSSL_API_URL:
      "GoGetSSL API URL override (https; http only on localhost), e.g. their sandbox https://sandbox.gogetssl.com/api",
  },
  create: async (settings) => {
    const { GoGetSslProvider } = await import("./provider.js");
    return new GoGetSslProvider({
      user: settings.GOGETSSL_USER,
      password: settings.GOGETSSL_PASSWORD,
      apiUrl: settings.GOGETSSL_API_URL,
    });
  },
});
