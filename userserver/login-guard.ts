// Failed logins and new accounts per address and per account (AG-45; `LoginFailures perAddress
// perAccount minutes`, `Registrations perAddressPerHour`). Every password check the UserServer
// makes, for its own clients and for RoomServer logins (keyed by the client address the
// RoomServer reports), asks here first, and all that is refused here costs no database read and no
// hash:
//   - an address with `perAddress` failures in the last `minutes` is locked out until the oldest
//     of them is that old (so a persistent guesser gets `perAddress` tries per window);
//   - an account with `perAccount` failures is locked the same way, except for addresses that
//     logged in to it successfully since this UserServer started: the owner, at home, is not
//     locked out of his account by someone guessing at it;
//   - an address may have no more checks in flight than failures it has left, so a thousand
//     parallel attempts from one address cost `perAddress` hashes, not a thousand;
//   - an address may register `perHour` new accounts per hour.
// A success resets nothing: an attacker holding one valid account must not be able to buy fresh
// guesses for others by logging in between them.

import type { LoginFailureSettings } from './config.js';

export interface GuardSettings {
  failures: Readonly<LoginFailureSettings>;
  registrationsPerHour: number;
}

export type Admission =
  | { ok: true; attempt: LoginAttempt }
  | { ok: false; reason: string; until: number | null; kind: 'locked' | 'busy' | 'registrations' };

/** How an admitted attempt ended. */
export type AttemptOutcome =
  /** Right password (or a registration that created its account). */
  | 'success'
  /** Wrong password for an existing account: counts for the address and the account. */
  | 'wrong-password'
  /** No such account, an inactive one, an unknown or used serial: counts for the address. */
  | 'failed'
  /** Neither (server error, name taken…): nothing is counted. */
  | 'neutral';

export interface LoginAttempt {
  finish(outcome: AttemptOutcome): void;
}

const HOUR_MS = 3_600_000;
/** Attempts counted per address for the hashing order; beyond it, more makes no difference. */
const ATTEMPTS_CAP = 64;
/** Rank added for recent failures: an address with any waits behind every clean one. */
const FAILED_RANK = 1_000;
/** Addresses remembered per account as having logged in to it. */
const TRUSTED_PER_ACCOUNT = 4;
/** Addresses and accounts tracked at once; the oldest are forgotten beyond it (bounded memory). */
export const MAX_TRACKED = 100_000;

/** The most recent events of one address or account, oldest first, at most `limit` of them. */
class Recent {
  readonly times: number[] = [];
  inFlight = 0;

  add(t: number, limit: number): void {
    this.times.push(t);
    while (this.times.length > limit) this.times.shift();
  }

  /** Events in the window ending now. */
  count(now: number, windowMs: number): number {
    while (this.times.length > 0 && now - (this.times[0] as number) >= windowMs) this.times.shift();
    return this.times.length;
  }

  /** When the count drops below `limit` again (the oldest leaves the window). */
  unlockAt(windowMs: number): number {
    return (this.times[0] as number) + windowMs;
  }

  get idle(): boolean {
    return this.times.length === 0 && this.inFlight === 0;
  }
}

export class LoginGuard {
  private readonly addressFailures = new Map<string, Recent>();
  private readonly accountFailures = new Map<string, Recent>();
  private readonly registrations = new Map<string, Recent>();
  /** Every login and registration attempt per address, refused or not (the hashing order). */
  private readonly attempts = new Map<string, Recent>();
  private readonly trusted = new Map<string, string[]>();
  /** Attempts refused here without a hash (a statistic). */
  refused = 0;
  lockouts = 0;

