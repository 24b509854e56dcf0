// The SQL both backends run, and the store logic around it, written once against a small session
// interface (`SqlBackend`) that `sqlite-worker.ts` and `oracle.ts` implement. The statement text is
// shared; everything on which SQLite and Oracle differ is a named member of `Dialect` or a named
// function below, so a reader can find every difference by reading this file:
//
//   DATE binding        Oracle binds a JS Date into DATE; better-sqlite3 cannot bind a Date, so SQLite
//                       stores UTC text `YYYY-MM-DD HH:MM:SS` (what its own datetime() produces).
//   Row-key case        Oracle upper-cases unquoted column names; rows pass through `lowerKeys`.
//   Binary values       Both return RAW/BLOB as a Buffer, but SQLite gives `RAW(255)` NUMERIC
//                       affinity, so a value an administrator typed in may come back as text or a
//                       number (`readBinary`); a Buffer that crossed a worker boundary is a Uint8Array.
//   Empty is NULL       Oracle stores '' and an empty RAW as NULL (`readString`, `readBinary`), which
//                       is also why both value columns are nullable.
//   Row locks           Oracle locks the rows a transaction depends on with `FOR UPDATE`; SQLite has
//                       no such clause and takes the whole-file write lock at BEGIN IMMEDIATE instead.
//   Unique violations   ORA-00001 versus SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY (`isUniqueViolation`).
//   Number binds        better-sqlite3 binds a JS number as REAL, which a VARCHAR2 (TEXT affinity)
//                       column would store as '1.0': serial statuses are written as SQL literals.
//   Terminators         Statements sent through a driver carry no `;` (Oracle rejects it); the
//                       script files end every statement with one (SQL*Plus and sqlite3 need it).
//   Row limits          `FETCH FIRST n ROWS ONLY` (Oracle 12c+) versus `LIMIT n` (`Dialect.limit`).
//   LIKE and case       SQLite's LIKE ignores ASCII case, Oracle's does not: the administration
//                       queries (`admin-sql.ts`) lower- or upper-case both sides, so both agree.

import { adminOperations } from './admin-sql.js';
import { AdminOperationStore } from './admin-store.js';
import { completeSignup, signupOperations } from './signup-sql.js';
import {
  SERIAL_FREE,
  SERIAL_RESERVED,
  SERIAL_USED,
  USER_COLUMNS,
  inTransaction,
  readBinary,
  readNumber,
  readString,
  Rollback,
  toUser,
} from './sql-rows.js';
import type {
  RegisterOutcome,
  Registration,
  RoomStore,
  StoredBan,
  StoredProperty,
  UserRecord,
  UserStore,
} from './types.js';
import { DatabaseError } from './types.js';

export { SERIAL_FREE, SERIAL_RESERVED, SERIAL_USED, readBinary, readString } from './sql-rows.js';

export type Bind = string | number | Buffer | Date | null;
export type Binds = Readonly<Record<string, Bind>>;
/** A result row, keys lower-cased. */
export type Row = Readonly<Record<string, unknown>>;

export interface Dialect {
  readonly kind: 'sqlite' | 'oracle';
  bindDate(d: Date): Bind;
  readDate(v: unknown): Date;
  /** Appended to a SELECT whose rows the rest of the transaction relies on. */
  readonly forUpdate: string;
  isUniqueViolation(err: unknown): boolean;
  /** Appended to a SELECT to return at most `n` rows. */
  limit(n: number): string;
}

export interface SqlSession {
  query(sql: string, binds: Binds): Promise<Row[]>;
  /** Resolves to the number of rows changed. */
  execute(sql: string, binds: Binds): Promise<number>;
}

export interface SqlBackend extends SqlSession {
  readonly dialect: Dialect;
  /** Commits when `work` resolves, rolls back and rethrows when it rejects. */
  transaction<T>(work: (s: SqlSession) => Promise<T>): Promise<T>;
}

