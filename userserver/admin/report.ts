// The guide's "User Report" (users.pl): the accounts whose user name, e-mail address, serial number
// or login address is the given one, or starts with it when it ends in `*`. One record per
// account: name, e-mail, serial, status, privileges, VIP, times on, minutes, registration date,
// recent login addresses, and whether the user is online now (when the UserServer runs).

import type { ReportCriterion, ReportRow } from '../../runtime/db/admin-types.js';
import { task } from './task.js';
import { done, fail, type AdminContext, type AdminResult, type OnlineUser } from './types.js';
import { UsageError, fields, oneOf, text, wholeNumber } from './validate.js';

export type ReportBy = ReportCriterion | 'auto';

export interface ReportRecord extends ReportRow {
  /** Null when the UserServer is not running (nobody can say). */
  online: OnlineUser | null | false;
}

export interface ReportValue {
  criterion: ReportCriterion;
  records: ReportRecord[];
  /** More accounts matched than `limit`. */
  truncated: boolean;
}

export const REPORT_LIMIT = 100;
export const MAX_REPORT_LIMIT = 1000;

/** `Al*` → `al%` (LIKE, `\` escaping the wildcards LIKE has and users.pl had not). */
export function likePattern(pattern: string, c: ReportCriterion): string {
  const prefix = pattern.endsWith('*');
  const body = prefix ? pattern.slice(0, -1) : pattern;
  if (body.includes('*')) throw new UsageError('only a * at the end is a wildcard (Al* matches Alice and Alan)');
  const cased = c === 'serial' ? body.toUpperCase() : c === 'ip' ? body : body.toLowerCase();
  return cased.replace(/[\\%_]/g, (m) => `\\${m}`) + (prefix ? '%' : '');
}

/** What a pattern is, when not told: an e-mail address has an @, an address starts with digits and has a dot or colon. */
export function guessCriterion(pattern: string): ReportCriterion | 'name-or-serial' {
  if (pattern.includes('@')) return 'email';
  if (/^[0-9][0-9a-fA-F]*[.:][0-9a-fA-F.:]*\*?$/.test(pattern)) return 'ip';
  return 'name-or-serial';
}

async function query(ctx: AdminContext, c: ReportCriterion, pattern: string, limit: number): Promise<ReportRow[]> {
  return ctx.db.report({ criterion: c, like: likePattern(pattern, c), limit: limit + 1 });
}

export const report = task({
  live: 'optional',
  parse: (input) => {
    const f = fields(input);
    const pattern = text(f, 'pattern', 254);
    likePattern(pattern, 'name'); // a misplaced * is a usage error whatever the criterion
    return {
      pattern,
      by: oneOf<ReportBy>(f, 'by', ['auto', 'name', 'email', 'serial', 'ip'], 'auto'),
      limit: wholeNumber(f, 'limit', 1, MAX_REPORT_LIMIT, REPORT_LIMIT),
    };
  },
  target: (i) => `${i.by === 'auto' ? '' : `${i.by} `}${i.pattern}`,
  async run(ctx, i): Promise<AdminResult<ReportValue>> {
    const guess = i.by === 'auto' ? guessCriterion(i.pattern) : i.by;
    let criterion: ReportCriterion = guess === 'name-or-serial' ? 'name' : guess;
    let rows = await query(ctx, criterion, i.pattern, i.limit);
    if (rows.length === 0 && guess === 'name-or-serial') {
      criterion = 'serial';
      rows = await query(ctx, criterion, i.pattern, i.limit);
    }
    if (rows.length === 0)
      return fail(
        'not-found',
        `no account matches ${criterion === 'serial' ? 'name or serial' : criterion} ${i.pattern}`,
      );
    const truncated = rows.length > i.limit;
    const records = rows.slice(0, i.limit).map((r): ReportRecord => ({
      ...r,
      online: ctx.galaxy ? (ctx.galaxy.online(r.user.userName) ?? false) : null,
    }));
    const more = truncated ? ` (the first ${i.limit}; more match)` : '';
    return done(
      { criterion, records, truncated },
      `${records.length} account${records.length === 1 ? '' : 's'} by ${criterion} ${i.pattern}${more}`,
    );
  },
});
