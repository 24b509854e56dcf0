// The statements and store operations of administration (the guide's "Common Maintenance Tasks"
// and users.pl, as `wsadmin` runs them), written once for both backends like those of `sql.ts`
// (whose header lists every dialect difference). Each operation that changes several rows is one
// transaction; the serial a host account (or a sign-up, signup-sql.ts) takes is claimed with a
// guarded UPDATE, so two UserServers sharing a database never hand out the same one. The tables
// are in sql/createAdminTables.sql.

import type {
  AccountSummary,
  DeletedAccount,
  HostAccountOutcome,
  HostAccountRequest,
  LoginAddress,
  PrivilegeChange,
  ReportQuery,
  ReportRow,
  StatusChange,
  VipMembership,
} from './admin-types.js';
import type { Dialect, Row, SqlBackend, SqlSession } from './sql.js';
import {
  EMAIL_PROPERTY,
  SERIAL_FREE,
  SERIAL_USED,
  USER_COLUMNS,
  inTransaction,
  readNumber,
  readString,
  Rollback,
  toUser,
} from './sql-rows.js';

/** Both VIP bits (8 VIP, 16 full VIP). */
export const VIP_BITS = 24;
/** Free serials looked at per attempt to claim one; racing claimants spread over them. */
const SERIAL_CANDIDATES = 16;
const CLAIM_ROUNDS = 4;
const REPORT_ADDRESSES = 5;
const LIKE = " ESCAPE '\\'";
const SUMMARY_COLUMNS = 'userName, userNameLower, serialNumber, accountStatus, userPrivileges';
const REPORT_COLUMNS = USER_COLUMNS.split(', ')
  .map((c) => `r.${c}`)
  .join(', ');
const EMAIL_OWNERS =
  `SELECT LOWER(p.userName) FROM UserProperties p WHERE p.propertyId = ${EMAIL_PROPERTY.id} ` +
  'AND LOWER(p.propertyStringValue)';

