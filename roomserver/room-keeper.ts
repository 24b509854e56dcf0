// Which room ids this RoomServer's connections refer to, which rooms it keeps in memory, and when
// it gives either up (issue 6, findings 1 and 2). Two separate questions:
//
// - A room leaves memory when nobody stands in it, nobody watches it and it holds no state that
//   exists only in memory (none, or all of it stored in the room database). Its id stays: a
//   connection that uses the id again brings the room back (with its stored state).
// - An id is given up when no connection here refers to it and its room is not in memory. A
//   client keeps every name → id mapping a connection gave it (ROOMID, REDIRID) or that it used
//   (SUBSCRIB, TELEPORT, ROOMCHNG) for as long as that connection lives (spec §5.2), so a
//   connection holds those ids until it closes. Giving an id up means:
//     stand-alone (this server owns the ids): its quiet period starts (RoomIds); when it is over
//       the id goes back to the pool;
//     behind a UserServer (which owns them): ROOM_RELEASE, with the number of answers naming the
//       id received so far (LINK.md), so that an answer still on its way keeps it held. The
//       UserServer applies the quiet period.
// A room whose state lives only in memory (no room database) keeps its id as long as the server
// runs; SharedState bounds how many such rooms there can be.

import type { RoomLimits } from '../runtime/config-limits.js';
import { IdPool, type Reclaimed } from '../runtime/id-pool.js';
import { RefTracker } from '../runtime/ref-tracker.js';
import type { Room, RoomTable } from './room.js';

export interface KeeperHost {
  limits(): Readonly<RoomLimits>;
  /** Nothing the room holds would be lost if it left memory (no state, or all of it stored). */
  mayForget(room: Room): boolean;
  /** The room leaves memory. */
  dropped(room: Room): void;
  /** Behind a UserServer: this server no longer refers to the id (after `grants` answers naming it). */
  release(id: number, grants: number): void;
}

export class RoomKeeper {
  private readonly refs = new RefTracker<object>();
  /** Stand-alone: this server's ids. */
  private readonly pool: IdPool | null;
  /**
   * Behind a UserServer: per id it gave this server, the answers received naming it, its name (when
   * known) and whether this server serves the room (a REDIRID elsewhere is held too).
   */
  private readonly grants = new Map<number, { count: number; name: string | null; here: boolean }>();
  private readonly grantedIds = new Map<string, number>();
  /** Ids nobody here refers to any more, to be given up once their room is out of memory. */
  private readonly candidates = new Set<number>();
  /** Ids given up and rooms that left memory since start (plain counters for the statistics). */
  idsGivenUp = 0;
  roomsDropped = 0;

  constructor(
    private readonly rooms: RoomTable,
    private readonly host: KeeperHost,
    standalone: boolean,
  ) {
    this.pool = standalone ? new IdPool() : null;
  }

  get maxIds(): number {
    return this.host.limits().maxIds;
  }

  /** Ids some connection here refers to. */
  get idsInUse(): number {
    return this.refs.size;
  }

  /** Stand-alone: ids naming a room (in use or quiet). Behind a UserServer: ids it gave this server. */
  get idsAssigned(): number {
    return this.pool ? this.pool.size : this.grants.size;
  }

  /** Stand-alone: ids in their quiet period. */
  get idsQuiet(): number {
    return this.pool?.quiet ?? 0;
  }

  /** Stand-alone: ids left for new rooms (null behind a UserServer). */
  idsAvailable(): number | null {
    return this.pool ? this.pool.available(this.host.limits().maxIds) : null;
  }

  /** The id this server knows for the name (stand-alone: its own; linked: one it was given). */
  idOfName(name: string): number | undefined {
    return this.pool ? this.pool.idOf(name) : (this.grantedIds.get(name) ?? this.rooms.byRoomName(name)?.id);
  }

  holds(holder: object, id: number | undefined): boolean {
    return id !== undefined && id !== 0 && this.refs.holds(holder, id);
  }

  heldBy(holder: object): number {
    return this.refs.heldBy(holder);
  }

