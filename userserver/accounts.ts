// The user database from the UserServer's side (AG-10, AG-12 … AG-14): authentication and
// registration read and write it at once; usage counters and persistent properties of active
// users are written back every `UserDatabase … minutes`, at logoff and at shutdown, with UPDATEs
// that never bring back an account an administrator deleted.

import { Nak, PropFlag, type NakCode } from '../protocol/constants.js';
import type { NewProp } from '../protocol/props.js';
import type { Database, StoredProperty, UserRecord } from '../runtime/db/types.js';
import type { PasswordHasher } from './passwords.js';
import type { ActiveUser } from './users.js';

export type AuthOutcome =
  { ok: true; record: UserRecord; props: StoredProperty[] } | { ok: false; nak: NakCode; reason: string };

export type RegisterAnswer = { ok: true; record: UserRecord } | { ok: false; nak: NakCode; reason: string };

export interface UsageWrite {
  name: string;
  key: string;
  timesOn: number;
  minutes: number;
  props: StoredProperty[] | null;
}

const MINUTE = 60_000;

export class Accounts {
  constructor(
    readonly db: Database,
    private readonly hasher: PasswordHasher,
  ) {}

  /** AG-11: no such user (12), inactive account (14), bad password (13); fresh from the database. */
  async authenticate(name: string, password: string): Promise<AuthOutcome> {
    const key = name.toLowerCase();
    const record = await this.db.findUser(key);
    if (!record) return { ok: false, nak: Nak.NO_SUCH_USER, reason: `no account named ${name}` };
    if (record.accountStatus !== 1)
      return { ok: false, nak: Nak.BAD_ACCOUNT, reason: `account ${record.userName} is inactive` };
    const check = await this.hasher.verify(password, record.password);
    if (!check.ok) return { ok: false, nak: Nak.BAD_PASSWORD, reason: `wrong password for ${record.userName}` };
    if (check.needsRehash) await this.db.setPassword(key, await this.hasher.hash(password));
    return { ok: true, record, props: await this.db.loadProperties(key) };
  }

  /** Account status and privileges as they are now (a RoomServer login of an active user). */
  async current(name: string): Promise<UserRecord | null> {
    return this.db.findUser(name.toLowerCase());
  }

  /** AG-10: bad serial (9), serial taken (10), name taken (11); one transaction in the store. */
  async register(name: string, password: string, serial: string, clientVersion: string): Promise<RegisterAnswer> {
    const passwordHash = await this.hasher.hash(password);
    const outcome = await this.db.register({
      userName: name,
      passwordHash,
      serial,
      clientVersion: clientVersion.slice(0, 20),
      now: new Date(),
    });
    switch (outcome) {
      case 'bad-serial':
        return { ok: false, nak: Nak.BAD_SERIAL, reason: `serial ${serial} does not exist` };
      case 'taken-serial':
        return { ok: false, nak: Nak.TAKEN_SERIAL, reason: `serial ${serial} is already used` };
      case 'taken-name':
        return { ok: false, nak: Nak.TAKEN_USER, reason: `name ${name} is already registered` };
      case 'ok': {
        const record = await this.db.findUser(name.toLowerCase());
        if (!record) return { ok: false, nak: Nak.FATAL, reason: `account ${name} vanished right after registration` };
        return { ok: true, record };
      }
    }
  }

  async changePassword(name: string, password: string): Promise<void> {
    await this.db.setPassword(name.toLowerCase(), await this.hasher.hash(password));
  }

  /**
   * What `u` owes the database now: its logon (once per session), whole minutes since the last
   * write, and its persistent properties when they changed. `final` rounds the last part-minute.
   */
  static pendingUsage(u: ActiveUser, now: number, final: boolean): UsageWrite {
    // Time present nowhere (waiting LogoffDelay for a client moving between servers) is not usage.
    const end = Math.max(u.accountedUntil, Math.min(now, u.absentSince ?? now));
    const elapsed = end - u.accountedUntil;
    const minutes = final ? Math.round(elapsed / MINUTE) : Math.floor(elapsed / MINUTE);
    const timesOn = u.timesOnCounted ? 0 : 1;
    u.timesOnCounted = true;
    u.accountedUntil = final ? end : u.accountedUntil + minutes * MINUTE;
    const props = u.propsDirty || final ? persistentProps(u.props) : null;
    u.propsDirty = false;
    return { name: u.name, key: u.key, timesOn, minutes, props };
  }

  /** Writes one user's pending usage; false when the account no longer exists. */
  async write(w: UsageWrite): Promise<boolean> {
    let exists = true;
    if (w.timesOn > 0 || w.minutes > 0) exists = await this.db.addUsage(w.key, w.timesOn, w.minutes);
    if (exists && w.props) exists = await this.db.saveProperties(w.key, w.props);
    return exists;
  }
}

/** Properties flagged DBSTORE (0x80) are the ones UserProperties keeps (guide Appendix III). */
export function persistentProps(props: ReadonlyMap<number, NewProp>): StoredProperty[] {
  const out: StoredProperty[] = [];
  for (const p of props.values())
    if (p.flags & PropFlag.DBSTORE) out.push({ id: p.id, flags: p.flags, access: p.access, value: p.value });
  return out;
}
