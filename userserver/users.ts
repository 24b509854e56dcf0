// Users logged in to the galaxy (AG-9 … AG-18): who they are, where they are present (their
// UserServer connection and the RoomServers they joined), their channel, guest slot and friends
// list. A user stays active while present anywhere; the UserServer connection is transactional
// (AG-17), so most users are present only on RoomServers.

import type { NewProp } from '../protocol/props.js';
import type { ChannelPopulation } from '../runtime/channels.js';

export type AccountKind = 'registered' | 'anonymous' | 'guest';

/** Where a user can be reached: a UserServer client session or a RoomServer link. */
export interface ClientPresence {
  readonly address: string;
  sendFrames(frames: readonly Buffer[]): void;
  kick(reason: string): void;
}

export interface LinkPresence {
  readonly name: string;
}

export interface ActiveUser {
  name: string;
  key: string;
  /** This login's id, unique galaxy-wide (it moves with the user to the other WorldServer). */
  session: string;
  /** The other WorldServer's session of this name that this login replaced (AG-11), '' when none. */
  replaces: string;
  kind: AccountKind;
  privileges: number;
  channel: string;
  serial: string | null;
  clientVersion: string;
  /** Address of the login, banned with the name on a boot. */
  address: string;
  loginAt: Date;
  /** Public and persistent properties; DBSTORE ones are written back. */
  props: Map<number, NewProp>;
  propsDirty: boolean;
  /** Friends list: key → spelling the client used. */
  buddies: Map<string, string>;
  /** HMAC of the password the client holds, to verify RoomServer logins without rehashing. */
  verifier: Buffer;
  client: ClientPresence | null;
  servers: Set<LinkPresence>;
  /** RoomServer joined most recently: where notifications go. */
  lastServer: LinkPresence | null;
  guestSlot: number | null;
  /** Usage not yet written: whether this session's logon is counted, and time accounted up to. */
  timesOnCounted: boolean;
  accountedUntil: number;
  lingerTimer: NodeJS.Timeout | null;
  /** When the user was last seen anywhere, while present nowhere: a lost session ends there (AG-14). */
  absentSince: number | null;
}

export interface NewUser {
  name: string;
  session: string;
  replaces?: string;
  kind: AccountKind;
  privileges: number;
  channel: string;
  serial: string | null;
  clientVersion: string;
  address: string;
  props: Map<number, NewProp>;
  verifier: Buffer;
  client: ClientPresence | null;
  guestSlot: number | null;
}

/** A user becoming active now, with nothing yet owed to the database. */
export function activeUser(n: NewUser, now = Date.now()): ActiveUser {
  return {
    ...n,
    replaces: n.replaces ?? '',
    key: n.name.toLowerCase(),
    loginAt: new Date(now),
    propsDirty: false,
    buddies: new Map(),
    servers: new Set(),
    lastServer: null,
    timesOnCounted: false,
    accountedUntil: now,
    lingerTimer: null,
    absentSince: null,
  };
}

export class GuestSlots {
  private readonly used = new Set<number>();

  constructor(
    readonly max: number,
    readonly prefix: string,
  ) {}

  /** A free slot whose name nobody else uses (`elsewhere`: logged in on the other WorldServer). */
  take(elsewhere: (name: string) => boolean = () => false): number | null {
    for (let i = 1; i <= this.max; i++) {
      if (!this.used.has(i) && !elsewhere(this.nameOf(i))) {
        this.used.add(i);
        return i;
      }
    }
    return null;
  }

  /** The slot whose name a guest arriving from the other WorldServer has; null when not ours or taken. */
  takeName(name: string): number | null {
    const m = /^(.+)_(\d+)$/.exec(name);
    if (!m || (m[1] as string).toLowerCase() !== this.prefix.toLowerCase()) return null;
    const slot = Number(m[2]);
    if (slot < 1 || slot > this.max || this.used.has(slot)) return null;
    this.used.add(slot);
    return slot;
  }

  free(slot: number): void {
    this.used.delete(slot);
  }

  nameOf(slot: number): string {
    return `${this.prefix}_${slot}`;
  }

  get inUse(): number {
    return this.used.size;
  }
}

export class ActiveUsers {
  private readonly byKey = new Map<string, ActiveUser>();
  /** Friends-list index: watched key → users watching it. */
  private readonly watchers = new Map<string, Set<ActiveUser>>();

  constructor(readonly channels: ChannelPopulation) {}

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): ActiveUser | undefined {
    return this.byKey.get(key);
  }

  all(): IterableIterator<ActiveUser> {
    return this.byKey.values();
  }

  add(u: ActiveUser): void {
    this.byKey.set(u.key, u);
    this.channels.join(u.channel);
  }

  remove(u: ActiveUser): boolean {
    if (this.byKey.get(u.key) !== u) return false;
    this.byKey.delete(u.key);
    this.channels.leave(u.channel);
    for (const key of u.buddies.keys()) this.unindex(u, key);
    if (u.lingerTimer) clearTimeout(u.lingerTimer);
    u.lingerTimer = null;
    return true;
  }

  changeChannel(u: ActiveUser, channel: string): void {
    if (u.channel === channel) return;
    this.channels.leave(u.channel);
    u.channel = channel;
    this.channels.join(channel);
  }

  watch(u: ActiveUser, spelling: string): void {
    const key = spelling.toLowerCase();
    u.buddies.set(key, spelling);
    let set = this.watchers.get(key);
    if (!set) {
      set = new Set();
      this.watchers.set(key, set);
    }
    set.add(u);
  }

  unwatch(u: ActiveUser, key: string): void {
    u.buddies.delete(key);
    this.unindex(u, key);
  }

  private unindex(u: ActiveUser, key: string): void {
    const set = this.watchers.get(key);
    if (!set) return;
    set.delete(u);
    if (set.size === 0) this.watchers.delete(key);
  }

  watchersOf(key: string): ReadonlySet<ActiveUser> {
    return this.watchers.get(key) ?? new Set();
  }

  /** Present nowhere: neither on the UserServer nor on any RoomServer. */
  static absent(u: ActiveUser): boolean {
    return u.client === null && u.servers.size === 0;
  }
}
