// One end of a UserServer-RoomServer link (protocol/LINK.md): the message decoder, a send path
// with a byte cap (bursts of whispers or logins are absorbed; a peer that stops reading is cut off
// rather than growing memory without bound), a ping every few seconds and an idle limit that
// notices a dead peer, and one idempotent close. Like Connection, it never logs.

import type { Socket } from 'node:net';
import { encodeLink, LinkDecoder, type LinkMessage } from '../protocol/link.js';
import { isProtocolError } from '../protocol/errors.js';

export interface LinkChannelOptions {
  /** Unsent bytes allowed before the peer is treated as dead. @default 32 MiB */
  maxQueueBytes?: number;
  /** @default 10 s */
  pingMs?: number;
  /** No message at all for this long closes the link. @default 35 s */
  idleMs?: number;
}

export interface LinkChannelEvents {
  onMessage(m: LinkMessage): void;
  onClose(reason: string): void;
}

/** Totals over every link of this process, bumped beside the per-link counters (read by the stats registry). */
export const linkTotals = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };

export class LinkChannel {
  private readonly decoder: LinkDecoder;
  private closed = false;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly maxQueueBytes: number;
  messagesIn = 0;
  messagesOut = 0;
  /** Round trip of the last PING answered, in ms (0 until one was): the peer's load shows here too. */
  rttMs = 0;
  private pingSentAt = 0;
  /** Set by the server while command logging is on. */
  trace: ((direction: 'in' | 'out', m: LinkMessage) => void) | null = null;

  constructor(
    readonly socket: Socket,
    private readonly events: LinkChannelEvents,
    opts: LinkChannelOptions = {},
  ) {
    this.maxQueueBytes = opts.maxQueueBytes ?? 32 * 1024 * 1024;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 15_000);
    this.decoder = new LinkDecoder(
      (m) => this.receive(m),
      (err) =>
        this.close(`malformed link message: ${isProtocolError(err) ? `${err.code}: ${err.message}` : String(err)}`),
    );
    socket.on('data', (chunk: Buffer) => {
      linkTotals.bytesIn += chunk.length;
      this.idleTimer.refresh();
      this.decoder.push(chunk);
    });
    socket.on('error', (err) => this.close(err.message));
    socket.on('end', () => this.close('closed by the other side'));
    socket.on('close', () => this.close('connection closed'));
    this.pingTimer = setInterval(() => this.ping(), opts.pingMs ?? 10_000);
    this.pingTimer.unref();
    this.idleTimer = setTimeout(
      () => this.close(`nothing heard for ${(opts.idleMs ?? 35_000) / 1000} s`),
      opts.idleMs ?? 35_000,
    );
    this.idleTimer.unref();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get remoteAddress(): string {
    const a = this.socket.remoteAddress ?? '';
    return a.startsWith('::ffff:') ? a.slice(7) : a;
  }

  get localAddress(): string {
    const a = this.socket.localAddress ?? '';
    return a.startsWith('::ffff:') ? a.slice(7) : a;
  }

  private receive(m: LinkMessage): void {
    if (this.closed) return;
    this.messagesIn++;
    linkTotals.messagesIn++;
    this.trace?.('in', m);
    if (m.kind === 'PING') {
      this.send({ kind: 'PONG' });
      return;
    }
    if (m.kind === 'PONG') {
      if (this.pingSentAt > 0) this.rttMs = performance.now() - this.pingSentAt;
      this.pingSentAt = 0;
      return;
    }
    this.events.onMessage(m);
  }

  private ping(): void {
    // A PONG still missing keeps its start time: a peer that stopped answering is not a fast one.
    if (this.pingSentAt === 0) this.pingSentAt = performance.now();
    this.send({ kind: 'PING' });
  }

  send(m: LinkMessage): void {
    if (this.closed) return;
    this.messagesOut++;
    linkTotals.messagesOut++;
    this.trace?.('out', m);
    const bytes = encodeLink(m);
    linkTotals.bytesOut += bytes.length;
    this.socket.write(bytes);
    if (this.socket.writableLength > this.maxQueueBytes) {
      this.close(`peer not reading: ${this.socket.writableLength} bytes unsent`);
      this.socket.destroy();
    }
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.idleTimer);
    this.decoder.kill();
    this.socket.removeAllListeners('data');
    this.socket.on('error', () => {});
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2_000).unref();
    this.events.onClose(reason);
  }
}
