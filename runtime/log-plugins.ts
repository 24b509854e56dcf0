// `LogTransport module.mjs`: operators plug their own winston transports (syslog, a log shipper)
// into a server's log without changing the servers. The module's default export is called once
// at start with this server's winston and its Transport base class (so a module needs nothing
// installed to write a transport of its own) and returns one transport or several:
//
//   export default ({ winston, server }) => new winston.transports.Console({ level: 'info' });
//
// The transports receive every .log event (level info and worse; level `debug` to get the .out
// lines too) as a LogRecord: level, message (the .log text), time, server, pid, user, address,
// event, detail. They live on a logger of their own, so a slow one never delays the .log file.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import winston from 'winston';
import TransportStream from 'winston-transport';
import type { ServerLog } from './log.js';

export interface LogTransportContext {
  winston: typeof winston;
  Transport: typeof TransportStream;
  kind: 'UserServer' | 'RoomServer';
  /** The server's name as in its log file name. */
  server: string;
  pid: number;
}

export type LogTransportFactory = (
  ctx: LogTransportContext,
) => TransportStream | TransportStream[] | Promise<TransportStream | TransportStream[]>;

export class LogTransportError extends Error {}

/** Loads every module (paths relative to the working directory) and adds its transports. */
export async function loadLogTransports(
  log: ServerLog,
  modules: readonly { module: string; line: number }[],
  ctx: Omit<LogTransportContext, 'winston' | 'Transport'>,
): Promise<void> {
  for (const m of modules) {
    const where = `LogTransport ${m.module} (line ${m.line})`;
    let made: TransportStream | TransportStream[];
    try {
      const mod = (await import(pathToFileURL(resolve(m.module)).href)) as { default?: unknown };
      if (typeof mod.default !== 'function') throw new Error('its default export is not a function');
      made = await (mod.default as LogTransportFactory)({ ...ctx, winston, Transport: TransportStream });
    } catch (err) {
      throw new LogTransportError(`${where}: cannot load: ${err instanceof Error ? err.message : String(err)}`);
    }
    const list = Array.isArray(made) ? made : [made];
    if (list.length === 0 || !list.every((t) => t instanceof TransportStream || isWritable(t)))
      throw new LogTransportError(`${where}: the module must return winston transports`);
    for (const t of list) log.pluginLogger().add(t);
    log.event(`${where}: ${list.length} transport(s) added`, { event: 'log-transport' });
  }
}

/** A transport built against another copy of winston-transport is still a Writable stream. */
function isWritable(t: unknown): boolean {
  return typeof t === 'object' && t !== null && typeof (t as { write?: unknown }).write === 'function';
}
