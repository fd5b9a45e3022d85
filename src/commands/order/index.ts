import type { App } from "@slack/bolt";
import { findClientByName } from "../../orders/clients.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import { type OrderFormValues, orderProgressView } from "../../views/order-modal.js";
import type { Feature, FeatureContext } from "../context.js";
import { guard } from "../guard.js";
import type { Step1Metadata } from "./form.js";
import {
  answeredWithin,
  clientPrefill,
  loadApprovers,
  lookUpDomain,
  OPEN_GRACE_MS,
  registerStep1,
  renderStep1,
  showDomainLookup,
} from "./step1.js";
import { registerStep2 } from "./step2.js";

/**
 * "Order SSL Cert": `/ssl order [client] [domain]` opens the form at once (the trigger lives ~3 s),
 * step 1 (step1.ts) and the review-and-contact step that places the order (step2.ts).
 */
export const orderFeature: Feature = {
  register(app: App, context: FeatureContext) {
    registerStep1(app, context);
    registerStep2(app, context);
    context.ssl.on("order", async ({ request, userId, channelId, triggerId, reply }) => {
      const allowed = await guard(context, {
        userId,
        action: "order",
        subject: request.domain ?? null,
        tell: (text) => reply({ text }),
      });
      if (!allowed) return;
      const found = request.client ? await findClientByName(context.db, request.client) : undefined;
      const values: OrderFormValues = { domain: request.domain, ...clientPrefill(found) };
      const metadata: Step1Metadata = { channelId };
      const warnings =
        request.client && !found
          ? {
              client: `No client named “${escapeMrkdwn(request.client)}”; pick one, or add it with \`/ssl client add\`.`,
            }
          : undefined;
      const usable = context.catalogue.snapshot().some((candidate) => candidate.products.length > 0);
      const lookup = usable && request.domain ? lookUpDomain(context, values, metadata) : undefined;
      // What the domain's lookups answer within the grace is in the form Slack opens (the common
      // case: one views.open, no loading state); the rest follows in one update.
      const shown = lookup ? await answeredWithin(context.formGraceMs ?? OPEN_GRACE_MS, lookup) : {};
      const opened = await context.slack.openModal(
        triggerId,
        usable
          ? await renderStep1(context, values, shown.state?.metadata ?? metadata, {
              known: found,
              ...shown.state?.extra,
              warnings: { ...warnings, ...shown.state?.extra.warnings },
              readiness: shown.readiness,
              ...(!shown.state && lookup?.kind === "looking" ? { approvers: lookup.loading } : {}),
            })
          : orderProgressView("Order SSL Cert", "Loading the providers' products…"),
      );
      if (!opened) return;
      if (!usable) {
        // Only now, with the modal open: the first provider to answer fills the form.
        await context.catalogue.firstUsable();
        if (!request.domain) {
          await context.slack.updateModal(
            opened.viewId,
            await renderStep1(context, values, metadata, { warnings, known: found }),
          );
        } else {
          await loadApprovers(context, opened.viewId, values, metadata);
        }
        return;
      }
      if (lookup) {
        await showDomainLookup(context, opened.viewId, values, lookup, {
          state: shown.state,
          readiness: Boolean(shown.readiness),
          hash: opened.hash,
          known: found,
        });
      }
    });
  },
};
