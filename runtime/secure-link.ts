// The transport of the private server-to-server links (protocol/LINK.md "Transport and threat
// model"): TLS 1.2 with an ECDHE-PSK suite, the pre-shared key derived from the link password with
// scrypt, salted with the link's role and the galaxy (`Server`) name. Nothing of a password crosses
// the wire, everything after the handshake is encrypted with a fresh ephemeral key, and a peer
// that does not know the password receives nothing it could test a guess against: in a PSK
// handshake the connecting side must send its Finished (the first message keyed by the PSK)
// before the accepting side sends anything keyed by it.
//
// Generic over the role ("roomserver" for the UserServer ↔ RoomServer link; a UserServer backup
// link would pass its own), so that every password-authenticated link gets the same properties.
// The accepting side (SecureLinkGate) limits unauthenticated handshakes per address and overall,
// times them out, and reports every refusal, naming the address, to its owner, which logs it.
// Like Connection and LinkChannel, this module never logs.

import { createHash, scrypt } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import {
  TLSSocket,
  connect as tlsConnect,
  createSecureContext,
  type SecureContext,
  type TLSSocketOptions,
  type TlsOptions,
} from 'node:tls';
import type { LinkHandshakeLimits } from './config-limits.js';
import { RateWindow } from './rate-window.js';

/** ECDHE-PSK only: forward secrecy, and no certificates to manage. Both ends are this program. */
const TLS_SETTINGS = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.2',
  ciphers: 'ECDHE-PSK-CHACHA20-POLY1305:ECDHE-PSK-AES256-CBC-SHA384',
} as const;

/**
 * scrypt cost of the key derivation: about 0.1 s and 32 MiB per guess, paid once per process and
 * password by the servers, and for every guess by whoever tries passwords offline (LINK.md).
 */
const KDF = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_BYTES = 32;
/** A TLS record of type handshake starts every ClientHello. */
const TLS_HANDSHAKE_RECORD = 0x16;
/** Bytes looked at before deciding that a peer does not speak TLS. */
const SNIFF_BYTES = 7;

export interface LinkSecret {
  /** What the link is for ("roomserver"): keys of different links never match. */
  role: string;
  /** The galaxy's `Server` name: the same password in another galaxy gives another key. */
  galaxy: string;
  password: string;
}

interface CachedKey {
  promise: Promise<Buffer>;
  key: Buffer | null;
}

const keyCache = new Map<string, CachedKey>();
const MAX_CACHED_KEYS = 8;

function cacheId(s: LinkSecret): string {
  return createHash('sha256')
    .update(JSON.stringify([s.role, s.galaxy, s.password]))
    .digest('hex');
}

/** The link's pre-shared key, derived once per secret (off the event loop) and remembered. */
export function linkKey(s: LinkSecret): Promise<Buffer> {
  const id = cacheId(s);
  const known = keyCache.get(id);
  if (known) return known.promise;
  const entry: CachedKey = {
    key: null,
    promise: new Promise<Buffer>((resolve, reject) => {
      const salt = `worlds-link-v2/${s.role}/${s.galaxy}`;
      scrypt(s.password, salt, KEY_BYTES, KDF, (err, key) => (err ? reject(err) : resolve(key)));
    }),
  };
  entry.promise.then(
    (key) => (entry.key = key),
    () => keyCache.delete(id),
  );
  if (keyCache.size >= MAX_CACHED_KEYS) {
    const oldest = keyCache.keys().next();
    if (!oldest.done) keyCache.delete(oldest.value);
  }
  keyCache.set(id, entry);
  return entry.promise;
}

/** The key if it has been derived already (the TLS callbacks are synchronous). */
export function readyLinkKey(s: LinkSecret): Buffer | null {
  return keyCache.get(cacheId(s))?.key ?? null;
}

