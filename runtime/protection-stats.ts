// The abuse limits and the managed room ids, seen in the statistics (AG-41, AG-45): what the
// limits refused and what the room-id pool holds, so that an operator can tell from `show stats`,
// /metrics or a StatsRecord file whether a world is being flooded and how close the ids are to
// running out. Every figure is a counter or gauge its owner already keeps; this only reads them.

import type { AddressLimits } from './address-limits.js';
import type { LogLimiter } from './log-limit.js';
import type { RoomRefusal, RoomRequestGate } from './room-requests.js';
import type { StatsRegistry } from './stats.js';

export interface RoomIdPool {
  readonly idsInUse: number;
  readonly idsQuiet: number;
}

export interface ProtectionSources {
  addresses: AddressLimits;
  logLimit: LogLimiter;
  roomRequests: RoomRequestGate;
  roomIds: RoomIdPool | null;
}

const REFUSALS: readonly RoomRefusal[] = ['requests', 'new-rooms', 'held', 'exhausted', 'unavailable'];

export function registerProtectionStats(reg: StatsRegistry, s: ProtectionSources): void {
  reg.changeOf(
    'connections_refused_by_address',
    'connections',
    'Sockets closed at once because their address held its share (AddressLimit) or the server could not take them',
    () => s.addresses.refused,
  );
  reg.changeOf(
    'log_lines_suppressed',
    'lines',
    'Log lines about a repeating offender held back (LogLimitWindow); a steady rate means someone keeps at it',
    () => s.logLimit.suppressedTotal,
  );
  const family = { name: 'room_requests_refused', help: 'Room requests refused, by reason' };
  for (const reason of REFUSALS) {
    reg.changeOf(
      `room_requests_refused_${reason.replace('-', '_')}`,
      'requests',
      `Room requests refused: ${describe(reason)} (the client gets a WORLDSMASTER notice)`,
      () => s.roomRequests.refused[reason],
      { family: { ...family, labels: { reason } } },
    );
  }
  const ids = s.roomIds;
  if (!ids) return;
  reg.number(
    'room_ids_in_use',
    'ids',
    'Room ids some connection or RoomServer still holds (RoomIds maxIds is the ceiling)',
    () => ids.idsInUse,
  );
  reg.number(
    'room_ids_quiet',
    'ids',
    'Room ids nobody holds, waiting out the RoomIds quiet period before reuse',
    () => ids.idsQuiet,
  );
}

function describe(reason: RoomRefusal): string {
  switch (reason) {
    case 'requests':
      return 'too many per minute (RoomRequests perMinute)';
    case 'new-rooms':
      return 'too many new rooms per minute (RoomRequests newPerMinute)';
    case 'held':
      return 'the connection holds too many ids (RoomRequests heldPerConnection)';
    case 'exhausted':
      return 'no room id left (RoomIds)';
    case 'unavailable':
      return 'no server could serve the room';
  }
}
