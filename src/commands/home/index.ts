import type { App } from "@slack/bolt";
import { summariseServed } from "../../domain/served.js";
import { listHomeOrders } from "../../orders/expiry.js";
import { listServedChecks } from "../../orders/served-probe.js";
import { homeView } from "../../views/home.js";
import type { Feature, FeatureContext } from "../context.js";

const LINES_PER_LIST = 10;
const EXPIRING_DAYS = 30;

/** The App Home tab, rebuilt for the viewer each time they open it. */
export const homeFeature: Feature = {
  register(app: App, context: FeatureContext) {
    const { db, logger, clock, access, slack } = context;

    app.event("app_home_opened", async ({ event }) => {
      // The Messages tab raises the same event; only the Home tab shows a view.
      if (event.tab !== "home") return;
      try {
        const mayApprove = await access.mayApprove(event.user);
        const lists = await listHomeOrders(db, {
          userId: event.user,
          mayApprove,
          now: clock.now(),
          days: EXPIRING_DAYS,
          limit: LINES_PER_LIST,
        });
        // What is served (PROBE_CRON), for the issued certificates shown.
        const served = await listServedChecks(db, [
          ...new Set([...lists.expiring, ...lists.notServed].map((order) => order.id)),
        ]);
        const withServed = <T extends { id: number }>(order: T) => ({
          ...order,
          served: summariseServed(served.get(order.id) ?? []),
        });
        const view = homeView({
          viewer: event.user,
          awaitingApproval: mayApprove ? lists.awaitingApproval : undefined,
          pending: lists.pending,
          expiring: lists.expiring.map(withServed),
          notServed: lists.notServed.map(withServed),
          limit: LINES_PER_LIST,
          expiringDays: EXPIRING_DAYS,
        });
        await slack.publishHome(event.user, view);
      } catch (error) {
        logger.error(`Could not publish the Home tab for ${event.user}:`, error);
      }
    });
  },
};
