// The console's forms: one per administration task, with the fields the task's input has. What a
// browser posts (strings) becomes the task's input here (numbers, flags, lists) and nothing more:
// checking it is the task's own `parse`, so the console and wsadmin refuse the same things with
// the same words.

import { PRIVILEGE_NAMES } from '../privileges.js';
import type { TaskName } from '../tasks.js';
import { VIP_MONTHS, VIP_PAYMENTS } from '../vip.js';

export type Field =
  | { kind: 'text'; name: string; label: string; required?: boolean; max: number; type?: 'email' }
  | { kind: 'number'; name: string; label: string; min: number; max: number; step: number }
  /** A list to pick one from; `numeric` turns the pick into a number; `optional` adds an empty choice. */
  | { kind: 'choice'; name: string; label: string; options: readonly string[]; numeric?: boolean; optional?: boolean }
  /** Check boxes; the input is the list of those checked. */
  | { kind: 'checks'; name: string; label: string; options: readonly string[] }
  /** One check box; the input is true or false. */
  | { kind: 'flag'; name: string; label: string }
  /** on / off; the input is true or false. */
  | { kind: 'onoff'; name: string; label: string };

export interface Form {
  task: TaskName;
  title: string;
  /** One line on what it does (the guide's page it replaces). */
  help: string;
  fields: readonly Field[];
  button: string;
}

export interface Section {
  title: string;
  forms: readonly Form[];
}

const user = (label = 'User name'): Field => ({ kind: 'text', name: 'user', label, required: true, max: 50 });
const optionalUser: Field = { kind: 'text', name: 'user', label: 'User name', max: 50 };
const emailField: Field = { kind: 'text', name: 'email', label: 'or every account of e-mail', max: 254, type: 'email' };
const privilegeChecks: Field = { kind: 'checks', name: 'privileges', label: 'Privileges', options: PRIVILEGE_NAMES };

