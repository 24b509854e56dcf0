// The part of the data-access contract that administration (wsadmin, the admin module) and the
// sign-up pages use. Same rules as `types.ts`: every call is async, reads the database itself and
// runs as one store operation (one transaction where it changes several rows).

import type { UserRecord } from './types.js';

/** An account as administration lists it. */
export interface AccountSummary {
  userName: string;
  userNameLower: string;
  serialNumber: string;
  accountStatus: number;
}

/** An account whose status an administrator set: `before` is the status it had. */
export interface StatusChange extends AccountSummary {
  before: number;
}

/** userPrivileges of one account before and after a change (equal when nothing changed). */
export interface PrivilegeChange {
  userName: string;
  before: number;
  after: number;
}

/** What the guide's "Deleting an Account" removed, in one transaction. */
export interface DeletedAccount {
  userName: string;
  serialNumber: string;
  /** The serial was found with the name and set back to free ('none', 0). */
  serialFreed: boolean;
  /** UserProperties rows deleted. */
  properties: number;
}

export interface HostAccountRequest {
  /** The new account's name, `HOST-…`, case intact. */
  hostName: string;
  /** The host's own account: its password (hash) and client version are copied. */
  fromLower: string;
  /** Stored as property 11; null keeps the e-mail address of the host's own account. */
  email: string | null;
  /** userPrivileges of the new account. */
  privileges: number;
  now: Date;
}

export type HostAccountOutcome =
  | { ok: true; userName: string; serialNumber: string; email: string; privileges: number }
  | { ok: false; reason: 'no-such-user' | 'taken-name' | 'no-serial' };

export type ReportCriterion = 'name' | 'email' | 'serial' | 'ip';

export interface ReportQuery {
  criterion: ReportCriterion;
  /** A LIKE pattern with `\` escaping `%` and `_`; names and e-mail addresses lower-case. */
  like: string;
  limit: number;
}

export interface LoginAddress {
  address: string;
  firstLogin: Date;
  lastLogin: Date;
  logins: number;
}

export interface VipMembership {
  /** The VIP bits it grants: 8 (VIP) and/or 16 (full VIP). */
  vipPrivileges: number;
  startDate: Date;
  expiryDate: Date;
  /** complimentary, check, credit-card, phone, … (the guide's csvip.pl). */
  payment: string;
  grantedBy: string;
}

/** One account of a user report (the guide's users.pl), never its password. */
export interface ReportRow {
  user: Omit<UserRecord, 'password'>;
  /** Property 11, '' when none is stored. */
  email: string;
  vip: VipMembership | null;
  /** Most recent first, at most five. */
  addresses: LoginAddress[];
}

export interface SignupRequest {
  codeword: string;
  handshakeId: string;
  /** Lower-case. */
  email: string;
  address: string;
  now: Date;
  /** When an unused codeword expires and its serial goes back to the free ones. */
  expiry: Date;
  /** Requests for this e-mail address since this moment count against `emailLimit`. */
  emailSince: Date;
  emailLimit: number;
}

export type SignupOutcome = { ok: true; serialNumber: string } | { ok: false; reason: 'email-limit' | 'no-serial' };

export interface SignupRelease {
  /** Serials set free again: codewords never used, or serials handed out and never registered. */
  released: number;
  /** Finished requests forgotten. */
  forgotten: number;
}

export interface AdminStore {
  /** Sets `add` and clears `remove` bits of userPrivileges; null when there is no such account. */
  changePrivileges(userNameLower: string, add: number, remove: number): Promise<PrivilegeChange | null>;
  /** accountStatus of one account; null when there is none. */
  setAccountStatus(userNameLower: string, status: 0 | 1): Promise<StatusChange | null>;
  /** accountStatus of every account whose e-mail address (property 11) is `emailLower`. */
  setStatusByEmail(emailLower: string, status: 0 | 1): Promise<StatusChange[]>;
  /** The guide's "Deleting an Account" in one transaction; null when there is no such account. */
  deleteAccount(userNameLower: string): Promise<DeletedAccount | null>;
  /** A new account with the next free serial, in one transaction (the guide's newhost.pl). */
  createHostAccount(r: HostAccountRequest): Promise<HostAccountOutcome>;
  /** The guide's users.pl: accounts matching the query, ordered by name, at most `limit`. */
  report(q: ReportQuery): Promise<ReportRow[]>;
  /** Notes a login from `address` (the report by IP address). */
  recordLogin(userNameLower: string, address: string, now: Date): Promise<void>;
  vipMembership(userNameLower: string): Promise<VipMembership | null>;
  /**
   * Stores the membership and sets the account's VIP bits to `m.vipPrivileges` (clearing the
   * other one); null when there is no such account.
   */
  setVipMembership(userNameLower: string, m: VipMembership): Promise<PrivilegeChange | null>;
  /** Removes the membership and clears both VIP bits; null when there is no such account. */
  cancelVipMembership(userNameLower: string): Promise<PrivilegeChange | null>;
  /**
   * At login: a membership that has expired clears the VIP bits it granted. Returns the
   * privileges as they are now, or null when no membership has expired.
   */
  expireVip(userNameLower: string, now: Date): Promise<number | null>;
  /** Reserves a free serial for a sign-up (guarded: never the same serial twice) with its codeword. */
  reserveSerial(r: SignupRequest): Promise<SignupOutcome>;
  /**
   * The serial of a codeword sent to `handshakeId`, while valid; the first answer keeps the serial
   * reserved until `holdUntil` (for the registration that follows). Null when none matches.
   */
  redeemCodeword(handshakeId: string, codeword: string, now: Date, holdUntil: Date): Promise<string | null>;
  /** A reservation whose codeword could not be sent: its serial is free again at once. */
  abandonSignup(serialNumber: string): Promise<void>;
  /** Releases expired reservations; forgets finished requests older than `forgetBefore`. */
  releaseSignups(now: Date, forgetBefore: Date): Promise<SignupRelease>;
}
