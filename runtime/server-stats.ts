// Stats both servers keep the same way (AG-41): client connections by state, what ended them,
// frames and bytes each way, and logins refused by NAK code. The hot paths only bump plain totals
// (`connectionTotals` in connection.ts, a counts array here); everything is read when sampled.

import { Nak } from '../protocol/constants.js';
import { connectionTotals, type CloseKind } from './connection.js';
import type { StatsRegistry } from './stats.js';

/** The NAK codes a login can be refused with (§4.2), by name, `ACK` excepted. */
const REFUSALS = Object.entries(Nak).filter(([, code]) => code !== Nak.ACK) as [string, number][];

/** Logins accepted, and refused by NAK code: one addition where the login ends. */
export class LoginCounts {
  logins = 0;
  readonly refused: number[] = new Array<number>(256).fill(0);

  refuse(nak: number): void {
    const i = nak & 0xff;
    this.refused[i] = (this.refused[i] ?? 0) + 1;
  }
}

/**
 * A value computed from a walk over many objects, at most once per event-loop turn however many
 * stats read it (a `show stats` report, a scrape). Walks happen only when someone reads.
 */
export function perTurn<T>(compute: () => T): () => T {
  let cached: { value: T } | null = null;
  return () => {
    if (cached) return cached.value;
    const value = compute();
    cached = { value };
    setImmediate(() => (cached = null));
    return value;
  };
}

const CLOSES: readonly { kind: CloseKind; name: string; description: string }[] = [
  { kind: 'peer', name: 'closed_by_client', description: 'Connections the client closed or reset' },
  { kind: 'exit', name: 'session_exits', description: 'Connections ended by the client logging off (SESSIONEXIT)' },
  {
    kind: 'protocol',
    name: 'protocol_errors',
    description: 'Connections closed for a malformed frame or an illegal command (each logged with its reason)',
  },
  {
    kind: 'login-timeout',
    name: 'login_timeouts',
    description: 'Connections closed because no login arrived within Timeouts login',
  },
  { kind: 'idle', name: 'idle_timeouts', description: 'Logged-in clients dropped after Timeouts idle without a frame' },
  {
    kind: 'slow',
    name: 'slow_consumer_evictions',
    description:
      'Clients dropped because they did not read what was sent to them (SendQueue); their queued output is discarded',
  },
  {
    kind: 'flood',
    name: 'flood_closes',
    description: 'Clients disconnected for sending more frames than FloodLimit allows',
  },
  {
    kind: 'kicked',
    name: 'kicks',
    description: 'Connections closed by the server: refused logins, boots, a newer login of the same user',
  },
  {
    kind: 'server',
    name: 'server_closes',
    description: 'Connections closed at shutdown or when the galaxy link was lost',
  },
];

/** The states of a client session worth counting, on both servers (closed sessions are gone). */
export const SESSION_STATES = ['awaiting-propreq', 'awaiting-login', 'authenticating', 'live'] as const;

/**
 * Connection stats: `states()` counts the live connections by state (walked only when read).
 * `stateNames` are the states worth showing, in order.
 */
export function registerConnectionStats(
  reg: StatsRegistry,
  stateNames: readonly string[],
  states: () => Iterable<{ state: string }>,
): void {
  const tally = perTurn(() => {
    const counts = new Map<string, number>();
    let total = 0;
    for (const s of states()) {
      counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
      total++;
    }
    return { counts, total };
  });
  reg.number('connections', 'connections', 'Client connections open now, in any state', () => tally().total);
  const family = { name: 'connections_by_state', help: 'Client connections open now, by state of the session' };
  for (const state of stateNames) {
    reg.number(
      `connections_${state.replace(/-/g, '_')}`,
      'connections',
      `Client connections in state ${state}`,
      () => tally().counts.get(state) ?? 0,
      { family: { ...family, labels: { state } } },
    );
  }
  reg.changeOf('connections_opened', 'connections', 'Client connections accepted', () => connectionTotals.opened);
  const closes = { name: 'connections_closed', help: 'Client connections ended, by why they ended' };
  for (const c of CLOSES) {
    reg.changeOf(c.name, 'connections', c.description, () => connectionTotals.closed[c.kind], {
      family: { ...closes, labels: { reason: c.kind } },
    });
  }
  reg.changeOf(
    'send_queue_dropped_bytes',
    'bytes',
    'Output discarded because its client was dropped as a slow consumer',
    () => connectionTotals.droppedBytes,
  );
  reg.changeOf('frames_received', 'frames', 'Protocol frames received from clients', () => connectionTotals.framesIn);
  reg.changeOf('frames_sent', 'frames', 'Protocol frames sent to clients', () => connectionTotals.framesOut);
  reg.changeOf('bytes_received', 'bytes', 'Bytes received from clients', () => connectionTotals.bytesIn);
  reg.changeOf('bytes_sent', 'bytes', 'Bytes written to clients', () => connectionTotals.bytesOut);
}

/** `logins_refused_<nak name>` for every NAK code, and the share of logins refused. */
export function registerLoginStats(reg: StatsRegistry, counts: LoginCounts, where: string): void {
  reg.changeOf('logins', 'logins', `Logins accepted ${where}`, () => counts.logins);
  const family = { name: 'logins_refused', help: `Logins refused ${where}, by the NAK code the client was shown` };
  for (const [name, code] of REFUSALS) {
    reg.changeOf(
      `logins_refused_${name.toLowerCase()}`,
      'logins',
      `Logins refused ${where} with NAK ${code} (${name})`,
      () => counts.refused[code] ?? 0,
      { family: { ...family, labels: { nak: String(code), reason: name.toLowerCase() } } },
    );
  }
  reg.percentage('login_failure_ratio', `Share of login attempts ${where} that were refused`, () => {
    let refused = 0;
    for (const [, code] of REFUSALS) refused += counts.refused[code] ?? 0;
    return [refused, refused + counts.logins];
  });
}
