import type { App } from "@slack/bolt";
import { alertsFeature } from "./alerts/index.js";
import { approvalFeature } from "./approval/index.js";
import { clientsFeature } from "./clients/index.js";
import type { Feature, FeatureContext } from "./context.js";
import { countriesFeature } from "./countries/index.js";
import { ctFeature } from "./ct/index.js";
import { detailsFeature } from "./details/index.js";
import { forecastFeature } from "./forecast/index.js";
import { homeFeature } from "./home/index.js";
import { importFeature } from "./import/index.js";
import { type Membership, registerMembershipGuard } from "./membership.js";
import { orderFeature } from "./order/index.js";
import { reissueFeature } from "./reissue/index.js";
import { renewFeature } from "./renew/index.js";
import { type RoutedApp, routeById } from "./router.js";
import { type createSslCommands, registerSslCommand } from "./ssl/index.js";
import { stuckFeature } from "./stuck/index.js";
import { trackingFeature } from "./tracking/index.js";
import { validationFeature } from "./validation/index.js";

/** Every feature, one line each: a new one is a folder under src/commands/ and a line here. */
const FEATURES: Feature[] = [
  orderFeature,
  renewFeature,
  reissueFeature,
  trackingFeature,
  detailsFeature,
  approvalFeature,
  alertsFeature,
  clientsFeature,
  countriesFeature,
  homeFeature,
  stuckFeature,
  validationFeature,
  forecastFeature,
  importFeature,
  ctFeature,
];

/**
 * Registers everything certdesk answers in Slack: the membership guard in front of all of it, each
 * feature's listeners, then `/ssl`, which routes to the sub-commands the features declared.
 */
export function registerCommands(
  app: App,
  context: FeatureContext & { ssl: ReturnType<typeof createSslCommands> },
  membership: Membership,
): RoutedApp {
  registerMembershipGuard(app, {
    membership,
    refusals: context.refusals,
    clock: context.clock,
    logger: context.logger,
    slack: context.slack,
  });
  const routed = routeById(app);
  for (const feature of FEATURES) feature.register(routed.app, context);
  registerSslCommand(routed.app, context, context.ssl);
  return routed;
}
