// One client socket (ENGINEERING.md practices 6-9): the streaming decoder, an outgoing batch that is
// written once per event-loop turn (so a tick produces one write per client), the caps on what the
// peer may cost us, and every timer, all cleared by one idempotent close().
//
// The connection never logs. It reports through its handler; the server decides what to write.

import type { AnyCommand } from '../protocol/commands.js';
import { StreamDecoder, type DecoderEvents } from '../protocol/decoder.js';
import { isProtocolError } from '../protocol/errors.js';
import { KEEPALIVE } from '../protocol/messages.js';
import type { AddressLease } from './address-limits.js';
import type { ClientSocket } from './client-socket.js';
import type { Limits } from './config-common.js';
import { drainDeadline, overQueue } from './send-queue.js';

export type CloseKind =
  | 'peer' // the client closed or reset the connection
  | 'exit' // the client said SESSIONEXIT
  | 'protocol' // malformed frame or illegal command
  | 'login-timeout'
  | 'idle'
  | 'slow' // slow consumer: send queue over its cap or not draining
  | 'flood'
  | 'kicked' // replaced by a new login, booted, or refused
  | 'server'; // shutdown or lost UserServer

export interface CloseReason {
  kind: CloseKind;
  detail: string;
}

/** The Connection a socket belongs to, for the shared listeners (Connection.onData and the others). */
const OWNER = Symbol('connection');
interface Owned {
  [OWNER]: Connection;
}

function ownerOf(socket: ClientSocket): Connection {
  return (socket as unknown as Owned)[OWNER];
}

function ignore(): void {}

export interface ConnectionHandler {
  onCommand(command: AnyCommand, inCoFrame: boolean): void;
  onClose(reason: CloseReason): void;
}

export interface TraceHooks {
  in(conn: Connection, command: AnyCommand): void;
  out(conn: Connection, frame: Buffer): void;
}

const CLOSE_KINDS: readonly CloseKind[] = [
  'peer',
  'exit',
  'protocol',
  'login-timeout',
  'idle',
  'slow',
  'flood',
  'kicked',
  'server',
];

/**
 * Totals over every connection of this process, bumped beside the per-connection counters; the
 * statistics registry reads them on its timer, so counting costs one addition per event.
 */
export const connectionTotals = {
  opened: 0,
  bytesIn: 0,
  bytesOut: 0,
  framesIn: 0,
  framesOut: 0,
  /** Bytes accepted for sending but discarded because their connection was dropped (slow consumers). */
  droppedBytes: 0,
  closed: Object.fromEntries(CLOSE_KINDS.map((k) => [k, 0])) as Record<CloseKind, number>,
};

/** Frames queued by any connection during this turn are written when the turn ends. */
const dirty: Connection[] = [];
/** Queue slots a connection keeps between writes; more are given back after a burst. */
const BURST_SLOTS = 32;
let flushScheduled = false;

function scheduleFlush(c: Connection): void {
  dirty.push(c);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushAll);
  }
}

/** Writes every connection's pending batch now (the tick calls this after each slice). */
export function flushAll(): void {
  flushScheduled = false;
  for (let i = 0; i < dirty.length; i++) (dirty[i] as Connection).flush();
  dirty.length = 0;
}

let nextConnectionId = 1;

/** Shared by every connection that does not say otherwise (one function, not one per user). */
const always = (): boolean => true;

/**
 * Logged-in connections, checked for idleness and keep-alives by one sweep rather than two timers
 * each: at 19,000 users two Timeouts a connection held 6 MiB, and were re-armed on every read and
 * every write.
 */
const watched = new Set<Connection>();
let sweepTimer: NodeJS.Timeout | null = null;
/** The sweep runs at most this often, and at least an eighth of the shortest timeout apart. */
const SWEEP_MIN_MS = 50;
const SWEEP_MAX_MS = 1000;

function watch(c: Connection, periodMs: number): void {
  watched.add(c);
  if (sweepTimer === null) {
    sweepTimer = setTimeout(sweep, periodMs);
    sweepTimer.unref();
  }
}

