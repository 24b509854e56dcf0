#!/usr/bin/env node
// RS_v11 <file.cfg>: starts one RoomServer (AG-1, AG-2).

import { ctime } from '../runtime/ctime.js';
import { setHeapGrowth } from '../runtime/heap-growth.js';
import { installLifecycle } from '../runtime/lifecycle.js';
import { ServerLog } from '../runtime/log.js';
import type { AddressInfo } from 'node:net';
import {
  LISTEN_BACKLOG,
  die,
  listenFailure,
  loadOrDie,
  parseCli,
  printParticulars,
  resolveConfigOrDie,
} from '../runtime/cli.js';
import { IoThread } from '../runtime/io-thread/bridge.js';
import { listenInSlotsOrDie } from '../runtime/listen-copies.js';
import { listenHttpOrDie } from '../runtime/http/endpoint.js';
import { loadLogTransports } from '../runtime/log-plugins.js';
import { operationsParticulars, outputParticulars } from '../runtime/particulars.js';
import { installShowStats, statusLine } from '../runtime/stats-report.js';
import { loadRoomServerConfig, roomServerLogName, type RoomServerConfig } from './config.js';
import { RoomServer } from './server.js';

const PROGRAM = 'RS_v11';

async function main(): Promise<void> {
  const args = parseCli(PROGRAM);
  const path = resolveConfigOrDie(PROGRAM, args.configArg);
  const cfg = loadOrDie(PROGRAM, () => loadRoomServerConfig(path));
  setHeapGrowth(cfg.heapGrowthPercent);
  const io = cfg.ioThread ? await startIoThread(cfg) : null;
  const { server, address, slots } = io
    ? { server: io, address: io.address() as AddressInfo, slots: null }
    : await listenInSlotsOrDie(PROGRAM, 'users', cfg.usersPort, cfg.bindAddr, cfg.acceptSlots);
  const status = cfg.statusHttp ? await listenHttpOrDie(PROGRAM, cfg.statusHttp.port, cfg.statusHttp.bindAddr) : null;
  const name = roomServerLogName(cfg);
  const baseName = `${name}RS.${process.pid}`;
  const particulars = describeConfig(cfg, path, address.address, address.port, baseName, args.stdout, slots);
  if (status) particulars.push(statusLine(status.address));
  printParticulars(particulars, args.stdout);

  const log = new ServerLog({
    baseName,
    dir: process.cwd(),
    toStdout: args.stdout,
    tracing: cfg.logging,
    server: name,
    json: cfg.operations.json,
  });
  for (const l of particulars) log.line(l, { event: 'startup' });
  await loadLogTransports(log, cfg.operations.transports, { kind: 'RoomServer', server: name, pid: process.pid }).catch(
    (err: unknown) => {
      log.close();
      die(PROGRAM, `${path}: ${(err as Error).message}`);
    },
  );
  const rs = new RoomServer(cfg, log, server, path);
  installLifecycle({
    log,
    shutdown: async () => {
      await rs.shutdown();
      await io?.stop();
    },
    toggleTracing: () => rs.toggleTracing(),
    hangup: () => rs.hangup(),
  });
  installShowStats(log, rs.stats);
  if (status) rs.monitoring.serve(status.server);
  await rs.start();
}

/** IoThread on: the I/O thread listens, and holds every client socket. */
async function startIoThread(cfg: Readonly<RoomServerConfig>): Promise<IoThread> {
  try {
    return await IoThread.start({
      port: cfg.usersPort,
      host: cfg.bindAddr,
      backlog: LISTEN_BACKLOG,
      sendQueueBytes: cfg.limits.sendQueueBytes,
      drainTimeoutMs: cfg.limits.drainTimeoutMs,
    });
  } catch (err) {
    die(PROGRAM, listenFailure('users', cfg.usersPort, cfg.bindAddr, err).message);
  }
}

function describeConfig(
  cfg: Readonly<RoomServerConfig>,
  path: string,
  host: string,
  port: number,
  baseName: string,
  toStdout: boolean,
  slots: string | null,
): string[] {
  const us = cfg.userServer;
  const http = Object.entries(cfg.http).filter(([, v]) => v !== null);
  return [
    `RoomServer v11 (WorldServer in TypeScript), pid ${process.pid}, started ${ctime(new Date())}`,
    `Configuration file: ${path}`,
    `Server: ${cfg.serverName}`,
    us
      ? `UserServer: ${us.host}:${us.port} as RoomServer "${us.name}"`
      : 'UserServer: none (stand-alone anonymous world, server type 4)',
    `Listening for users on ${host}:${port}${cfg.ioThread ? ' (sockets on the I/O thread)' : ` (${slots})`}`,
    `Client updates: nearest ${cfg.maxAvatars} avatars every ${cfg.updateIntervalUs} microseconds`,
    `Connections: ${cfg.maxOrdinary} ordinary, ${cfg.maxPriority} priority`,
    `Max channel population: ${cfg.maxChannelPopulation ?? 'unlimited'}${us && cfg.maxChannelPopulation ? ' (ignored: the UserServer assigns channels)' : ''}`,
    `Unicode names: ${cfg.unicodeNames ? 'accepted' : 'refused'}`,
    `Access prefix: ${cfg.accessPrefix ?? 'none'}`,
    `Worlds volunteered: ${cfg.worlds.length ? cfg.worlds.map((w) => `${w.world}${w.channel ? `<${w.channel}${w.suffix ? `;${w.suffix}` : ''}>` : ''}`).join(' ') : 'none'}`,
    `Room database: ${cfg.roomDatabase ? `${cfg.roomDatabase.service} as ${cfg.roomDatabase.user}, every ${cfg.roomDatabase.writeBackMinutes} minutes${cfg.roomDatabase.dynamic ? ', Dynamic' : ''}` : 'none'}`,
    `Message of the hour: ${cfg.mothFile}`,
    `Web and mail: ${http.length ? http.map(([k, v]) => `${k}=${v}`).join(' ') : 'none'}`,
    `Logging: ${cfg.logging ? 'on' : 'off'} (kill -USR1 ${process.pid} toggles)`,
    ...operationsParticulars(cfg.operations, { kind: 'daily' }),
    outputParticulars(baseName, toStdout, cfg.operations.json),
  ];
}

main().catch((err: unknown) => {
  process.stderr.write(`${PROGRAM}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
