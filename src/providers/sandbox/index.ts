import { z } from "zod";
import { defineProviderPlugin } from "../plugin.js";

/** The built-in provider: no account, orders issued by a CA of its own (see provider.ts). */
export const sandbox = defineProviderPlugin({
  id: "sandbox",
  displayName: "Sandbox",
  env: z.object({
    SANDBOX_APPROVAL_SECONDS: z.coerce
      .number({ error: "must be a number of seconds" })
      .int({ error: "must be a whole number of seconds" })
      .min(0, { error: "must be 0 or more seconds" })
      .default(60),
  }),
  envHelp: {
    SANDBOX_APPROVAL_SECONDS: 'Seconds the sandbox provider takes to "validate" and issue. Default 60.',
  },
  create: async (settings, { db, vault, clock }) => {
    const { SandboxProvider } = await import("./provider.js");
    return new SandboxProvider({ db, vault, clock, approvalSeconds: settings.SANDBOX_APPROVAL_SECONDS });
  },
});