export const SECTIONS: readonly Section[] = [
  {
    title: 'Users',
    forms: [
      {
        task: 'report',
        title: 'User report',
        help: 'users.pl: accounts by user name, e-mail, serial or login address; a trailing * matches any rest (Al*).',
        fields: [
          { kind: 'text', name: 'pattern', label: 'Pattern', required: true, max: 254 },
          { kind: 'choice', name: 'by', label: 'By', options: ['auto', 'name', 'email', 'serial', 'ip'] },
          { kind: 'number', name: 'limit', label: 'At most', min: 1, max: 1000, step: 1 },
        ],
        button: 'Report',
      },
      {
        task: 'online',
        title: 'Who is online',
        help: 'Everyone logged in to the galaxy, or whether one user is.',
        fields: [optionalUser],
        button: 'Show',
      },
    ],
  },
  {
    title: 'Privileges',
    forms: [
      {
        task: 'privileges',
        title: 'Show privileges',
        help: "An account's privileges.",
        fields: [user()],
        button: 'Show',
      },
      {
        task: 'grant',
        title: 'Grant privileges',
        help: 'Effective at the next login.',
        fields: [user(), privilegeChecks],
        button: 'Grant',
      },
      {
        task: 'revoke',
        title: 'Revoke privileges',
        help: 'Effective at the next login.',
        fields: [user(), privilegeChecks],
        button: 'Revoke',
      },
      {
        task: 'specialguest',
        title: 'Special guest',
        help: 'Privilege 64, on or off.',
        fields: [user(), { kind: 'onoff', name: 'on', label: 'Special guest' }],
        button: 'Set',
      },
    ],
  },
  {
    title: 'Accounts',
    forms: [
      {
        task: 'deactivate',
        title: 'Deactivate',
        help: 'ban.pl: one account, or every account of an e-mail address (they are listed).',
        fields: [optionalUser, emailField],
        button: 'Deactivate',
      },
      {
        task: 'reactivate',
        title: 'Reactivate',
        help: 'One account, or every account of an e-mail address.',
        fields: [optionalUser, emailField],
        button: 'Reactivate',
      },
      {
        task: 'delete',
        title: 'Delete an account',
        help: 'Frees its serial; refused while the user is online unless booted first.',
        fields: [user(), { kind: 'flag', name: 'boot', label: 'Boot the user first if online' }],
        button: 'Delete',
      },
      {
        task: 'newhost',
        title: 'Host account',
        help: "newhost.pl: a HOST- account with the host privilege and the password of the host's own account.",
        fields: [
          { kind: 'text', name: 'hostName', label: 'Host name (HOST-…)', required: true, max: 50 },
          { kind: 'text', name: 'from', label: "Host's user name", required: true, max: 50 },
          { kind: 'text', name: 'email', label: 'E-mail (default: the host’s)', max: 254, type: 'email' },
        ],
        button: 'Create',
      },
    ],
  },
  {
    title: 'VIP',
    forms: [
      {
        task: 'vip',
        title: 'VIP membership',
        help: 'csvip.pl: grant, renew, cancel or show, for 1, 6 or 12 months.',
        fields: [
          { kind: 'choice', name: 'action', label: 'Action', options: ['show', 'grant', 'renew', 'cancel'] },
          user(),
          {
            kind: 'choice',
            name: 'months',
            label: 'Months',
            options: VIP_MONTHS.map(String),
            numeric: true,
            optional: true,
          },
          { kind: 'choice', name: 'tier', label: 'Tier', options: ['full', 'basic'], optional: true },
          { kind: 'choice', name: 'payment', label: 'Payment', options: VIP_PAYMENTS },
        ],
        button: 'Go',
      },
    ],
  },
  {
    title: 'The running galaxy',
    forms: [
      {
        task: 'broadcast',
        title: 'Broadcast',
        help: 'broadcast.pl: a line to every user of the galaxy, now.',
        fields: [{ kind: 'text', name: 'text', label: 'Text', required: true, max: 1000 }],
        button: 'Broadcast',
      },
      {
        task: 'boot',
        title: 'Boot',
        help: 'Logged off everywhere; the name and the address are refused for 30 minutes.',
        fields: [user()],
        button: 'Boot',
      },
      {
        task: 'stats-record',
        title: 'Stats record',
        help: 'Every stat to a CSV file every N seconds (default 5 s and <Server>US.stats.csv).',
        fields: [
          { kind: 'choice', name: 'action', label: 'Action', options: ['status', 'start', 'stop'] },
          { kind: 'number', name: 'seconds', label: 'Seconds', min: 0.05, max: 86_400, step: 0.05 },
          { kind: 'text', name: 'file', label: 'File (.csv)', max: 200 },
        ],
        button: 'Go',
      },
    ],
  },
];

export const FORMS: ReadonlyMap<string, Form> = new Map(SECTIONS.flatMap((s) => s.forms).map((f) => [f.task, f]));

/** A decimal number as a browser sends it; anything else goes to the task as it is, to be refused there. */
const numberOr = (v: string): number | string => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);

/** The task input of a posted form. Fields left empty are left out (the task's defaults apply). */
export function formInput(form: Form, posted: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const f of form.fields) {
    const v = (posted.get(f.name) ?? '').trim();
    switch (f.kind) {
      case 'checks':
        input[f.name] = posted.getAll(f.name);
        break;
      case 'flag':
        input[f.name] = posted.has(f.name);
        break;
      case 'onoff':
        if (v !== '') input[f.name] = v === 'on' ? true : v === 'off' ? false : v;
        break;
      case 'number':
        if (v !== '') input[f.name] = numberOr(v);
        break;
      case 'choice':
        if (v !== '') input[f.name] = f.numeric ? numberOr(v) : v;
        break;
      case 'text':
        if (v !== '') input[f.name] = v;
        break;
    }
  }
  return input;
}
