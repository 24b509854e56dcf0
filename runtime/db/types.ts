// The one data-access contract both servers use (AG-7, AG-13, AG-14, AG-30, AG-38). Two backends
// implement it: embedded SQLite (better-sqlite3 in a worker thread, so the event loop never waits
// on the disk) and Oracle (oracledb thin mode, a pool, always a connect timeout). Every call is
// async and reads the database itself: nothing here caches account data.

import type { AdminStore } from './admin-types.js';

/** A row of UserRegistration (guide Appendix III). */
export interface UserRecord {
  /** Case intact. */
  userName: string;
  userNameLower: string;
  serialNumber: string;
  /** `scrypt$…` hash, or plain text in a database imported from the original servers. */
  password: string;
  clientVersion: string;
  /** 1 = ACCOUNT_ACTIVE, 0 = ACCOUNT_INACTIVE. */
  accountStatus: number;
  registrationDate: Date;
  timesOn: number;
  totalMinutes: number;
  /** Bit set: 1 build, 2 broadcast, 4 property, 8/16 VIP, 64 special guest. */
  userPrivileges: number;
}

/** A row of UserProperties or RoomProperties: string value unless flags has BINARY (0x10). */
export interface StoredProperty {
  id: number;
  flags: number;
  access: number;
  value: string | Buffer;
}

export type RegisterOutcome = 'ok' | 'bad-serial' | 'taken-serial' | 'taken-name';

export interface Registration {
  userName: string;
  passwordHash: string;
  serial: string;
  clientVersion: string;
  now: Date;
}

/** A boot ban (AG-20) as the BootBans table keeps it. */
export interface StoredBan {
  kind: 'name' | 'address';
  /** The user name in lower case, or the address. */
  value: string;
  until: Date;
  /** The user the boot was for, the booter, and when. */
  booted: string;
  by: string;
  at: Date;
}

export interface UserStore {
  /** The account, read from the database now; null when there is none. */
  findUser(userNameLower: string): Promise<UserRecord | null>;
  /** The user's persistent properties (UserProperties rows, by userName case-insensitively). */
  loadProperties(userNameLower: string): Promise<StoredProperty[]>;
  /**
   * AG-10 in one transaction: the serial must exist with serialStatus 0 and the name must be
   * free (compared lower-case); then the account row is inserted (accountStatus 1, timesOn 0,
   * totalMinutes 0, registrationDate now, userPrivileges 0) and the serial set to status 1 with
   * the user name. Committed before this resolves.
   */
  register(r: Registration): Promise<RegisterOutcome>;
  /** Replaces the stored password (rehash of a plain-text one). False when the account is gone. */
  setPassword(userNameLower: string, passwordHash: string): Promise<boolean>;
  /**
   * Adds usage to the account with an UPDATE only: a row an administrator deleted stays deleted.
   * False when no such account exists any more.
   */
  addUsage(userNameLower: string, timesOn: number, minutes: number): Promise<boolean>;
  /**
   * Replaces the user's stored properties with `props` (only while the account exists: deleting
   * and inserting happen in one transaction guarded by the account's existence). False when the
   * account is gone.
   */
  saveProperties(userNameLower: string, props: readonly StoredProperty[]): Promise<boolean>;
  /** Stores a boot ban, replacing an older one of the same name or address. */
  saveBan(ban: StoredBan): Promise<void>;
  /** Deletes the bans that ended before `now` and returns the others. */
  loadBans(now: Date): Promise<StoredBan[]>;
}

export interface RoomStore {
  /** Stored shared-object state of a room (RoomProperties), empty when none. */
  loadRoom(roomName: string): Promise<StoredProperty[]>;
  /** Replaces a room's stored state in one transaction. */
  saveRoom(roomName: string, props: readonly StoredProperty[]): Promise<void>;
  /** `RoomDatabase … Dynamic`: records a dynamically allocated room once (RoomRegistration). */
  registerRoom(roomName: string, serverName: string, now: Date): Promise<void>;
}

export interface Database extends UserStore, RoomStore, AdminStore {
  /** `sqlite` or `oracle`, for log lines. */
  readonly kind: 'sqlite' | 'oracle';
  /** Human description without the password, e.g. `sqlite:run/users.db` or `us@db:1521/XE`. */
  readonly description: string;
  /**
   * Resolves when the database would accept a write now (health checks): SQLite takes and releases
   * the file's write lock without waiting for it, Oracle pings a pooled connection. Rejects with a
   * DatabaseError saying why not.
   */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseSettings {
  user: string;
  password: string;
  /** Oracle connect string (TNS alias or Easy Connect), or `sqlite:<path>` (AG-7). */
  service: string;
}

/** Raised for every database failure, with a message an operator can act on. */
export class DatabaseError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DatabaseError';
  }
}
