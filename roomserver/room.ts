// Rooms of this RoomServer: who stands in each (in a spatial grid), who subscribes to it, and its
// shared-object state (§5.2 PROPSET 253). Room ids come from the directory that owns them: this
// server when stand-alone, the UserServer's galaxy-wide table when linked (§5.2 ROOMIDRQ).

import type { NewProp } from '../protocol/props.js';
import { longObjIdBytes } from '../protocol/fast.js';
import { parseRoomName, type RoomName } from '../protocol/names.js';
import { Grid } from './interest.js';
import type { RoomUser } from './user.js';

/** Shared attributes a room may hold (property ids are one byte). */
export const MAX_SHARED_PROPERTIES = 255;

export class Room {
  /** Long-form ObjID bytes: shared-object updates are addressed to the room by name (§3.3). */
  readonly longId: Buffer;
  readonly parsed: RoomName | null;
  readonly grid = new Grid<RoomUser>();
  readonly subscribers = new Set<RoomUser>();
  readonly shared = new Map<number, NewProp>();
  /** Users with the special-guest privilege standing here: seen by every subscriber (AG-27). */
  readonly specialGuests = new Set<RoomUser>();
  /** Set when shared state changed since it was last stored. */
  sharedDirty = false;

  constructor(
    /** Changes only when a new UserServer hands out ids afresh after the link was lost. */
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

  /** Nothing refers to the room any more: no one in it, watching it, or state worth keeping. */
  get idle(): boolean {
    return this.grid.size === 0 && this.subscribers.size === 0 && this.shared.size === 0;
  }
}

export interface RoomDirectoryOptions {
  /** Largest id the protocol can carry (u16). */
  maxId?: number;
}

export type RoomListener = (room: Room) => void;

/**
 * Room name ↔ id for a stand-alone RoomServer: ids are handed out from 1 upwards when a name is
 * first referenced and never change or get reused while the server runs (§5.2: never 0, the same
 * name always gets the same id).
 */
export class RoomTable {
  private readonly byName = new Map<string, Room>();
  private readonly byId = new Map<number, Room>();
  private nextId = 1;
  private readonly maxId: number;
  /** Called for every room created (the room database loads its state). */
  onCreate: RoomListener | null = null;

  constructor(opts: RoomDirectoryOptions = {}) {
    this.maxId = opts.maxId ?? 0xffff;
  }

  get size(): number {
    return this.byName.size;
  }

  byRoomId(id: number): Room | undefined {
    return this.byId.get(id);
  }

  byRoomName(name: string): Room | undefined {
    return this.byName.get(name);
  }

  /** The room for `name`, allocating an id when it is new; null when the id space is exhausted. */
  allocate(name: string): Room | null {
    const known = this.byName.get(name);
    if (known) return known;
    if (this.nextId > this.maxId) return null;
    return this.add(name, this.nextId++);
  }

  /**
   * Registers a room whose id was assigned elsewhere (the UserServer's table). A room known under
   * another id keeps its shared state and takes the new id; a room holding the id is set aside.
   */
  adopt(name: string, id: number): Room {
    const known = this.byName.get(name);
    if (known && known.id === id) return known;
    const clash = this.byId.get(id);
    if (clash && clash !== known) this.byId.delete(id);
    if (!known) return this.add(name, id);
    this.byId.delete(known.id);
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
    this.byName.delete(room.name);
    this.byId.delete(room.id);
  }

  all(): IterableIterator<Room> {
    return this.byName.values();
  }
}
