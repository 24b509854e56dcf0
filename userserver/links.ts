// The UserServer's side of RoomServer links (AG-19, protocol/LINK.md): a link exists once its
// peer proved it knows the RoomServers password in the TLS-PSK handshake (runtime/secure-link.ts,
// which also binds the Server name); then HELLO (version, a unique name matching the one it
// authenticated with, volunteered worlds) and every later message goes to the UserServer.

import type { TLSSocket } from 'node:tls';
import { LINK_VERSION, type LinkMessage } from '../protocol/link.js';
import type { HttpSettings } from '../runtime/config-common.js';
import { LinkChannel } from '../runtime/link-channel.js';
import type { LinkTrace } from '../runtime/trace.js';
import type { RoomServerEntry } from './directory.js';

export interface LinkHost {
  readonly serverName: string;
  readonly password: string;
  readonly serverType: number;
  readonly http: Readonly<HttpSettings>;
  /** Another link already uses this RoomServer name. */
  nameInUse(name: string): boolean;
  linkUp(link: RoomServerLink): void;
  linkDown(link: RoomServerLink, reason: string): void;
  /** Called for every link that ends, up or not. */
  linkClosed(link: RoomServerLink): void;
  linkRefused(address: string, name: string, reason: string): void;
  linkMessage(link: RoomServerLink, m: LinkMessage): void;
  /** LinkHandshake seconds: the time an authenticated peer has to say HELLO. */
  readonly handshakeMs: number;
  /** This UserServer's ChannelSuffix on a redundant pair, else null. */
  readonly channelSuffix: string | null;
}

export class RoomServerLink implements RoomServerEntry {
  name = '';
  connectedAt = 0;
  worlds: { world: string; channel: string | null }[] = [];
  /** `World` lines naming another UserServer's channel suffix: not this galaxy half's to assign. */
  foreignWorlds: string[] = [];
  usersIp = '';
  usersPort = 0;
  private state: 'hello' | 'up' | 'closed' = 'hello';
  private readonly channel: LinkChannel;
  private readonly handshakeTimer: NodeJS.Timeout;

  constructor(
    socket: TLSSocket,
    /** The name in the PSK identity it authenticated with. */
    readonly authenticatedAs: string,
    private readonly host: LinkHost,
  ) {
    this.name = authenticatedAs;
    this.channel = new LinkChannel(socket, {
      onMessage: (m) => this.receive(m),
      onClose: (reason) => this.closed(reason),
    });
    const ms = host.handshakeMs;
    this.handshakeTimer = setTimeout(() => this.refuse(`no HELLO within ${ms / 1000} s`), ms);
    this.handshakeTimer.unref();
  }

  setTrace(trace: LinkTrace | null): void {
    this.channel.trace = trace;
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

  send(m: LinkMessage): void {
    this.channel.send(m);
  }

  close(reason: string): void {
    this.channel.close(reason);
  }

  /** WELCOME ends the handshake; sent again when the web settings change (configuration reload). */
  sendWelcome(): void {
    const http = this.host.http;
    this.channel.send({
      kind: 'WELCOME',
      serverType: this.host.serverType,
      internalHttpServer: http.internal ?? '',
      externalHttpServer: http.external ?? '',
      scriptServer: http.script ?? '',
      smtpServer: http.smtp ?? '',
      mailDomain: http.mailDomain ?? '',
    });
  }

  private refuse(reason: string): void {
    this.host.linkRefused(this.address, this.name || '?', reason);
    this.channel.send({ kind: 'REFUSED', reason });
    this.state = 'closed';
    this.channel.close(`refused: ${reason}`);
  }

  private receive(m: LinkMessage): void {
    switch (this.state) {
      case 'hello': {
        if (m.kind !== 'HELLO') return this.refuse(`expected HELLO, got ${m.kind}`);
        if (m.version !== LINK_VERSION)
          return this.refuse(`link version ${m.version} is not supported (this UserServer speaks ${LINK_VERSION})`);
        if (m.rsName !== this.authenticatedAs)
          return this.refuse(`HELLO names RoomServer ${m.rsName}, the handshake ${this.authenticatedAs}`);
        if (this.host.nameInUse(this.name)) return this.refuse(`a RoomServer named ${this.name} is already connected`);
        clearTimeout(this.handshakeTimer);
        this.usersIp = m.usersIp === '' || m.usersIp === '0.0.0.0' ? this.address : m.usersIp;
        this.usersPort = m.usersPort;
        for (const line of m.worlds) {
          const w = volunteer(line, this.host.channelSuffix);
          if (w) this.worlds.push(w);
          else this.foreignWorlds.push(line);
        }
        this.connectedAt = performance.now();
        this.state = 'up';
        this.sendWelcome();
        this.host.linkUp(this);
        return;
      }
      case 'up':
        this.host.linkMessage(this, m);
        return;
      case 'closed':
        return;
    }
  }

  private closed(reason: string): void {
    clearTimeout(this.handshakeTimer);
    const wasUp = this.state === 'up';
    this.state = 'closed';
    if (wasUp) this.host.linkDown(this, reason);
    this.host.linkClosed(this);
  }
}

/**
 * `earth`, `earth<dimension-3>` or `earth<dimension-3;2>` (guide Appendix I). On a redundant pair
 * the channel carries this UserServer's suffix (a line without one means ours); a line naming the
 * other suffix is not ours to assign (null). Without a backup keyword channels have no suffix, and
 * one given is ignored, as before.
 */
export function volunteer(s: string, ownSuffix: string | null): { world: string; channel: string | null } | null {
  const m = /^([^<>;#]+)(?:<([^<>;]+)(?:;([^<>;]*))?>)?$/.exec(s);
  if (!m) return null;
  const world = m[1] as string;
  const channel = m[2] ?? null;
  const suffix = m[3] ?? null;
  if (channel === null || ownSuffix === null) return { world, channel };
  if (suffix !== null && suffix !== ownSuffix) return null;
  return { world, channel: `${channel};${ownSuffix}` };
}
