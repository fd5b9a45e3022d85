import type { GuardedAction, RefusalReason } from "../orders/access-audit.js";
import type { AccessControl } from "./access.js";
import type { FeatureContext } from "./context.js";

/**
 * The one guard in front of every guarded action: it asks AccessControl, and when the answer is no
 * it records the refusal (access audit, rate-limited per person) and says why, in one wording per
 * action. Features pass where to say it; view submissions, which can only answer in their ack, take
 * the text from `refuse`.
 */

type ListedAction = Exclude<GuardedAction, "use" | "key_delivery">;

/**
 * Who may: people in SSL_ORDERERS or SSL_APPROVERS (everyone while the list is empty), or only
 * people named in SSL_APPROVERS (nobody while it is empty: the private-key rule,
 * AccessControl.mayReceiveKeys), for what cannot be undone.
 */
type Need = "SSL_ORDERERS" | "SSL_APPROVERS" | "named in SSL_APPROVERS";

/** The list each need reads. */
const LIST: Record<Need, "SSL_ORDERERS" | "SSL_APPROVERS"> = {
  SSL_ORDERERS: "SSL_ORDERERS",
  SSL_APPROVERS: "SSL_APPROVERS",
  "named in SSL_APPROVERS": "SSL_APPROVERS",
};

const NEEDS: Record<ListedAction, Need> = {
  order: "SSL_ORDERERS",
  renew: "SSL_ORDERERS",
  reissue: "SSL_ORDERERS",
  resend_approval: "SSL_ORDERERS",
  change_validation: "SSL_ORDERERS",
  client_add: "SSL_ORDERERS",
  client_edit: "SSL_ORDERERS",
  client_contacts: "SSL_ORDERERS",
  snooze: "SSL_ORDERERS",
  acknowledge: "SSL_ORDERERS",
  settle: "SSL_ORDERERS",
  import: "SSL_ORDERERS",
  approve: "SSL_APPROVERS",
  reject: "SSL_APPROVERS",
  revoke: "named in SSL_APPROVERS",
};

const WHAT: Record<ListedAction, string> = {
  order: "order certificates",
  renew: "renew certificates",
  reissue: "reissue certificates",
  resend_approval: "ask for approval e-mails again",
  change_validation: "change how orders are validated",
  client_add: "add or edit clients",
  client_edit: "add or edit clients",
  client_contacts: "add or edit clients",
  snooze: "snooze expiry alerts",
  acknowledge: "acknowledge expiry alerts",
  settle: "settle an order stuck on its way to the provider",
  import: "import certificates",
  approve: "approve orders",
  reject: "reject orders",
  revoke: "revoke certificates",
};

/** The refusal as a form field's error (plain text: no emoji there). */
export function refusalSentence(action: ListedAction, access: Pick<AccessControl, "keysEnabled">): string {
  if (NEEDS[action] === "named in SSL_APPROVERS" && !access.keysEnabled) {
    return `Nobody can ${WHAT[action]} until a certdesk admin names the people who may in SSL_APPROVERS.`;
  }
  return `Only people in ${LIST[NEEDS[action]]} can ${WHAT[action]}. Ask a certdesk admin to add you if you need to.`;
}

export function refusalText(action: ListedAction, access: Pick<AccessControl, "keysEnabled">): string {
  return `:no_entry: ${refusalSentence(action, access)}`;
}

/**
 * Whether the person may do it, asked without recording anything: for views that offer an action
 * only to those who may (Details' Revoke…). Whatever they offer, the action itself still goes
 * through `guard` or `refusalFor`.
 */
export async function mayDo(
  context: Pick<FeatureContext, "access">,
  userId: string,
  action: ListedAction,
): Promise<boolean> {
  switch (NEEDS[action]) {
    case "SSL_ORDERERS":
      return context.access.mayOrder(userId);
    case "SSL_APPROVERS":
      return context.access.mayApprove(userId);
    case "named in SSL_APPROVERS":
      return context.access.mayReceiveKeys(userId);
  }
}

function reasonFor(action: ListedAction, access: Pick<AccessControl, "keysEnabled">): RefusalReason {
  const need = NEEDS[action];
  return need === "named in SSL_APPROVERS" && !access.keysEnabled
    ? "SSL_APPROVERS is empty"
    : `not in ${LIST[need]}`;
}

/** Records a refusal; the words to say, and whether it was stored (the thread is told only then). */
async function refuse(
  context: Pick<FeatureContext, "access" | "refusals" | "clock">,
  refusal: { userId: string; action: ListedAction; subject: string | null },
): Promise<{ text: string; stored: boolean }> {
  const stored = await context.refusals.record({
    actor: refusal.userId,
    action: refusal.action,
    subject: refusal.subject,
    reason: reasonFor(refusal.action, context.access),
    at: context.clock.now(),
  });
  return { text: refusalText(refusal.action, context.access), stored };
}

export interface Refusal {
  /** With the emoji, for a message or a modal. */
  text: string;
  /** Without it, for a form field's error. */
  sentence: string;
  /** Recorded in the audit (within the per-person limit): the order's thread may be told. */
  stored: boolean;
}

/**
 * For view submissions and modal buttons, which answer in their ack or their view: undefined when
 * the person may, else the refusal, already recorded. A failure to ask (Slack's user-group lookup)
 * is thrown, for the caller to answer as any failure: it is not a refusal.
 */
export async function refusalFor(
  context: Pick<FeatureContext, "access" | "refusals" | "clock">,
  check: { userId: string; action: ListedAction; subject: string | null | (() => Promise<string | null>) },
): Promise<Refusal | undefined> {
  if (await mayDo(context, check.userId, check.action)) return undefined;
  const subject = typeof check.subject === "function" ? await check.subject() : check.subject;
  const { text, stored } = await refuse(context, { userId: check.userId, action: check.action, subject });
  return { text, sentence: refusalSentence(check.action, context.access), stored };
}

/** True when the person may; otherwise records, tells them with `tell`, and is false. */
export async function guard(
  context: Pick<FeatureContext, "access" | "refusals" | "clock">,
  check: {
    userId: string;
    action: ListedAction;
    /** What was acted on, for the audit: an order reference, "client 7", a domain. */
    subject: string | null | (() => Promise<string | null>);
    tell(text: string): Promise<unknown>;
  },
): Promise<boolean> {
  const refusal = await refusalFor(context, check);
  if (!refusal) return true;
  await check.tell(refusal.text);
  return false;
}
