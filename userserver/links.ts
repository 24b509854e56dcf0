// The UserServer's side of RoomServer links (AG-19, protocol/LINK.md): the handshake (mutual
// challenge-response on the RoomServers password, unique names, same Server name, volunteered
// worlds), then every message goes to the UserServer.

import type { Socket } from 'node:net';
import { linkNonce, proofsEqual, roomServerProof, userServerProof } from '../protocol/link-auth.js';
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
}

const HANDSHAKE_MS = 10_000;

export class RoomServerLink implements RoomServerEntry {
  name = '';
  connectedAt = 0;
  worlds: { world: string; channel: string | null }[] = [];
  usersIp = '';
  usersPort = 0;
  private state: 'hello' | 'auth' | 'up' | 'closed' = 'hello';
  private readonly channel: LinkChannel;
  private rsNonce: Buffer = Buffer.alloc(0);
  private usNonce: Buffer = Buffer.alloc(0);
  private readonly handshakeTimer: NodeJS.Timeout;

  constructor(
    socket: Socket,
    private readonly host: LinkHost,
  ) {
    this.channel = new LinkChannel(socket, {
      onMessage: (m) => this.receive(m),
      onClose: (reason) => this.closed(reason),
    });
    this.handshakeTimer = setTimeout(() => this.refuse('no handshake within 10 s'), HANDSHAKE_MS);
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
      case 'hello':
        if (m.kind !== 'HELLO') return this.refuse(`expected HELLO, got ${m.kind}`);
        this.name = m.rsName;
        if (m.version !== LINK_VERSION)
          return this.refuse(`link version ${m.version} is not supported (this UserServer speaks ${LINK_VERSION})`);
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(m.rsName))
          return this.refuse(`RoomServer name ${JSON.stringify(m.rsName)} is not valid`);
        this.rsNonce = m.nonce;
        this.usNonce = linkNonce();
        this.state = 'auth';
        this.channel.send({
          kind: 'CHALLENGE',
          version: LINK_VERSION,
          nonce: this.usNonce,
          proof: userServerProof(this.host.password, this.rsNonce, this.usNonce),
          serverName: this.host.serverName,
        });
        return;
      case 'auth': {
        if (m.kind !== 'AUTH') return this.refuse(`expected AUTH, got ${m.kind}`);
        const expected = roomServerProof(this.host.password, this.usNonce, this.rsNonce, this.name);
        if (!proofsEqual(m.proof, expected)) return this.refuse('wrong RoomServers password');
        if (m.serverName !== this.host.serverName) {
          return this.refuse(`Server name ${m.serverName} differs from the UserServer's ${this.host.serverName}`);
        }
        if (this.host.nameInUse(this.name)) return this.refuse(`a RoomServer named ${this.name} is already connected`);
        clearTimeout(this.handshakeTimer);
        this.usersIp = m.usersIp === '' || m.usersIp === '0.0.0.0' ? this.address : m.usersIp;
        this.usersPort = m.usersPort;
        this.worlds = m.worlds.map(parseVolunteer).filter((w) => w !== null);
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

/** `earth`, `earth<dimension-3>` or `earth<dimension-3;2>` (suffixes of redundant pairs are ignored). */
function parseVolunteer(s: string): { world: string; channel: string | null } | null {
  const m = /^([^<>;#]+)(?:<([^<>;]+)(?:;[^<>]*)?>)?$/.exec(s);
  return m ? { world: m[1] as string, channel: m[2] ?? null } : null;
}
