// The galaxy-wide room directory (AG-15, spec §5.2 ROOMIDRQ): one id per `World#Room<channel>`,
// the same from every server, never 0; and which RoomServer serves each server world
// (`World<channel>`): a volunteer (`World` keyword) first, else the RoomServer serving the fewest
// server worlds, ties to the one that connected first. All rooms of one server world stay on one
// RoomServer; a RoomServer that goes away loses its worlds, which are assigned again on next use.
//
// Room ids are a managed resource (issue 6). A client keeps every name → id mapping it was given
// for as long as that connection lives, so an id stays with its name while anyone may refer to it:
// a UserServer connection that was sent its REDIRID, or a RoomServer that was told the id (it
// holds the id for its own connections and for the state of its rooms, and says ROOM_RELEASE when
// it no longer needs it). An id nobody holds goes back to the pool after the RoomIds quiet period;
// a server world whose rooms all lost their ids is no longer assigned.
//
// A redundant UserServer hands out only its half of the id space (protocol/backup.ts
// roomIdRange), and its peer holds the ids of rooms it was told about like a RoomServer does.

import type { IdRange } from '../protocol/backup.js';
import { parseRoomName, serverWorldOf } from '../protocol/names.js';
import type { RoomLimits } from '../runtime/config-limits.js';
import { IdPool, type Reclaimed } from '../runtime/id-pool.js';
import { RefTracker } from '../runtime/ref-tracker.js';

export interface RoomServerEntry {
  readonly name: string;
  readonly connectedAt: number;
  /** `World` lines: world name and optional channel. */
  readonly worlds: readonly { world: string; channel: string | null }[];
}

export type Assignment<L> =
  | { ok: true; id: number; server: L; serverWorld: string; fresh: boolean }
  | { ok: false; reason: string; exhausted: boolean };

export class Directory<L extends RoomServerEntry> {
  private readonly pool: IdPool;
  /** Holders: client sessions (any object), RoomServer links and the backup link. */
  private readonly refs = new RefTracker<object>();
  /**
   * Answers naming an id sent to each RoomServer (and to the other WorldServer) and not yet
   * released by it (ROOM_RELEASE counts them).
   */
  private readonly grants = new Map<object, Map<number, number>>();
  private readonly owner = new Map<string, L>();
  private readonly worldCount = new Map<L, number>();
  /** Ids per server world: a world is unassigned when its last id goes back to the pool. */
  private readonly worldIds = new Map<string, number>();

  constructor(
    private readonly limits: () => Readonly<RoomLimits>,
    /** The ids this UserServer hands out (all of them unless it has a backup peer). */
    readonly range: IdRange = { first: 1, last: 0xffff },
  ) {
    this.pool = new IdPool(range.first);
  }

  /** Largest id handed out now: `RoomIds maxIds` ids from the start of the range, within it. */
  private maxId(): number {
    return Math.min(this.range.last, this.range.first + this.limits().maxIds - 1);
  }

  /** How many ids this UserServer may hand out. */
  get capacity(): number {
    return this.maxId() - this.range.first + 1;
  }

  /** Rooms with an id (in use or in their quiet period). */
  get roomCount(): number {
    return this.pool.size;
  }

  /** Ids some connection or RoomServer refers to. */
  get idsInUse(): number {
    return this.refs.size;
  }

  get idsQuiet(): number {
    return this.pool.quiet;
  }

  /** Ids left for new rooms now (what a room-request flood has not yet taken). */
  get idsAvailable(): number {
    return this.pool.available(this.maxId());
  }

  idOf(name: string): number | undefined {
    return this.pool.idOf(name);
  }

  add(server: L): void {
    this.worldCount.set(server, 0);
    this.addHolder(server);
  }

  /** A holder that is told ids by answers and releases them (ROOM_RELEASE): the backup link. */
  addHolder(holder: object): void {
    this.grants.set(holder, new Map());
  }

  /** That holder went away: it holds no id any more. */
  removeHolder(holder: object, now: number): void {
    this.grants.delete(holder);
    this.dropHolder(holder, now);
  }

  /** A RoomServer went away: its server worlds become unassigned and it holds no id any more. */
  remove(server: L, now: number): string[] {
    this.worldCount.delete(server);
    this.grants.delete(server);
    this.dropHolder(server, now);
    const lost: string[] = [];
    for (const [world, s] of this.owner) {
      if (s === server) {
        this.owner.delete(world);
        lost.push(world);
      }
    }
    return lost;
  }

  worldsOf(server: L): number {
    return this.worldCount.get(server) ?? 0;
  }

