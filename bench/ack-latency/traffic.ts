import type { RecordedCall, SlackApiFake } from "../../test/support/slack-api-fake.js";
import { SlackDriver } from "../../test/support/slack-driver.js";

/** The mix sent round-robin: one command that only acks, one that opens a modal, one that replies. */
export const COMMANDS = {
  help: "help",
  order: "order Acme www.example.com",
  list: "list Acme",
} as const;
export type CommandKind = keyof typeof COMMANDS;
export const KINDS = Object.keys(COMMANDS) as CommandKind[];

/** What certdesk sent for each command, replayed by the minimal app. */
export interface CapturedPayloads {
  help: unknown;
  order: { open: unknown; updates: unknown[] };
  list: unknown;
}

export interface Calibration {
  /** The Slack calls each command made after it was sent, in order. */
  calls: Record<CommandKind, string[]>;
  payloads: CapturedPayloads;
}

export interface PhaseStats {
  sent: number;
  /** Answered 200 by the app. */
  acked: number;
  /** Non-200, network error or no answer within the timeout. */
  failed: number;
  /** Why, with how many each. */
  failures: Map<string, number>;
  /** Acked but not every expected Slack call arrived within the timeout. */
  incomplete: number;
  /** Infinity for a command never acked: a timeout is the slowest answer, not a missing one. */
  ackMs: number[];
  /** `/ssl order` sent → views.open received by the fake; Infinity when it never came. */
  openMs: number[];
  /** How late the driver sent each request against its schedule (its own health, not the app's). */
  lagMs: number[];
  elapsedMs: number;
}

interface CommandRecord {
  kind: CommandKind;
  sentAt: number;
  ackAt?: number;
  failed?: string;
  /** Calibration keeps what was sent to Slack; measurement keeps only methods and times. */
  keep: boolean;
  ackBody?: string;
  calls: { method: string; at: number; args: Record<string, unknown> }[];
  onProgress?: () => void;
}

const TIMEOUT_MS = 10_000;
const SIGNING = { teamId: "T0TEST", userId: "U0ANN", channelId: "C0OPS" };

/**
 * Ties each call the Slack API fake receives to the command that caused it, whichever app sent it:
 * views.open by trigger_id, views.update by the view id the fake hands out (derived from the
 * trigger_id), response_url posts by the URL's id. Times are this process's performance.now(), since
 * the fake runs here.
 */
export class CommandLog {
  private nextId = 0;
  private readonly commands = new Map<number, CommandRecord>();
  /** Calls that arrived after their command was given up on, or that no command caused. */
  unattributed = 0;

  constructor(private readonly fake: SlackApiFake) {
    fake.reset();
    fake.on("views.open", (args) => ({
      body: { ok: true, view: { ...(args.view as object), id: `V-${String(args.trigger_id)}`, hash: "h1" } },
    }));
    // The fake keeps every call for tests to inspect; here each call is attributed as it arrives and
    // dropped, so minutes of traffic do not pile up in memory.
    fake.calls.push = (...calls: RecordedCall[]) => {
      for (const call of calls) this.observe(call);
      return 0;
    };
  }

  get responseUrlBase(): string {
    return `${this.fake.url}/respond/r`;
  }

  add(kind: CommandKind, keep: boolean): { id: number; record: CommandRecord } {
    this.nextId += 1;
    const record: CommandRecord = { kind, sentAt: performance.now(), keep, calls: [] };
    this.commands.set(this.nextId, record);
    return { id: this.nextId, record };
  }

  get(id: number): CommandRecord {
    const record = this.commands.get(id);
    if (!record) throw new Error(`no command ${id}`);
    return record;
  }

  forget(id: number): void {
    this.commands.delete(id);
  }

  private observe(call: RecordedCall): void {
    const id = commandIdOf(call);
    const record = id === undefined ? undefined : this.commands.get(id);
    if (!record) {
      this.unattributed += 1;
      return;
    }
    record.calls.push({ method: call.method, at: performance.now(), args: record.keep ? call.args : {} });
    record.onProgress?.();
  }
}

/** Sends signed /ssl commands to one app, as Slack does (test/support/slack-driver.ts). */
export class Traffic {
  private readonly driver: SlackDriver;
  private expected: Record<CommandKind, number> = { help: 0, order: 0, list: 0 };

  constructor(
    private readonly log: CommandLog,
    appUrl: string,
    signingSecret: string,
  ) {
    this.driver = new SlackDriver(appUrl, signingSecret, { ...SIGNING, responseUrl: () => "" });
  }

  /** One command of each kind, alone: which Slack calls follow it, and what they carried. */
  async calibrate(): Promise<Calibration> {
    const records = {} as Record<CommandKind, CommandRecord>;
    for (const kind of KINDS) {
      const { id, record } = this.send(kind, true);
      await this.quiet(record);
      records[kind] = record;
      this.expected[kind] = record.calls.length;
      this.log.forget(id);
      if (record.failed)
        throw new Error(`/ssl ${COMMANDS[kind]} failed during calibration: ${record.failed}`);
    }
    const viewsOf = (record: CommandRecord, method: string) =>
      record.calls.filter((call) => call.method === method).map((call) => call.args.view);
    const { responseUrlId: _id, ...listReply } = records.list.calls.find(
      (call) => call.method === "response_url",
    )?.args ?? { responseUrlId: "" };
    return {
      calls: {
        help: records.help.calls.map((call) => call.method),
        order: records.order.calls.map((call) => call.method),
        list: records.list.calls.map((call) => call.method),
      },
      payloads: {
        help: records.help.ackBody ? JSON.parse(records.help.ackBody) : undefined,
        order: {
          open: viewsOf(records.order, "views.open")[0],
          updates: viewsOf(records.order, "views.update"),
        },
        list: listReply,
      },
    };
  }