  /** Stand-alone: the room for `name`, with a new id when it has none; null when no id is left. */
  allocate(name: string, now: number): Room | null {
    if (!this.pool) return null;
    const lim = this.host.limits();
    let got = this.pool.assign(name, lim.maxIds, now);
    if (!got) {
      this.reclaim(now);
      got = this.pool.assign(name, lim.maxIds, now);
    }
    if (!got) return null;
    return this.rooms.adopt(name, got.id);
  }

  /**
   * The room of an id this server serves and still knows although the room left memory: it comes
   * back (and its stored state).
   */
  recall(id: number): Room | null {
    const g = this.grants.get(id);
    const name = this.pool ? this.pool.nameOf(id) : g?.here ? g.name : null;
    return name === undefined || name === null ? null : this.rooms.adopt(name, id);
  }

  /**
   * Behind a UserServer: an answer naming `id` arrived (the UserServer counts these too); `here`
   * when this server serves the room; `name` is null for an answer that came after its request
   * was given up.
   */
  granted(id: number, name: string | null, here: boolean): void {
    const g = this.grants.get(id) ?? { count: 0, name: null, here };
    g.count++;
    g.here = here;
    if (name !== null) {
      g.name = name;
      this.grantedIds.set(name, id);
    }
    this.grants.set(id, g);
    if (this.refs.count(id) === 0) this.candidates.add(id);
  }

  /** The connection was given the id, or used it. */
  hold(holder: object, id: number): void {
    if (id === 0) return;
    if (this.refs.add(holder, id)) this.pool?.markUsed(id);
  }

  /** The connection closed: the ids only it held may be given up. */
  holderGone(holder: object): void {
    for (const id of this.refs.dropHolder(holder)) this.candidates.add(id);
  }

  private idle(room: Room): boolean {
    return room.population === 0 && room.subscribers.size === 0 && this.host.mayForget(room);
  }

  /**
   * Called on a timer: idle rooms leave memory, unreferenced ids are given up. Cost: one look at
   * each room in memory and each id that lost its last holder since the last call. Returns the
   * ids that went back to the pool (stand-alone).
   */
  sweep(now: number): Reclaimed[] {
    // Deleting from a Map while iterating it is safe: no copy of the room list is made.
    for (const room of this.rooms.all()) {
      if (!this.idle(room)) continue;
      this.drop(room);
      if (room.id !== 0 && this.refs.count(room.id) === 0) this.candidates.add(room.id);
    }
    for (const id of this.candidates) {
      if (this.refs.count(id) > 0 || this.rooms.byRoomId(id)) {
        // Used again, or its room still holds someone or state: looked at again when that changes.
        this.candidates.delete(id);
        continue;
      }
      this.candidates.delete(id);
      this.giveUp(id, now);
    }
    return this.reclaim(now);
  }

  private giveUp(id: number, now: number): void {
    if (this.pool) return this.pool.markUnused(id, now);
    this.idsGivenUp++;
    const g = this.grants.get(id);
    this.host.release(id, g?.count ?? 0);
    this.grants.delete(id);
    if (g?.name && this.grantedIds.get(g.name) === id) this.grantedIds.delete(g.name);
  }

  private reclaim(now: number): Reclaimed[] {
    if (!this.pool) return [];
    const freed = this.pool.reclaim(
      now,
      this.host.limits().quietMs,
      (id) => this.refs.count(id) === 0 && !this.rooms.byRoomId(id),
    );
    this.idsGivenUp += freed.length;
    return freed;
  }

  private drop(room: Room): void {
    this.roomsDropped++;
    this.rooms.remove(room);
    this.host.dropped(room);
  }

  /**
   * Behind a UserServer that went away: every connection was closed, and the ids it gave are void.
   * Rooms keep their state by name (a new UserServer gives them new ids); the others leave memory.
   */
  linkLost(): void {
    this.refs.clear();
    this.grants.clear();
    this.grantedIds.clear();
    this.candidates.clear();
    this.rooms.forgetIds();
    for (const room of [...this.rooms.all()]) if (this.idle(room)) this.drop(room);
  }
}
