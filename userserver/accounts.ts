// The user database from the UserServer's side (AG-10, AG-12 … AG-14): authentication and
// registration read and write it at once; usage counters and persistent properties of active
// users are written back every `UserDatabase … minutes`, at logoff and at shutdown, with UPDATEs
// that never bring back an account an administrator deleted.

import { Nak, PropFlag, type NakCode } from '../protocol/constants.js';
import type { NewProp } from '../protocol/props.js';
import { VIP_BITS } from '../runtime/db/admin-sql.js';
import type { Database, StoredProperty, UserRecord } from '../runtime/db/types.js';
import { describe } from '../runtime/lifecycle.js';
import type { AttemptOutcome, LoginGuard, Admission } from './login-guard.js';
import type { PasswordHasher } from './passwords.js';
import type { ActiveUser } from './users.js';

export type AuthOutcome =
  { ok: true; record: UserRecord; props: StoredProperty[] } | { ok: false; nak: NakCode; reason: string };

export type RegisterAnswer =
  { ok: true; record: UserRecord; props: StoredProperty[] } | { ok: false; nak: NakCode; reason: string };

export interface UsageWrite {
  name: string;
  key: string;
  timesOn: number;
  minutes: number;
  props: StoredProperty[] | null;
}

const MINUTE = 60_000;
/** A failing extra (login addresses, VIP expiry) is reported at most this often. */
const WARN_EVERY_MS = 10 * MINUTE;

export class Accounts {
  private readonly warned = new Map<string, number>();

  constructor(
    readonly db: Database,
    private readonly hasher: PasswordHasher,
    /** Failed-login and registration limits; what it refuses costs no database read and no hash. */
    readonly guard: LoginGuard,
    /** Problems that must not refuse a login (a missing administration table on Oracle, say). */
    private readonly warn: (text: string) => void = () => undefined,
  ) {}

  private warnOnce(kind: string, err: unknown): void {
    const now = Date.now();
    if (now - (this.warned.get(kind) ?? -Infinity) < WARN_EVERY_MS) return;
    this.warned.set(kind, now);
    this.warn(
      `${kind}: ${describe(err)} (the login went ahead; repeated failures not logged for ${WARN_EVERY_MS / MINUTE} minutes)`,
    );
  }

  /** The first login after a VIP membership ends clears the VIP bits it granted (AG-12). */
  private async withVipExpiry(r: UserRecord): Promise<UserRecord> {
    if ((r.userPrivileges & VIP_BITS) === 0) return r;
    try {
      const now = await this.db.expireVip(r.userNameLower, new Date());
      return now === null ? r : { ...r, userPrivileges: now };
    } catch (err) {
      this.warnOnce('VIP expiry not checked', err);
      return r;
    }
  }

  /** Notes the address of a login, for the user report by IP address. */
  async recordLogin(name: string, address: string): Promise<void> {
    try {
      await this.db.recordLogin(name.toLowerCase(), address, new Date());
    } catch (err) {
      this.warnOnce('login address not recorded', err);
    }
  }

  /**
   * AG-11: no such user (12), inactive account (14), bad password (13); fresh from the database.
   * `address` is the client's: the login limits and the hashing queue's fairness go by it.
   */
  async authenticate(name: string, password: string, address: string): Promise<AuthOutcome> {
    const key = name.toLowerCase();
    const admitted = this.guard.login(address, key);
    if (!admitted.ok) return refusal(admitted);
    let outcome: AttemptOutcome = 'neutral';
    try {
      const record = await this.db.findUser(key);
      if (!record) {
        outcome = 'failed';
        return { ok: false, nak: Nak.NO_SUCH_USER, reason: `no account named ${name}` };
      }
      if (record.accountStatus !== 1) {
        outcome = 'failed';
        return { ok: false, nak: Nak.BAD_ACCOUNT, reason: `account ${record.userName} is inactive` };
      }
      const check = await this.hasher.verify(password, record.password, address);
      if (!check.ok) {
        outcome = 'wrong-password';
        return { ok: false, nak: Nak.BAD_PASSWORD, reason: `wrong password for ${record.userName}` };
      }
      outcome = 'success';
      if (check.needsRehash) await this.db.setPassword(key, await this.hasher.hash(password, address));
      return { ok: true, record: await this.withVipExpiry(record), props: await this.db.loadProperties(key) };
    } finally {
      admitted.attempt.finish(outcome);
    }
  }

  /** Account status and privileges as they are now (a RoomServer login of an active user). */
  async current(name: string): Promise<UserRecord | null> {
    const record = await this.db.findUser(name.toLowerCase());
    return record && this.withVipExpiry(record);
  }

  /** AG-10: bad serial (9), serial taken (10), name taken (11); one transaction in the store. */
  async register(
    name: string,
    password: string,
    serial: string,
    clientVersion: string,
    address: string,
  ): Promise<RegisterAnswer> {
    const admitted = this.guard.register(address, name.toLowerCase());
    if (!admitted.ok) return refusal(admitted);
    let outcome: AttemptOutcome = 'neutral';
    try {
      const passwordHash = await this.hasher.hash(password, address);
      const result = await this.db.register({
        userName: name,
        passwordHash,
        serial,
        clientVersion: clientVersion.slice(0, 20),
        now: new Date(),
      });
      switch (result) {
        case 'bad-serial':
          outcome = 'failed';
          return { ok: false, nak: Nak.BAD_SERIAL, reason: `serial ${serial} does not exist` };
        case 'taken-serial':
          outcome = 'failed';
          return { ok: false, nak: Nak.TAKEN_SERIAL, reason: `serial ${serial} is already used` };
        case 'taken-name':
          return { ok: false, nak: Nak.TAKEN_USER, reason: `name ${name} is already registered` };
        case 'ok': {
          outcome = 'success';
          const record = await this.db.findUser(name.toLowerCase());
          if (!record)
            return { ok: false, nak: Nak.FATAL, reason: `account ${name} vanished right after registration` };
          // The sign-up pages' e-mail address may already be stored: the session must keep it.
          return { ok: true, record, props: await this.db.loadProperties(record.userNameLower) };
        }
      }
    } finally {
      admitted.attempt.finish(outcome);
    }
  }

  async changePassword(name: string, password: string, address: string): Promise<void> {
    await this.db.setPassword(name.toLowerCase(), await this.hasher.hash(password, address));
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

/**
 * A login the guard refused without looking further: a lockout and too many new accounts are told
 * as NAK 16, which the client shows as a refusal of its address and does not retry on its own (the
 * guide's "Bad IP address" for booted users); a check already in flight for the address is NAK 5,
 * after which the client tries again in 8-17 s.
 */
function refusal(a: Exclude<Admission, { ok: true }>): { ok: false; nak: NakCode; reason: string } {
  const until = a.until === null ? '' : `; refused until ${clock(new Date(a.until))}`;
  return { ok: false, nak: a.kind === 'busy' ? Nak.FATAL : Nak.BAD_IPADDRESS, reason: `${a.reason}${until}` };
}

function clock(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`;
}