function plainAddress(addr: string | undefined): string {
  if (!addr) return 'unknown';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

// ------------------------------------------------------------------ the accepting side

/** Why a handshake was refused; the owner logs each kind at most once per address per window. */
export type RefusalKind = 'rate' | 'plaintext' | 'identity' | 'key' | 'tls' | 'timeout' | 'closed';

export interface PeerInfo {
  address: string;
  /** The PSK identity the peer sent, once it got that far. */
  identity: string | null;
}

export interface SecureLinkGateOptions {
  role: string;
  /** How operators call the password, for messages ("RoomServers"). */
  passwordName: string;
  /** Read at every handshake, so that a re-read configuration applies. */
  secret(): { galaxy: string; password: string };
  limits(): Readonly<LinkHandshakeLimits>;
  /** null when a peer presenting this identity may try its key; otherwise why not. */
  checkIdentity(identity: string): string | null;
  /** The peer proved it holds the key: the link's own messages run over `socket` from now on. */
  onAuthenticated(socket: TLSSocket, peer: PeerInfo): void;
  /**
   * A peer that does not speak TLS; `first` holds its first bytes. The owner may answer it (an
   * older version of the link is told why it is refused); the gate closes the socket afterwards.
   * Returns the reason to log.
   */
  onPlaintext(socket: Socket, first: Buffer): string;
  onRefused(peer: PeerInfo, kind: RefusalKind, reason: string): void;
}

export class SecureLinkGate {
  private readonly perAddress = new RateWindow<string>();
  private readonly overall = new RateWindow<string>();
  private readonly context: SecureContext = createSecureContext(TLS_SETTINGS);
  /** Handshakes refused, by kind (an operator's counter; the stats registry may read it). */
  readonly refusals: Record<RefusalKind, number> = {
    rate: 0,
    plaintext: 0,
    identity: 0,
    key: 0,
    tls: 0,
    timeout: 0,
    closed: 0,
  };
  authenticated = 0;

  constructor(private readonly opts: SecureLinkGateOptions) {}

  get passwordName(): string {
    return this.opts.passwordName;
  }

  /** Hands every connection of `server` to the gate. */
  listen(server: Server, admit: (socket: Socket) => boolean): void {
    server.on('connection', (socket: Socket) => {
      if (admit(socket)) this.accept(socket);
      else socket.destroy();
    });
  }

  accept(raw: Socket): void {
    const peer: PeerInfo = { address: plainAddress(raw.remoteAddress), identity: null };
    const lim = this.opts.limits();
    const now = Date.now();
    if (!this.perAddress.take(peer.address, lim.perAddressPerMinute, now)) {
      raw.destroy();
      return this.refuse(
        peer,
        'rate',
        `more than ${lim.perAddressPerMinute} unauthenticated link handshakes from ${peer.address} in a minute; closed at once`,
      );
    }
    if (!this.overall.take('*', lim.totalPerMinute, now)) {
      this.perAddress.refund(peer.address);
      raw.destroy();
      return this.refuse(
        peer,
        'rate',
        `more than ${lim.totalPerMinute} unauthenticated link handshakes in a minute from all addresses; closed at once`,
      );
    }
    new PendingHandshake(this, raw, peer, lim.timeoutMs);
  }

  /** @internal called by a pending handshake that turned out to be TLS. */
  startTls(raw: Socket, peer: PeerInfo, fail: (kind: RefusalKind, reason: string) => void): TLSSocket {
    const { galaxy, password } = this.opts.secret();
    const role = this.opts.role;
    // The server-side PSK options are declared for tls.Server; a server TLSSocket takes them too.
    const options: TLSSocketOptions & Pick<TlsOptions, 'pskCallback' | 'pskIdentityHint'> = {
      isServer: true,
      secureContext: this.context,
      pskIdentityHint: galaxy,
      pskCallback: (_socket: TLSSocket, identity: string) => {
        peer.identity = identity;
        const why = this.opts.checkIdentity(identity);
        if (why) {
          fail('identity', why);
          return null;
        }
        const secret = { role, galaxy, password };
        const key = readyLinkKey(secret);
        if (!key) {
          void linkKey(secret).catch(() => {});
          fail('key', 'the link key of a changed password is still being derived; the peer will retry');
          return null;
        }
        return key;
      },
    };
    return new TLSSocket(raw, options);
  }

  /** @internal */
  authenticatedBy(socket: TLSSocket, peer: PeerInfo): void {
    this.perAddress.refund(peer.address);
    this.overall.refund('*');
    this.authenticated++;
    this.opts.onAuthenticated(socket, peer);
  }

  /** @internal */
  plaintext(raw: Socket, first: Buffer): string {
    return this.opts.onPlaintext(raw, first);
  }

  /** @internal */
  refuse(peer: PeerInfo, kind: RefusalKind, reason: string): void {
    this.refusals[kind]++;
    this.opts.onRefused(peer, kind, reason);
  }
}

/** One connection between accept and authentication; it ends in exactly one of the two. */
class PendingHandshake {
  private done = false;
  private readonly timer: NodeJS.Timeout;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private tls: TLSSocket | null = null;
  /** Set by the PSK callback when it refuses, so the TLS error that follows is explained. */
  private cause: { kind: RefusalKind; reason: string } | null = null;
  private readonly onData = (chunk: Buffer) => this.sniff(chunk);
  private readonly onEarlyClose = () =>
    this.fail('closed', `closed before the link handshake (${this.bytes} bytes received)`);

  constructor(
    private readonly gate: SecureLinkGate,
    private readonly raw: Socket,
    private readonly peer: PeerInfo,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(
      () => this.fail('timeout', `no link handshake within ${timeoutMs / 1000} s (${this.bytes} bytes received)`),
      timeoutMs,
    );
    this.timer.unref();
    raw.on('data', this.onData);
    raw.on('error', () => {});
    raw.once('close', this.onEarlyClose);
  }

  private sniff(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    const first = (this.chunks[0] as Buffer)[0];
    if (first === TLS_HANDSHAKE_RECORD) return this.startTls();
    if (this.bytes < SNIFF_BYTES) return;
    this.stopSniffing();
    const data = Buffer.concat(this.chunks);
    const reason = this.gate.plaintext(this.raw, data);
    this.finish();
    this.raw.end();
    setTimeout(() => this.raw.destroy(), 2_000).unref();
    this.gate.refuse(this.peer, 'plaintext', reason);
  }

  private stopSniffing(): void {
    this.raw.off('data', this.onData);
    this.raw.off('close', this.onEarlyClose);
  }

  private startTls(): void {
    this.stopSniffing();
    this.raw.pause();
    this.raw.unshift(Buffer.concat(this.chunks));
    this.chunks.length = 0;
    const tls = this.gate.startTls(this.raw, this.peer, (kind, reason) => (this.cause ??= { kind, reason }));
    this.tls = tls;
    tls.on('error', (err: NodeJS.ErrnoException) => this.tlsFailed(err));
    tls.on('close', () =>
      this.fail(this.cause?.kind ?? 'closed', this.cause?.reason ?? 'closed during the TLS handshake'),
    );
    tls.once('secure', () => {
      if (this.finish()) this.gate.authenticatedBy(tls, this.peer);
    });
  }

  private tlsFailed(err: NodeJS.ErrnoException): void {
    if (this.cause) return this.fail(this.cause.kind, this.cause.reason);
    const code = err.code ?? '';
    if (code === 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC' || code === 'ERR_SSL_BAD_RECORD_MAC')
      return this.fail(
        'key',
        `wrong ${this.gate.passwordName} password (TLS-PSK handshake failed: the peer's key differs)`,
      );
    if (/ALERT/.test(code))
      return this.fail('tls', `the peer ended the TLS handshake (${code}): it may expect another Server name`);
    this.fail('tls', `TLS handshake failed: ${code || err.message}`);
  }

  /** Marks the handshake over; false when it already was. */
  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    clearTimeout(this.timer);
    return true;
  }

  private fail(kind: RefusalKind, reason: string): void {
    if (!this.finish()) return;
    this.stopSniffing();
    this.tls?.destroy();
    this.raw.destroy();
    this.gate.refuse(this.peer, kind, reason);
  }
}

// ------------------------------------------------------------------ the connecting side

export type ConnectFailure = 'connect' | 'hint' | 'key' | 'identity' | 'closed' | 'timeout' | 'tls';

export class LinkConnectError extends Error {
  constructor(
    readonly kind: ConnectFailure,
    message: string,
  ) {
    super(message);
    this.name = 'LinkConnectError';
  }
}

export interface SecureConnectOptions {
  host: string;
  port: number;
  /** Our galaxy (`Server`) name: the peer's identity hint must be the same. */
  galaxy: string;
  /** Sent in clear in the handshake: role and our name, never anything secret. */
  identity: string;
  key: Buffer;
  timeoutMs: number;
  /** What the peer is called in messages ("UserServer"). */
  peerName: string;
}

/** Connects and completes the TLS-PSK handshake; rejects with a LinkConnectError that says why not. */
export function connectSecure(o: SecureConnectOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    let hintProblem: string | null = null;
    let connected = false;
    let settled = false;
    const socket = tlsConnect({
      host: o.host,
      port: o.port,
      ...TLS_SETTINGS,
      // Authentication is the PSK; there is no certificate to check.
      checkServerIdentity: () => undefined,
      pskCallback: (hint: string | null) => {
        if (hint !== o.galaxy) {
          hintProblem = `the ${o.peerName}'s Server name is ${JSON.stringify(hint ?? '')}, ours is ${JSON.stringify(o.galaxy)}: they must be the same`;
          return null;
        }
        return { psk: o.key, identity: o.identity };
      },
    });
    const settle = (err: LinkConnectError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!err) return resolve(socket);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () =>
        settle(
          new LinkConnectError(
            'timeout',
            connected
              ? `no TLS handshake with the ${o.peerName} within ${o.timeoutMs / 1000} s`
              : `no answer from ${o.host}:${o.port} within ${o.timeoutMs / 1000} s`,
          ),
        ),
      o.timeoutMs,
    );
    socket.once('connect', () => (connected = true));
    socket.once('secureConnect', () => settle(null));
    socket.on('error', (err: NodeJS.ErrnoException) => settle(classify(err, connected, hintProblem, o)));
    socket.once('close', () =>
      settle(
        new LinkConnectError(
          'closed',
          `the ${o.peerName} closed the connection during the TLS handshake (one that speaks link version 1 does this, as does one refusing this address after too many failed attempts)`,
        ),
      ),
    );
  });
}

function classify(
  err: NodeJS.ErrnoException,
  connected: boolean,
  hintProblem: string | null,
  o: SecureConnectOptions,
): LinkConnectError {
  const code = err.code ?? '';
  if (!connected)
    return new LinkConnectError('connect', `cannot connect to ${o.peerName} ${o.host}:${o.port}: ${err.message}`);
  if (hintProblem) return new LinkConnectError('hint', hintProblem);
  if (code === 'ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC' || code === 'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR')
    return new LinkConnectError(
      'key',
      `the ${o.peerName} does not know the password we use (TLS-PSK handshake failed: the two passwords differ)`,
    );
  if (code === 'ERR_SSL_TLSV1_ALERT_UNKNOWN_PSK_IDENTITY')
    return new LinkConnectError('identity', `the ${o.peerName} refused this link (see its log for why)`);
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return new LinkConnectError(
      'closed',
      `the ${o.peerName} closed the connection during the TLS handshake (one that speaks link version 1 does this, as does one refusing this address after too many failed attempts)`,
    );
  return new LinkConnectError('tls', `TLS handshake with the ${o.peerName} failed: ${code || err.message}`);
}
