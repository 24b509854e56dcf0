// One backup link to the other UserServer (protocol/BACKUP.md), once the TLS-PSK handshake proved
// that both know the password (runtime/secure-link.ts): HELLO from the BackupClient, WELCOME or
// REFUSED from the BackupServer, then the same messages both ways. Requests carry a reqId the
// answer repeats; one not answered in time, or cut off by the link's end, resolves to null. Like
// the RoomServer link, it never logs: its owner (userserver/backup/peer.ts) does.

import type { TLSSocket } from 'node:tls';
import {
  BACKUP_VERSION,
  BackupDecoder,
  encodeBackup,
  type BackupMessage,
  type BackupMessageOf,
  type BackupRole,
} from '../../protocol/backup.js';
import { MessageChannel, type ChannelCodec, type LinkTotals } from '../../runtime/link-channel.js';
import type { LinkTrace } from '../../runtime/trace.js';

/** Messages and bytes of the backup link (the stats registry reads them). */
export const backupTotals: LinkTotals = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };

const CODEC: ChannelCodec<BackupMessage> = {
  encode: encodeBackup,
  decoder: (onMessage, onError) => new BackupDecoder(onMessage, onError),
  ping: { kind: 'PING' },
  pong: { kind: 'PONG' },
  totals: backupTotals,
};

export type PeerHello = Omit<BackupMessageOf<'HELLO'>, 'kind'>;

type Answer =
  | BackupMessageOf<'WHISPER_ANS'>
  | BackupMessageOf<'BOOT_ANS'>
  | BackupMessageOf<'ROOM_ANS'>
  | BackupMessageOf<'CLAIM_ANS'>
  | BackupMessageOf<'RETURN_ANS'>;
type AnswerKind = Answer['kind'];
export type AnswerOf<K extends AnswerKind> = Extract<Answer, { kind: K }>;

const ANSWERS = new Set<string>(['WHISPER_ANS', 'BOOT_ANS', 'ROOM_ANS', 'CLAIM_ANS', 'RETURN_ANS']);

export interface BackupLinkHost {
  /** What this UserServer says of itself in HELLO or WELCOME. */
  ownHello(): PeerHello;
  /** Why the other UserServer may not be linked with, or null. */
  checkPeer(peer: PeerHello, link: BackupLink): string | null;
  readonly handshakeMs: number;
  up(link: BackupLink): void;
  down(link: BackupLink, reason: string): void;
  /** The handshake did not complete: `reason` says why, and which side refused. */
  failed(link: BackupLink, reason: string): void;
  message(link: BackupLink, m: BackupMessage): void;
}

export class BackupLink {
  private state: 'handshake' | 'up' | 'closed' = 'handshake';
  /** What the other side said of itself in the handshake. */
  peer: PeerHello | null = null;
  upAt = 0;
  private readonly channel: MessageChannel<BackupMessage>;
  private readonly handshakeTimer: NodeJS.Timeout;
  private nextReq = 1;
  private readonly pending = new Map<number, { resolve(m: Answer | null): void; timer: NodeJS.Timeout }>();

  constructor(
    socket: TLSSocket,
    /** This side's role: the BackupClient speaks first. */
    readonly role: BackupRole,
    private readonly host: BackupLinkHost,
    /** BackupServer: the UserServer name of the PSK identity the peer authenticated with. */
    readonly authenticatedAs: string,
  ) {
    this.channel = new MessageChannel(
      socket,
      { onMessage: (m) => this.receive(m), onClose: (reason) => this.closed(reason) },
      CODEC,
    );
    const ms = host.handshakeMs;
    this.handshakeTimer = setTimeout(
      () => this.fail(`no ${role === 'server' ? 'HELLO' : 'WELCOME'} within ${ms / 1000} s`),
      ms,
    );
    this.handshakeTimer.unref();
    if (role === 'client') this.channel.send({ kind: 'HELLO', ...host.ownHello() });
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  get address(): string {
    return this.channel.remoteAddress;
  }

  /** Round trip of the link's last PING, in ms. */
  get rttMs(): number {
    return this.channel.rttMs;
  }

  setTrace(trace: LinkTrace | null): void {
    this.channel.trace = trace;
  }

  send(m: BackupMessage): void {
    if (this.state === 'up') this.channel.send(m);
  }

  close(reason: string): void {
    this.channel.close(reason);
  }

  /** Sends the request `make` builds with a fresh reqId; its answer, or null after `timeoutMs` or the link's end. */
  request<K extends AnswerKind>(
    kind: K,
    make: (reqId: number) => BackupMessage,
    timeoutMs: number,
  ): Promise<AnswerOf<K> | null> {
    if (this.state !== 'up') return Promise.resolve(null);
    const reqId = this.nextReq;
    this.nextReq = this.nextReq >= 0xffffffff ? 1 : this.nextReq + 1;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(reqId);
        resolve(null);
      }, timeoutMs);
      timer.unref();
      this.pending.set(reqId, {
        resolve: (m) => resolve(m !== null && m.kind === kind ? (m as AnswerOf<K>) : null),
        timer,
      });
      this.channel.send(make(reqId));
    });
  }

  private refuse(reason: string): void {
    this.channel.send({ kind: 'REFUSED', reason });
    this.fail(reason);
  }

  private fail(reason: string): void {
    if (this.state !== 'handshake') return;
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    this.host.failed(this, reason);
    this.channel.close(`handshake failed: ${reason}`);
  }

  private receive(m: BackupMessage): void {
    if (this.state === 'closed') return;
    if (this.state === 'handshake') return this.handshake(m);
    if (ANSWERS.has(m.kind)) {
      const a = m as Answer;
      const p = this.pending.get(a.reqId);
      if (!p) return;
      this.pending.delete(a.reqId);
      clearTimeout(p.timer);
      p.resolve(a);
      return;
    }
    this.host.message(this, m);
  }

  private handshake(m: BackupMessage): void {
    if (this.role === 'client' && m.kind === 'REFUSED') return this.fail(`the BackupServer refused: ${m.reason}`);
    const expected = this.role === 'server' ? 'HELLO' : 'WELCOME';
    if (m.kind !== 'HELLO' && m.kind !== 'WELCOME') return this.refuse(`expected ${expected}, got ${m.kind}`);
    if (m.kind !== expected) return this.refuse(`expected ${expected}, got ${m.kind}`);
    const { kind: _kind, ...peer } = m;
    if (peer.version !== BACKUP_VERSION)
      return this.refuse(
        `backup link version ${peer.version} is not supported (this UserServer speaks ${BACKUP_VERSION}): run the same version on both`,
      );
    const problem = this.host.checkPeer(peer, this);
    if (problem) return this.role === 'server' ? this.refuse(problem) : this.fail(problem);
    clearTimeout(this.handshakeTimer);
    this.peer = peer;
    this.state = 'up';
    this.upAt = Date.now();
    if (this.role === 'server') this.channel.send({ kind: 'WELCOME', ...this.host.ownHello() });
    this.host.up(this);
  }

  private closed(reason: string): void {
    clearTimeout(this.handshakeTimer);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(null);
    }
    this.pending.clear();
    const was = this.state;
    this.state = 'closed';
    if (was === 'up') this.host.down(this, reason);
    else if (was === 'handshake') this.host.failed(this, `closed during the handshake: ${reason}`);
  }
}
