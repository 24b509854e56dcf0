// Taking client sockets on and letting them go, the same way in both servers: a socket the server cannot serve, or one
// from an address that already holds its share (runtime/address-limits.ts), is closed at once with
// a log line (once per address per window); an accepted one becomes a Connection holding its
// address lease. Sockets stop short of the open-file limit (runtime/file-budget.ts); should the
// listener still fail to accept, that is logged once per window and it goes on listening.

import type { AddressLimits } from './address-limits.js';
import type { ClientListener, ClientSocket } from './client-socket.js';
import type { Limits } from './config-common.js';
import { Connection, normalizeAddress, type CloseReason } from './connection.js';
import type { FileBudget } from './file-budget.js';
import { SERVER_STATE, type LogLimiter } from './log-limit.js';

export interface AcceptGate {
  readonly addresses: AddressLimits;
  readonly logLimit: LogLimiter;
  /** The open-file limit as a budget of sockets (runtime/file-budget.ts). */
  readonly files: FileBudget;
  /** Sockets the server holds now. */
  readonly openSockets: number;
  /** The server's current limits (read at every accept, so a configuration reload reaches them). */
  limits(): Readonly<Limits>;
}

/**
 * A Connection for `socket`, or null when it was refused: `refusal` says why the server itself
 * cannot take it (null when it can), then the address limits decide.
 */
export function admitClient(socket: ClientSocket, gate: AcceptGate, refusal: string | null): Connection | null {
  const address = normalizeAddress(socket.remoteAddress);
  // The server's own state (full, shutting down, out of files): one line per window for everyone.
  if (refusal !== null) return refuse(socket, gate, SERVER_STATE, refusal, address);
  const noFiles = gate.files.refusal(gate.openSockets);
  if (noFiles !== null) return refuse(socket, gate, SERVER_STATE, noFiles, address);
  const limits = gate.limits();
  const a = gate.addresses.admit(address, {
    connections: limits.connectionsPerAddress,
    unauthenticated: limits.unauthenticatedPerAddress,
  });
  if (!a.ok) return refuse(socket, gate, a.group, a.reason);
  const conn = new Connection(socket, limits);
  conn.lease = a.lease;
  return conn;
}

function refuse(socket: ClientSocket, gate: AcceptGate, offender: string, why: string, who = offender): null {
  const text = `connection refused: ${why}`;
  // The server's state is one kind of line whatever its counts ("1000 connections open", "1003 …").
  const event = offender === SERVER_STATE ? text.replace(/\d+/g, '#') : text;
  gate.logLimit.error(who, event, text, offender, {
    event: 'connection-refused',
    address: who,
  });
  socket.on('error', () => {});
  socket.destroy();
  return null;
}

/** Accept failures of a listening server: logged once per window, never fatal. */
export function watchAcceptErrors(server: ClientListener, what: string, logLimit: LogLimiter): void {
  server.on('error', (err: NodeJS.ErrnoException) => {
    const code = err.code ?? 'error';
    const text =
      code === 'EMFILE' || code === 'ENFILE'
        ? `cannot accept ${what}: the ${code === 'EMFILE' ? "process's" : "system's"} open-file limit is reached (${code}); connections are refused until some close. Raise the limit (ulimit -n) or lower Connections`
        : `cannot accept ${what}: ${err.message}`;
    logLimit.error(null, `accept ${code}`, text, 'listener');
  });
}

/**
 * Every close of a client connection leaves a line (TEAM-NOTES finding 10), once per address and
 * reason per window: `(Bob) - timeout`, `(127.0.0.1) - left before logging in: connection closed`.
 */
export function logClose(logLimit: LogLimiter, conn: Connection, reason: CloseReason, loggedIn: boolean): void {
  const quiet = reason.kind === 'peer' || reason.kind === 'exit';
  const text = !loggedIn && quiet ? `left before logging in: ${reason.detail}` : reason.detail;
  logLimit.error(conn.label, `close ${reason.kind} ${reason.detail}`, text, conn.remoteAddress, {
    event: 'disconnect',
    user: loggedIn ? conn.label : null,
    address: conn.remoteAddress,
  });
}
