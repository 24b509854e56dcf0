// The guide's account tasks (AG-12, AG-40; "Common Maintenance Tasks"): privileges, special
// guests, deactivating and reactivating single accounts or every account of an e-mail address,
// deleting an account and freeing its serial, and host accounts. Each changes the database in
// one store operation; like the guide's SQL, changes take effect at the user's next login.

import { Priv } from '../../protocol/constants.js';
import { isValidUserName } from '../../protocol/names.js';
import type { StatusChange } from '../../runtime/db/admin-types.js';
import { describePrivileges, privilegeBits, privilegeNamed, type PrivilegeName } from './privileges.js';
import { lower, task } from './task.js';
import { done, fail, type AdminContext, type AdminResult } from './types.js';
import { UsageError, email, fields, flag, optionalText, userName, type Fields } from './validate.js';

export interface PrivilegesValue {
  userName: string;
  before: number;
  after: number;
}

/** The guide's host accounts (newhost.pl): the name starts with this. */
export const HOST_PREFIX = 'HOST-';
/**
 * The "host privilege bit" of the guide is PRIV_BROADCAST: the client's only privilege-dependent
 * powers are the broadcast menu and, with it, "Boot a user" (VAR_PRIV bit 2, spec §4.1;
 * protocol/BROADCAST.md); it has no other host bit.
 */
export const HOST_PRIVILEGES = Priv.BROADCAST;

const nextLogin = (name: string) => `effective at ${name}'s next login`;

function privilegeList(f: Fields): PrivilegeName[] {
  const v = f.privileges;
  if (!Array.isArray(v) || v.length === 0) throw new UsageError('privileges: name at least one privilege');
  return v.map((n) => {
    const p = typeof n === 'string' ? privilegeNamed(n) : null;
    if (!p)
      throw new UsageError(
        `privileges: ${JSON.stringify(n)} is not build, broadcast, property, vip, fullvip or specialguest`,
      );
    return p;
  });
}

const shown = (bits: number) => `${describePrivileges(bits)} (${bits})`;

function privilegeSummary(v: PrivilegesValue): string {
  if (v.after === v.before) return `${v.userName}: privileges unchanged, ${shown(v.after)}`;
  return `${v.userName}: privileges ${shown(v.after)}, were ${shown(v.before)}; ${nextLogin(v.userName)}`;
}

async function change(
  ctx: AdminContext,
  user: string,
  add: number,
  remove: number,
): Promise<AdminResult<PrivilegesValue>> {
  const c = await ctx.db.changePrivileges(lower(user), add, remove);
  if (!c) return fail('not-found', `no account named ${user}`);
  return done(c, privilegeSummary(c));
}

interface PrivilegesInput {
  user: string;
  privileges: PrivilegeName[];
}

const parsePrivileges = (input: unknown): PrivilegesInput => {
  const f = fields(input);
  return { user: userName(f), privileges: privilegeList(f) };
};

export const grant = task({
  live: 'none',
  parse: parsePrivileges,
  target: (i) => `${i.privileges.join(' ')} to ${i.user}`,
  run: (ctx, i) => change(ctx, i.user, privilegeBits(i.privileges), 0),
});

export const revoke = task({
  live: 'none',
  parse: parsePrivileges,
  target: (i) => `${i.privileges.join(' ')} from ${i.user}`,
  run: (ctx, i) => change(ctx, i.user, 0, privilegeBits(i.privileges)),
});

export const privileges = task({
  live: 'none',
  parse: (input) => ({ user: userName(fields(input)) }),
  target: (i) => i.user,
  async run(ctx, i): Promise<AdminResult<PrivilegesValue>> {
    const u = await ctx.db.findUser(lower(i.user));
    if (!u) return fail('not-found', `no account named ${i.user}`);
    const v = { userName: u.userName, before: u.userPrivileges, after: u.userPrivileges };
    return done(v, `${u.userName}: privileges ${shown(u.userPrivileges)}`);
  },
});

/** The guide's "Creating a Special Guest Account": privilege bit 64. */
export const specialguest = task({
  live: 'none',
  parse: (input) => {
    const f = fields(input);
    return { user: userName(f), on: flag(f, 'on') };
  },
  target: (i) => `${i.on ? 'on' : 'off'} for ${i.user}`,
  run: (ctx, i) => change(ctx, i.user, i.on ? Priv.SPECIALGUEST : 0, i.on ? 0 : Priv.SPECIALGUEST),
});

// ------------------------------------------------------------------ deactivate / reactivate

export type AccountsTarget = { user: string; email?: undefined } | { email: string; user?: undefined };

export interface StatusValue {
  accounts: StatusChange[];
}

function parseTarget(input: unknown): AccountsTarget {
  const f = fields(input);
  const hasUser = f.user !== undefined;
  if (hasUser === (f.email !== undefined)) throw new UsageError('give either user or email');
  return hasUser ? { user: userName(f) } : { email: email(f) };
}

