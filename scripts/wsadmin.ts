#!/usr/bin/env node
// wsadmin <UserServer cfg> <task> …: the guide's web administration tasks from the shell (AG-40).
// With the UserServer running, every task goes through its control socket (so it can tell who is
// online, boot and broadcast, and the audit line lands in its log); with the servers down, the
// tasks that only need the database open the one named on the cfg's UserDatabase line.
//
// Exit status: 0 done, 1 failed (database, mail, socket), 2 usage, 3 not found, 4 refused,
// 5 the UserServer is not running (a task that needs the live galaxy).

import { userInfo } from 'node:os';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConfigError, resolveConfigPath } from '../runtime/config.js';
import { controlRequest } from '../userserver/admin/client.js';
import { controlSocketPath } from '../userserver/admin/config.js';
import { runOffline } from '../userserver/admin/offline.js';
import { PRIVILEGE_NAMES } from '../userserver/admin/privileges.js';
import { TASK_NAMES, isTaskName, needsGalaxy, type TaskName } from '../userserver/admin/tasks.js';
import { resultText } from '../userserver/admin/text.js';
import type { AdminErrorCode, AdminResult } from '../userserver/admin/types.js';
import { VIP_MONTHS, VIP_PAYMENTS } from '../userserver/admin/vip.js';
import { loadUserServerConfig, type UserServerConfig } from '../userserver/config.js';
import { plainPasswordProblem } from '../userserver/admin/web/config.js';
import { PasswordHasher } from '../userserver/passwords.js';
import { readPassword } from './read-password.js';

const PROGRAM = 'wsadmin';
const EXIT: Readonly<Record<AdminErrorCode, number>> = {
  failed: 1,
  usage: 2,
  'not-found': 3,
  refused: 4,
  'not-running': 5,
};
const USAGE = `Usage: ${PROGRAM} <UserServer cfg> <task> [arguments] [--json] [--dir <path>]
Tasks: ${TASK_NAMES.join(', ')}; and hash-password. ${PROGRAM} <cfg> --help lists them with their arguments.`;

type Chosen = { kind: 'task'; task: TaskName; input: Record<string, unknown> } | { kind: 'hash-password' };

interface Global {
  json: boolean;
  dir: string | undefined;
  as: string | undefined;
  timeout: number;
}

function usageExit(message: string): never {
  process.stderr.write(`${PROGRAM}: ${message}\n${USAGE}\n`);
  process.exit(EXIT.usage);
}