  /**
   * The room's id and RoomServer. The id is not held by anyone yet: the caller gives it to a
   * connection (hold) or a RoomServer (grant) in the same turn; otherwise it goes back to the pool
   * after the quiet period.
   */
  assign(name: string, now: number): Assignment<L> {
    const parsed = parseRoomName(name);
    if (!parsed) return { ok: false, reason: `${JSON.stringify(name)} is not a World#Room name`, exhausted: false };
    const serverWorld = serverWorldOf(parsed);
    let server = this.owner.get(serverWorld);
    if (!server) {
      server = this.choose(parsed.world, parsed.channel);
      if (!server) return { ok: false, reason: 'no RoomServer is connected', exhausted: false };
    }
    const maxId = this.maxId();
    let got = this.pool.assign(name, maxId, now);
    if (!got) {
      this.reclaim(now);
      got = this.pool.assign(name, maxId, now);
    }
    if (!got) return { ok: false, reason: `all ${this.capacity} room ids are in use`, exhausted: true };
    if (got.fresh) this.worldIds.set(serverWorld, (this.worldIds.get(serverWorld) ?? 0) + 1);
    if (!this.owner.has(serverWorld)) {
      this.owner.set(serverWorld, server);
      this.worldCount.set(server, (this.worldCount.get(server) ?? 0) + 1);
    }
    return { ok: true, id: got.id, server, serverWorld, fresh: got.fresh };
  }

  /** A client connection was sent the id (REDIRID): it holds it until it closes. */
  hold(holder: object, id: number): void {
    if (this.refs.add(holder, id)) this.pool.markUsed(id);
  }

  /** Whether the connection holds the id already, and how many it holds. */
  holds(holder: object, id: number | undefined): boolean {
    return id !== undefined && this.refs.holds(holder, id);
  }

  heldBy(holder: object): number {
    return this.refs.heldBy(holder);
  }

  /** A RoomServer was sent the id (ROOM_ANS, ROOM_INFO): it holds it until it releases every such answer. */
  grant(server: object, id: number): void {
    const g = this.grants.get(server);
    if (!g) return;
    g.set(id, (g.get(id) ?? 0) + 1);
    this.hold(server, id);
  }

  /**
   * The other WorldServer's clients know `name` by `id`, an id of this side's range (ROOM_HOLD
   * after the backup link formed again, perhaps after this UserServer restarted): the name keeps
   * that id, held by `holder` as if granted once. 'conflict' when either names something else here
   * by now; 'outside' when the id is not one this side hands out.
   */
  adopt(holder: object, id: number, name: string, now: number): 'held' | 'conflict' | 'outside' {
    const parsed = parseRoomName(name);
    if (id < this.range.first || id > this.range.last || !parsed) return 'outside';
    const r = this.pool.claim(name, id, now);
    if (r === 'conflict') return 'conflict';
    if (r === 'claimed') {
      const world = serverWorldOf(parsed);
      this.worldIds.set(world, (this.worldIds.get(world) ?? 0) + 1);
    }
    this.grant(holder, id);
    return 'held';
  }

  /**
   * ROOM_RELEASE: the RoomServer no longer needs the id after the `seen` answers it had received
   * when it said so. Answers sent since (still on their way to it) keep it holding the id.
   */
  release(server: object, id: number, seen: number, now: number): void {
    const g = this.grants.get(server);
    const sent = g?.get(id);
    if (!g || sent === undefined) return;
    if (seen < sent) {
      g.set(id, sent - seen);
      return;
    }
    g.delete(id);
    if (this.refs.drop(server, id)) this.pool.markUnused(id, now);
  }

  /** A client connection closed (or a RoomServer left): the ids only it held start their quiet period. */
  dropHolder(holder: object, now: number): void {
    for (const id of this.refs.dropHolder(holder)) this.pool.markUnused(id, now);
  }

  /** Ids whose quiet period is over go back to the pool; returns them. */
  reclaim(now: number): Reclaimed[] {
    const freed = this.pool.reclaim(now, this.limits().quietMs, (id) => this.refs.count(id) === 0);
    for (const { name } of freed) {
      const parsed = parseRoomName(name);
      if (!parsed) continue;
      const world = serverWorldOf(parsed);
      const left = (this.worldIds.get(world) ?? 1) - 1;
      if (left > 0) {
        this.worldIds.set(world, left);
        continue;
      }
      this.worldIds.delete(world);
      const server = this.owner.get(world);
      if (!server) continue;
      this.owner.delete(world);
      this.worldCount.set(server, Math.max(0, (this.worldCount.get(server) ?? 1) - 1));
    }
    return freed;
  }

  private choose(world: string, channel: string): L | undefined {
    const servers = [...this.worldCount.keys()].sort((a, b) => a.connectedAt - b.connectedAt);
    const w = world.toLowerCase();
    const volunteer = servers.find((s) =>
      s.worlds.some((v) => v.world.toLowerCase() === w && (v.channel === null || v.channel === channel)),
    );
    if (volunteer) return volunteer;
    let best: L | undefined;
    for (const s of servers) if (!best || this.worldsOf(s) < this.worldsOf(best)) best = s;
    return best;
  }

  ownerOf(serverWorld: string): L | undefined {
    return this.owner.get(serverWorld);
  }

  /** The room with this id, when its server world is assigned to `server`. */
  roomOf(id: number, server: L): string | null {
    const name = this.pool.nameOf(id);
    const parsed = name === undefined ? null : parseRoomName(name);
    if (!name || !parsed || this.owner.get(serverWorldOf(parsed)) !== server) return null;
    return name;
  }
}