function statusTask(status: 0 | 1) {
  const verb = status === 0 ? 'deactivated' : 'reactivated';
  return task({
    live: 'none',
    parse: parseTarget,
    target: (i: AccountsTarget) => (i.user !== undefined ? i.user : `every account of ${i.email}`),
    async run(ctx, i): Promise<AdminResult<StatusValue>> {
      if (i.user !== undefined) {
        const a = await ctx.db.setAccountStatus(lower(i.user), status);
        if (!a) return fail('not-found', `no account named ${i.user}`);
        const what = a.before === status ? `was already ${verb}` : `${verb}; ${nextLogin(a.userName)}`;
        return done({ accounts: [a] }, `${a.userName} ${what}`);
      }
      const list = await ctx.db.setStatusByEmail(i.email, status);
      if (list.length === 0) return fail('not-found', `no account has the e-mail address ${i.email}`);
      const names = list.map((a) => a.userName).join(', ');
      return done(
        { accounts: list },
        `${verb} ${list.length} account${list.length === 1 ? '' : 's'} of ${i.email}: ${names}; effective at their next login`,
      );
    },
  });
}

export const deactivate = statusTask(0);
export const reactivate = statusTask(1);

// ------------------------------------------------------------------ delete

export interface DeleteValue {
  userName: string;
  serialNumber: string;
  serialFreed: boolean;
  properties: number;
  booted: boolean;
}

/**
 * The guide's "Deleting an Account": refused while the user is online, unless asked to boot first
 * (the 30-minute ban of AG-20 then keeps the client from coming straight back); then, in one
 * transaction, the serial is freed and the account and its properties are deleted.
 */
export const deleteAccount = task({
  live: 'optional',
  parse: (input) => {
    const f = fields(input);
    return { user: userName(f), boot: flag(f, 'boot') };
  },
  target: (i) => i.user,
  async run(ctx, i): Promise<AdminResult<DeleteValue>> {
    const u = await ctx.db.findUser(lower(i.user));
    if (!u) return fail('not-found', `no account named ${i.user}`);
    const online = ctx.galaxy?.online(u.userName) ?? null;
    let booted = false;
    if (online && online.kind === 'registered') {
      if (!i.boot)
        return fail(
          'refused',
          `${online.name} is online (from ${online.address}); boot ${online.name} first, or delete with boot`,
        );
      const b = await ctx.galaxy?.boot(ctx.by, online.name);
      if (b && !b.ok) return fail('refused', `could not boot ${online.name}: ${b.message}`);
      booted = true;
    }
    const d = await ctx.db.deleteAccount(u.userNameLower);
    if (!d) return fail('not-found', `no account named ${i.user}`);
    const serial = d.serialFreed
      ? `serial ${d.serialNumber} freed`
      : `serial ${d.serialNumber} was not found with this name and was left as it is`;
    return done(
      { ...d, booted },
      `${booted ? 'booted and ' : ''}deleted ${d.userName}: ${serial}, ${d.properties} properties deleted`,
    );
  },
});

// ------------------------------------------------------------------ host accounts

export interface HostValue {
  userName: string;
  serialNumber: string;
  email: string;
  privileges: number;
  from: string;
}

/**
 * The guide's "Creating a Host Account" (newhost.pl: the host's e-mail address, the host name
 * with its HOST- prefix, and the host's current user name): a new account with the next free
 * serial, the host privilege, and the password of the host's own account.
 */
export const newhost = task({
  live: 'none',
  parse: (input) => {
    const f = fields(input);
    const hostName = userName(f, 'hostName');
    if (!hostName.toUpperCase().startsWith(HOST_PREFIX) || hostName.length === HOST_PREFIX.length)
      throw new UsageError(`hostName must start with ${HOST_PREFIX}`);
    const name = HOST_PREFIX + hostName.slice(HOST_PREFIX.length);
    if (!isValidUserName(name, false))
      throw new UsageError(`hostName ${name} is not 2-16 letters, digits, _ or - (at most 11 after ${HOST_PREFIX})`);
    const mail = optionalText(f, 'email', 254) === null ? null : email(f);
    return { hostName: name, from: userName(f, 'from'), email: mail };
  },
  target: (i) => `${i.hostName} for ${i.from}`,
  async run(ctx, i): Promise<AdminResult<HostValue>> {
    const r = await ctx.db.createHostAccount({
      hostName: i.hostName,
      fromLower: lower(i.from),
      email: i.email,
      privileges: HOST_PRIVILEGES,
      now: ctx.now(),
    });
    if (!r.ok) {
      switch (r.reason) {
        case 'no-such-user':
          return fail('not-found', `no account named ${i.from} (the host's current user name)`);
        case 'taken-name':
          return fail('refused', `the name ${i.hostName} is already registered`);
        case 'no-serial':
          return fail('refused', 'no free serial number is left: load more with scripts/SerialGen');
      }
    }
    return done(
      { userName: r.userName, serialNumber: r.serialNumber, email: r.email, privileges: r.privileges, from: i.from },
      `created host account ${r.userName} (serial ${r.serialNumber}, privileges ${shown(r.privileges)}, ` +
        `e-mail ${r.email || 'none'}); ${i.from}'s password signs in to it`,
    );
  },
});
