// The statements and store operations of the sign-up pages (userserver/signup/), written once for
// both backends like those of `sql.ts`. A free serial is reserved for each codeword with the
// guarded UPDATE of `claimFreeSerial` (serialStatus '0' to '2'), so two UserServers sharing a
// database never hand out the same one; registration (`completeSignup`, inside `sql.ts`
// register) gives the account the e-mail address; expired reservations go back to the free ones.
//
// SignupCodewords.signupState: 0 codeword sent, 1 codeword answered (the client has the serial),
// 2 registered, 3 released (sql/createAdminTables.sql).

import { ADMIN_SQL, claimFreeSerial } from './admin-sql.js';
import type { SignupOutcome, SignupRelease, SignupRequest } from './admin-types.js';
import type { SqlBackend, SqlSession } from './sql.js';
import { SERIAL_FREE, SERIAL_RESERVED, readNumber, readString } from './sql-rows.js';

const SIGNUP_SENT = 0;
const SIGNUP_ANSWERED = 1;
const SIGNUP_REGISTERED = 2;
const SIGNUP_RELEASED = 3;
const RELEASE_BATCH = 500;

export const SIGNUP_SQL = {
  signupsByEmail: 'SELECT COUNT(*) AS n FROM SignupCodewords WHERE email = :email AND requestDate > :since',
  insertSignup:
    'INSERT INTO SignupCodewords (serialNumber, codeword, handshakeId, email, address, signupState, requestDate, expiryDate) ' +
    `VALUES (:serial, :codeword, :handshake, :email, :address, ${SIGNUP_SENT}, :now, :expiry)`,
  codeword:
    'SELECT serialNumber, signupState, expiryDate FROM SignupCodewords ' +
    `WHERE handshakeId = :handshake AND codeword = :codeword AND signupState IN (${SIGNUP_SENT}, ${SIGNUP_ANSWERED})`,
  answerCodeword:
    `UPDATE SignupCodewords SET signupState = ${SIGNUP_ANSWERED}, expiryDate = :expiry ` +
    `WHERE serialNumber = :serial AND signupState = ${SIGNUP_SENT}`,
  signupOfSerial: `SELECT email FROM SignupCodewords WHERE serialNumber = :serial AND signupState IN (${SIGNUP_SENT}, ${SIGNUP_ANSWERED})`,
  signupRegistered:
    `UPDATE SignupCodewords SET signupState = ${SIGNUP_REGISTERED} ` +
    `WHERE serialNumber = :serial AND signupState IN (${SIGNUP_SENT}, ${SIGNUP_ANSWERED})`,
  expiredSignups:
    'SELECT serialNumber, signupState FROM SignupCodewords ' +
    `WHERE signupState IN (${SIGNUP_SENT}, ${SIGNUP_ANSWERED}) AND expiryDate <= :now ORDER BY expiryDate`,
  releaseSerial:
    `UPDATE SerialNumbers SET serialStatus = '${SERIAL_FREE}', userName = 'none' ` +
    `WHERE serialNumber = :serial AND serialStatus = '${SERIAL_RESERVED}'`,
  signupAbandoned: `UPDATE SignupCodewords SET signupState = ${SIGNUP_RELEASED} WHERE serialNumber = :serial AND signupState = ${SIGNUP_SENT}`,
  signupReleased:
    `UPDATE SignupCodewords SET signupState = ${SIGNUP_RELEASED} ` +
    'WHERE serialNumber = :serial AND signupState = :signupState AND expiryDate <= :now',
  forgetSignups: `DELETE FROM SignupCodewords WHERE signupState IN (${SIGNUP_REGISTERED}, ${SIGNUP_RELEASED}) AND requestDate < :before`,
} as const;

/**
 * Inside the registration transaction (`sql.ts` register) of a serial the sign-up pages
 * reserved: the e-mail address given there becomes the account's property 11.
 */
export async function completeSignup(s: SqlSession, serial: string, userName: string): Promise<void> {
  const [signup] = await s.query(SIGNUP_SQL.signupOfSerial, { serial });
  if (!signup) return;
  const email = readString(signup.email);
  if (email !== '') await s.execute(ADMIN_SQL.insertEmail, { owner: userName, email });
  await s.execute(SIGNUP_SQL.signupRegistered, { serial });
}

export const signupOperations = {
  async reserveSerial(b: SqlBackend, r: SignupRequest): Promise<SignupOutcome> {
    return b.transaction(async (s): Promise<SignupOutcome> => {
      const [count] = await s.query(SIGNUP_SQL.signupsByEmail, {
        email: r.email,
        since: b.dialect.bindDate(r.emailSince),
      });
      if (readNumber(count?.n) >= r.emailLimit) return { ok: false, reason: 'email-limit' };
      const serial = await claimFreeSerial(s, b.dialect, SERIAL_RESERVED, 'signup');
      if (serial === null) return { ok: false, reason: 'no-serial' };
      await s.execute(SIGNUP_SQL.insertSignup, {
        serial,
        codeword: r.codeword,
        handshake: r.handshakeId,
        email: r.email,
        address: r.address,
        now: b.dialect.bindDate(r.now),
        expiry: b.dialect.bindDate(r.expiry),
      });
      return { ok: true, serialNumber: serial };
    });
  },

  async redeemCodeword(
    b: SqlBackend,
    handshakeId: string,
    codeword: string,
    at: Date,
    holdUntil: Date,
  ): Promise<string | null> {
    return b.transaction(async (s) => {
      const [row] = await s.query(SIGNUP_SQL.codeword + b.dialect.forUpdate, { handshake: handshakeId, codeword });
      if (!row || b.dialect.readDate(row.expirydate).getTime() <= at.getTime()) return null;
      const serial = readString(row.serialnumber);
      if (readNumber(row.signupstate) === SIGNUP_SENT)
        await s.execute(SIGNUP_SQL.answerCodeword, { serial, expiry: b.dialect.bindDate(holdUntil) });
      return serial;
    });
  },

  async abandonSignup(b: SqlBackend, serial: string): Promise<void> {
    await b.transaction(async (s) => {
      if ((await s.execute(SIGNUP_SQL.signupAbandoned, { serial })) > 0)
        await s.execute(SIGNUP_SQL.releaseSerial, { serial });
    });
  },

  async releaseSignups(b: SqlBackend, at: Date, forgetBefore: Date): Promise<SignupRelease> {
    const now = b.dialect.bindDate(at);
    const expired = await b.query(SIGNUP_SQL.expiredSignups + b.dialect.limit(RELEASE_BATCH), { now });
    let released = 0;
    for (const row of expired) {
      const serial = readString(row.serialnumber);
      const signupState = readNumber(row.signupstate);
      released += await b.transaction(async (s) => {
        const done = await s.execute(SIGNUP_SQL.signupReleased, { serial, signupState, now });
        return done > 0 ? s.execute(SIGNUP_SQL.releaseSerial, { serial }) : 0;
      });
    }
    const forgotten = await b.execute(SIGNUP_SQL.forgetSignups, { before: b.dialect.bindDate(forgetBefore) });
    return { released, forgotten };
  },
};
