// Keywords of the admin web console (README extension table). The console is off unless
// AdminPassword is given, either as an scrypt hash (what `wsadmin <cfg> hash-password` prints) or
// as a plain password. A plain one never enters the configuration object, which lives as long as
// the server and is copied at each reload: the keyword hands it over once (`takePlainPassword`)
// to the console, which hashes it and keeps only the hash.

import { ConfigError, int, n, num, str, word, type KeywordSpec } from '../../../runtime/config.js';
import { scryptHashProblem } from '../../passwords.js';

export type AdminPasswordSetting =
  /** Stored hashed in the file. */
  | { form: 'hash'; hash: string }
  /** Given in clear: the console takes it with `takePlainPassword()` and hashes it. */
  | { form: 'plain' };

export interface ConsoleSettings {
  /** AdminPassword; null = the console is off. */
  adminPassword: AdminPasswordSetting | null;
  /** AdminSessions: console sessions at once, and how long an unused one lasts. @default 8, 30 min */
  adminSessions: { max: number; idleMs: number };
  /** AdminLoginFailures: wrong passwords per address and in all, per window. @default 5, 20, 15 min */
  adminLoginFailures: { perAddress: number; overall: number; windowMs: number };
  /** AdminSecureCookie: the session cookie is `Secure` (a TLS proxy in front). @default off */
  adminSecureCookie: boolean;
}

/** Shorter plain passwords are refused: the console can boot, broadcast and delete accounts. */
export const MIN_PASSWORD_CHARS = 8;
export const MAX_PASSWORD_CHARS = 256;

let handedOver: string | null = null;

/** The plain AdminPassword of the file read last, once; null when it had none (or it was taken). */
export function takePlainPassword(): string | null {
  const p = handedOver;
  handedOver = null;
  return p;
}

/** Why a plain password is not acceptable, or null. */
export function plainPasswordProblem(p: string): string | null {
  if (p.length < MIN_PASSWORD_CHARS) return `a password needs at least ${MIN_PASSWORD_CHARS} characters`;
  if (p.length > MAX_PASSWORD_CHARS) return `a password has at most ${MAX_PASSWORD_CHARS} characters`;
  return null;
}

export function consoleDraft(): ConsoleSettings {
  // A file read anew starts without a password; one left by an earlier read is dropped.
  handedOver = null;
  return {
    adminPassword: null,
    adminSessions: { max: 8, idleMs: 30 * 60_000 },
    adminLoginFailures: { perAddress: 5, overall: 20, windowMs: 15 * 60_000 },
    adminSecureCookie: false,
  };
}

export function consoleKeywords<D extends ConsoleSettings>(): KeywordSpec<D>[] {
  return [
    {
      keyword: 'AdminPassword',
      args: [{ name: 'password', type: word }],
      apply(d, v, at) {
        const given = str(v, 0);
        const fail = (why: string) => new ConfigError(at.file, at.line, at.keyword, why);
        if (given.startsWith('scrypt$')) {
          const problem = scryptHashProblem(given);
          if (problem) throw fail(`the hash ${problem} (wsadmin <cfg> hash-password makes one)`);
          d.adminPassword = { form: 'hash', hash: given };
          return;
        }
        const problem = plainPasswordProblem(given);
        if (problem) throw fail(`${problem} (or give a hash: wsadmin <cfg> hash-password)`);
        handedOver = given;
        d.adminPassword = { form: 'plain' };
      },
    },
    {
      keyword: 'AdminSessions',
      args: [
        { name: 'max', type: int(1, 1000) },
        { name: 'idleMinutes', type: num(0.001, 7 * 24 * 60) },
      ],
      apply(d, v) {
        d.adminSessions = { max: n(v, 0), idleMs: n(v, 1) * 60_000 };
      },
    },
    {
      keyword: 'AdminLoginFailures',
      args: [
        { name: 'perAddress', type: int(1, 10_000) },
        { name: 'overall', type: int(1, 100_000) },
        { name: 'minutes', type: num(0.01, 7 * 24 * 60) },
      ],
      apply(d, v) {
        d.adminLoginFailures = { perAddress: n(v, 0), overall: n(v, 1), windowMs: n(v, 2) * 60_000 };
      },
    },
    {
      keyword: 'AdminSecureCookie',
      args: [],
      apply(d) {
        d.adminSecureCookie = true;
      },
    },
  ];
}
