// The backup link's statistics (AG-41), `userserver.<Server>.backup_*` and `peer_users`: whether the
// link is up, the other side's users, the link's round trip, losses, failed handshakes, sessions
// handed over each way, whispers and messages across. Read from plain counters when sampled.

import type { StatsRegistry } from '../../runtime/stats.js';
import type { BackupCounts } from './context.js';
import { backupTotals } from './link.js';

export interface BackupStatsSource {
  readonly isUp: boolean;
  readonly rttMs: number;
  readonly peerUsers: number;
  readonly counts: BackupCounts;
  /** Handshakes the BackupServer's gate refused. */
  readonly gateRefusals: number;
}

export function registerBackupStats(reg: StatsRegistry, src: BackupStatsSource): void {
  reg.number('backup_link_up', 'links', '1 while the backup link to the other WorldServer is up', () =>
    src.isUp ? 1 : 0,
  );
  reg.number('peer_users', 'users', 'Users logged in on the other WorldServer', () => src.peerUsers);
  reg.number('backup_link_rtt_ms', 'ms', 'Round trip of the last ping on the backup link', () => src.rttMs);
  reg.changeOf('backup_link_losses', 'links', 'Times the backup link was lost', () => src.counts.losses);
  reg.changeOf(
    'backup_handshakes_failed',
    'links',
    'Backup link handshakes that failed or were refused (wrong password, suffix…)',
    () => src.counts.failed + src.gateRefusals,
  );
  reg.changeOf(
    'backup_handovers',
    'users',
    'Sessions handed over to the other WorldServer (its RoomServer took the client)',
    () => src.counts.handedOver,
  );
  reg.changeOf('backup_arrivals', 'users', 'Sessions taken over from the other WorldServer', () => src.counts.arrived);
  reg.changeOf(
    'backup_messages_received',
    'messages',
    'Messages received on the backup link',
    () => backupTotals.messagesIn,
  );
  reg.changeOf('backup_messages_sent', 'messages', 'Messages sent on the backup link', () => backupTotals.messagesOut);
  reg.changeOf(
    'backup_whispers_out',
    'whispers',
    'Whispers sent to users of the other WorldServer',
    () => src.counts.whispersOut,
  );
  reg.changeOf(
    'backup_whispers_in',
    'whispers',
    'Whispers from the other WorldServer to users here',
    () => src.counts.whispersIn,
  );
}
