// The UserServer's view of its whole galaxy (AG-42): what each RoomServer last reported of its
// load over the link (RS_STATS, every stats sample of that RoomServer), as stats of the UserServer
// (`galaxy_*`, labelled by RoomServer in /metrics) and as the status page's galaxy panel with each
// RoomServer's users over the last hour. A RoomServer's stats come with its link and go with it.

import type { LinkMessageOf } from '../protocol/link.js';
import type { StatsRegistry } from '../runtime/stats.js';

export type RoomServerLoad = Omit<LinkMessageOf<'RS_STATS'>, 'kind'>;

/** What the panel needs of a link. */
export interface GalaxyMember {
  readonly name: string;
  readonly address: string;
  readonly rttMs: number;
}

interface Entry {
  link: GalaxyMember;
  /** Prefix of this RoomServer's stat names (`rs_first`). */
  prefix: string;
  load: RoomServerLoad | null;
  reportedAt: number;
  connectedAt: number;
  statNames: string[];
}

/** Distinct RoomServer names whose users' history is kept (beyond that, the longest gone is dropped). */
const MAX_HISTORIES = 64;

export class GalaxyLoad {
  private readonly members = new Map<GalaxyMember, Entry>();
  private readonly capacity: number;
  private readonly times: Float64Array;
  /** Users per RoomServer name at each sample; NaN while it did not report. */
  private readonly users = new Map<string, { values: Float64Array; seenAt: number }>();
  private next = 0;
  private filled = 0;

  constructor(
    private readonly reg: StatsRegistry,
    /** Points of history kept (the status page's hour). */
    capacity: number,
  ) {
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    reg.onSample.push((at) => this.record(at));
  }

  linkUp(link: GalaxyMember): void {
    const prefix = this.uniquePrefix(link.name);
    const e: Entry = { link, prefix, load: null, reportedAt: 0, connectedAt: Date.now(), statNames: [] };
    this.members.set(link, e);
    const labels = { roomserver: link.name };
    const stat = (
      name: string,
      unit: string,
      description: string,
      family: string,
      help: string,
      read: (l: RoomServerLoad) => number,
    ) => {
      const full = `${prefix}_${name}`;
      this.reg.number(full, unit, `RoomServer ${link.name}: ${description}`, () => (e.load ? read(e.load) : 0), {
        family: { name: family, help, labels },
      });
      e.statNames.push(full);
    };
    stat('users', 'users', 'users logged in', 'galaxy_users', 'Users on each RoomServer', (l) => l.users);
    stat('rooms', 'rooms', 'rooms it knows', 'galaxy_rooms', 'Rooms each RoomServer knows', (l) => l.rooms);
    stat(
      'server_worlds',
      'worlds',
      'server worlds it serves',
      'galaxy_server_worlds',
      'Server worlds served by each RoomServer',
      (l) => l.serverWorlds,
    );
    stat(
      'tick_ms_p99',
      'ms',
      'tick duration, 99th percentile',
      'galaxy_tick_p99_ms',
      'Tick duration of each RoomServer, 99th percentile over about a minute',
      (l) => l.tickP99Us / 1000,
    );
    stat(
      'cpu_cores',
      'cores',
      'CPU in use (1 = a whole core)',
      'galaxy_cpu_cores',
      'CPU each RoomServer uses (1 = a whole core)',
      (l) => l.cpuPermille / 1000,
    );
    this.reg.number(
      `${prefix}_link_rtt_ms`,
      'ms',
      `RoomServer ${link.name}: round trip of the last ping on its link`,
      () => link.rttMs,
      { family: { name: 'galaxy_link_rtt_ms', help: 'Round trip of the last ping on each RoomServer link', labels } },
    );
    e.statNames.push(`${prefix}_link_rtt_ms`);
  }

  linkDown(link: GalaxyMember): void {
    const e = this.members.get(link);
    if (!e) return;
    this.members.delete(link);
    for (const name of e.statNames) this.reg.remove(name);
  }

  report(link: GalaxyMember, load: RoomServerLoad): void {
    const e = this.members.get(link);
    if (!e) return;
    e.load = load;
    e.reportedAt = Date.now();
  }

  private uniquePrefix(name: string): string {
    const slug = `rs_${name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/_+$/, '')}`;
    const taken = (p: string) => [...this.members.values()].some((e) => e.prefix === p) || this.reg.has(`${p}_users`);
    if (!taken(slug)) return slug;
    for (let i = 2; ; i++) if (!taken(`${slug}_${i}`)) return `${slug}_${i}`;
  }

  private record(at: number): void {
    const i = this.next;
    this.times[i] = at / 1000;
    for (const h of this.users.values()) h.values[i] = NaN;
    for (const e of this.members.values()) {
      if (!e.load) continue;
      let h = this.users.get(e.link.name);
      if (!h) {
        if (this.users.size >= MAX_HISTORIES) this.forgetOldest();
        h = { values: new Float64Array(this.capacity).fill(NaN), seenAt: at };
        this.users.set(e.link.name, h);
      }
      h.values[i] = e.load.users;
      h.seenAt = at;
    }
    this.next = (i + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  private forgetOldest(): void {
    let oldest: string | null = null;
    let at = Infinity;
    for (const [name, h] of this.users)
      if (h.seenAt < at) {
        at = h.seenAt;
        oldest = name;
      }
    if (oldest !== null) this.users.delete(oldest);
  }

  /** The status page's galaxy panel: every RoomServer now, and users per RoomServer since `sinceSeconds`. */
  view(sinceSeconds: number): unknown {
    const now = Date.now();
    const servers = [...this.members.values()]
      .map((e) => ({
        name: e.link.name,
        address: e.link.address,
        connectedSeconds: Math.round((now - e.connectedAt) / 1000),
        reportedSecondsAgo: e.load ? Math.round((now - e.reportedAt) / 100) / 10 : null,
        linkRttMs: e.link.rttMs,
        ...(e.load ?? {}),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const t: number[] = [];
    const users: Record<string, (number | null)[]> = {};
    for (const name of this.users.keys()) users[name] = [];
    const start = (this.next - this.filled + this.capacity) % this.capacity;
    for (let k = 0; k < this.filled; k++) {
      const i = (start + k) % this.capacity;
      const ti = this.times[i] as number;
      if (ti <= sinceSeconds) continue;
      t.push(ti);
      for (const [name, h] of this.users) {
        const v = h.values[i] as number;
        (users[name] as (number | null)[]).push(Number.isNaN(v) ? null : v);
      }
    }
    return { servers, history: { t, users } };
  }
}
