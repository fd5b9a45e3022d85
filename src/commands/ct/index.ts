import type { App } from "@slack/bolt";
import { z } from "zod";
import type { CtSighting, ShownSighting } from "../../orders/ct-watch.js";
import { sightingMessage } from "../../slack/ct-sighting-poster.js";
import { escapeMrkdwn } from "../../views/blocks.js";
import { CT_ACTIONS, type CtResolution } from "../../views/ct-sighting.js";
import type { Feature, FeatureContext } from "../context.js";
import { guard } from "../guard.js";
import { messageActionPayload } from "../payloads.js";

const sightingIdSchema = z.coerce.number().int().positive().max(2_147_483_647);

/**
 * Import and Ignore on the Certificate Transparency watch's posts (jobs/ct-watch.ts). Both need
 * what `/ssl import` needs (the "import" guard: SSL_ORDERERS); the import itself is the one import
 * service's, through orders/ct-watch.ts. The post is rewritten to say who did what, through its
 * stored channel and ts (a response_url expires after 30 minutes).
 */
export const ctFeature: Feature = {
  register(app: App, context: FeatureContext) {
    const { logger, slack, ctWatch, config } = context;

    async function showResolution(sighting: CtSighting, resolution: CtResolution): Promise<void> {
      if (!sighting.slackChannel || !sighting.slackTs) return;
      const shown = await ctWatch.get(sighting.id);
      if (!shown) return;
      await slack.update(
        sighting.slackChannel,
        sighting.slackTs,
        sightingMessage(shown, config.ctSearchUrl, resolution),
      );
    }

    /** What a settled sighting's message says: who imported (as which order) or ignored it. */
    async function resolutionOf(sighting: CtSighting): Promise<CtResolution | undefined> {
      if (!sighting.resolvedBy) return undefined;
      if (sighting.status === "ignored") return { kind: "ignored", by: sighting.resolvedBy };
      if (sighting.status === "imported") {
        return { kind: "imported", by: sighting.resolvedBy, reference: await ctWatch.referenceOf(sighting) };
      }
      return undefined;
    }

    /** Someone settled it first: they are told who, and the message is brought up to date. */
    async function alreadySettled(sighting: CtSighting, tell: (text: string) => Promise<unknown>) {
      const resolution = await resolutionOf(sighting);
      if (!resolution) return;
      await tell(
        `:information_source: <@${resolution.by}> already ${resolution.kind} this certificate${
          resolution.kind === "imported" && resolution.reference ? ` as ${resolution.reference}` : ""
        }.`,
      );
      await showResolution(sighting, resolution);
    }

    function on(
      actionId: string,
      handle: (
        shown: ShownSighting,
        request: { userId: string; channelId?: string; tell: (text: string) => Promise<unknown> },
      ) => Promise<void>,
    ): void {
      app.action(actionId, async ({ ack, body }) => {
        await ack();
        const parsed = messageActionPayload.safeParse(body);
        const sightingId = sightingIdSchema.safeParse(parsed.data?.actions[0]?.value);
        if (!parsed.success || !sightingId.success) return;
        const userId = parsed.data.user.id;
        const channelId = parsed.data.channel?.id ?? parsed.data.container?.channel_id;
        const tell = (text: string) =>
          slack.tell({ userId, responseUrl: parsed.data.response_url }, { text });
        try {
          const shown = await ctWatch.get(sightingId.data);
          const allowed = await guard(context, {
            userId,
            action: "import",
            subject: shown?.sighting.commonName ?? `CT sighting ${sightingId.data}`,
            tell,
          });
          if (!allowed) return;
          if (!shown) {
            await tell(
              ":information_source: That certificate is no longer on certdesk's list (its client was deleted).",
            );
            return;
          }
          await handle(shown, { userId, channelId, tell });
        } catch (error) {
          logger.error("A Certificate Transparency button failed:", error);
          await tell(context.describeFailure(error)).catch(() => undefined);
        }
      });
    }

    on(CT_ACTIONS.import, async (shown, { userId, channelId, tell }) => {
      // crt.sh can take tens of seconds: the presser hears that something is happening.
      if (shown.sighting.status === "new" || shown.sighting.status === "posted") {
        await tell(
          ":hourglass_flowing_sand: Fetching the certificate from the Certificate Transparency search service…",
        );
      }
      const outcome = await ctWatch.importSighting({
        id: shown.sighting.id,
        userId,
        slackChannel: channelId,
      });
      switch (outcome.kind) {
        case "missing":
          await tell(":information_source: That certificate is no longer on certdesk's list.");
          return;
        case "settled":
          await alreadySettled(outcome.sighting, tell);
          return;
        case "unavailable":
          await tell(
            `:hourglass: The Certificate Transparency search service did not hand out the certificate (${escapeMrkdwn(outcome.message)}). Nothing was imported; press Import again later.`,
          );
          return;
        case "refused":
          await tell(`:warning: ${escapeMrkdwn(outcome.message)} Nothing was imported.`);
          return;
        default:
          if (outcome.kind === "already_tracked") {
            await tell(
              `:information_source: certdesk already tracks this certificate as ${outcome.reference}.`,
            );
          }
          await showResolution(outcome.sighting, {
            kind: "imported",
            by: userId,
            reference: outcome.reference,
          });
      }
    });

    on(CT_ACTIONS.ignore, async (shown, { userId, tell }) => {
      const outcome = await ctWatch.ignoreSighting({ id: shown.sighting.id, userId });
      if (outcome.kind === "missing") return;
      if (outcome.kind === "settled") {
        await alreadySettled(outcome.sighting, tell);
        return;
      }
      await showResolution(outcome.sighting, { kind: "ignored", by: userId });
    });
  },
};
