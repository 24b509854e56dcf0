// Whether the RoomServer has room for one more user (AG-22, AG-28, AG-43): the Connections limits
// for ordinary and priority users, and past them what the hardware can update on time. A refusal
// for want of capacity is the server's state, not the user's doing: the login handler logs such
// refusals once per LogLimitWindow for everyone, with the count.

import { Nak, type NakCode } from '../protocol/constants.js';

export interface CapacityRefusal {
  nak: NakCode;
  reason: string;
  kind: 'full' | 'overloaded';
}

export interface Occupancy {
  ordinaryUsers: number;
  priorityUsers: number;
}

export interface Limits {
  maxOrdinary: number;
  maxPriority: number;
}

export interface TickLoad {
  /** Even the highest overload level misses the interval (Ticker.overloaded). */
  overloaded: boolean;
  /** How late the last tick's updates reached the sockets (Ticker.lateMs). */
  lateMs: number;
  intervalMs: number;
}

export function capacityRefusal(
  priority: boolean,
  occupancy: Occupancy,
  limits: Limits,
  load: TickLoad,
): CapacityRefusal | null {
  if (priority) {
    if (occupancy.priorityUsers < limits.maxPriority) return null;
    return { nak: Nak.MAX_PRIORITY, reason: `server full (${limits.maxPriority} priority users)`, kind: 'full' };
  }
  if (occupancy.ordinaryUsers >= limits.maxOrdinary)
    return { nak: Nak.MAX_ORDINARY, reason: `server full (${limits.maxOrdinary} users)`, kind: 'full' };
  // One more user makes it worse for everyone. Priority users still get in (AG-28: they are the
  // ones who can do something about it).
  if (load.overloaded) {
    return {
      nak: Nak.MAX_ORDINARY,
      reason: `server overloaded (updates take ${Math.round(load.lateMs)} ms of a ${load.intervalMs} ms interval at the highest overload level)`,
      kind: 'overloaded',
    };
  }
  return null;
}
