// Everything one RoomServer holds: users by name, rooms, channel populations and friends-list
// watchers. All placement goes through here so that a user's room, grid cell and version counter
// never disagree.

import { ChannelPopulation } from '../runtime/channels.js';
import { RoomTable, type Room } from './room.js';
import type { RoomUser } from './user.js';

export class World {
  readonly users = new Map<string, RoomUser>();
  /** The users logged in by serial: what a short id in a client's frame names (roomserver/shortids.ts). */
  readonly bySerial = new Map<number, RoomUser>();
  readonly rooms = new RoomTable();
  /** Friends-list watchers: key of the watched user → users who want to know (BUDDYLISTUPDATE). */
  readonly watchers = new Map<string, Set<RoomUser>>();
  ordinaryUsers = 0;
  priorityUsers = 0;

  constructor(readonly channels: ChannelPopulation) {}

  byName(name: string): RoomUser | undefined {
    return this.users.get(name.toLowerCase());
  }

  /** The user a short id in `viewer`'s frames names (§3.3), if it is still logged in. */
  byShortId(viewer: RoomUser, id: number): RoomUser | undefined {
    return this.bySerial.get(viewer.ids.serialAt(id));
  }

  add(u: RoomUser): void {
    this.users.set(u.key, u);
    this.bySerial.set(u.serial, u);
    this.channels.join(u.channel);
    if (u.priority) this.priorityUsers++;
    else this.ordinaryUsers++;
  }

  /** Takes the user out of everything; returns the viewers that were showing it. */
  remove(u: RoomUser): RoomUser[] {
    this.bySerial.delete(u.serial);
    if (this.users.get(u.key) !== u) return [];
    this.users.delete(u.key);
    this.channels.leave(u.channel);
    if (u.priority) this.priorityUsers--;
    else this.ordinaryUsers--;
    this.unplace(u);
    for (const sub of u.subscriptions.values()) sub.room.subscribers.delete(u);
    u.subscriptions.clear();
    for (const shown of u.visible.keys()) shown.viewers.delete(u);
    u.visible.clear();
    for (const key of [...u.buddies.keys()]) this.unwatch(u, key);
    const viewers = [...u.viewers];
    for (const v of viewers) v.visible.delete(u);
    u.viewers.clear();
    return viewers;
  }

  place(u: RoomUser, room: Room, x: number, y: number, z: number, dir: number): void {
    if (u.room !== room) {
      u.room?.leave(u);
      u.room = room;
      setPos(u, x, y, z, dir);
      room.enter(u);
    } else {
      setPos(u, x, y, z, dir);
      room.grid.moved(u);
    }
    u.posVersion++;
  }

  move(u: RoomUser, x: number, y: number, z: number, dir: number): void {
    if (!u.room) return;
    if (u.x === x && u.y === y && u.z === z && u.dir === dir) return;
    setPos(u, x, y, z, dir);
    u.room.grid.moved(u);
    u.posVersion++;
  }

  unplace(u: RoomUser): void {
    if (!u.room) return;
    u.room.leave(u);
    u.room = null;
    u.posVersion++;
  }

  watch(u: RoomUser, spelling: string): void {
    const key = spelling.toLowerCase();
    let set = this.watchers.get(key);
    if (!set) {
      set = new Set();
      this.watchers.set(key, set);
    }
    set.add(u);
    u.addBuddy(key, spelling);
  }

  unwatch(u: RoomUser, key: string): void {
    const set = this.watchers.get(key);
    if (set) {
      set.delete(u);
      if (set.size === 0) this.watchers.delete(key);
    }
    u.dropBuddy(key);
  }
}

function setPos(u: RoomUser, x: number, y: number, z: number, dir: number): void {
  u.x = x;
  u.y = y;
  u.z = z;
  u.dir = dir;
}
