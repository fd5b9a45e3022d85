import { readFileSync } from "node:fs";
import { minimalOrderForm } from "./minimal-order-form.js";
import { startReferenceApp } from "./reference-app.js";
import type { CapturedPayloads } from "./traffic.js";

/**
 * Reference: the Slack work of each /ssl command without a database or any logic. `/ssl order` is the
 * issue's floor: ack, render a realistic 12-input form (minimal-order-form.ts) and one views.open.
 * `help` and `list` answer with certdesk's own payloads (captured by run.ts), so those kinds compare
 * certdesk with the same Slack traffic minus its work.
 *
 * Until 2026-12-04 the order path replayed certdesk's captured open and its two ~27 kB updates too,
 * which made the floor certdesk's own Slack traffic (CPU 13.7 ms per order, not the issue's ~1.3 ms).
 */
const payloads = JSON.parse(readFileSync(process.env.BENCH_PAYLOADS ?? "", "utf8")) as CapturedPayloads;

await startReferenceApp((app) => {
  app.command("/ssl", async ({ command, ack, respond, client }) => {
    const verb = command.text.split(" ", 1)[0];
    if (verb === "order") {
      await ack();
      const [, clientName = "", domain = ""] = command.text.split(" ");
      await client.views.open({ trigger_id: command.trigger_id, view: minimalOrderForm(clientName, domain) });
    } else if (verb === "list") {
      await ack();
      await respond(payloads.list as never);
    } else {
      await ack(payloads.help as never);
    }
  });
});
