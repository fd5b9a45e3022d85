import { readFileSync } from "node:fs";
import type { ModalView } from "@slack/types";
import { startReferenceApp } from "./reference-app.js";
import type { CapturedPayloads } from "./traffic.js";

/**
 * Reference: the Slack calls certdesk makes for each /ssl command, in the same order and with the same
 * payloads (captured from certdesk by run.ts), without a database or any logic.
 */
const payloads = JSON.parse(readFileSync(process.env.BENCH_PAYLOADS ?? "", "utf8")) as CapturedPayloads;

await startReferenceApp((app) => {
  app.command("/ssl", async ({ command, ack, respond, client }) => {
    const verb = command.text.split(" ", 1)[0];
    if (verb === "order") {
      await ack();
      const opened = await client.views.open({
        trigger_id: command.trigger_id,
        view: payloads.order.open as ModalView,
      });
      for (const view of payloads.order.updates) {
        await client.views.update({ view_id: opened.view?.id ?? "", view: view as ModalView });
      }
    } else if (verb === "list") {
      await ack();
      await respond(payloads.list as never);
    } else {
      await ack(payloads.help as never);
    }
  });
});