function sweep(): void {
  sweepTimer = null;
  const now = Date.now();
  let period = SWEEP_MAX_MS;
  // A connection closed by check() leaves the set; deleting the current entry is safe in a for-of.
  for (const c of watched) period = Math.min(period, c.check(now));
  if (watched.size > 0) {
    sweepTimer = setTimeout(sweep, period);
    sweepTimer.unref();
  }
}

export class Connection implements DecoderEvents {
  readonly id = nextConnectionId++;
  readonly remoteAddress: string;
  private readonly decoder: StreamDecoder;
  private handler: ConnectionHandler | null = null;
  /**
   * Frames queued this turn: the first `outCount` slots. The array is kept and its slots cleared
   * after each write: a fresh one per flush would live until the next, long enough to be promoted,
   * and once dead in V8's old space it would keep the frames it held alive through every scavenge.
   */
  private readonly out: (Buffer | null)[] = [];
  private outCount = 0;
  private outBytes = 0;
  private queued = false;
  private closed = false;
  private held = 0;
  private readonly heldCommands: { command: AnyCommand; co: boolean }[] = [];
  private loginTimer: NodeJS.Timeout | null;
  /** Until the first frame: the real client sends PROPREQ at once (§6.3 step 1). */
  private firstFrameTimer: NodeJS.Timeout | null;
  /** Last bytes read and last batch written (ms since the epoch), for the idle and keep-alive sweep. */
  private lastIn = 0;
  private lastOut = 0;
  private drainTimer: NodeJS.Timeout | null = null;
  private closeTimer: NodeJS.Timeout | null = null;
  private tokens: number;
  private lastRefill = Date.now();
  /** Set by the server while command logging is on. */
  trace: TraceHooks | null = null;
  /** A label for log lines: the user name once known. */
  label: string;
  /**
   * Whether a quiet connection should be kept alive. A client drops a connection it no longer uses
   * after 120 s of silence both ways (§6.1); keep-alives on such a connection would defeat that.
   */
  wantsKeepAlive: () => boolean = always;
  /** This socket's place in the per-address counts: given back at login and at close. */
  lease: AddressLease | null = null;

  bytesIn = 0;
  bytesOut = 0;
  framesIn = 0;
  framesOut = 0;

  constructor(
    readonly socket: ClientSocket,
    private readonly limits: Readonly<Limits>,
    /** Commands allowed to pile up while the session waits for async work (login, database). */
    private readonly maxHeldCommands = 256,
  ) {
    this.remoteAddress = normalizeAddress(socket.remoteAddress);
    this.label = this.remoteAddress;
    connectionTotals.opened++;
    this.tokens = limits.frameBurst;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    this.decoder = new StreamDecoder(this);
    (socket as unknown as Owned)[OWNER] = this;
    socket.on('data', Connection.onData);
    socket.on('end', Connection.onEnd);
    socket.on('close', Connection.onClose);
    socket.on('error', Connection.onError);
    socket.on('drain', Connection.onDrain);
    socket.on('slow', Connection.onSlow);
    this.loginTimer = setTimeout(
      () => this.close({ kind: 'login-timeout', detail: 'login did not arrive in time' }),
      limits.loginTimeoutMs,
    );
    this.loginTimer.unref();
    // Bytes alone do not count: only a whole frame shows a client, so a byte now and then cannot
    // keep an idle socket, and once the first frame came the login timer above never restarts.
    this.firstFrameTimer = setTimeout(
      () =>
        this.close({
          kind: 'login-timeout',
          detail: `no request within ${limits.firstRequestTimeoutMs / 1000} s of connecting`,
        }),
      limits.firstRequestTimeoutMs,
    );
    this.firstFrameTimer.unref();
  }

  // The socket's listeners, shared by every connection (an emitter calls them with itself as
  // `this`): six closures per connection were 0.4 KiB per user (issue 9, memory per user).
  private static onData(this: ClientSocket, chunk: Buffer): void {
    const c = ownerOf(this);
    c.bytesIn += chunk.length;
    connectionTotals.bytesIn += chunk.length;
    c.lastIn = Date.now();
    c.decoder.push(chunk);
  }

