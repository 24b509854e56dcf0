// Two redundant WorldServers for end-to-end tests (AG-23, issue 11): the UserServer "East"
// (BackupServer) on 127.0.0.1 and "West" (BackupClient) on 127.0.0.2, both on the same client port,
// each with one RoomServer on its address, all in one temporary directory on one shared embedded
// database. Clients reach them as the real client does with `worldserver://127.0.0.1;127.0.0.2:port/`.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Player } from '../../protocol/player.js';
import type { LoginMode } from '../../protocol/client.js';
import { RS_PASSWORD, US_TEST_LIMITS, loadSerials } from './galaxy.js';
import { RS_MAIN, US_MAIN, startServer, tempDir, withTestLimits, type ServerProcess } from './servers.js';

export const BACKUP_PASSWORD = 'backup-Secret-77';

export type SideName = 'East' | 'West';

export interface Side {
  name: SideName;
  host: string;
  us: ServerProcess;
  rs: ServerProcess;
  linkPort: number;
  /** Logs in on this side only (the plain URL of its address), from `localAddress` if given. */
  login(mode: LoginMode, localAddress?: string): Promise<Player>;
  /** Starts its UserServer again (same ports), then its RoomServer reconnects by itself. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface Pair {
  dir: string;
  dbPath: string;
  /** The client port both UserServers listen on. */
  port: number;
  /** East's BackupServer port. */
  backupPort: number;
  east: Side;
  west: Side;
  /** `127.0.0.1;127.0.0.2`: the galaxy URL's host part. */
  hosts: string;
  /** Logs in as the real client does with the two-host URL (the first to connect wins). */
  login(mode: LoginMode): Promise<Player>;
  sql(statement: string): string;
  /** Free serial numbers loaded into the shared database. */
  serials(count: number, seed?: string): string[];
  stop(): Promise<void>;
}

export interface PairOptions {
  /** Extra lines for both UserServers. */
  usExtra?: string;
  eastExtra?: string;
  westExtra?: string;
  database?: boolean;
  /** Where West connects instead of East's BackupServer port (a recording proxy in front of it). */
  backupVia?: (backupPort: number) => Promise<number>;
}

function userServerLines(
  name: SideName,
  host: string,
  port: number,
  linkPort: number,
  backup: string,
  database: boolean,
  extra: string,
): string {
  return [
    `Server ${name}`,
    `Users ${port} 0`,
    `RoomServers ${linkPort} ${RS_PASSWORD}`,
    `BindAddr ${host}`,
    database ? 'UserDatabase us abc123 sqlite:world.db 60' : '',
    backup,
    withTestLimits(extra, ['PasswordCost 10', 'LogoffDelay 0.3', 'RedirectGrace 5', ...US_TEST_LIMITS]),
  ].join('\n');
}

/** A RoomServer of one side (named after it unless `rsName` is given). */
export function roomServerLines(name: SideName, host: string, linkPort: number, rsName?: string, extra = ''): string {
  return [
    `Server ${name}`,
    `UserServer ${host} ${linkPort} ${rsName ?? name.toLowerCase()} ${RS_PASSWORD}`,
    'Users 0',
    `BindAddr ${host}`,
    'ClientUpdates 24 50000',
    'LinkRetry 0.3',
    withTestLimits(extra),
  ].join('\n');
}

export async function startPair(opts: PairOptions = {}): Promise<Pair> {
  const dir = tempDir('ws-pair-');
  const database = opts.database !== false;
  const extra = (own: string | undefined) => [opts.usExtra ?? '', own ?? ''].filter((l) => l !== '').join('\n');

  // East listens first on ephemeral ports; West takes the same client port on its own address.
  let eastUs = await startServer(
    US_MAIN,
    'US',
    userServerLines('East', '127.0.0.1', 0, 0, `BackupServer 0 ${BACKUP_PASSWORD}`, database, extra(opts.eastExtra)),
    { dir, cfgName: 'EastUS.cfg' },
  );
  const port = eastUs.ports.get('users') as number;
  const backupPort = eastUs.ports.get('BackupClient') as number;
  const eastLink = eastUs.ports.get('RoomServers') as number;
  const westTarget = opts.backupVia ? await opts.backupVia(backupPort) : backupPort;
  const westCfg = (linkPort: number) =>
    userServerLines(
      'West',
      '127.0.0.2',
      port,
      linkPort,
      `BackupClient 127.0.0.1 ${westTarget} ${BACKUP_PASSWORD}\nBackupRetry 0.2`,
      database,
      extra(opts.westExtra),
    );
  let westUs = await startServer(US_MAIN, 'US', westCfg(0), { dir, cfgName: 'WestUS.cfg' });
  const westLink = westUs.ports.get('RoomServers') as number;
  const eastRs = await startServer(RS_MAIN, 'RS', roomServerLines('East', '127.0.0.1', eastLink), {
    dir,
    cfgName: 'eastRS.cfg',
  });
  const westRs = await startServer(RS_MAIN, 'RS', roomServerLines('West', '127.0.0.2', westLink), {
    dir,
    cfgName: 'westRS.cfg',
  });
  await eastUs.waitLog(/backup link up: BackupClient West/);
  await westUs.waitLog(/backup link up: BackupServer East/);

  const side = (name: SideName): Side => {
    const host = name === 'East' ? '127.0.0.1' : '127.0.0.2';
    const s: Side = {
      name,
      host,
      get us() {
        return name === 'East' ? eastUs : westUs;
      },
      rs: name === 'East' ? eastRs : westRs,
      linkPort: name === 'East' ? eastLink : westLink,
      login: (mode, localAddress) =>
        Player.login({ host, port, mode, ...(localAddress ? { connection: { localAddress } } : {}) }),
      async restart() {
        const cfg =
          name === 'East'
            ? userServerLines(
                'East',
                host,
                port,
                eastLink,
                `BackupServer ${backupPort} ${BACKUP_PASSWORD}`,
                database,
                extra(opts.eastExtra),
              )
            : westCfg(westLink);
        const p = await startServer(US_MAIN, 'US', cfg, { dir, cfgName: `${name}US.cfg` });
        if (name === 'East') eastUs = p;
        else westUs = p;
      },
      async stop() {
        await s.us.stop();
      },
    };
    return s;
  };
  const east = side('East');
  const west = side('West');
  const dbPath = join(dir, 'world.db');
  const hosts = '127.0.0.1;127.0.0.2';
  return {
    dir,
    dbPath,
    port,
    backupPort,
    east,
    west,
    hosts,
    login: (mode) => Player.login({ host: hosts, port, mode }),
    sql: (statement) => execFileSync('sqlite3', [dbPath, statement], { encoding: 'utf8' }),
    serials: (count, seed = 'pair-seed') => loadSerials(dir, dbPath, count, seed),
    async stop() {
      await Promise.all([eastRs.stop(), westRs.stop()]);
      await Promise.all([east.us.stop(), west.us.stop()]);
    },
  };
}
