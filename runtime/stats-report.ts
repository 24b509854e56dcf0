// `show stats` (AG-41, seed 000): every stat of the server, one OpenSimulator-style line each, under
// a timestamped header. The servers have no console, so `kill -USR2 <pid>` writes it to the log;
// the status endpoint serves the same lines at /stats.

import type { AddressInfo } from 'node:net';
import { ctime, type ServerLog } from './log.js';
import { formatReading, type StatsRegistry } from './stats.js';

export function showStatsLines(reg: StatsRegistry, now = new Date()): string[] {
  const readings = reg.readings();
  const sampled = reg.lastSampleAt ? `, rates as of ${ctime(new Date(reg.lastSampleAt))}` : '';
  return [
    `${ctime(now)} show stats: ${readings.length} stats of ${reg.category}.${reg.container}${sampled}`,
    ...readings.map(formatReading),
  ];
}

/** `kill -USR2 <pid>` writes a `show stats` report to the log. */
export function installShowStats(log: ServerLog, reg: StatsRegistry): void {
  process.on('SIGUSR2', () => log.block(showStatsLines(reg)));
}

/** The startup particular naming the status endpoint (tests read its port like the others). */
export function statusLine(a: AddressInfo): string {
  return `Listening for status on ${a.address}:${a.port} (http://${a.address}:${a.port}/; kill -USR2 ${process.pid} logs show stats)`;
}
