#!/usr/bin/env node
// US_v11 <file.cfg>: starts the UserServer (AG-1, AG-2, AG-4). Ready to serve is written once the
// user database (if configured) is open and RoomServers can connect; until then the database is
// retried and every failure is logged with what to check (guide: "UserServer never says Ready").

import { openDatabase } from '../runtime/db/open.js';
import type { Database } from '../runtime/db/types.js';
import { describe, installLifecycle } from '../runtime/lifecycle.js';
import { ServerLog } from '../runtime/log.js';
import { listenOrDie, loadOrDie, parseCli, printParticulars, resolveConfigOrDie } from '../runtime/cli.js';
import { loadUserServerConfig, type UserServerConfig } from './config.js';
import { UserServer } from './server.js';

const PROGRAM = 'US_v11';

async function main(): Promise<void> {
  const args = parseCli(PROGRAM);
  const path = resolveConfigOrDie(PROGRAM, args.configArg);
  const cfg = loadOrDie(PROGRAM, () => loadUserServerConfig(path));
  const links = await listenOrDie(PROGRAM, 'RoomServers', cfg.roomServersPort, cfg.bindAddr);
  const clients = await listenOrDie(PROGRAM, 'users', cfg.usersPort, cfg.bindAddr);
  const baseName = `${cfg.serverName}US.${process.pid}`;
  const particulars = describeConfig(cfg, path, links.address, clients.address, baseName);
  printParticulars(particulars, args.stdout);

  const log = new ServerLog({ baseName, dir: process.cwd(), toStdout: args.stdout, tracing: cfg.logging });
  for (const l of particulars) log.line(l);
  if (cfg.backup) {
    log.event(
      `${cfg.backup.role === 'server' ? 'BackupServer' : 'BackupClient'} (line ${cfg.backup.line}) ignored: redundant WorldServers are not provided by this version`,
    );
  }
  if (cfg.channelSuffix)
    log.event(`ChannelSuffix ${cfg.channelSuffix} ignored: it only applies to redundant WorldServers`);

  const us = new UserServer(cfg, log, clients.server, links.server);
  let db: Database | null = null;
  let stopping = false;
  installLifecycle({
    log,
    shutdown: async () => {
      stopping = true;
      await us.shutdown(db);
    },
    toggleTracing: () => us.toggleTracing(),
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
            `check that the database runs and that user, password and service on the UserDatabase line are right; retrying in ${cfg.databaseRetryMs / 1000} s`,
        );
        await new Promise((r) => setTimeout(r, cfg.databaseRetryMs));
      }
    }
    if (!db) return;
  }
  await us.linkGate.prepare();
  us.ready(db);
  log.line('Ready to serve');
}

function describeConfig(
  cfg: Readonly<UserServerConfig>,
  path: string,
  links: { address: string; port: number },
  clients: { address: string; port: number },
  baseName: string,
): string[] {
  const http = Object.entries(cfg.http).filter(([, v]) => v !== null);
  const db = cfg.userDatabase;
  return [
    `UserServer v11 (WorldServer in TypeScript), pid ${process.pid}, started ${new Date().toString()}`,
    `Configuration file: ${path}`,
    `Server: ${cfg.serverName}`,
    `Listening for RoomServers on ${links.address}:${links.port}`,
    `Listening for users on ${clients.address}:${clients.port}${cfg.delayMinutes ? ` (accepted after ${cfg.delayMinutes} minutes)` : ''}`,
    `User database: ${db ? `${db.service.startsWith('sqlite:') ? db.service : `${db.user}@${db.service}`}, written back every ${db.writeBackMinutes} minutes (server type 1)` : 'none (anonymous, server type 2)'}`,
    `Guests: ${cfg.guests ? `${cfg.guests.max} as ${cfg.guests.prefix}_1..${cfg.guests.prefix}_${cfg.guests.max}, ${cfg.guests.minutes} minutes` : 'none'}`,
    `Connections: ${cfg.maxConnections} connections, ${cfg.maxActiveUsers} active users`,
    `Max channel population: ${cfg.maxChannelPopulation ?? 'unlimited'}`,
    `Unicode names: ${cfg.unicodeNames ? 'accepted' : 'refused'}`,
    `Message of the hour: ${cfg.mothFile}`,
    `Web and mail: ${http.length ? http.map(([k, v]) => `${k}=${v}`).join(' ') : 'none'}`,
    `Logging: ${cfg.logging ? 'on' : 'off'} (kill -USR1 ${process.pid} toggles)`,
    `Log file: ${baseName}.log, debug output: ${baseName}.out`,
  ];
}

main().catch((err: unknown) => {
  process.stderr.write(`${PROGRAM}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