function parseTask(argv: string[]): { chosen: Chosen; global: Global } {
  let chosen: Chosen | null = null;
  const pick = (task: TaskName, input: Record<string, unknown>): void => {
    chosen = { kind: 'task', task, input };
  };
  const pickHashPassword = (): void => {
    chosen = { kind: 'hash-password' };
  };
  const user = <T>(y: Argv<T>) => y.positional('user', { type: 'string', demandOption: true, describe: 'user name' });
  const parsed = yargs(argv)
    .scriptName(`${PROGRAM} <cfg>`)
    .usage(USAGE)
    .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
    .option('dir', { type: 'string', describe: "the UserServer's working directory (default: here)" })
    .option('as', { type: 'string', describe: 'operator name for the audit line (default: your login name)' })
    .option('timeout', { type: 'number', default: 30, describe: 'seconds to wait for the UserServer' })
    .command(
      'report <pattern>',
      'user report (users.pl): by user name, e-mail, serial or IP address; a trailing * matches any rest',
      (y) =>
        y
          .positional('pattern', { type: 'string', demandOption: true })
          .option('by', { choices: ['auto', 'name', 'email', 'serial', 'ip'] as const, default: 'auto' as const })
          .option('limit', { type: 'number', describe: 'at most this many accounts (default 100)' }),
      (a) => pick('report', { pattern: a.pattern, by: a.by, ...(a.limit === undefined ? {} : { limit: a.limit }) }),
    )
    .command('privileges <user>', "show an account's privileges", user, (a) => pick('privileges', { user: a.user }))
    .command(
      'grant <user> <privileges..>',
      `grant privileges (${PRIVILEGE_NAMES.join(', ')}); effective at the next login`,
      (y) => user(y).positional('privileges', { type: 'string', array: true, demandOption: true }),
      (a) => pick('grant', { user: a.user, privileges: a.privileges }),
    )
    .command(
      'revoke <user> <privileges..>',
      'revoke privileges; effective at the next login',
      (y) => user(y).positional('privileges', { type: 'string', array: true, demandOption: true }),
      (a) => pick('revoke', { user: a.user, privileges: a.privileges }),
    )
    .command(
      'specialguest <user> <state>',
      'special guest (privilege 64) on or off',
      (y) => user(y).positional('state', { choices: ['on', 'off'] as const, demandOption: true }),
      (a) => pick('specialguest', { user: a.user, on: a.state === 'on' }),
    )
    .command(
      'deactivate [user]',
      'deactivate one account, or with --email every account of that e-mail address',
      (y) => y.positional('user', { type: 'string' }).option('email', { type: 'string' }),
      (a) => pick('deactivate', a.email === undefined ? { user: a.user } : { email: a.email, user: a.user }),
    )
    .command(
      'reactivate [user]',
      'reactivate one account, or with --email every account of that e-mail address',
      (y) => y.positional('user', { type: 'string' }).option('email', { type: 'string' }),
      (a) => pick('reactivate', a.email === undefined ? { user: a.user } : { email: a.email, user: a.user }),
    )
    .command(
      'delete <user>',
      'delete an account and free its serial; refused while the user is online unless --boot',
      (y) => user(y).option('boot', { type: 'boolean', default: false, describe: 'boot the user first' }),
      (a) => pick('delete', { user: a.user, boot: a.boot }),
    )
    .command(
      'newhost <hostName> <currentUser>',
      'create a host account (HOST-name, host privilege) with the password of the host’s own account',
      (y) =>
        y
          .positional('hostName', { type: 'string', demandOption: true })
          .positional('currentUser', { type: 'string', demandOption: true })
          .option('email', { type: 'string', describe: "default: the e-mail address of the host's own account" }),
      (a) => pick('newhost', { hostName: a.hostName, from: a.currentUser, ...(a.email ? { email: a.email } : {}) }),
    )
    .command(
      'vip <action> <user>',
      'VIP (csvip.pl): grant, renew, cancel or show',
      (y) =>
        user(y)
          .positional('action', { choices: ['grant', 'renew', 'cancel', 'show'] as const, demandOption: true })
          .option('months', { type: 'number', describe: VIP_MONTHS.join(', ') })
          .option('tier', { choices: ['full', 'basic'] as const })
          .option('payment', { choices: VIP_PAYMENTS, default: 'complimentary' as const }),
      (a) =>
        pick('vip', {
          action: a.action,
          user: a.user,
          payment: a.payment,
          ...(a.months === undefined ? {} : { months: a.months }),
          ...(a.tier === undefined ? {} : { tier: a.tier }),
        }),
    )
    .command(
      'broadcast <text..>',
      'broadcast text to every user of the galaxy',
      (y) => y.positional('text', { type: 'string', array: true, demandOption: true }),
      (a) => pick('broadcast', { text: a.text.join(' ') }),
    )
    .command('boot <user>', 'log the user off everywhere; name and address refused for 30 minutes', user, (a) =>
      pick('boot', { user: a.user }),
    )
    .command(
      'online [user]',
      'who is online (exit 3 when the user is not)',
      (y) => y.positional('user', { type: 'string' }),
      (a) => pick('online', a.user === undefined ? {} : { user: a.user }),
    )
    .command(
      'stats-record <action> [seconds] [file]',
      'stats record: start (every N seconds, default 5, to a .csv file, default <Server>US.stats.csv), stop, or status',
      (y) =>
        y
          .positional('action', { choices: ['start', 'stop', 'status'] as const, demandOption: true })
          .positional('seconds', { type: 'number' })
          .positional('file', { type: 'string' }),
      (a) =>
        pick('stats-record', {
          action: a.action,
          ...(a.seconds === undefined ? {} : { seconds: a.seconds }),
          ...(a.file === undefined ? {} : { file: a.file }),
        }),
    )
    .command(
      'hash-password',
      'read a password (stdin, or typed without echo) and print its hash for AdminPassword',
      (y) => y,
      () => pickHashPassword(),
    )
    .demandCommand(1, 'name a task')
    .strict()
    .help()
    .version(false)
    .wrap(110)
    .fail((msg, err) => usageExit(err?.message ?? msg))
    .parseSync();
  const c = chosen as Chosen | null;
  if (!c) usageExit('name a task');
  return {
    chosen: c,
    global: { json: parsed.json, dir: parsed.dir, as: parsed.as, timeout: parsed.timeout },
  };
}

