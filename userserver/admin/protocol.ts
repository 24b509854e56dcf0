// The control socket's protocol, version 1: newline-delimited JSON, one request per line, one
// answer line per request, in order.
//
//   request  {"v":1,"id":7,"task":"report","input":{"pattern":"Al*"},"by":"wsadmin:alice"}
//   answer   {"v":1,"id":7,"ok":true,"value":{…},"summary":"2 accounts by name Al*"}
//            {"v":1,"id":7,"ok":false,"error":{"code":"not-found","message":"no account named Bob"}}
//
// Dates travel as ISO 8601 strings; `reviveDates` turns them back into Date objects.

import type { AdminError } from './types.js';

export const CONTROL_VERSION = 1;
/** Longest `by` kept for the audit line. */
const MAX_BY = 64;

export interface ControlRequest {
  v: number;
  id: number;
  task: string;
  input: unknown;
  by: string;
}

export type ControlAnswer =
  | { v: number; id: number; ok: true; value: unknown; summary: string }
  | { v: number; id: number; ok: false; error: AdminError };

const usage = (id: number, message: string): ControlAnswer => ({
  v: CONTROL_VERSION,
  id,
  ok: false,
  error: { code: 'usage', message },
});

/** A request line, or the answer that refuses it. */
export function parseRequest(line: string): ControlRequest | ControlAnswer {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return usage(0, 'a request is one line of JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return usage(0, 'a request is a JSON object');
  const r = o as Record<string, unknown>;
  const id = typeof r.id === 'number' && Number.isSafeInteger(r.id) ? r.id : 0;
  if (r.v !== CONTROL_VERSION)
    return usage(
      id,
      `control protocol version ${String(r.v)} is not spoken here (this UserServer speaks ${CONTROL_VERSION})`,
    );
  if (typeof r.task !== 'string') return usage(id, 'task is missing');
  const by = typeof r.by === 'string' ? r.by.replace(/[\p{Cc}\s]+/gu, '_').slice(0, MAX_BY) : '';
  return { v: CONTROL_VERSION, id, task: r.task, input: r.input ?? {}, by: by || 'unknown' };
}

export const isAnswer = (r: ControlRequest | ControlAnswer): r is ControlAnswer => 'ok' in r;

export function encodeLine(message: ControlRequest | ControlAnswer): string {
  return `${JSON.stringify(message)}\n`;
}

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** JSON.parse reviver: ISO date strings become Dates again. */
export function reviveDates(_key: string, value: unknown): unknown {
  return typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : value;
}

/**
 * Splits a byte stream into lines, holding at most `maxBytes` of an unfinished one: a longer line
 * is an error, never a growing buffer.
 */
export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxBytes: () => number) {}

  /** The complete lines in `chunk` (and before it), or null when a line is too long. */
  push(chunk: Buffer): string[] | null {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (this.pendingBytes + nl - start > this.maxBytes()) return null;
      this.pending.push(chunk.subarray(start, nl));
      lines.push(Buffer.concat(this.pending).toString('utf8').replace(/\r$/, ''));
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    this.pendingBytes += rest.length;
    if (this.pendingBytes > this.maxBytes()) return null;
    if (rest.length) this.pending.push(rest);
    return lines.filter((l) => l.trim() !== '');
  }
}
