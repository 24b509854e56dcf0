// The guide's "Manual VIP Assignment" (csvip.pl): subscribe a new VIP, renew, cancel or show, for
// 1, 6 or 12 months. The membership and its expiry date are stored (VipMemberships); the
// account's VIP bits (8 VIP, 16 full VIP) are set with it and cleared when it is cancelled, or at
// the first login after it expires (`Accounts`, through `expireVip`).

import { Priv } from '../../protocol/constants.js';
import type { PrivilegeChange, VipMembership } from '../../runtime/db/admin-types.js';
import { lower, task } from './task.js';
import { done, fail, type AdminContext, type AdminResult } from './types.js';
import { UsageError, fields, oneOf, userName, wholeNumber } from './validate.js';

export const VIP_MONTHS = [1, 6, 12] as const;
export const VIP_PAYMENTS = ['complimentary', 'check', 'money-order', 'credit-card', 'phone', 'other'] as const;
export type VipTier = 'full' | 'basic';
export type VipAction = 'grant' | 'renew' | 'cancel' | 'show';

/** Full VIP sets both bits (the client's VIP and VIP2); basic only VIP (its tieredVIP mode). */
export const TIER_BITS: Readonly<Record<VipTier, number>> = { full: Priv.VIP | Priv.VIP2, basic: Priv.VIP };

export interface VipInput {
  action: VipAction;
  user: string;
  months: number;
  tier: VipTier | null;
  payment: (typeof VIP_PAYMENTS)[number];
}

export interface VipValue {
  userName: string;
  privileges: number;
  membership: VipMembership | null;
  /** The membership grants VIP now. */
  active: boolean;
}

/** Calendar months later in UTC; the 31st becomes the last day of a shorter month. */
export function addMonths(d: Date, months: number): Date {
  const r = new Date(d.getTime());
  const day = r.getUTCDate();
  r.setUTCDate(1);
  r.setUTCMonth(r.getUTCMonth() + months);
  const last = new Date(Date.UTC(r.getUTCFullYear(), r.getUTCMonth() + 1, 0)).getUTCDate();
  r.setUTCDate(Math.min(day, last));
  return r;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const tierOf = (bits: number): VipTier => ((bits & Priv.VIP2) !== 0 ? 'full' : 'basic');
const isActive = (m: VipMembership | null, now: Date): boolean =>
  m !== null && m.vipPrivileges > 0 && m.expiryDate.getTime() > now.getTime();

function describe(v: VipValue, now: Date): string {
  const m = v.membership;
  if (!m) return `${v.userName} is not a VIP`;
  if (isActive(m, now)) return `${v.userName} is a VIP (${tierOf(m.vipPrivileges)}) until ${day(m.expiryDate)}`;
  return `${v.userName} is not a VIP; the membership ended ${day(m.expiryDate)}`;
}

async function store(
  ctx: AdminContext,
  i: VipInput,
  start: Date,
  expiry: Date,
  tier: VipTier,
): Promise<AdminResult<VipValue>> {
  const m: VipMembership = {
    vipPrivileges: TIER_BITS[tier],
    startDate: start,
    expiryDate: expiry,
    payment: i.payment,
    grantedBy: ctx.by.slice(0, 50),
  };
  const c: PrivilegeChange | null = await ctx.db.setVipMembership(lower(i.user), m);
  if (!c) return fail('not-found', `no account named ${i.user}`);
  const v = { userName: c.userName, privileges: c.after, membership: m, active: true };
  return done(v, `${describe(v, ctx.now())} (${i.payment}); effective at ${c.userName}'s next login`);
}

export const vip = task({
  live: 'none',
  parse: (input): VipInput => {
    const f = fields(input);
    const action = oneOf<VipAction>(f, 'action', ['grant', 'renew', 'cancel', 'show']);
    const needsMonths = action === 'grant' || action === 'renew';
    const months = needsMonths ? wholeNumber(f, 'months', 1, 12) : 0;
    if (needsMonths && !(VIP_MONTHS as readonly number[]).includes(months))
      throw new UsageError(`months must be ${VIP_MONTHS.join(', ')} (the guide's choices)`);
    return {
      action,
      user: userName(f),
      months,
      tier: f.tier === undefined ? null : oneOf<VipTier>(f, 'tier', ['full', 'basic']),
      payment: oneOf(f, 'payment', VIP_PAYMENTS, 'complimentary'),
    };
  },
  target: (i) => `${i.action} ${i.user}${i.months ? ` ${i.months} months` : ''}`,
  async run(ctx, i): Promise<AdminResult<VipValue>> {
    const now = ctx.now();
    const u = await ctx.db.findUser(lower(i.user));
    if (!u) return fail('not-found', `no account named ${i.user}`);
    const m = await ctx.db.vipMembership(u.userNameLower);
    switch (i.action) {
      case 'show': {
        const v = { userName: u.userName, privileges: u.userPrivileges, membership: m, active: isActive(m, now) };
        return done(v, describe(v, now));
      }
      case 'grant':
        if (m && isActive(m, now))
          return fail('refused', `${u.userName} is already a VIP until ${day(m.expiryDate)}; renew to extend it`);
        return store(ctx, i, now, addMonths(now, i.months), i.tier ?? 'full');
      case 'renew': {
        if (!m) return fail('refused', `${u.userName} has no VIP membership to renew; grant one`);
        const active = isActive(m, now);
        const from = active ? m.expiryDate : now;
        const tier = i.tier ?? (active ? tierOf(m.vipPrivileges) : 'full');
        return store(ctx, i, active ? m.startDate : now, addMonths(from, i.months), tier);
      }
      case 'cancel': {
        if (!isActive(m, now) && (u.userPrivileges & TIER_BITS.full) === 0)
          return fail('refused', `${u.userName} is not a VIP`);
        const c = await ctx.db.cancelVipMembership(u.userNameLower);
        if (!c) return fail('not-found', `no account named ${i.user}`);
        const v = { userName: c.userName, privileges: c.after, membership: null, active: false };
        return done(v, `${c.userName} is no longer a VIP; effective at ${c.userName}'s next login`);
      }
    }
  },
});