function print(task: TaskName, r: AdminResult<unknown>, json: boolean): number {
  if (json) {
    process.stdout.write(
      `${JSON.stringify(r.ok ? { ok: true, task, summary: r.summary, value: r.value } : { ok: false, task, error: r.error })}\n`,
    );
  } else if (r.ok) {
    process.stdout.write(`${resultText(task, r.value, r.summary).join('\n')}\n`);
  } else {
    process.stderr.write(`${PROGRAM}: ${r.error.message}\n`);
  }
  return r.ok ? 0 : EXIT[r.error.code];
}

/** hash-password: the hash of a password read from stdin, at the configuration's PasswordCost. */
async function hashPassword(cfg: Readonly<UserServerConfig>): Promise<number> {
  const password = await readPassword('AdminPassword to hash: ');
  const problem = password === null ? 'no password given on stdin' : plainPasswordProblem(password);
  if (problem !== null || password === null) {
    process.stderr.write(`${PROGRAM}: ${problem}\n`);
    return EXIT.usage;
  }
  const hash = await new PasswordHasher(cfg.passwordCost).hash(password, 'wsadmin');
  process.stdout.write(`${hash}\n`);
  if (process.stdout.isTTY) process.stderr.write(`Put it in ${cfg.file} as:  AdminPassword ${hash}\n`);
  return 0;
}

async function main(): Promise<number> {
  const raw = hideBin(process.argv);
  const [cfgArg, ...rest] = raw;
  if (cfgArg === undefined) usageExit('name the UserServer configuration file');
  if (cfgArg === '--help' || cfgArg === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { chosen, global } = parseTask(rest.length ? rest : ['--help']);
  if (global.dir !== undefined) {
    try {
      process.chdir(global.dir);
    } catch {
      usageExit(`--dir ${global.dir} is not a directory`);
    }
  }
  const path = resolveConfigPath(cfgArg, process.cwd());
  if (!path) usageExit(`configuration file ${cfgArg} not found (looked in . and ./wc_config/)`);
  let cfg: Readonly<UserServerConfig>;
  try {
    cfg = loadUserServerConfig(path);
  } catch (err) {
    if (err instanceof ConfigError) usageExit(`configuration error: ${err.message}`);
    throw err;
  }
  if (chosen.kind === 'hash-password') return hashPassword(cfg);
  const by = `wsadmin:${(global.as ?? userInfo().username).replace(/\s+/g, '_')}`;
  const { task, input } = chosen;
  if (!isTaskName(task)) usageExit(`unknown task ${task}`);
  const socket = controlSocketPath(cfg);
  let down = `the control socket is off (AdminSocket off in ${path})`;
  if (socket) {
    const o = await controlRequest(socket, task, input, by, global.timeout * 1000);
    if (o.kind === 'answer') {
      const a = o.answer;
      return print(
        task,
        a.ok ? { ok: true, value: a.value, summary: a.summary } : { ok: false, error: a.error },
        global.json,
      );
    }
    if (o.kind === 'broken') return print(task, { ok: false, error: { code: 'failed', message: o.why } }, global.json);
    down = `the UserServer ${cfg.serverName} is not running (${o.why})`;
  }
  if (needsGalaxy(task))
    return print(
      task,
      { ok: false, error: { code: 'not-running', message: `${down}; ${task} needs the running galaxy` } },
      global.json,
    );
  return print(task, await runOffline(cfg, task, input, by), global.json);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${PROGRAM}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(EXIT.failed);
  },
);