  /** Open loop: sends on a fixed schedule whatever the app's answers, then waits for the stragglers. */
  async fixedRate(rate: number, seconds: number): Promise<PhaseStats> {
    const total = Math.round(rate * seconds);
    const ids: number[] = [];
    const lagMs: number[] = [];
    const start = performance.now();
    const due = (index: number) => start + (index * 1000) / rate;
    let index = 0;
    while (index < total) {
      for (; index < total && due(index) <= performance.now(); index += 1) {
        lagMs.push(performance.now() - due(index));
        ids.push(this.send(KINDS[index % KINDS.length] as CommandKind).id);
      }
      if (index < total) await sleep(due(index) - performance.now());
    }
    const deadline = performance.now() + TIMEOUT_MS;
    while (ids.some((id) => !this.isSettled(this.log.get(id))) && performance.now() < deadline)
      await sleep(20);
    return this.collect(ids, lagMs, performance.now() - start);
  }

  /** Closed loop: `concurrency` commands in flight, each done when acked and its Slack calls arrived. */
  async saturate(concurrency: number, seconds: number, kinds: CommandKind[] = KINDS): Promise<PhaseStats> {
    const ids: number[] = [];
    const start = performance.now();
    const end = start + seconds * 1000;
    let index = 0;
    const worker = async () => {
      while (performance.now() < end) {
        const { id } = this.send(kinds[index % kinds.length] as CommandKind);
        index += 1;
        ids.push(id);
        await this.settled(id);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return this.collect(ids, [], performance.now() - start);
  }

  private send(kind: CommandKind, keep = false): { id: number; record: CommandRecord } {
    const { id, record } = this.log.add(kind, keep);
    const answer = this.driver.slashCommand(COMMANDS[kind], {
      triggerId: `bench-${id}`,
      responseUrl: `${this.log.responseUrlBase}${id}`,
    });
    withTimeout(answer, TIMEOUT_MS).then(
      (response) => {
        record.ackAt = performance.now();
        if (response.status !== 200) record.failed = `HTTP ${response.status} ${response.text.slice(0, 60)}`;
        if (keep) record.ackBody = response.text;
        record.onProgress?.();
      },
      (error: unknown) => {
        record.failed = String(error).slice(0, 80);
        record.onProgress?.();
      },
    );
    return { id, record };
  }

  private isSettled(record: CommandRecord): boolean {
    return (
      record.failed !== undefined ||
      (record.ackAt !== undefined && record.calls.length >= this.expected[record.kind])
    );
  }

  private settled(id: number): Promise<void> {
    const record = this.log.get(id);
    if (this.isSettled(record)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        record.onProgress = undefined;
        resolve();
      };
      const timer = setTimeout(done, TIMEOUT_MS);
      record.onProgress = () => {
        if (this.isSettled(record)) done();
      };
    });
  }

  /** Acked, then nothing more for a while: calibration cannot know how many calls to expect. */
  private async quiet(record: CommandRecord): Promise<void> {
    const deadline = performance.now() + TIMEOUT_MS;
    for (;;) {
      await sleep(50);
      const last = Math.max(record.ackAt ?? 0, ...record.calls.map((call) => call.at));
      const answered = record.ackAt !== undefined || record.failed !== undefined;
      if ((answered && performance.now() - last > 500) || performance.now() > deadline) return;
    }
  }

  private collect(ids: number[], lagMs: number[], elapsedMs: number): PhaseStats {
    const stats: PhaseStats = {
      sent: ids.length,
      acked: 0,
      failed: 0,
      failures: new Map(),
      incomplete: 0,
      ackMs: [],
      openMs: [],
      lagMs,
      elapsedMs,
    };
    for (const id of ids) {
      const record = this.log.get(id);
      this.log.forget(id);
      const opened = record.calls.find((call) => call.method === "views.open");
      if (record.kind === "order" && this.expected.order > 0) {
        stats.openMs.push(opened ? opened.at - record.sentAt : Number.POSITIVE_INFINITY);
      }
      if (record.failed !== undefined || record.ackAt === undefined) {
        const reason = record.failed ?? "no answer";
        stats.failed += 1;
        stats.failures.set(reason, (stats.failures.get(reason) ?? 0) + 1);
        stats.ackMs.push(Number.POSITIVE_INFINITY);
        continue;
      }
      stats.acked += 1;
      stats.ackMs.push(record.ackAt - record.sentAt);
      if (record.calls.length < this.expected[record.kind]) stats.incomplete += 1;
    }
    return stats;
  }
}

/** Two runs of the same phase as one. */
export function mergeStats(a: PhaseStats, b: PhaseStats): PhaseStats {
  const failures = new Map(a.failures);
  for (const [reason, count] of b.failures) failures.set(reason, (failures.get(reason) ?? 0) + count);
  return {
    sent: a.sent + b.sent,
    acked: a.acked + b.acked,
    failed: a.failed + b.failed,
    failures,
    incomplete: a.incomplete + b.incomplete,
    ackMs: [...a.ackMs, ...b.ackMs],
    openMs: [...a.openMs, ...b.openMs],
    lagMs: [...a.lagMs, ...b.lagMs],
    elapsedMs: a.elapsedMs + b.elapsedMs,
  };
}

function commandIdOf(call: RecordedCall): number | undefined {
  const { trigger_id: triggerId, view_id: viewId, responseUrlId } = call.args;
  const match =
    (typeof triggerId === "string" && /^bench-(\d+)$/.exec(triggerId)) ||
    (typeof viewId === "string" && /^V-bench-(\d+)$/.exec(viewId)) ||
    (typeof responseUrlId === "string" && /^r(\d+)$/.exec(responseUrlId));
  return match ? Number(match[1]) : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
