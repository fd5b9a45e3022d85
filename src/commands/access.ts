import type { Clock } from "../clock.js";

/**
 * Who may order, approve and receive private keys. SSL_ORDERERS and SSL_APPROVERS hold user IDs and
 * user-group IDs. An empty SSL_ORDERERS means every full member may order, and an empty
 * SSL_APPROVERS means every full member may approve; but private keys go only to people named in
 * SSL_APPROVERS, so with it empty nobody receives them (nor revokes a certificate). Group membership comes from Slack
 * (usergroups.users.list) and is cached briefly so a click does not wait on it twice.
 */
export interface AccessControl {
  mayOrder(userId: string): Promise<boolean>;
  mayApprove(userId: string): Promise<boolean>;
  /**
   * Named in SSL_APPROVERS (directly or through a group); never true while it is empty. The rule
   * for what cannot be taken back: receiving private keys, revoking a certificate (guard.ts).
   */
  mayReceiveKeys(userId: string): Promise<boolean>;
  /** False while SSL_APPROVERS is empty: private keys then go to nobody, and nobody may revoke. */
  readonly keysEnabled: boolean;
}

const GROUP_CACHE_MS = 5 * 60_000;

export function createAccessControl(
  lists: { orderers: string[]; approvers: string[] },
  /** A user group's members, from Slack (Slack.groupMembers). */
  membersOf: (groupId: string) => Promise<string[]>,
  clock: Clock,
): AccessControl {
  const groupCache = new Map<string, { members: Set<string>; fetchedAt: number }>();

  async function groupMembers(groupId: string): Promise<Set<string>> {
    const cached = groupCache.get(groupId);
    if (cached && clock.now().getTime() - cached.fetchedAt < GROUP_CACHE_MS) return cached.members;
    const members = new Set(await membersOf(groupId));
    groupCache.set(groupId, { members, fetchedAt: clock.now().getTime() });
    return members;
  }

  async function isNamed(list: string[], userId: string): Promise<boolean> {
    if (list.includes(userId)) return true;
    for (const groupId of list.filter((id) => id.startsWith("S"))) {
      if ((await groupMembers(groupId)).has(userId)) return true;
    }
    return false;
  }

  const openOrNamed = async (list: string[], userId: string) => list.length === 0 || isNamed(list, userId);

  return {
    mayOrder: (userId) => openOrNamed(lists.orderers, userId),
    mayApprove: (userId) => openOrNamed(lists.approvers, userId),
    mayReceiveKeys: async (userId) => lists.approvers.length > 0 && isNamed(lists.approvers, userId),
    keysEnabled: lists.approvers.length > 0,
  };
}