export const ADMIN_SQL = {
  account: `SELECT ${SUMMARY_COLUMNS} FROM UserRegistration WHERE userNameLower = :nameLower`,
  fullAccount: `SELECT ${USER_COLUMNS} FROM UserRegistration WHERE userNameLower = :nameLower`,
  setPrivileges: 'UPDATE UserRegistration SET userPrivileges = :privs WHERE userNameLower = :nameLower',
  setStatus: 'UPDATE UserRegistration SET accountStatus = :status WHERE userNameLower = :nameLower',
  accountsByEmail:
    `SELECT ${SUMMARY_COLUMNS} FROM UserRegistration WHERE userNameLower IN (${EMAIL_OWNERS} = :email) ` +
    'ORDER BY userNameLower',
  setStatusByEmail: `UPDATE UserRegistration SET accountStatus = :status WHERE userNameLower IN (${EMAIL_OWNERS} = :email)`,
  // The guide's "Deleting an Account", steps 5 and 6.
  freeSerial:
    `UPDATE SerialNumbers SET userName = 'none', serialStatus = '${SERIAL_FREE}' ` +
    'WHERE serialNumber = :serial AND LOWER(userName) = :nameLower',
  deleteUser: 'DELETE FROM UserRegistration WHERE userNameLower = :nameLower',
  deleteProperties: 'DELETE FROM UserProperties WHERE LOWER(userName) = :nameLower',
  deleteLogins: 'DELETE FROM UserLogins WHERE userNameLower = :nameLower',
  deleteVip: 'DELETE FROM VipMemberships WHERE userNameLower = :nameLower',
  freeSerials: `SELECT serialNumber FROM SerialNumbers WHERE serialStatus = '${SERIAL_FREE}' ORDER BY serialNumber`,
  claimSerial:
    'UPDATE SerialNumbers SET serialStatus = :status, userName = :userName ' +
    `WHERE serialNumber = :serial AND serialStatus = '${SERIAL_FREE}'`,
  insertAccount:
    `INSERT INTO UserRegistration (${USER_COLUMNS}) VALUES ` +
    '(:userName, :nameLower, :serial, :pwHash, :clientVersion, 1, :regDate, 0, 0, :privs)',
  emailOf: `SELECT propertyStringValue FROM UserProperties WHERE LOWER(userName) = :nameLower AND propertyId = ${EMAIL_PROPERTY.id}`,
  insertEmail:
    'INSERT INTO UserProperties (userName, propertyId, propertyFlags, propertyAccess, propertyStringValue, propertyBinaryValue) ' +
    `VALUES (:owner, ${EMAIL_PROPERTY.id}, ${EMAIL_PROPERTY.flags}, ${EMAIL_PROPERTY.access}, :email, NULL)`,
  reportByName: `SELECT ${REPORT_COLUMNS} FROM UserRegistration r WHERE r.userNameLower LIKE :pattern${LIKE} ORDER BY r.userNameLower`,
  reportBySerial: `SELECT ${REPORT_COLUMNS} FROM UserRegistration r WHERE UPPER(r.serialNumber) LIKE :pattern${LIKE} ORDER BY r.userNameLower`,
  reportByEmail:
    `SELECT ${REPORT_COLUMNS} FROM UserRegistration r WHERE r.userNameLower IN (${EMAIL_OWNERS} LIKE :pattern${LIKE}) ` +
    'ORDER BY r.userNameLower',
  reportByAddress:
    `SELECT ${REPORT_COLUMNS} FROM UserRegistration r WHERE r.userNameLower IN ` +
    `(SELECT a.userNameLower FROM UserLogins a WHERE a.address LIKE :pattern${LIKE}) ORDER BY r.userNameLower`,
  recentLogins:
    'SELECT address, firstLogin, lastLogin, logins FROM UserLogins WHERE userNameLower = :nameLower ORDER BY lastLogin DESC',
  touchLogin:
    'UPDATE UserLogins SET lastLogin = :now, logins = logins + 1 WHERE userNameLower = :nameLower AND address = :address',
  insertLogin:
    'INSERT INTO UserLogins (userNameLower, address, firstLogin, lastLogin, logins) VALUES (:nameLower, :address, :now, :now, 1)',
  vip: 'SELECT vipPrivileges, startDate, expiryDate, payment, grantedBy FROM VipMemberships WHERE userNameLower = :nameLower',
  updateVip:
    'UPDATE VipMemberships SET vipPrivileges = :vipPrivs, startDate = :startDate, expiryDate = :expiry, ' +
    'payment = :payment, grantedBy = :grantedBy WHERE userNameLower = :nameLower',
  insertVip:
    'INSERT INTO VipMemberships (userNameLower, vipPrivileges, startDate, expiryDate, payment, grantedBy) ' +
    'VALUES (:nameLower, :vipPrivs, :startDate, :expiry, :payment, :grantedBy)',
  expiredVip:
    'SELECT vipPrivileges FROM VipMemberships WHERE userNameLower = :nameLower AND vipPrivileges > 0 AND expiryDate <= :now',
  // An expired membership keeps its dates for `vip show` but grants nothing any more.
  spendVip: 'UPDATE VipMemberships SET vipPrivileges = 0 WHERE userNameLower = :nameLower',
} as const;

function toSummary(row: Row): AccountSummary {
  return {
    userName: readString(row.username),
    userNameLower: readString(row.usernamelower),
    serialNumber: readString(row.serialnumber),
    accountStatus: readNumber(row.accountstatus),
  };
}

function toVip(row: Row, d: Dialect): VipMembership {
  return {
    vipPrivileges: readNumber(row.vipprivileges),
    startDate: d.readDate(row.startdate),
    expiryDate: d.readDate(row.expirydate),
    payment: readString(row.payment),
    grantedBy: readString(row.grantedby),
  };
}

function toLogin(row: Row, d: Dialect): LoginAddress {
  return {
    address: readString(row.address),
    firstLogin: d.readDate(row.firstlogin),
    lastLogin: d.readDate(row.lastlogin),
    logins: readNumber(row.logins),
  };
}

/** The account row, locked (on Oracle) for the rest of the transaction. */
async function lockAccount(s: SqlSession, d: Dialect, nameLower: string): Promise<Row | undefined> {
  const [row] = await s.query(ADMIN_SQL.account + d.forUpdate, { nameLower });
  return row;
}

async function changeBits(
  s: SqlSession,
  d: Dialect,
  nameLower: string,
  next: (before: number) => number,
): Promise<PrivilegeChange | null> {
  const row = await lockAccount(s, d, nameLower);
  if (!row) return null;
  const before = readNumber(row.userprivileges);
  const after = next(before);
  if (after !== before) await s.execute(ADMIN_SQL.setPrivileges, { privs: after, nameLower });
  return { userName: readString(row.username), before, after };
}

