// Which room ids this RoomServer's connections refer to, and when a room and its id are no longer
// needed here (issue 6, finding 1). A client keeps every name → id mapping a connection gave it
// (ROOMID, REDIRID) or that it used (SUBSCRIB, TELEPORT, ROOMCHNG) for as long as the connection
// lives (spec §5.2), so a connection holds those ids until it closes. An id none of them holds,
// whose room (if served here) has nobody in it, nobody watching it and no state that exists
// only in memory, is given up:
//   - stand-alone, this server owns the ids: the id's quiet period starts (RoomIds), and when it
//     ends the id goes back to the pool and the room leaves memory;
//   - behind a UserServer, which owns them: the room leaves memory and ROOM_RELEASE tells the
//     UserServer, with the number of answers naming the id received so far (LINK.md), so that an
//     answer still on its way keeps the id held. The UserServer applies the quiet period.
// A room whose state is in the room database leaves memory once that state is stored.

import type { RoomLimits } from '../runtime/config-limits.js';
import { IdPool } from '../runtime/id-pool.js';
import { RefTracker } from '../runtime/ref-tracker.js';
import type { Room, RoomTable } from './room.js';

export interface KeeperHost {
  limits(): Readonly<RoomLimits>;
  /** Nothing the room holds would be lost if it left memory (no state, or all of it stored). */
  mayForget(room: Room): boolean;
  /** A room database is configured: state not stored yet will be at the next write-back. */
  storesState(): boolean;
  /** The room leaves memory. */
  dropped(room: Room): void;
  /** Behind a UserServer: this server no longer refers to the id (after `grants` answers naming it). */
  release(id: number, grants: number): void;
}

export class RoomKeeper {
  private readonly refs = new RefTracker<object>();
  /** Stand-alone: this server's ids. */
  private readonly pool: IdPool | null;
  /** Behind a UserServer: answers received per id, and the names of the ids this server holds. */
  private readonly grants = new Map<number, number>();
  private readonly grantedIds = new Map<string, number>();
  private readonly grantedNames = new Map<number, string>();
  /** Ids nobody here refers to that may be given up once their room is idle. */
  private readonly candidates = new Set<number>();
  releases = 0;

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

  /** Stand-alone: ids naming a room, in use or quiet. Linked: ids the UserServer gave this server. */
  get idsAssigned(): number {
    return this.pool ? this.pool.size : this.grantedNames.size;
  }

  /** Stand-alone: ids left for new rooms. */
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
   * Behind a UserServer: an answer naming `id` arrived (the UserServer counts these too); `name`
   * is null for an answer that came after its request was given up.
   */
  granted(id: number, name: string | null): void {
    this.grants.set(id, (this.grants.get(id) ?? 0) + 1);
    if (name !== null) {
      this.grantedIds.set(name, id);
      this.grantedNames.set(id, name);
    }
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

  /** Gives up what is no longer needed (called on a timer; cost: the candidates since the last call). */
  sweep(now: number): void {
    for (const id of this.candidates) {
      if (this.refs.count(id) > 0) {
        this.candidates.delete(id);
        continue;
      }
      const room = this.rooms.byRoomId(id);
      if (room && !this.idle(room)) {
        // Without a room database, state lives in memory as long as the server runs: stop looking.
        const forever = room.population === 0 && room.subscribers.size === 0 && !this.host.storesState();
        if (forever) this.candidates.delete(id);
        continue;
      }
      this.candidates.delete(id);
      if (this.pool) {
        this.pool.markUnused(id, now);
        continue;
      }
      this.releases++;
      this.host.release(id, this.grants.get(id) ?? 0);
      this.grants.delete(id);
      const name = this.grantedNames.get(id);
      this.grantedNames.delete(id);
      if (name !== undefined && this.grantedIds.get(name) === id) this.grantedIds.delete(name);
      if (room) this.drop(room);
    }
    if (this.pool) this.reclaim(now);
  }

  private reclaim(now: number): void {
    if (!this.pool) return;
    const freed = this.pool.reclaim(now, this.host.limits().quietMs, (id) => {
      const room = this.rooms.byRoomId(id);
      const free = this.refs.count(id) === 0 && (!room || this.idle(room));
      if (!free) this.candidates.add(id);
      return free;
    });
    for (const { id } of freed) {
      this.releases++;
      const room = this.rooms.byRoomId(id);
      if (room) this.drop(room);
    }
  }

  private drop(room: Room): void {
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
    this.grantedNames.clear();
    this.candidates.clear();
    this.rooms.forgetIds();
    for (const room of [...this.rooms.all()]) if (this.idle(room)) this.drop(room);
  }
}