  private static onEnd(this: ClientSocket): void {
    ownerOf(this).close({ kind: 'peer', detail: 'connection closed by client' });
  }

  private static onClose(this: ClientSocket): void {
    ownerOf(this).close({ kind: 'peer', detail: 'connection closed' });
  }

  private static onError(this: ClientSocket, err: NodeJS.ErrnoException): void {
    ownerOf(this).close({ kind: 'peer', detail: err.code === 'ECONNRESET' ? 'Connection reset by peer' : err.message });
  }

  private static onDrain(this: ClientSocket): void {
    ownerOf(this).drained();
  }

  private static onSlow(this: ClientSocket, detail: string): void {
    ownerOf(this).destroy({ kind: 'slow', detail });
  }

  attach(handler: ConnectionHandler): void {
    this.handler = handler;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes accepted by send() but not yet written, plus what the socket still holds. */
  get bufferedAmount(): number {
    return this.outBytes + this.socket.writableLength;
  }

  /** Called once the session is live: the login timer gives way to idle and keep-alive timers. */
  loggedIn(): void {
    if (this.closed) return;
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = null;
    this.lease?.authenticated();
    this.lastIn = this.lastOut = Date.now();
    watch(this, this.sweepPeriodMs());
  }

  /**
   * The sweep's visit: closes an idle connection, keeps a quiet one alive. Returns how soon this
   * connection wants the next visit. Reads the limits each time, so a reload reaches it.
   */
  check(now: number): number {
    if (this.closed) return SWEEP_MAX_MS;
    if (now - this.lastIn >= this.limits.idleTimeoutMs) {
      this.close({ kind: 'idle', detail: 'timeout' });
      return SWEEP_MAX_MS;
    }
    if (now - this.lastOut >= this.limits.keepAliveMs) {
      if (this.wantsKeepAlive()) this.send(KEEPALIVE);
      this.lastOut = now;
    }
    return this.sweepPeriodMs();
  }

  private sweepPeriodMs(): number {
    const shortest = Math.min(this.limits.idleTimeoutMs, this.limits.keepAliveMs);
    return Math.max(SWEEP_MIN_MS, Math.min(SWEEP_MAX_MS, shortest / 8));
  }

  /** The decoder's error: the connection ends with it. */
  onError(err: unknown): void {
    this.close({ kind: 'protocol', detail: describeDecodeError(err) });
  }

  /** The decoder's command (the connection is its DecoderEvents, not one closure pair per user). */
  onCommand(command: AnyCommand, co: boolean): void {
    if (this.closed) return;
    connectionTotals.framesIn++;
    if (this.framesIn++ === 0 && this.firstFrameTimer) {
      clearTimeout(this.firstFrameTimer);
      this.firstFrameTimer = null;
    }
    if (!this.takeToken()) {
      this.close({ kind: 'flood', detail: `more than ${this.limits.framesPerSecond} frames per second` });
      return;
    }
    if (this.held > 0) {
      if (this.heldCommands.length >= this.maxHeldCommands) {
        this.close({
          kind: 'flood',
          detail: `more than ${this.maxHeldCommands} frames while the server was busy with this client`,
        });
        return;
      }
      this.heldCommands.push({ command, co });
      return;
    }
    this.trace?.in(this, command);
    this.handler?.onCommand(command, co);
  }

  private takeToken(): boolean {
    const now = Date.now();
    const elapsed = now - this.lastRefill;
    if (elapsed > 0) {
      this.tokens = Math.min(this.limits.frameBurst, this.tokens + (elapsed * this.limits.framesPerSecond) / 1000);
      this.lastRefill = now;
    }
    this.tokens -= 1;
    return this.tokens >= 0;
  }

  /**
   * Defers the handling of further commands until release(): per-connection order is kept while a
   * login or a database call is under way (practice 7). Reading stops meanwhile.
   */
  hold(): void {
    if (this.held++ === 0) this.socket.pause();
  }

  release(): void {
    if (this.held === 0 || --this.held > 0 || this.closed) return;
    while (this.heldCommands.length > 0 && this.held === 0 && !this.closed) {
      const next = this.heldCommands.shift() as { command: AnyCommand; co: boolean };
      this.trace?.in(this, next.command);
      try {
        this.handler?.onCommand(next.command, next.co);
      } catch (err) {
        this.close({ kind: 'protocol', detail: describeDecodeError(err) });
        return;
      }
    }
    if (this.held === 0 && !this.closed) this.socket.resume();
  }

  /** Queues one encoded frame; it is written with the rest of this turn's frames. */
  send(frame: Buffer): void {
    if (this.closed) return;
    this.out[this.outCount++] = frame;
    this.outBytes += frame.length;
    if (!this.queued) {
      this.queued = true;
      scheduleFlush(this);
    }
  }

  sendAll(frames: readonly Buffer[]): void {
    for (const f of frames) this.send(f);
  }

  flush(): void {
    this.queued = false;
    const n = this.outCount;
    if (this.closed || n === 0) return;
    const out = this.out;
    let data: Buffer;
    if (n === 1) {
      data = out[0] as Buffer;
      out[0] = null;
      this.trace?.out(this, data);
    } else {
      data = Buffer.allocUnsafe(this.outBytes);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const frame = out[i] as Buffer;
        out[i] = null;
        data.set(frame, at);
        at += frame.length;
        this.trace?.out(this, frame);
      }
      // A burst (a login shown a crowd) does not leave every connection holding a long array.
      if (out.length > BURST_SLOTS) out.length = 0;
    }
    this.framesOut += n;
    this.bytesOut += data.length;
    connectionTotals.framesOut += n;
    connectionTotals.bytesOut += data.length;
    this.outCount = 0;
    this.outBytes = 0;
    this.socket.write(data);
    this.lastOut = Date.now();
    const over = overQueue(this.socket, this.limits);
    if (over) {
      this.destroy({ kind: 'slow', detail: over });
      return;
    }
    if (this.socket.writableNeedDrain && !this.drainTimer)
      this.drainTimer = drainDeadline(this.limits, (detail) => this.destroy({ kind: 'slow', detail }));
  }

