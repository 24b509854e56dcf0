#!/usr/bin/env node
// US_v11 <file.cfg>: starts the UserServer (AG-1, AG-2, AG-4). Ready to serve is written once the
// user database (if configured) is open and RoomServers can connect; until then the database is
// retried and every failure is logged with what to check (guide: "UserServer never says Ready").
// With a `Users` delay the users port starts listening only when the delay is over.

import { openDatabase } from '../runtime/db/open.js';
import type { Database } from '../runtime/db/types.js';
import { ctime } from '../runtime/ctime.js';
import { describe, installLifecycle } from '../runtime/lifecycle.js';
import { ServerLog } from '../runtime/log.js';
import { startAdminServices, type AdminServices } from './admin/service.js';
import { listenHttpOrDie } from '../runtime/http/endpoint.js';
import { installShowStats, statusLine } from '../runtime/stats-report.js';
import { loadLogTransports } from '../runtime/log-plugins.js';
import { operationsParticulars, outputParticulars } from '../runtime/particulars.js';
import {
  createListener,
  die,
  listen,
  listenOrDie,
  loadOrDie,
  parseCli,
  printParticulars,
  resolveConfigOrDie,
} from '../runtime/cli.js';
import { channelSuffixOf, loadUserServerConfig, type UserServerConfig } from './config.js';
import { roomIdRange } from '../protocol/backup.js';
import { UserServer } from './server.js';

const PROGRAM = 'US_v11';

async function main(): Promise<void> {
  const args = parseCli(PROGRAM);
  const path = resolveConfigOrDie(PROGRAM, args.configArg);
  const cfg = loadOrDie(PROGRAM, () => loadUserServerConfig(path));
  const links = await listenOrDie(PROGRAM, 'RoomServers', cfg.roomServersPort, cfg.bindAddr);
  // BackupServer: the BackupClient connects here (bound like every other port, BindAddr).
  const backupPort =
    cfg.backup?.role === 'server' ? await listenOrDie(PROGRAM, 'BackupClient', cfg.backup.port, cfg.bindAddr) : null;
  // AG-4: during the Users delay the port does not listen at all.
  const clients = createListener();
  const clientsAt =
    cfg.delayMinutes === 0
      ? await listen(clients, 'users', cfg.usersPort, cfg.bindAddr).catch((err: Error) => die(PROGRAM, err.message))
      : null;
  const baseName = `${cfg.serverName}US.${process.pid}`;
  const status = cfg.statusHttp ? await listenHttpOrDie(PROGRAM, cfg.statusHttp.port, cfg.statusHttp.bindAddr) : null;
  const particulars = describeConfig(cfg, path, links.address, clientsAt, baseName, args.stdout);
  particulars.splice(particulars.length - 1, 0, ...backupParticulars(cfg, backupPort?.address ?? null));
  if (status) particulars.push(statusLine(status.address));
  printParticulars(particulars, args.stdout);

  const log = new ServerLog({
    baseName,
    dir: process.cwd(),
    toStdout: args.stdout,
    tracing: cfg.logging,
    server: cfg.serverName,
    json: cfg.operations.json,
  });
  for (const l of particulars) log.line(l, { event: 'startup' });
  await loadLogTransports(log, cfg.operations.transports, {
    kind: 'UserServer',
    server: cfg.serverName,
    pid: process.pid,
  }).catch((err: unknown) => {
    log.close();
    die(PROGRAM, `${path}: ${(err as Error).message}`);
  });
  if (cfg.channelSuffix && !cfg.backup)
    log.event(
      `ChannelSuffix ${cfg.channelSuffix} has no effect without BackupServer or BackupClient (guide Appendix II): channels carry no suffix`,
    );

  const us = new UserServer(cfg, log, clients, links.server, path);
  if (backupPort) us.backup?.serve(backupPort.server);
  installShowStats(log, us.stats);
  if (status) us.monitor.monitoring.serve(status.server);
  let db: Database | null = null;
  let admin: AdminServices | null = null;
  let stopping = false;
  installLifecycle({
    log,
    shutdown: async () => {
      stopping = true;
      await admin?.close();
      await us.shutdown(db);
    },
    toggleTracing: () => us.toggleTracing(),
    hangup: () => us.hangup(),
  });
  await us.reloadMoth();
  if (cfg.userDatabase) {
    const settings = cfg.userDatabase;
    const where = settings.service.startsWith('sqlite:') ? settings.service : `${settings.user}@${settings.service}`;
    for (let attempt = 1; !db && !stopping; attempt++) {
      try {
        db = await openDatabase(settings);
        log.event(`user database ${db.description} open`);
      } catch (err) {
        log.error(
          'UserDatabase',
          `cannot open user database ${where} (attempt ${attempt}): ${describe(err)}; ` +
            `check that the database runs and that user, password and service on the UserDatabase line are right; retrying in ${us.cfg.databaseRetryMs / 1000} s`,
        );
        await new Promise((r) => setTimeout(r, us.cfg.databaseRetryMs));
      }
    }
    if (!db) return;
  }
  // The TLS key of the RoomServers link is derived (scrypt) before RoomServers may connect; the
  // backup link's before the first login (the session verifiers' key comes from it).
  await us.linkGate.prepare();
  await us.backup?.prepare();
  if (db) await us.useDatabase(db);
  const accepting = us.ready().catch((err: unknown) => {
    // The delay is over and the users port cannot listen: nobody could ever log in.
    log.error(null, `${describe(err)}; exiting`, { event: 'fatal' });
    log.close();
    process.exit(1);
  });
  if (cfg.backup?.role === 'client') us.backup?.connect();
  admin = await startAdminServices(us, db);
  if (stopping) return void (await admin.close());
  log.line('Ready to serve', { event: 'ready' });
  await accepting;
}

