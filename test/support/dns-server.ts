import { createSocket, type Socket } from "node:dgram";
import type { AddressInfo } from "node:net";
import dns2 from "dns2";

const { Packet } = dns2;
type DnsPacket = InstanceType<typeof Packet>;
type Question = DnsPacket["questions"][number];
type Resource = DnsPacket["answers"][number];

/**
 * A local authoritative DNS server (UDP, 127.0.0.1, a free port) that answers from a zone a test
 * sets, so the readiness checker talks real DNS through node's resolver without the network.
 */

export type ZoneRecord =
  | { type: "A"; address: string }
  | { type: "AAAA"; address: string }
  | { type: "CNAME"; target: string }
  /** A TXT record; an array is one record split into several character-strings. */
  | { type: "TXT"; value: string | string[] }
  | { type: "MX"; exchange: string; priority?: number }
  /** flags 128 is the critical bit (RFC 8659's "issuer critical" flag). */
  | { type: "CAA"; tag: string; value: string; flags?: number };

export interface DnsZone {
  /** Records by owner name. A name with records of other types answers NODATA. */
  records?: Record<string, ZoneRecord[]>;
  /**
   * Names that answer SERVFAIL for every type (as a broken DNSSEC chain looks to a validating
   * resolver), or for one type only when written "name TYPE" (a name server fault).
   */
  servfail?: string[];
  /** Names that answer NXDOMAIN even though a record or a child exists (unknown names already do). */
  nxdomain?: string[];
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;
const MAX_CNAME_HOPS = 8;

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

export class TestDnsServer {
  private zone: DnsZone = {};
  /** "name TYPE" of every query received, for tests that care what was asked. */
  readonly queries: string[] = [];

  private constructor(
    private readonly server: ReturnType<typeof dns2.createUDPServer>,
    readonly port: number,
  ) {}

  static async start(): Promise<TestDnsServer> {
    const server = dns2.createUDPServer({ type: "udp4" });
    await server.listen(0, "127.0.0.1");
    const instance = new TestDnsServer(server, (server.address() as AddressInfo).port);
    server.on("request", (request, send) => {
      const reply = () => void send(instance.answer(request));
      if (instance.held) instance.held.push(reply);
      else reply();
    });
    return instance;
  }

  /** "127.0.0.1:port", the form DNS_SERVERS and the checker's dnsServers take. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Queries waiting while the server is held (hold()), answered on release. */
  private held: (() => void)[] | undefined;

  /** Answers nothing until the returned release is called: a test decides when DNS answers. */
  hold(): () => void {
    this.held ??= [];
    return () => {
      const waiting = this.held ?? [];
      this.held = undefined;
      for (const reply of waiting) reply();
    };
  }

  setZone(zone: DnsZone): void {
    this.zone = zone;
    this.queries.length = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: DnsPacket): DnsPacket {
    const response = Packet.createResponseFromRequest(request);
    response.header.aa = 1;
    response.header.ra = 1;
    const question = request.questions[0];
    if (!question) return response;
    this.queries.push(`${normalise(question.name)} ${typeName(question.type)}`);

    let name = normalise(question.name);
    for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      const failing = this.zone.servfail?.map(normalise) ?? [];
      if (failing.includes(name) || failing.includes(`${name} ${typeName(question.type).toLowerCase()}`)) {
        response.header.rcode = RCODE.SERVFAIL;
        return response;
      }
      if (!this.exists(name)) {
        response.header.rcode = RCODE.NXDOMAIN;
        return response;
      }
      const records = this.recordsAt(name);
      const cname = records.find((record) => record.type === "CNAME");
      // As an authoritative server does within its zone: a CNAME answers every other type, and
      // the chain is followed to the target's records.
      if (cname?.type === "CNAME" && question.type !== Packet.TYPE.CNAME) {
        response.answers.push(resource(question, name, cname));
        name = normalise(cname.target);
        continue;
      }
      for (const record of records) {
        if (Packet.TYPE[record.type] === question.type)
          response.answers.push(resource(question, name, record));
      }
      return response;
    }
    return response;
  }

  private recordsAt(name: string): ZoneRecord[] {
    const entry = Object.entries(this.zone.records ?? {}).find(([owner]) => normalise(owner) === name);
    return entry?.[1] ?? [];
  }

  /** A name exists if it owns records or is an ancestor of one that does (an empty non-terminal). */
  private exists(name: string): boolean {
    if (this.zone.nxdomain?.map(normalise).includes(name)) return false;
    const owners = [...Object.keys(this.zone.records ?? {}), ...(this.zone.servfail ?? [])].map(normalise);
    return owners.some((owner) => owner === name || owner.endsWith(`.${name}`));
  }
}

function typeName(type: number): string {
  const entry = Object.entries(Packet.TYPE).find(([, value]) => value === type);
  return entry?.[0] ?? String(type);
}

function resource(question: Question, owner: string, record: ZoneRecord): Resource {
  const base = { name: owner, type: Packet.TYPE[record.type], class: Packet.CLASS.IN, ttl: 60 };
  switch (record.type) {
    case "A":
    case "AAAA":
      return Packet.createResourceFromQuestion(question, { ...base, address: record.address });
    case "CNAME":
      return Packet.createResourceFromQuestion(question, { ...base, domain: record.target });
    case "TXT":
      return Packet.createResourceFromQuestion(question, { ...base, data: record.value });
    case "MX":
      return Packet.createResourceFromQuestion(question, {
        ...base,
        exchange: record.exchange,
        priority: record.priority ?? 10,
      });
    case "CAA":
      // dns2 encodes CAA RDATA itself: flags, tag length, tag, value (RFC 8659 §4.1).
      return Packet.createResourceFromQuestion(question, {
        ...base,
        flags: record.flags ?? 0,
        tag: record.tag,
        value: record.value,
      });
  }
}

/**
 * A "DNS server" that reads every query and never answers, as a resolver behind a dropped
 * firewall looks: the checker must give up on its own timeout.
 */
export class SilentDnsServer {
  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {}

  static async start(): Promise<SilentDnsServer> {
    const socket = createSocket("udp4");
    socket.on("message", () => {});
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return new SilentDnsServer(socket, (socket.address() as AddressInfo).port);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