  private drained(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
  }

  /** Ends the connection after writing what is queued (for example a SESSIONEXIT reply). */
  close(reason: CloseReason): void {
    if (this.closed) return;
    this.flush();
    // The flush itself may have dropped a slow consumer.
    if (this.closed) return;
    this.finish(reason);
    this.socket.end();
    this.closeTimer = setTimeout(() => this.socket.destroy(), 5_000);
    this.closeTimer.unref();
  }

  /** Drops the connection at once, discarding queued output (slow consumers). */
  destroy(reason: CloseReason): void {
    if (this.closed) return;
    connectionTotals.droppedBytes += this.outBytes + this.socket.writableLength;
    this.finish(reason);
    this.socket.destroy();
  }

  private finish(reason: CloseReason): void {
    this.closed = true;
    connectionTotals.closed[reason.kind]++;
    this.decoder.kill();
    for (const t of [this.loginTimer, this.firstFrameTimer, this.drainTimer]) if (t) clearTimeout(t);
    this.loginTimer = this.firstFrameTimer = this.drainTimer = null;
    watched.delete(this);
    this.lease?.release();
    this.out.length = this.outCount = 0;
    this.outBytes = 0;
    this.heldCommands.length = 0;
    // A dead socket must not fire into a freed session.
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('drain');
    this.socket.removeAllListeners('slow');
    this.socket.removeAllListeners('error');
    this.socket.on('error', ignore);
    const h = this.handler;
    this.handler = null;
    h?.onClose(reason);
  }
}

function describeDecodeError(err: unknown): string {
  if (isProtocolError(err)) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `internal error handling a command: ${err.message}`;
  return String(err);
}

/** `::ffff:1.2.3.4` → `1.2.3.4`, so logs show the address operators expect. */
export function normalizeAddress(addr: string | undefined): string {
  if (!addr) return 'unknown';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}