/**
 * Takes a free serial for `userName` with the given status. Every claim is an UPDATE guarded by
 * serialStatus = '0': of two claimants racing for one serial (two UserServers on one database)
 * only one changes the row, and the other goes on to the next candidate.
 */
export async function claimFreeSerial(
  s: SqlSession,
  d: Dialect,
  status: string,
  userName: string,
): Promise<string | null> {
  for (let round = 0; round < CLAIM_ROUNDS; round++) {
    const rows = await s.query(ADMIN_SQL.freeSerials + d.limit(SERIAL_CANDIDATES), {});
    if (rows.length === 0) return null;
    const candidates = rows.map((r) => readString(r.serialnumber));
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [candidates[i], candidates[j]] = [candidates[j] as string, candidates[i] as string];
    }
    for (const serial of candidates) {
      if ((await s.execute(ADMIN_SQL.claimSerial, { status, userName, serial })) === 1) return serial;
    }
  }
  return null;
}

async function reportRows(b: SqlBackend, q: ReportQuery): Promise<Row[]> {
  const sql = {
    name: ADMIN_SQL.reportByName,
    serial: ADMIN_SQL.reportBySerial,
    email: ADMIN_SQL.reportByEmail,
    ip: ADMIN_SQL.reportByAddress,
  }[q.criterion];
  return b.query(sql + b.dialect.limit(q.limit), { pattern: q.like });
}

