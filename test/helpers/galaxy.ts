// A whole WorldServer for end-to-end tests: one US_v11 and RoomServers as real processes in one
// temporary directory, sharing an embedded database there, administered with the sqlite3 command
// line as an operator would.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Player } from '../../protocol/player.js';
import { LoginRefused, type LoginMode } from '../../protocol/client.js';
import {
  ROOT,
  RS_MAIN,
  TEST_LIMITS,
  US_MAIN,
  startServer,
  tempDir,
  withTestLimits,
  type ServerProcess,
} from './servers.js';

/** The UserServer's login limits, as wide for the test suite as its address limits. */
export const US_TEST_LIMITS: readonly string[] = [
  ...TEST_LIMITS,
  'LoginFailures 100000 100000 10',
  'Registrations 100000',
];

export const RS_PASSWORD = 'def456';

export interface GalaxyOptions {
  /** Extra UserServer lines. */
  usExtra?: string;
  /** false: anonymous UserServer (no UserDatabase). */
  database?: boolean;
  rsNames?: string[];
  rsExtra?: string;
  dir?: string;
}

export interface Galaxy {
  dir: string;
  us: ServerProcess;
  rs: Map<string, ServerProcess>;
  dbPath: string;
  usPort: number;
  linkPort: number;
  startRoomServer(name: string, extra?: string): Promise<ServerProcess>;
  restartUserServer(): Promise<ServerProcess>;
  sql(statement: string): string;
  serials(count: number, seed?: string): string[];
  login(mode: LoginMode, avatars?: number): Promise<Player>;
  stop(): Promise<void>;
}

export function userServerConfig(opts: {
  database: boolean;
  extra?: string;
  linkPort?: number;
  usersPort?: number;
}): string {
  return [
    'Server Galaxy',
    `Users ${opts.usersPort ?? 0} 0`,
    `RoomServers ${opts.linkPort ?? 0} ${RS_PASSWORD}`,
    'BindAddr 127.0.0.1',
    opts.database ? 'UserDatabase us abc123 sqlite:world.db 60' : '',
    // A keyword in `extra` replaces the default line for it (a keyword may appear only once).
    withTestLimits(opts.extra ?? '', ['PasswordCost 10', 'LogoffDelay 0.3', 'RedirectGrace 5', ...US_TEST_LIMITS]),
  ].join('\n');
}

export function roomServerConfig(name: string, linkPort: number, extra = ''): string {
  return [
    'Server Galaxy',
    `UserServer 127.0.0.1 ${linkPort} ${name} ${RS_PASSWORD}`,
    'Users 0',
    'BindAddr 127.0.0.1',
    'ClientUpdates 24 50000',
    'LinkRetry 0.3',
    withTestLimits(extra),
  ].join('\n');
}

/** Logs in as the client does (from `localAddress`), then off: 0, or the refusal's VAR_ERROR. */
export async function loginCode(port: number, mode: LoginMode, localAddress = '127.0.0.1'): Promise<number> {
  try {
    const p = await Player.login({ host: '127.0.0.1', port, mode, connection: { localAddress } });
    await p.logoff();
    return 0;
  } catch (err) {
    if (err instanceof LoginRefused) return err.code;
    throw err;
  }
}

/** Serial numbers made by SerialGen and loaded into the database as an operator would (sqlite3). */
export function loadSerials(dir: string, dbPath: string, count: number, seed: string): string[] {
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'scripts', 'SerialGen.mjs'),
      '--seed',
      seed,
      '--prefix',
      'TEST',
      '--count',
      String(count),
      '--dialect',
      'sqlite',
      '--out',
      dir,
    ],
    { encoding: 'utf8' },
  );
  execFileSync('sqlite3', [dbPath, '.read NewSerials.sql'], { cwd: dir, encoding: 'utf8' });
  return readFileSync(join(dir, 'serials-production.txt'), 'utf8').trim().split('\n');
}

export async function startGalaxy(opts: GalaxyOptions = {}): Promise<Galaxy> {
  const dir = opts.dir ?? tempDir('ws-galaxy-');
  const database = opts.database !== false;
  let us = await startServer(US_MAIN, 'US', userServerConfig({ database, extra: opts.usExtra }), {
    dir,
    cfgName: 'galaxyUS.cfg',
  });
  const linkPort = us.ports.get('RoomServers') as number;
  const usPort = us.ports.get('users') as number;
  const rs = new Map<string, ServerProcess>();
  const dbPath = join(dir, 'world.db');

  const g: Galaxy = {
    dir,
    get us() {
      return us;
    },
    rs,
    dbPath,
    usPort,
    linkPort,
    async startRoomServer(name, extra = opts.rsExtra ?? '') {
      const p = await startServer(RS_MAIN, 'RS', roomServerConfig(name, linkPort, extra), {
        dir,
        cfgName: `${name}RS.cfg`,
      });
      rs.set(name, p);
      return p;
    },
    async restartUserServer() {
      await us.stop();
      us = await startServer(
        US_MAIN,
        'US',
        userServerConfig({ database, extra: opts.usExtra, linkPort, usersPort: usPort }),
        {
          dir,
          cfgName: 'galaxyUS.cfg',
        },
      );
      return us;
    },
    sql(statement) {
      return execFileSync('sqlite3', [dbPath, statement], { encoding: 'utf8' });
    },
    serials: (count, seed = 'test-seed') => loadSerials(dir, dbPath, count, seed),
    login(mode, avatars = 24) {
      return Player.login({ host: '127.0.0.1', port: usPort, mode, avatars });
    },
    async stop() {
      await Promise.all([...rs.values()].map((p) => p.stop()));
      await us.stop();
    },
  };
  for (const name of opts.rsNames ?? ['first', 'second']) await g.startRoomServer(name);
  return g;
}
