// The BackupServer's port (guide Appendix II `BackupServer port password`; protocol/BACKUP.md):
// every connection goes through the TLS-PSK gate (runtime/secure-link.ts, role "backup") before it
// becomes a backup link, with the handshake limits of `LinkHandshake`. Every refusal is logged,
// naming the address, at most once per address and kind of refusal per window.

import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { BACKUP_LINK_ROLE } from '../../protocol/backup.js';
import { parseLinkIdentity } from '../../protocol/link.js';
import type { LinkHandshakeLimits } from '../../runtime/config-limits.js';
import { SecureLinkGate, type LinkSecret, type PeerInfo } from '../../runtime/secure-link.js';
import type { OffenderLog } from '../link-gate.js';

export interface BackupGateHost {
  readonly logLimit: OffenderLog;
  backupSecret(): LinkSecret;
  linkLimits(): Readonly<LinkHandshakeLimits>;
  acceptsLinks(): boolean;
  trackSocket(socket: Socket): void;
  /** The peer proved it knows the backup password; its HELLO comes next. */
  backupAuthenticated(socket: TLSSocket, name: string): void;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export class BackupGate {
  readonly gate: SecureLinkGate;

  constructor(
    private readonly host: BackupGateHost,
    listener: Server,
  ) {
    this.gate = new SecureLinkGate({
      role: BACKUP_LINK_ROLE,
      passwordName: 'BackupServer',
      secret: () => host.backupSecret(),
      limits: () => host.linkLimits(),
      checkIdentity: (identity) => {
        const id = parseLinkIdentity(identity);
        if (!id || id.role !== BACKUP_LINK_ROLE)
          return `unknown link identity ${JSON.stringify(identity)} (not a BackupClient: is a RoomServer pointed at the BackupServer port?)`;
        if (!NAME.test(id.name)) return `UserServer name ${JSON.stringify(id.name)} is not valid`;
        return null;
      },
      onAuthenticated: (socket, peer) =>
        host.backupAuthenticated(socket, parseLinkIdentity(peer.identity ?? '')?.name ?? '?'),
      onPlaintext: (_socket, first) =>
        `not a backup link handshake (first bytes ${first.subarray(0, 8).toString('hex')})`,
      onRefused: (peer, kind, reason) => this.refused(peer, kind, reason),
    });
    this.gate.listen(listener, (socket) => {
      if (!host.acceptsLinks()) return false;
      host.trackSocket(socket);
      return true;
    });
  }

  /** Once per address and kind of refusal per window. */
  refused(peer: PeerInfo, kind: string, reason: string): void {
    const name = parseLinkIdentity(peer.identity ?? '')?.name;
    const who = name ? `BackupClient ${name} from ${peer.address}` : `BackupServer port, ${peer.address}`;
    this.host.logLimit.error(who, `backup ${kind}`, `refused: ${reason}`, peer.address);
  }
}