export const adminOperations = {
  async changePrivileges(
    b: SqlBackend,
    nameLower: string,
    add: number,
    remove: number,
  ): Promise<PrivilegeChange | null> {
    return b.transaction((s) => changeBits(s, b.dialect, nameLower, (p) => (p | add) & ~remove));
  },

  async setAccountStatus(b: SqlBackend, nameLower: string, status: 0 | 1): Promise<StatusChange | null> {
    return b.transaction(async (s) => {
      const row = await lockAccount(s, b.dialect, nameLower);
      if (!row) return null;
      const before = toSummary(row);
      if (before.accountStatus !== status) await s.execute(ADMIN_SQL.setStatus, { status, nameLower });
      return { ...before, accountStatus: status, before: before.accountStatus };
    });
  },

  async setStatusByEmail(b: SqlBackend, emailLower: string, status: 0 | 1): Promise<StatusChange[]> {
    return b.transaction(async (s) => {
      const rows = await s.query(ADMIN_SQL.accountsByEmail + b.dialect.forUpdate, { email: emailLower });
      if (rows.length > 0) await s.execute(ADMIN_SQL.setStatusByEmail, { status, email: emailLower });
      return rows.map((r) => {
        const a = toSummary(r);
        return { ...a, accountStatus: status, before: a.accountStatus };
      });
    });
  },

  async deleteAccount(b: SqlBackend, nameLower: string): Promise<DeletedAccount | null> {
    return b.transaction(async (s) => {
      const row = await lockAccount(s, b.dialect, nameLower);
      if (!row) return null;
      const a = toSummary(row);
      const freed = await s.execute(ADMIN_SQL.freeSerial, { serial: a.serialNumber, nameLower });
      await s.execute(ADMIN_SQL.deleteUser, { nameLower });
      const properties = await s.execute(ADMIN_SQL.deleteProperties, { nameLower });
      await s.execute(ADMIN_SQL.deleteLogins, { nameLower });
      await s.execute(ADMIN_SQL.deleteVip, { nameLower });
      return { userName: a.userName, serialNumber: a.serialNumber, serialFreed: freed > 0, properties };
    });
  },

  async createHostAccount(b: SqlBackend, r: HostAccountRequest): Promise<HostAccountOutcome> {
    const nameLower = r.hostName.toLowerCase();
    return inTransaction(b, async (s): Promise<HostAccountOutcome> => {
      const [from] = await s.query(ADMIN_SQL.fullAccount, { nameLower: r.fromLower });
      if (!from) return { ok: false, reason: 'no-such-user' };
      if ((await s.query(ADMIN_SQL.account, { nameLower })).length > 0) return { ok: false, reason: 'taken-name' };
      const [stored] = await s.query(ADMIN_SQL.emailOf, { nameLower: r.fromLower });
      const email = r.email ?? readString(stored?.propertystringvalue);
      const serial = await claimFreeSerial(s, b.dialect, SERIAL_USED, r.hostName);
      if (serial === null) return { ok: false, reason: 'no-serial' };
      const own = toUser(from, b.dialect);
      try {
        await s.execute(ADMIN_SQL.insertAccount, {
          userName: r.hostName,
          nameLower,
          serial,
          pwHash: own.password,
          clientVersion: own.clientVersion,
          regDate: b.dialect.bindDate(r.now),
          privs: r.privileges,
        });
      } catch (err) {
        if (b.dialect.isUniqueViolation(err))
          throw new Rollback<HostAccountOutcome>({ ok: false, reason: 'taken-name' });
        throw err;
      }
      if (email !== '') await s.execute(ADMIN_SQL.insertEmail, { owner: r.hostName, email });
      return { ok: true, userName: r.hostName, serialNumber: serial, email, privileges: r.privileges };
    });
  },

  async report(b: SqlBackend, q: ReportQuery): Promise<ReportRow[]> {
    const out: ReportRow[] = [];
    for (const row of await reportRows(b, q)) {
      const { password: _password, ...user } = toUser(row, b.dialect);
      const nameLower = user.userNameLower;
      const [email] = await b.query(ADMIN_SQL.emailOf, { nameLower });
      const [vip] = await b.query(ADMIN_SQL.vip, { nameLower });
      const logins = await b.query(ADMIN_SQL.recentLogins + b.dialect.limit(REPORT_ADDRESSES), { nameLower });
      out.push({
        user,
        email: readString(email?.propertystringvalue),
        vip: vip ? toVip(vip, b.dialect) : null,
        addresses: logins.map((l) => toLogin(l, b.dialect)),
      });
    }
    return out;
  },

  // One row per account and address: an UPDATE, else an INSERT; a racing INSERT of the same pair
  // (two logins at once) makes the loser update instead.
  async recordLogin(b: SqlBackend, nameLower: string, address: string, at: Date): Promise<void> {
    const binds = { nameLower, address, now: b.dialect.bindDate(at) };
    if ((await b.execute(ADMIN_SQL.touchLogin, binds)) > 0) return;
    try {
      await b.execute(ADMIN_SQL.insertLogin, binds);
    } catch (err) {
      if (!b.dialect.isUniqueViolation(err)) throw err;
      await b.execute(ADMIN_SQL.touchLogin, binds);
    }
  },

  async vipMembership(b: SqlBackend, nameLower: string): Promise<VipMembership | null> {
    const [row] = await b.query(ADMIN_SQL.vip, { nameLower });
    return row ? toVip(row, b.dialect) : null;
  },

  async setVipMembership(b: SqlBackend, nameLower: string, m: VipMembership): Promise<PrivilegeChange | null> {
    return b.transaction(async (s) => {
      const change = await changeBits(s, b.dialect, nameLower, (p) => (p & ~VIP_BITS) | (m.vipPrivileges & VIP_BITS));
      if (!change) return null;
      const binds = {
        nameLower,
        vipPrivs: m.vipPrivileges,
        startDate: b.dialect.bindDate(m.startDate),
        expiry: b.dialect.bindDate(m.expiryDate),
        payment: m.payment,
        grantedBy: m.grantedBy,
      };
      if ((await s.execute(ADMIN_SQL.updateVip, binds)) === 0) await s.execute(ADMIN_SQL.insertVip, binds);
      return change;
    });
  },

  async cancelVipMembership(b: SqlBackend, nameLower: string): Promise<PrivilegeChange | null> {
    return b.transaction(async (s) => {
      const change = await changeBits(s, b.dialect, nameLower, (p) => p & ~VIP_BITS);
      if (change) await s.execute(ADMIN_SQL.deleteVip, { nameLower });
      return change;
    });
  },

  async expireVip(b: SqlBackend, nameLower: string, at: Date): Promise<number | null> {
    return b.transaction(async (s) => {
      const [vip] = await s.query(ADMIN_SQL.expiredVip + b.dialect.forUpdate, {
        nameLower,
        now: b.dialect.bindDate(at),
      });
      if (!vip) return null;
      const granted = readNumber(vip.vipprivileges);
      const change = await changeBits(s, b.dialect, nameLower, (p) => p & ~granted);
      await s.execute(ADMIN_SQL.spendVip, { nameLower });
      return change ? change.after : null;
    });
  },
};
