import type { AnyMiddlewareArgs, App, Middleware } from "@slack/bolt";
import type { Logger } from "@slack/logger";
import type { KnownBlock, ModalView } from "@slack/types";
import { z } from "zod";
import type { Clock } from "../clock.js";
import type { RefusalAudit, RefusalReason } from "../orders/access-audit.js";
import type { Slack } from "../slack/slack.js";
import { markdownSection, messageModal } from "../views/blocks.js";

/**
 * Guests (single- and multi-channel guests) and people of another workspace (Slack Connect channels)
 * may do nothing in certdesk: one global middleware asks Slack who the person is (users.info,
 * cached) before any handler runs, and refuses everything else where the person is looking.
 */

export type MemberCheck = { ok: true } | { ok: false; reason: NotAMember };

export interface Membership {
  check(userId: string): Promise<MemberCheck>;
}

const CACHE_MS = 10 * 60_000;

const userInfo = z
  .object({
    user: z
      .object({
        team_id: z.string().optional(),
        is_restricted: z.boolean().optional(),
        is_ultra_restricted: z.boolean().optional(),
        is_stranger: z.boolean().optional(),
        enterprise_user: z.object({ enterprise_id: z.string().optional() }).optional(),
      })
      .loose(),
  })
  .loose();

/**
 * `workspace()` is the installation's team (and Enterprise Grid org), known once the bot token was
 * verified at start. A user of another workspace of the same Grid org is a member; anyone whose home
 * team differs otherwise, or whom Slack marks as a stranger, is not.
 */
export function createMembership(
  /** users.info's answer for a person (Slack.userInfo). */
  userInfoOf: (userId: string) => Promise<unknown>,
  clock: Clock,
  workspace: () => { teamId?: string; enterpriseId?: string },
): Membership {
  const cache = new Map<string, { result: MemberCheck; at: number }>();
  return {
    async check(userId) {
      const now = clock.now().getTime();
      const cached = cache.get(userId);
      if (cached && now - cached.at < CACHE_MS) return cached.result;
      const { user } = userInfo.parse(await userInfoOf(userId));
      const home = workspace();
      const sameOrg =
        home.enterpriseId !== undefined && user.enterprise_user?.enterprise_id === home.enterpriseId;
      const foreign =
        user.is_stranger === true ||
        (home.teamId !== undefined && user.team_id !== undefined && user.team_id !== home.teamId && !sameOrg);
      const result: MemberCheck = foreign
        ? { ok: false, reason: "another workspace" }
        : user.is_restricted || user.is_ultra_restricted
          ? { ok: false, reason: "guest account" }
          : { ok: true };
      cache.set(userId, { result, at: now });
      return result;
    },
  };
}

type NotAMember = Extract<RefusalReason, "guest account" | "another workspace">;

const REFUSAL_TEXT: Record<NotAMember, string> = {
  "guest account":
    ":no_entry: certdesk is for full members of this workspace; guest accounts cannot use it. Ask a member of the team to help.",
  "another workspace":
    ":no_entry: certdesk serves only the members of the workspace it is installed in; people from other organisations cannot use it.",
};

const UNVERIFIED_TEXT =
  ":warning: certdesk could not confirm your account with Slack just now, so nothing was done. Please try again in a minute.";

const payloadShape = z
  .object({
    type: z.string().optional(),
    command: z.string().optional(),
    text: z.string().optional(),
    callback_id: z.string().optional(),
    response_url: z.string().optional(),
    user_id: z.string().optional(),
    user: z.object({ id: z.string() }).optional(),
    actions: z.array(z.object({ action_id: z.string().optional() }).loose()).optional(),
    view: z.object({ id: z.string().optional(), callback_id: z.string().optional() }).loose().optional(),
    event: z
      .object({ type: z.string(), user: z.string().optional(), tab: z.string().optional() })
      .loose()
      .optional(),
  })
  .loose();
type Payload = z.infer<typeof payloadShape>;

/** What the person tried, for the audit: "/ssl order", "button order_details", "form ssl_order_step1". */
function describe(payload: Payload): string {
  if (payload.command)
    return `${payload.command} ${(payload.text ?? "").trim().split(/\s+/)[0] ?? ""}`.trim();
  if (payload.event) return `event ${payload.event.type}`;
  switch (payload.type) {
    case "block_actions":
      return `button ${payload.actions?.[0]?.action_id ?? "?"}`;
    case "view_submission":
      return `form ${payload.view?.callback_id ?? "?"}`;
    case "block_suggestion":
      return "option search";
    default:
      return `${payload.type ?? "request"} ${payload.callback_id ?? ""}`.trim();
  }
}

function noticeView(text: string): ModalView {
  return messageModal({ title: "certdesk", text, clearOnClose: true });
}

/** Registers the membership check in front of every handler. */
export function registerMembershipGuard(
  app: App,
  deps: { membership: Membership; refusals: RefusalAudit; clock: Clock; logger: Logger; slack: Slack },
): void {
  const guard: Middleware<AnyMiddlewareArgs> = async (args) => {
    const parsed = payloadShape.safeParse(args.body);
    const payload = parsed.success ? parsed.data : {};
    const userId = payload.user_id ?? payload.user?.id ?? payload.event?.user;
    // Nothing a person did (bot events, view_closed after the fact) passes through unchecked work.
    if (!userId || payload.type === "view_closed") return args.next();
    let result: MemberCheck | "unverified";
    try {
      result = await deps.membership.check(userId);
    } catch (error) {
      deps.logger.warn(`Could not look up ${userId} with users.info; refusing this request:`, error);
      result = "unverified";
    }
    if (result !== "unverified" && result.ok) return args.next();
    const text = result === "unverified" ? UNVERIFIED_TEXT : REFUSAL_TEXT[result.reason];
    if (result !== "unverified") {
      await deps.refusals.record({
        actor: userId,
        action: "use",
        subject: describe(payload),
        reason: result.reason,
        at: deps.clock.now(),
      });
    }
    await tell(args, payload, userId, text, deps.slack);
  };
  app.use(guard);
}

/** Answers where the person is: the ack itself where Slack shows it, else ephemeral, else a DM. */
async function tell(
  args: AnyMiddlewareArgs,
  payload: Payload,
  userId: string,
  text: string,
  slack: Slack,
): Promise<void> {
  const ack = "ack" in args ? (args.ack as (response?: unknown) => Promise<void>) : undefined;
  if (payload.command) {
    await ack?.({ response_type: "ephemeral", text });
    return;
  }
  if (payload.type === "view_submission") {
    await ack?.({ response_action: "update", view: noticeView(text) });
    return;
  }
  if (payload.type === "block_suggestion") {
    await ack?.({ options: [] });
    return;
  }
  await ack?.();
  if (payload.event?.type === "app_home_opened") {
    if (payload.event.tab === "home") {
      const blocks: KnownBlock[] = [markdownSection(text)];
      await slack.publishHome(userId, { type: "home", blocks });
    }
    return;
  }
  if (payload.event) return;
  await slack.tell({ userId, responseUrl: payload.response_url }, { text });
}