const BINARY = 0x10;
const MAX_VALUE_BYTES = 255;

const PROPERTY_COLUMNS = 'propertyId, propertyFlags, propertyAccess, propertyStringValue, propertyBinaryValue';

export const SQL = {
  findUser: `SELECT ${USER_COLUMNS} FROM UserRegistration WHERE userNameLower = :nameLower`,
  accountName: 'SELECT userName FROM UserRegistration WHERE userNameLower = :nameLower',
  insertUser:
    `INSERT INTO UserRegistration (${USER_COLUMNS}) VALUES ` +
    '(:userName, :nameLower, :serial, :pwHash, :clientVersion, 1, :regDate, 0, 0, 0)',
  setPassword: 'UPDATE UserRegistration SET password = :pwHash WHERE userNameLower = :nameLower',
  addUsage:
    'UPDATE UserRegistration SET timesOn = timesOn + :addTimes, totalMinutes = totalMinutes + :addMinutes ' +
    'WHERE userNameLower = :nameLower',
  serialStatus: 'SELECT serialStatus FROM SerialNumbers WHERE serialNumber = :serial',
  // Guarded by the status so that of two registrations racing for one serial only one changes a row.
  // A serial the sign-up pages reserved is registered like a free one.
  claimSerial:
    `UPDATE SerialNumbers SET serialStatus = '${SERIAL_USED}', userName = :userName ` +
    `WHERE serialNumber = :serial AND serialStatus IN ('${SERIAL_FREE}', '${SERIAL_RESERVED}')`,
  // By LOWER(userName): the table keeps the name's case and the guide's admins delete by it.
  userProperties: `SELECT ${PROPERTY_COLUMNS} FROM UserProperties WHERE LOWER(userName) = :nameLower ORDER BY propertyId`,
  deleteUserProperties: 'DELETE FROM UserProperties WHERE LOWER(userName) = :nameLower',
  insertUserProperty:
    `INSERT INTO UserProperties (userName, ${PROPERTY_COLUMNS}) ` +
    'VALUES (:owner, :propId, :propFlags, :propAccess, :strValue, :binValue)',
  roomProperties: `SELECT ${PROPERTY_COLUMNS} FROM RoomProperties WHERE roomName = :owner ORDER BY propertyId`,
  deleteRoomProperties: 'DELETE FROM RoomProperties WHERE roomName = :owner',
  insertRoomProperty:
    `INSERT INTO RoomProperties (roomName, ${PROPERTY_COLUMNS}) ` +
    'VALUES (:owner, :propId, :propFlags, :propAccess, :strValue, :binValue)',
  deleteBan: 'DELETE FROM BootBans WHERE banKind = :banKind AND banValue = :banValue',
  insertBan:
    'INSERT INTO BootBans (banKind, banValue, bannedUntil, bootedName, bootedBy, bootedAt) ' +
    'VALUES (:banKind, :banValue, :bannedUntil, :bootedName, :bootedBy, :bootedAt)',
  deleteExpiredBans: 'DELETE FROM BootBans WHERE bannedUntil <= :now',
  activeBans: 'SELECT banKind, banValue, bannedUntil, bootedName, bootedBy, bootedAt FROM BootBans',
  roomRegistered: 'SELECT roomName FROM RoomRegistration WHERE roomName = :roomName',
  registerRoom:
    'INSERT INTO RoomRegistration (roomName, serverName, registrationDate) VALUES (:roomName, :serverName, :regDate)',
} as const;

/** Row-key case: both backends hand rows through this. */
export function lowerKeys(row: Readonly<Record<string, unknown>>): Row {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k.toLowerCase()] = v;
  return out;
}

const SQLITE_DATE = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?$/;
const UNIX_EPOCH_JULIAN_DAY = 2440587.5;
const DAY_MS = 86_400_000;

function readSqliteDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number') {
    // Whatever an administrator stored with sqlite3's own date functions: julianday(), unixepoch().
    if (v < 1e7) return new Date((v - UNIX_EPOCH_JULIAN_DAY) * DAY_MS);
    return new Date(v < 1e11 ? v * 1000 : v);
  }
  if (typeof v !== 'string') return new Date(NaN);
  const m = SQLITE_DATE.exec(v.trim());
  if (!m) return new Date(Date.parse(v)); // ISO text with an offset, or Invalid Date
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms));
}

const errorCode = (err: unknown): unknown =>
  typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;

export const SQLITE: Dialect = {
  kind: 'sqlite',
  bindDate: (d) => d.toISOString().slice(0, 19).replace('T', ' '),
  readDate: readSqliteDate,
  forUpdate: '',
  limit: (n) => ` LIMIT ${Math.trunc(n)}`,
  isUniqueViolation: (err) => {
    const code = errorCode(err);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
};

export const ORACLE: Dialect = {
  kind: 'oracle',
  bindDate: (d) => d,
  readDate: (v) => (v instanceof Date ? v : new Date(NaN)),
  forUpdate: ' FOR UPDATE',
  limit: (n) => ` FETCH FIRST ${Math.trunc(n)} ROWS ONLY`,
  isUniqueViolation: (err) =>
    errorCode(err) === 'ORA-00001' ||
    (typeof err === 'object' && err !== null && 'errorNum' in err && err.errorNum === 1),
};

// The flags decide the column (Appendix III); the other column is read only when the proper one is
// NULL, as in a row an administrator inserted by hand.
function toProperty(row: Row): StoredProperty {
  const flags = readNumber(row.propertyflags);
  const str = row.propertystringvalue;
  const bin = row.propertybinaryvalue;
  const binary = (flags & BINARY) !== 0;
  let value: string | Buffer;
  if (binary) value = bin === null || bin === undefined ? readBinary(str) : readBinary(bin);
  else value = str === null || str === undefined ? readString(bin) : readString(str);
  return { id: readNumber(row.propertyid), flags, access: readNumber(row.propertyaccess), value };
}

function propertyBinds(owner: string, p: StoredProperty, table: string): Binds {
  const binary = (p.flags & BINARY) !== 0;
  const raw = p.value;
  const value: string | Buffer = typeof raw === 'string' ? raw : readBinary(raw);
  const bytes = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
  if (bytes > MAX_VALUE_BYTES) {
    throw new DatabaseError(
      `${table} cannot store property ${p.id} of '${owner}': its value is ${bytes} bytes, the column holds ${MAX_VALUE_BYTES}`,
    );
  }
  // A value whose type disagrees with its flags goes to the column the flags name, as UTF-8.
  return {
    owner,
    propId: p.id,
    propFlags: p.flags,
    propAccess: p.access,
    strValue: binary ? null : typeof value === 'string' ? value : value.toString('utf8'),
    binValue: binary ? (typeof value === 'string' ? Buffer.from(value, 'utf8') : value) : null,
  };
}

async function replaceProperties(
  s: SqlSession,
  remove: readonly [sql: string, binds: Binds],
  insertSql: string,
  owner: string,
  props: readonly StoredProperty[],
  table: string,
): Promise<void> {
  const rows = props.map((p) => propertyBinds(owner, p, table)); // validate before touching anything
  await s.execute(...remove);
  for (const binds of rows) await s.execute(insertSql, binds);
}

/**
 * Every Database call as a function of a backend. The SQLite worker runs these inside its thread,
 * the Oracle backend on its pool; the argument lists are what crosses the worker boundary.
 */
export const operations = {
  ...adminOperations,
  ...signupOperations,

  async findUser(b: SqlBackend, nameLower: string): Promise<UserRecord | null> {
    const [row] = await b.query(SQL.findUser, { nameLower });
    return row ? toUser(row, b.dialect) : null;
  },

  async loadProperties(b: SqlBackend, nameLower: string): Promise<StoredProperty[]> {
    return (await b.query(SQL.userProperties, { nameLower })).map(toProperty);
  },

  // AG-10. The checks run in the order of the protocol's NAK codes: serial unknown, serial used,
  // name taken; the constraint on userNameLower and the guarded serial update catch the races.
  async register(b: SqlBackend, r: Registration): Promise<RegisterOutcome> {
    const nameLower = r.userName.toLowerCase();
    return inTransaction(b, async (s): Promise<RegisterOutcome> => {
      const [serial] = await s.query(SQL.serialStatus + b.dialect.forUpdate, { serial: r.serial });
      if (!serial) return 'bad-serial';
      const status = readString(serial.serialstatus).trim();
      if (status !== SERIAL_FREE && status !== SERIAL_RESERVED) return 'taken-serial';
      if ((await s.query(SQL.accountName, { nameLower })).length > 0) return 'taken-name';
      try {
        await s.execute(SQL.insertUser, {
          userName: r.userName,
          nameLower,
          serial: r.serial,
          pwHash: r.passwordHash,
          clientVersion: r.clientVersion,
          regDate: b.dialect.bindDate(r.now),
        });
      } catch (err) {
        if (b.dialect.isUniqueViolation(err)) throw new Rollback<RegisterOutcome>('taken-name');
        throw err;
      }
      const claimed = await s.execute(SQL.claimSerial, { userName: r.userName, serial: r.serial });
      if (claimed !== 1) throw new Rollback<RegisterOutcome>('taken-serial');
      // Handed out by the sign-up pages: the e-mail address given there goes with the account.
      if (status === SERIAL_RESERVED) await completeSignup(s, r.serial, r.userName);
      return 'ok';
    });
  },

  async setPassword(b: SqlBackend, nameLower: string, passwordHash: string): Promise<boolean> {
    return (await b.execute(SQL.setPassword, { nameLower, pwHash: passwordHash })) > 0;
  },

  // An UPDATE only (AG-13): a row an administrator deleted is never re-created.
  async addUsage(b: SqlBackend, nameLower: string, timesOn: number, minutes: number): Promise<boolean> {
    return (await b.execute(SQL.addUsage, { nameLower, addTimes: timesOn, addMinutes: minutes })) > 0;
  },

  // The account row is read (and on Oracle locked) first, so an administrator's concurrent delete
  // either waits for this transaction or makes it store nothing.
  async saveProperties(b: SqlBackend, nameLower: string, props: readonly StoredProperty[]): Promise<boolean> {
    return inTransaction(b, async (s) => {
      const [account] = await s.query(SQL.accountName + b.dialect.forUpdate, { nameLower });
      if (!account) return false;
      const owner = readString(account.username);
      const remove = [SQL.deleteUserProperties, { nameLower }] as const;
      await replaceProperties(s, remove, SQL.insertUserProperty, owner, props, 'UserProperties');
      return true;
    });
  },

  async saveBan(b: SqlBackend, ban: StoredBan): Promise<void> {
    const key = { banKind: ban.kind, banValue: ban.value };
    await b.transaction(async (s) => {
      await s.execute(SQL.deleteBan, key);
      await s.execute(SQL.insertBan, {
        ...key,
        bannedUntil: b.dialect.bindDate(ban.until),
        bootedName: ban.booted,
        bootedBy: ban.by,
        bootedAt: b.dialect.bindDate(ban.at),
      });
    });
  },

  async loadBans(b: SqlBackend, now: Date): Promise<StoredBan[]> {
    await b.execute(SQL.deleteExpiredBans, { now: b.dialect.bindDate(now) });
    return (await b.query(SQL.activeBans, {})).map((row) => ({
      kind: readString(row.bankind) === 'address' ? 'address' : 'name',
      value: readString(row.banvalue),
      until: b.dialect.readDate(row.banneduntil),
      booted: readString(row.bootedname),
      by: readString(row.bootedby),
      at: b.dialect.readDate(row.bootedat),
    }));
  },

  async loadRoom(b: SqlBackend, roomName: string): Promise<StoredProperty[]> {
    return (await b.query(SQL.roomProperties, { owner: roomName })).map(toProperty);
  },

  async saveRoom(b: SqlBackend, roomName: string, props: readonly StoredProperty[]): Promise<void> {
    const remove = [SQL.deleteRoomProperties, { owner: roomName }] as const;
    await b.transaction((s) => replaceProperties(s, remove, SQL.insertRoomProperty, roomName, props, 'RoomProperties'));
  },

  // Two RoomServers may allocate the same room at once; the loser's unique violation means "done".
  async registerRoom(b: SqlBackend, roomName: string, serverName: string, now: Date): Promise<void> {
    if ((await b.query(SQL.roomRegistered, { roomName })).length > 0) return;
    try {
      await b.execute(SQL.registerRoom, { roomName, serverName, regDate: b.dialect.bindDate(now) });
    } catch (err) {
      if (!b.dialect.isUniqueViolation(err)) throw err;
    }
  },
};

export type Operations = typeof operations;
export type OpName = keyof Operations;
export type OpArgs<K extends OpName> = Operations[K] extends (b: SqlBackend, ...args: infer A) => unknown ? A : never;
export type OpResult<K extends OpName> = Awaited<ReturnType<Operations[K]>>;

/** Runs one operation by name; the caller vouches that `args` are `OpArgs` of `op`. */
export function runOperation(b: SqlBackend, op: OpName, args: readonly unknown[]): Promise<unknown> {
  const fn = operations[op] as (b: SqlBackend, ...args: unknown[]) => Promise<unknown>;
  return fn(b, ...args);
}

/**
 * The UserStore and RoomStore methods of both backends, each forwarded as one `call`: the SQLite
 * backend posts it to its worker, the Oracle backend runs it on its pool.
 */
export abstract class OperationStore extends AdminOperationStore implements UserStore, RoomStore {
  findUser(userNameLower: string): Promise<UserRecord | null> {
    return this.call('findUser', userNameLower);
  }
  async loadProperties(userNameLower: string): Promise<StoredProperty[]> {
    return revive(await this.call('loadProperties', userNameLower));
  }
  register(r: Registration): Promise<RegisterOutcome> {
    return this.call('register', r);
  }
  setPassword(userNameLower: string, passwordHash: string): Promise<boolean> {
    return this.call('setPassword', userNameLower, passwordHash);
  }
  addUsage(userNameLower: string, timesOn: number, minutes: number): Promise<boolean> {
    return this.call('addUsage', userNameLower, timesOn, minutes);
  }
  saveProperties(userNameLower: string, props: readonly StoredProperty[]): Promise<boolean> {
    return this.call('saveProperties', userNameLower, props);
  }
  saveBan(ban: StoredBan): Promise<void> {
    return this.call('saveBan', ban);
  }
  loadBans(now: Date): Promise<StoredBan[]> {
    return this.call('loadBans', now);
  }
  async loadRoom(roomName: string): Promise<StoredProperty[]> {
    return revive(await this.call('loadRoom', roomName));
  }
  saveRoom(roomName: string, props: readonly StoredProperty[]): Promise<void> {
    return this.call('saveRoom', roomName, props);
  }
  registerRoom(roomName: string, serverName: string, now: Date): Promise<void> {
    return this.call('registerRoom', roomName, serverName, now);
  }
}

// Structured cloning turns a Buffer into a plain Uint8Array on its way back from a worker.
const revive = (props: StoredProperty[]): StoredProperty[] =>
  props.map((p) =>
    typeof p.value === 'string' || Buffer.isBuffer(p.value) ? p : { ...p, value: readBinary(p.value) },
  );
