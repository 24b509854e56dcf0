// The users logged in on the other WorldServer (guide "Redundant WorldServer Operation"): the list
// its UserServer sends when the backup link forms, kept up to date by its login and logoff notices,
// and forgotten when the link breaks. Buddy-list notices, whispers, boots and the duplicate-login
// rule look here for users that are not this UserServer's. Pure.

import type { AccountKindName, SessionStamp } from '../../protocol/backup.js';

export interface PeerUser extends SessionStamp {
  name: string;
  key: string;
  kind: AccountKindName;
  privileges: number;
  address: string;
}

export class PeerRoster {
  private readonly byKey = new Map<string, PeerUser>();

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): PeerUser | undefined {
    return this.byKey.get(key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  all(): IterableIterator<PeerUser> {
    return this.byKey.values();
  }

  /** Returns the entry it replaced, if any. */
  set(u: PeerUser): PeerUser | undefined {
    const before = this.byKey.get(u.key);
    this.byKey.set(u.key, u);
    return before;
  }

  /** Removes the name's entry when it is that session (or any session when none is given). */
  delete(key: string, session?: string): PeerUser | null {
    const u = this.byKey.get(key);
    if (!u || (session !== undefined && u.session !== session)) return null;
    this.byKey.delete(key);
    return u;
  }

  /** The link broke: every entry, which is forgotten. */
  clear(): PeerUser[] {
    const all = [...this.byKey.values()];
    this.byKey.clear();
    return all;
  }
}
