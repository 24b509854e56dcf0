// The RoomServers port (AG-19, protocol/LINK.md): every connection goes through the TLS-PSK gate
// (runtime/secure-link.ts) before it becomes a RoomServerLink. Refusals are logged on this side,
// naming the address, at most once per address and kind of refusal per minute (finding 10 of
// issue 6: no close goes unlogged, and no peer can fill the log). A RoomServer still speaking the
// plain-TCP link of version 1 is told, in the only message it can read, why it is refused.

import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  LINK_VERSION,
  ROOMSERVER_LINK_ROLE,
  encodeLink,
  legacyHelloVersion,
  parseLinkIdentity,
} from '../protocol/link.js';
import type { LinkHandshakeLimits } from '../runtime/config-limits.js';
import { SecureLinkGate, linkKey, type LinkSecret, type PeerInfo } from '../runtime/secure-link.js';

/** The server's LogLimiter (runtime/log-limit.ts): once per offender and event per window. */
export interface OffenderLog {
  error(who: string | null, event: string, text: string, offender?: string): void;
}

export interface LinkGateHost {
  readonly logLimit: OffenderLog;
  /** Current configuration values (read at every handshake). */
  linkSecret(): LinkSecret;
  linkLimits(): Readonly<LinkHandshakeLimits>;
  /** False while starting or shutting down: connections are closed without a word. */
  acceptsLinks(): boolean;
  trackSocket(socket: Socket): void;
  linkAuthenticated(socket: TLSSocket, rsName: string): void;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export class RoomServerGate {
  readonly gate: SecureLinkGate;

  constructor(
    private readonly host: LinkGateHost,
    listener: Server,
  ) {
    this.gate = new SecureLinkGate({
      role: ROOMSERVER_LINK_ROLE,
      passwordName: 'RoomServers',
      secret: () => host.linkSecret(),
      limits: () => host.linkLimits(),
      checkIdentity: (identity) => {
        const id = parseLinkIdentity(identity);
        if (!id || id.role !== ROOMSERVER_LINK_ROLE) return `unknown link identity ${JSON.stringify(identity)}`;
        if (!NAME.test(id.name)) return `RoomServer name ${JSON.stringify(id.name)} is not valid`;
        return null;
      },
      onAuthenticated: (socket, peer) =>
        host.linkAuthenticated(socket, parseLinkIdentity(peer.identity ?? '')?.name ?? '?'),
      onPlaintext: (socket, first) => this.plaintext(socket, first),
      onRefused: (peer, kind, reason) => this.refused(peer, kind, reason),
    });
    this.gate.listen(listener, (socket) => {
      if (!host.acceptsLinks()) return false;
      host.trackSocket(socket);
      return true;
    });
  }

  /** Derives the link key before RoomServers may connect (scrypt takes a moment). */
  prepare(): Promise<Buffer> {
    return linkKey(this.host.linkSecret());
  }

  private plaintext(socket: Socket, first: Buffer): string {
    const version = legacyHelloVersion(first);
    if (version === null) return `not a link handshake (first bytes ${first.subarray(0, 8).toString('hex')})`;
    // An older RoomServer reads this REFUSED (its layout never changed) and logs the reason.
    socket.write(
      encodeLink({
        kind: 'REFUSED',
        reason: `link version ${version} is not supported: this UserServer speaks link version ${LINK_VERSION} (TLS); upgrade the RoomServer`,
      }),
    );
    return `RoomServer speaks link version ${version}, this UserServer ${LINK_VERSION}: upgrade it`;
  }

  /** Once per address and kind of refusal per window. */
  private refused(peer: PeerInfo, kind: string, reason: string): void {
    const name = parseLinkIdentity(peer.identity ?? '')?.name;
    const who = name ? `RoomServer ${name} from ${peer.address}` : `RoomServers port, ${peer.address}`;
    this.host.logLimit.error(who, `link ${kind}`, `refused: ${reason}`, peer.address);
  }

  /** A refusal after authentication (duplicate name, bad HELLO): logged the same way. */
  refusedAfterAuth(address: string, name: string, reason: string): void {
    this.refused({ address, identity: `${ROOMSERVER_LINK_ROLE} ${name}` }, 'link', reason);
  }
}