/** What the redundancy keywords (AG-23) make of this UserServer. */
function backupParticulars(
  cfg: Readonly<UserServerConfig>,
  listening: { address: string; port: number } | null,
): string[] {
  const b = cfg.backup;
  if (!b) return [];
  const ids = roomIdRange(b.role);
  return [
    listening
      ? `Listening for BackupClient on ${listening.address}:${listening.port}`
      : `BackupClient of ${b.host}:${b.port}, trying every ${cfg.backupRetryMs / 1000} s until linked`,
    `Channel suffix: ${channelSuffixOf(cfg)} (channels dimension-N;${channelSuffixOf(cfg)}); room ids ${ids.first}-${ids.last}`,
  ];
}

function describeConfig(
  cfg: Readonly<UserServerConfig>,
  path: string,
  links: { address: string; port: number },
  clients: { address: string; port: number } | null,
  baseName: string,
  toStdout: boolean,
): string[] {
  const http = Object.entries(cfg.http).filter(([, v]) => v !== null);
  const db = cfg.userDatabase;
  return [
    `UserServer v11 (WorldServer in TypeScript), pid ${process.pid}, started ${ctime(new Date())}`,
    `Configuration file: ${path}`,
    `Server: ${cfg.serverName}`,
    `Listening for RoomServers on ${links.address}:${links.port}`,
    clients
      ? `Listening for users on ${clients.address}:${clients.port}`
      : `Users port ${cfg.bindAddr ?? '*'}:${cfg.usersPort} listens after a delay of ${cfg.delayMinutes} minutes (Users)`,
    `User database: ${db ? `${db.service.startsWith('sqlite:') ? db.service : `${db.user}@${db.service}`}, written back every ${db.writeBackMinutes} minutes (server type 1)` : 'none (anonymous, server type 2)'}`,
    `Guests: ${cfg.guests ? `${cfg.guests.max} as ${cfg.guests.prefix}_1..${cfg.guests.prefix}_${cfg.guests.max}, ${cfg.guests.minutes} minutes` : 'none'}`,
    `Connections: ${cfg.maxConnections} connections, ${cfg.maxActiveUsers} active users`,
    `Max channel population: ${cfg.maxChannelPopulation ?? 'unlimited'}`,
    `Unicode names: ${cfg.unicodeNames ? 'accepted' : 'refused'}`,
    `Message of the hour: ${cfg.mothFile}`,
    `Web and mail: ${http.length ? http.map(([k, v]) => `${k}=${v}`).join(' ') : 'none'}`,
    `Logging: ${cfg.logging ? 'on' : 'off'} (kill -USR1 ${process.pid} toggles)`,
    ...operationsParticulars(cfg.operations, { kind: 'weekly' }),
    outputParticulars(baseName, toStdout, cfg.operations.json),
  ];
}

main().catch((err: unknown) => {
  process.stderr.write(`${PROGRAM}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
