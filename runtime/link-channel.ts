// One end of a private server-to-server link (the UserServer-RoomServer link, protocol/LINK.md;
// the backup link between two UserServers, protocol/BACKUP.md): the message decoder, a send path
// with a byte cap (bursts of whispers or logins are absorbed; a peer that stops reading is cut off
// rather than growing memory without bound), a ping every few seconds and an idle limit that
// notices a dead peer, and one idempotent close. Like Connection, it never logs.

import type { Socket } from 'node:net';
import { encodeLink, LinkDecoder, type LinkMessage } from '../protocol/link.js';
import { isProtocolError } from '../protocol/errors.js';
import type { FrameDecoder } from '../protocol/link-codec.js';

export interface LinkChannelOptions {
  /** Unsent bytes allowed before the peer is treated as dead. @default 32 MiB */
  maxQueueBytes?: number;
  /** @default 10 s */
  pingMs?: number;
  /** No message at all for this long closes the link. @default 35 s */
  idleMs?: number;
}

export interface ChannelEvents<M> {
  onMessage(m: M): void;
  onClose(reason: string): void;
}

export type LinkChannelEvents = ChannelEvents<LinkMessage>;

export interface LinkTotals {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** Totals over every RoomServer link of this process, bumped beside the per-link counters (read by the stats registry). */
export const linkTotals: LinkTotals = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };

/** What a link's table gives its channel: the codec, and its PING and PONG messages. */
export interface ChannelCodec<M extends { kind: string }> {
  encode(m: M): Buffer;
  decoder(onMessage: (m: M) => void, onError: (err: unknown) => void): FrameDecoder<M>;
  ping: M;
  pong: M;
  /** The process-wide totals this link counts in. */
  totals: LinkTotals;
}

const ROOMSERVER_CODEC: ChannelCodec<LinkMessage> = {
  encode: encodeLink,
  decoder: (onMessage, onError) => new LinkDecoder(onMessage, onError),
  ping: { kind: 'PING' },
  pong: { kind: 'PONG' },
  totals: linkTotals,
};

export class MessageChannel<M extends { kind: string }> {
  private readonly decoder: FrameDecoder<M>;
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
  trace: ((direction: 'in' | 'out', m: M) => void) | null = null;
  private readonly totals: LinkTotals;

  constructor(
    readonly socket: Socket,
    private readonly events: ChannelEvents<M>,
    private readonly codec: ChannelCodec<M>,
    opts: LinkChannelOptions = {},
  ) {
    this.totals = codec.totals;
    this.maxQueueBytes = opts.maxQueueBytes ?? 32 * 1024 * 1024;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 15_000);
    this.decoder = codec.decoder(
      (m) => this.receive(m),
      (err) =>
        this.close(`malformed link message: ${isProtocolError(err) ? `${err.code}: ${err.message}` : String(err)}`),
    );
    socket.on('data', (chunk: Buffer) => {
      this.totals.bytesIn += chunk.length;
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

  private receive(m: M): void {
    if (this.closed) return;
    this.messagesIn++;
    this.totals.messagesIn++;
    this.trace?.('in', m);
    if (m.kind === this.codec.ping.kind) {
      this.send(this.codec.pong);
      return;
    }
    if (m.kind === this.codec.pong.kind) {
      if (this.pingSentAt > 0) this.rttMs = performance.now() - this.pingSentAt;
      this.pingSentAt = 0;
      return;
    }
    this.events.onMessage(m);
  }

  private ping(): void {
    // A PONG still missing keeps its start time: a peer that stopped answering is not a fast one.
    if (this.pingSentAt === 0) this.pingSentAt = performance.now();
    this.send(this.codec.ping);
  }

  send(m: M): void {
    if (this.closed) return;
    this.messagesOut++;
    this.totals.messagesOut++;
    this.trace?.('out', m);
    const bytes = this.codec.encode(m);
    this.totals.bytesOut += bytes.length;
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

/** One end of a UserServer-RoomServer link. */
export class LinkChannel extends MessageChannel<LinkMessage> {
  constructor(socket: Socket, events: LinkChannelEvents, opts: LinkChannelOptions = {}) {
    super(socket, events, ROOMSERVER_CODEC, opts);
  }
}
