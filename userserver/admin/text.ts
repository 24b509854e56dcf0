// Task results as text for a terminal (wsadmin without --json): the summary line, and for reports
// and the online list one block or line per account, as the guide's users.pl showed them.

import type { LoginAddress, VipMembership } from '../../runtime/db/admin-types.js';
import { describePrivileges } from './privileges.js';
import type { ReportRecord, ReportValue } from './report.js';
import type { TaskName } from './tasks.js';
import type { OnlineUser } from './types.js';

/** `2024-05-06 07:08:09 UTC` (the same on every machine, unlike local time). */
export function when(d: Date | string): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  return Number.isNaN(date.getTime()) ? String(d) : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function vipLine(v: VipMembership | null): string {
  if (!v) return 'no';
  const until = when(v.expiryDate).slice(0, 10);
  if (v.vipPrivileges === 0) return `no (ended ${until})`;
  return `${(v.vipPrivileges & 16) !== 0 ? 'full' : 'basic'} until ${until} (${v.payment}, by ${v.grantedBy})`;
}

function addressLine(a: LoginAddress): string {
  return `${a.address} (last ${when(a.lastLogin)}, ${a.logins} login${a.logins === 1 ? '' : 's'})`;
}

function onlineLine(o: OnlineUser | null | false): string {
  if (o === null) return 'unknown (the UserServer is not running)';
  if (o === false) return 'no';
  const where = o.worldServer
    ? `on WorldServer ${o.worldServer}`
    : o.roomServers.length
      ? `on RoomServer ${o.roomServers.join(', ')}`
      : 'on the UserServer';
  return `yes, since ${when(o.loginAt)}, from ${o.address} ${where}`;
}

/** One account of a report as labelled values; a continued value has an empty label. */
export function reportFields(r: ReportRecord): [string, string][] {
  const u = r.user;
  return [
    ['e-mail', r.email || '(none)'],
    ['serial', u.serialNumber],
    ['status', u.accountStatus === 1 ? 'active' : 'inactive'],
    ['privileges', `${describePrivileges(u.userPrivileges)} (${u.userPrivileges})`],
    ['VIP', vipLine(r.vip)],
    ['times on', String(u.timesOn)],
    ['minutes', String(u.totalMinutes)],
    ['registered', when(u.registrationDate)],
    ['client', u.clientVersion],
    ['last address', r.addresses[0] ? addressLine(r.addresses[0]) : '(none recorded)'],
    ...r.addresses.slice(1).map((a): [string, string] => ['', addressLine(a)]),
    ['online', onlineLine(r.online)],
  ];
}

export function reportRecord(r: ReportRecord): string[] {
  return [r.user.userName, ...reportFields(r).map(([k, v]) => `  ${k.padEnd(13)} ${v}`)];
}

function onlineUser(o: OnlineUser): string {
  const where = o.worldServer ? `WS:${o.worldServer}` : o.roomServers.length ? o.roomServers.join(',') : '-';
  return `${o.name.padEnd(17)} ${o.kind.padEnd(10)} ${o.address.padEnd(15)} ${where.padEnd(12)} since ${when(o.loginAt)}`;
}

/** Lines to print for a successful task: details first, the summary last. */
export function resultText(task: TaskName, value: unknown, summary: string): string[] {
  switch (task) {
    case 'report': {
      const v = value as ReportValue;
      return [...v.records.flatMap((r) => [...reportRecord(r), '']), summary];
    }
    case 'online': {
      const users = (value as { users: OnlineUser[] }).users;
      return users.length > 1 || users.length === 0 ? [...users.map(onlineUser), summary] : [summary];
    }
    default:
      return [summary];
  }
}
