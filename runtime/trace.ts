// Formats commands for the .out trace (AG-36): one line per command in or out, payload truncated,
// passwords never written (ENGINEERING.md practice 12).

import type { AnyCommand } from '../protocol/commands.js';
import type { TraceHooks } from './connection.js';
import type { ServerLog } from './log.js';
import { Var } from '../protocol/constants.js';
import { decodeFrame } from '../protocol/codec.js';

const MAX = 300;

export function describeCommand(c: AnyCommand): string {
  const fields: string[] = [];
  for (const [k, v] of Object.entries(c)) {
    if (k === 'cmd' || k === 'objId') continue;
    fields.push(`${k}=${formatValue(k, v)}`);
  }
  const s = `${c.cmd} ${formatObjId(c.objId)} ${fields.join(' ')}`.trimEnd();
  return s.length > MAX ? `${s.slice(0, MAX)}… <${s.length} chars>` : s;
}

export function describeFrame(frame: Buffer): string {
  try {
    return decodeFrame(frame).commands.map(describeCommand).join(' | ');
  } catch {
    return `<${frame.length} bytes ${frame.subarray(0, 32).toString('hex')}>`;
  }
}

function formatObjId(id: number | string): string {
  return typeof id === 'number' ? `#${id}` : JSON.stringify(id);
}

function formatValue(key: string, v: unknown): string {
  if (key === 'props' && Array.isArray(v)) {
    return `[${v
      .map((p: { id: number; value: unknown; flags?: number }) => {
        const value = p.id === Var.PASSWORD || p.id === Var.NEW_PASSWD ? '<redacted>' : formatValue('', p.value);
        return `${p.id}${p.flags === undefined ? '' : `/${p.flags.toString(16)}`}=${value}`;
      })
      .join(',')}]`;
  }
  if (Buffer.isBuffer(v)) return `0x${v.subarray(0, 32).toString('hex')}${v.length > 32 ? `…(${v.length})` : ''}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.join(',')}]`;
  return String(v);
}

/** Connection hooks that write every command in (`<-`) and out (`->`) to the .out trace. */
export function commandTrace(log: ServerLog): TraceHooks {
  return {
    in: (conn, c) => log.trace(`<- ${conn.label} ${describeCommand(c)}`),
    out: (conn, frame) => log.trace(`-> ${conn.label} ${describeFrame(frame)}`),
  };
}

/** A link message for the trace: pings left out by the caller, passwords, proofs and verifiers redacted. */
export function describeLinkMessage(m: { readonly kind: string }): string {
  const fields: string[] = [];
  for (const [k, v] of Object.entries(m)) {
    if (k === 'kind') continue;
    const redacted = k === 'password' || k === 'proof' || k === 'nonce' || k === 'verifier';
    fields.push(`${k}=${redacted ? '<redacted>' : formatValue(k, v)}`);
  }
  const s = `${m.kind} ${fields.join(' ')}`.trimEnd();
  return s.length > MAX ? `${s.slice(0, MAX)}… <${s.length} chars>` : s;
}

/** Any link's messages (the RoomServer link, the backup link). */
export type LinkTrace = (direction: 'in' | 'out', m: { readonly kind: string }) => void;

/** Link hooks writing every message but pings to the .out trace, named after the peer. */
export function linkTrace(log: ServerLog, peer: () => string): LinkTrace {
  return (direction, m) => {
    if (m.kind !== 'PING' && m.kind !== 'PONG')
      log.trace(`${direction === 'in' ? '<=' : '=>'} ${peer()} ${describeLinkMessage(m)}`);
  };
}

/**
 * AG-36 `kill -USR1`: flips command logging, says so in the log, and returns the connection hooks
 * to install now (null when logging went off). Each server applies them to what it owns.
 */
export function toggleCommandTrace(log: ServerLog, why = 'SIGUSR1'): TraceHooks | null {
  const on = !log.tracing;
  log.setTracing(on);
  log.event(
    `Logging ${on ? 'enabled' : 'disabled'} (${why}); command trace ${on ? 'appended to' : 'stopped in'} ${log.outPath}`,
  );
  return on ? commandTrace(log) : null;
}
