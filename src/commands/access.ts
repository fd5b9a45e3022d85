import type { WebClient } from "@slack/web-api";
import type { Clock } from "../clock.js";

/**
 * Who may order and who may approve / receive private keys: SSL_ORDERERS and SSL_APPROVERS hold
 * user IDs and user-group IDs; an empty list means everyone. Group membership comes from Slack
 * (usergroups.users.list) and is cached briefly so a click does not wait on it twice.
 */
export interface AccessControl {
  mayOrder(userId: string): Promise<boolean>;
  mayApprove(userId: string): Promise<boolean>;
  /** True when SSL_APPROVERS is empty, i.e. everyone may approve and receive keys. */
  readonly approversOpen: boolean;
}

const GROUP_CACHE_MS = 5 * 60_000;

export function createAccessControl(
  lists: { orderers: string[]; approvers: string[] },
  client: WebClient,
  clock: Clock,
): AccessControl {
  const groupCache = new Map<string, { members: Set<string>; fetchedAt: number }>();

  async function groupMembers(groupId: string): Promise<Set<string>> {
    const cached = groupCache.get(groupId);
    if (cached && clock.now().getTime() - cached.fetchedAt < GROUP_CACHE_MS) return cached.members;
    const response = await client.usergroups.users.list({ usergroup: groupId });
    const members = new Set(response.users ?? []);
    groupCache.set(groupId, { members, fetchedAt: clock.now().getTime() });
    return members;
  }

  async function isListed(list: string[], userId: string): Promise<boolean> {
    if (list.length === 0 || list.includes(userId)) return true;
    for (const groupId of list.filter((id) => id.startsWith("S"))) {
      if ((await groupMembers(groupId)).has(userId)) return true;
    }
    return false;
  }

  return {
    mayOrder: (userId) => isListed(lists.orderers, userId),
    mayApprove: (userId) => isListed(lists.approvers, userId),
    approversOpen: lists.approvers.length === 0,
  };
}
