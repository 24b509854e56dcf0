// The BackupClient's side (guide Appendix II `BackupClient host port password`): it connects to the
// BackupServer, completes the TLS-PSK handshake (runtime/secure-link.ts, role "backup") and says
// HELLO; until that succeeds, and again after the link is lost, it tries every `BackupRetry`
// seconds (10), read from the current configuration at each attempt. A failure is logged once per
// kind and window (LogLimitWindow), so a BackupServer that is down for hours costs a line a minute.

import type { TLSSocket } from 'node:tls';
import { BACKUP_LINK_GALAXY, BACKUP_LINK_ROLE } from '../../protocol/backup.js';
import { linkIdentity } from '../../protocol/link.js';
import { describe } from '../../runtime/lifecycle.js';
import { LinkConnectError, connectSecure, linkKey, type LinkSecret } from '../../runtime/secure-link.js';

const CONNECT_MS = 10_000;

export interface ConnectorHost {
  readonly serverName: string;
  backupSecret(): LinkSecret;
  /** Where the BackupServer is (the BackupClient line) and how long to wait between attempts. */
  target(): { host: string; port: number; retryMs: number };
  connected(socket: TLSSocket): void;
  connectFailed(kind: string, reason: string, retryMs: number): void;
}

export class BackupConnector {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private busy = false;

  constructor(private readonly host: ConnectorHost) {}

  start(): void {
    this.attempt();
  }

  /** The link ended (or its handshake failed): try again after BackupRetry. */
  retryLater(): void {
    if (this.stopped || this.busy || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attempt();
    }, this.host.target().retryMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private attempt(): void {
    if (this.stopped) return;
    this.busy = true;
    const { host, port, retryMs } = this.host.target();
    linkKey(this.host.backupSecret())
      .then((key) =>
        connectSecure({
          host,
          port,
          galaxy: BACKUP_LINK_GALAXY,
          identity: linkIdentity(BACKUP_LINK_ROLE, this.host.serverName),
          key,
          timeoutMs: CONNECT_MS,
          peerName: 'BackupServer',
        }),
      )
      .then(
        (socket) => {
          this.busy = false;
          if (this.stopped) return void socket.destroy();
          this.host.connected(socket);
        },
        (err: unknown) => {
          this.busy = false;
          if (this.stopped) return;
          const kind = err instanceof LinkConnectError ? err.kind : 'error';
          const reason =
            kind === 'hint'
              ? `${host}:${port} is not a BackupServer port (it answers as the RoomServers port of a UserServer?): check the BackupClient line`
              : kind === 'closed'
                ? `BackupServer ${host}:${port} closed the connection during the TLS handshake (it is starting and not ready yet, or refuses this address after too many failed attempts)`
                : err instanceof LinkConnectError && kind !== 'connect'
                  ? `BackupServer ${host}:${port}: ${err.message}`
                  : describe(err);
          this.host.connectFailed(kind, reason, retryMs);
          this.retryLater();
        },
      );
  }
}