  constructor(
    /** Read at every use (reloadable configuration). */
    private readonly settings: () => GuardSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** A password check for `account` (lower case) from `address`. */
  login(address: string, account: string): Admission {
    const now = this.now();
    const { failures } = this.settings();
    this.entry(this.attempts, address).add(now, ATTEMPTS_CAP);
    const byAddress = this.entry(this.addressFailures, address);
    const used = byAddress.count(now, failures.windowMs);
    if (used >= failures.perAddress) {
      return this.locked(
        `address ${address} locked out after ${used} failed logins in ${minutes(failures.windowMs)}`,
        byAddress.unlockAt(failures.windowMs),
      );
    }
    const byAccount = this.entry(this.accountFailures, account);
    const onAccount = byAccount.count(now, failures.windowMs);
    if (onAccount >= failures.perAccount && !this.trusted.get(account)?.includes(address)) {
      return this.locked(
        `account ${account} locked after ${onAccount} failed logins in ${minutes(failures.windowMs)}`,
        byAccount.unlockAt(failures.windowMs),
      );
    }
    if (byAddress.inFlight >= failures.perAddress - used) {
      this.refused++;
      this.forgetIdle(this.accountFailures, account);
      return {
        ok: false,
        kind: 'busy',
        until: null,
        reason: `${byAddress.inFlight} logins from ${address} already being checked`,
      };
    }
    byAddress.inFlight++;
    let done = false;
    return {
      ok: true,
      attempt: {
        finish: (outcome) => {
          if (done) return;
          done = true;
          byAddress.inFlight--;
          const t = this.now();
          const f = this.settings().failures;
          if (outcome === 'wrong-password' || outcome === 'failed') byAddress.add(t, f.perAddress);
          if (outcome === 'wrong-password') byAccount.add(t, f.perAccount);
          if (outcome === 'success') this.trust(account, address);
          this.forgetIdle(this.addressFailures, address);
          this.forgetIdle(this.accountFailures, account);
        },
      },
    };
  }

  /**
   * A registration of `account` from `address`: its failures (serial guessing) and its new
   * accounts this hour. The address that created an account is trusted by it, like a login.
   */
  register(address: string, account: string): Admission {
    const now = this.now();
    const s = this.settings();
    const made = this.entry(this.registrations, address);
    const count = made.count(now, HOUR_MS);
    if (count >= s.registrationsPerHour) {
      this.refused++;
      return {
        ok: false,
        kind: 'registrations',
        until: made.unlockAt(HOUR_MS),
        reason: `${count} accounts registered from ${address} in the last hour (Registrations ${s.registrationsPerHour})`,
      };
    }
    const a = this.login(address, account);
    if (!a.ok) return a;
    return {
      ok: true,
      attempt: {
        finish: (outcome) => {
          if (outcome === 'success') made.add(this.now(), this.settings().registrationsPerHour);
          a.attempt.finish(outcome === 'wrong-password' ? 'failed' : outcome);
          this.forgetIdle(this.registrations, address);
        },
      },
    };
  }

  /** Recent failures of an address. */
  failuresOf(address: string): number {
    const e = this.addressFailures.get(address);
    return e ? e.count(this.now(), this.settings().failures.windowMs) : 0;
  }

  /**
   * Where an address's password checks stand in the hashing queue, lowest first: an address with
   * recent failures behind every clean one, and among those, the fewer attempts (refused ones
   * included) in the window, the sooner. A person logging in makes one attempt; a flood makes
   * many at once from each address, and each of them counts as soon as it arrives.
   */
  rank(address: string): number {
    const windowMs = this.settings().failures.windowMs;
    const tried = this.attempts.get(address)?.count(this.now(), windowMs) ?? 0;
    return (this.failuresOf(address) > 0 ? FAILED_RANK : 0) + tried;
  }

  private locked(reason: string, until: number): Admission {
    this.refused++;
    this.lockouts++;
    return { ok: false, kind: 'locked', until, reason };
  }

  private trust(account: string, address: string): void {
    if (account === '') return;
    const list = this.trusted.get(account) ?? [];
    const i = list.indexOf(address);
    if (i >= 0) list.splice(i, 1);
    list.push(address);
    if (list.length > TRUSTED_PER_ACCOUNT) list.shift();
    this.trusted.delete(account);
    this.trusted.set(account, list);
    if (this.trusted.size > MAX_TRACKED) this.trusted.delete(this.trusted.keys().next().value as string);
  }

  private entry(map: Map<string, Recent>, key: string): Recent {
    let e = map.get(key);
    if (!e) {
      e = new Recent();
      map.set(key, e);
      if (map.size > MAX_TRACKED) {
        const oldest = map.keys().next().value as string;
        if (oldest !== key) map.delete(oldest);
      }
    }
    return e;
  }

  private forgetIdle(map: Map<string, Recent>, key: string): void {
    const e = map.get(key);
    if (e && e.idle) map.delete(key);
  }

  /** Addresses and accounts currently remembered (bounded by MAX_TRACKED each). */
  get tracked(): number {
    return this.addressFailures.size + this.accountFailures.size + this.registrations.size;
  }

  /** Forgets what left the window (called now and then, so that memory follows the traffic). */
  prune(): void {
    const now = this.now();
    const windowMs = this.settings().failures.windowMs;
    for (const [map, w] of [
      [this.addressFailures, windowMs],
      [this.accountFailures, windowMs],
      [this.attempts, windowMs],
      [this.registrations, HOUR_MS],
    ] as const) {
      for (const [key, e] of map) if (e.count(now, w) === 0 && e.inFlight === 0) map.delete(key);
    }
  }
}

function minutes(ms: number): string {
  const m = ms / 60_000;
  return `${Number.isInteger(m) ? m : Number(m.toFixed(2))} minutes`;
}
