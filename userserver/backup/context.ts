// What the parts of the backup link's owner (userserver/backup/peer.ts) share: the UserServer, this
// side's role and channel suffix, the other side's users, and the link while it is up.

import type { BackupRole } from '../../protocol/backup.js';
import type { UserServer } from '../server.js';
import type { BackupLink } from './link.js';
import type { PeerRoster } from './roster.js';

/** Longest a request to the other UserServer waits (a RoomServer waits 30 s for the answer we relay). */
export const PEER_ANSWER_MS = 10_000;

export interface PeerContext {
  readonly us: UserServer;
  readonly role: BackupRole;
  readonly suffix: string;
  readonly roster: PeerRoster;
  /** The link while it is up, else null. */
  readonly upLink: BackupLink | null;
  /** `WorldServer West` (or its role while its name is not known). */
  readonly other: string;
  /** Events an operator counts (userserver/backup/stats.ts reads them). */
  readonly counts: BackupCounts;
}

export interface BackupCounts {
  losses: number;
  failed: number;
  handedOver: number;
  arrived: number;
  whispersOut: number;
  whispersIn: number;
}
