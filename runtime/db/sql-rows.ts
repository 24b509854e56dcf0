// Reading result rows the same way on both backends, the values both write, and the transaction
// helper every store operation uses. Shared by `sql.ts` (the servers' operations) and
// `admin-sql.ts` (administration and sign-up); it imports neither at run time, so neither needs
// the other to be loaded first.

import type { Dialect, Row, SqlBackend, SqlSession } from './sql.js';
import type { UserRecord } from './types.js';

// serialStatus is VARCHAR2 (Appendix III). The guide's own `set serialstatus = 0` stores the text
// '0' in both databases (Oracle converts implicitly, SQLite applies TEXT affinity), so '0'/'1' it is.
// '2' marks a serial the sign-up pages reserved for one person (sql/createAdminTables.sql).
export const SERIAL_FREE = '0';
export const SERIAL_USED = '1';
export const SERIAL_RESERVED = '2';

/**
 * The e-mail address as the guide stores it (Appendix III, property 11 in propertyStringValue):
 * flags 128 (stored in the database, so write-backs keep it), access 3 (only its owner reads it).
 */
export const EMAIL_PROPERTY = { id: 11, flags: 128, access: 3 } as const;

export const USER_COLUMNS =
  'userName, userNameLower, serialNumber, password, clientVersion, accountStatus, registrationDate, timesOn, totalMinutes, userPrivileges';

/** Empty is NULL: Oracle gives back NULL for a stored ''. */
export function readString(v: unknown): string {
  if (v === null || v === undefined) return '';
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/** Binary values: Buffer from Oracle and SQLite, anything else from hand edits or a worker hop. */
export function readBinary(v: unknown): Buffer {
  if (v === null || v === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return Buffer.from(String(v), 'utf8');
}

export const readNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

export function toUser(row: Row, d: Dialect): UserRecord {
  return {
    userName: readString(row.username),
    userNameLower: readString(row.usernamelower),
    serialNumber: readString(row.serialnumber),
    password: readString(row.password),
    clientVersion: readString(row.clientversion),
    accountStatus: readNumber(row.accountstatus),
    registrationDate: d.readDate(row.registrationdate),
    timesOn: readNumber(row.timeson),
    totalMinutes: readNumber(row.totalminutes),
    userPrivileges: readNumber(row.userprivileges),
  };
}

/** Thrown inside a transaction to roll it back and still resolve with `value`. */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

export async function inTransaction<T>(b: SqlBackend, work: (s: SqlSession) => Promise<T>): Promise<T> {
  try {
    return await b.transaction(work);
  } catch (err) {
    if (err instanceof Rollback) return err.value as T;
    throw err;
  }
}
