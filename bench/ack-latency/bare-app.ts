import { startReferenceApp } from "./reference-app.js";

/** Reference: what Bolt costs on its own — every /ssl command is acked and nothing else happens. */
await startReferenceApp((app) => {
  app.command("/ssl", async ({ ack }) => {
    await ack();
  });
});
