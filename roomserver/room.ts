// Rooms of this RoomServer: who stands in each (in a spatial grid), who subscribes to it, and its
// shared-object state (§5.2 PROPSET 253). Room ids come from the directory that owns them: this
// server's pool when stand-alone, the UserServer's galaxy-wide table when linked (§5.2 ROOMIDRQ);
// roomserver/room-keeper.ts decides when a room and its id are no longer needed.

import type { NewProp } from '../protocol/props.js';
import { longObjIdBytes } from '../protocol/fast.js';
import { parseRoomName, type RoomName } from '../protocol/names.js';
import { Grid } from './interest.js';
import type { RoomUser } from './user.js';

export class Room {
  /** Long-form ObjID bytes: shared-object updates are addressed to the room by name (§3.3). */
  readonly longId: Buffer;
  readonly parsed: RoomName | null;
  readonly grid = new Grid<RoomUser>();
  readonly subscribers = new Set<RoomUser>();
  readonly shared = new Map<number, NewProp>();
  /** What `shared` counts against the SharedState caps (roomserver/shared-state.ts). */
  sharedBytes = 0;
  /** Users with the special-guest privilege standing here: seen by every subscriber (AG-27). */
  readonly specialGuests = new Set<RoomUser>();
  /** Set when shared state changed since it was last stored. */
  sharedDirty = false;

  constructor(
    /** 0 while the room has no id (kept for its state after the UserServer link was lost). */
    public id: number,
    readonly name: string,
  ) {
    this.longId = longObjIdBytes(name);
    this.parsed = parseRoomName(name);
  }

  get population(): number {
    return this.grid.size;
  }

  enter(u: RoomUser): void {
    this.grid.insert(u);
    if (u.specialGuest) this.specialGuests.add(u);
  }

  leave(u: RoomUser): void {
    this.grid.remove(u);
    this.specialGuests.delete(u);
  }
}

export type RoomListener = (room: Room) => void;

/**
 * Room name ↔ id of the rooms in memory. Ids are given by the directory that owns them; a room
 * whose id changes (a new UserServer hands out ids afresh) keeps its state.
 */
export class RoomTable {
  private readonly byName = new Map<string, Room>();
  private readonly byId = new Map<number, Room>();
  /** Called for every room created (the room database loads its state). */
  onCreate: RoomListener | null = null;

  get size(): number {
    return this.byName.size;
  }

  byRoomId(id: number): Room | undefined {
    return this.byId.get(id);
  }

  byRoomName(name: string): Room | undefined {
    return this.byName.get(name);
  }

  /**
   * Registers a room under the id its directory gave. A room known under another id keeps its
   * shared state and takes the new id; a room holding the id is set aside.
   */
  adopt(name: string, id: number): Room {
    const known = this.byName.get(name);
    if (known && known.id === id) return known;
    const clash = this.byId.get(id);
    if (clash && clash !== known) {
      this.byId.delete(id);
      clash.id = 0;
    }
    if (!known) return this.add(name, id);
    if (known.id !== 0) this.byId.delete(known.id);
    known.id = id;
    this.byId.set(id, known);
    return known;
  }

  private add(name: string, id: number): Room {
    const room = new Room(id, name);
    this.byName.set(name, room);
    this.byId.set(id, room);
    this.onCreate?.(room);
    return room;
  }

  remove(room: Room): void {
    if (this.byName.get(room.name) === room) this.byName.delete(room.name);
    if (room.id !== 0 && this.byId.get(room.id) === room) this.byId.delete(room.id);
  }

  /** The ids were handed out by a UserServer that is gone: rooms keep their state by name only. */
  forgetIds(): void {
    for (const room of this.byId.values()) room.id = 0;
    this.byId.clear();
  }

  all(): IterableIterator<Room> {
    return this.byName.values();
  }
}
