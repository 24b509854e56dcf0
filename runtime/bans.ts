// Boot bans (AG-20): after `!boot Name`, logins by that name or from that address are refused for
// 30 minutes ("Bad IP address", NAK 16), because the client would otherwise retry at once. Each
// ban remembers which boot made it, so that a refusal can say so, and a newcomer from a banned
// address is not logged as if it were the user who was booted. The UserServer also stores its bans
// in the user database (BootBans) so that they outlive a restart; a stand-alone RoomServer keeps
// them in memory.

import type { StoredBan } from './db/types.js';

export const BOOT_BAN_MS = 30 * 60_000;

export type Ban = StoredBan;

export class BanList {
  private readonly names = new Map<string, Ban>();
  private readonly addresses = new Map<string, Ban>();

  constructor(
    private readonly durationMs = BOOT_BAN_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bans the booted user's name (lower case) and address; returns the bans made, to be stored. */
  ban(nameKey: string, address: string | null, booted: string, by: string): Ban[] {
    const at = new Date(this.now());
    const until = new Date(at.getTime() + this.durationMs);
    const made: Ban[] = [{ kind: 'name', value: nameKey, until, booted, by, at }];
    if (address) made.push({ kind: 'address', value: address, until, booted, by, at });
    for (const b of made) this.restore(b);
    return made;
  }

  /** Takes a ban read back from the database; an ended one is ignored. */
  restore(b: Ban): void {
    if (b.until.getTime() <= this.now()) return;
    (b.kind === 'name' ? this.names : this.addresses).set(b.value, b);
  }

  /** The ban that refuses this login, the name's first; null when none. */
  find(nameKey: string, address: string): Ban | null {
    return this.active(this.names, nameKey) ?? this.active(this.addresses, address);
  }

  isBanned(nameKey: string, address: string): boolean {
    return this.find(nameKey, address) !== null;
  }

  get size(): number {
    return this.names.size + this.addresses.size;
  }

  private active(map: Map<string, Ban>, key: string): Ban | null {
    const b = map.get(key);
    if (b === undefined) return null;
    if (b.until.getTime() > this.now()) return b;
    map.delete(key);
    return null;
  }
}

/** `address 127.2.0.1 banned until 14:32 since the boot of Bad by Admin at 14:02` (local time). */
export function describeBan(b: Ban): string {
  const what = b.kind === 'name' ? `name ${b.booted}` : `address ${b.value}`;
  return `${what} banned until ${hhmm(b.until)} since the boot of ${b.booted} by ${b.by} at ${hhmm(b.at)}`;
}

function hhmm(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
