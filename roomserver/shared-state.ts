// Shared room state (§5.2 PROPSET 253 / room long id) within bounds (issue 6, finding 2): at most
// `SharedState properties` per room, `roomKilobytes` per room and `serverMegabytes` for all rooms
// of the server together, and never a value too large to be sent back (a PROPUPD addressed by the
// room's long id must fit one 255-byte frame). A refused property is not stored and not echoed.
// Memory comes back when a room leaves memory (roomserver/room-keeper.ts).
//
// What counts: each property its encoded size plus PROPERTY_OVERHEAD (the map entry and objects
// that hold it), and each room holding any state ROOM_OVERHEAD more toward the server total, so
// that many rooms with one tiny property each are bounded too.

import { MAX_FRAME_BYTES } from '../protocol/constants.js';
import { newPropLength, type NewProp } from '../protocol/props.js';
import { objIdLength } from '../protocol/wire.js';
import type { SharedStateLimits } from '../runtime/config-limits.js';
import type { Room } from './room.js';

export const PROPERTY_OVERHEAD = 64;
export const ROOM_OVERHEAD = 1024;

export type SharedRefusal = 'too-large' | 'room-properties' | 'room-bytes' | 'server-bytes';

/** The server's total, and counters an operator would want. */
export class SharedLedger {
  bytes = 0;
  roomsWithState = 0;
  refused = 0;
}

function cost(p: NewProp): number {
  return newPropLength(p) + PROPERTY_OVERHEAD;
}

/** Whether the property fits one PROPUPD addressed to the room by name (§2.1, §3.3). */
export function fitsOneFrame(room: Room, p: NewProp): boolean {
  return 1 + objIdLength(room.name) + 1 + newPropLength(p) <= MAX_FRAME_BYTES;
}

/** Stores `p` in the room if the caps allow; otherwise says which cap refused it. */
export function storeShared(
  room: Room,
  p: NewProp,
  limits: Readonly<SharedStateLimits>,
  ledger: SharedLedger,
): SharedRefusal | null {
  if (!fitsOneFrame(room, p)) return refuse(ledger, 'too-large');
  const old = room.shared.get(p.id);
  if (!old && room.shared.size >= limits.propertiesPerRoom) return refuse(ledger, 'room-properties');
  const delta = cost(p) - (old ? cost(old) : 0);
  if (delta > 0 && room.sharedBytes + delta > limits.roomBytes) return refuse(ledger, 'room-bytes');
  const roomCharge = room.shared.size === 0 ? ROOM_OVERHEAD : 0;
  if (delta + roomCharge > 0 && ledger.bytes + delta + roomCharge > limits.serverBytes)
    return refuse(ledger, 'server-bytes');
  put(room, p, ledger);
  return null;
}

/** State from the room database: the operator's data is loaded whatever the caps, and counted. */
export function loadShared(room: Room, p: NewProp, ledger: SharedLedger): void {
  put(room, p, ledger);
}

function put(room: Room, p: NewProp, ledger: SharedLedger): void {
  const old = room.shared.get(p.id);
  if (room.shared.size === 0) {
    ledger.bytes += ROOM_OVERHEAD;
    ledger.roomsWithState++;
  }
  const delta = cost(p) - (old ? cost(old) : 0);
  room.shared.set(p.id, p);
  room.sharedBytes += delta;
  ledger.bytes += delta;
}

/** The room leaves memory: what its state counted is given back. */
export function forgetShared(room: Room, ledger: SharedLedger): void {
  if (room.shared.size === 0) return;
  ledger.bytes -= room.sharedBytes + ROOM_OVERHEAD;
  ledger.roomsWithState--;
  room.shared.clear();
  room.sharedBytes = 0;
}

function refuse(ledger: SharedLedger, why: SharedRefusal): SharedRefusal {
  ledger.refused++;
  return why;
}

export function describeSharedRefusal(why: SharedRefusal, limits: Readonly<SharedStateLimits>): string {
  switch (why) {
    case 'too-large':
      return 'too large to send in one frame';
    case 'room-properties':
      return `the room holds ${limits.propertiesPerRoom} shared properties`;
    case 'room-bytes':
      return `the room's shared state would pass ${limits.roomBytes} bytes`;
    case 'server-bytes':
      return `the server's shared state would pass ${limits.serverBytes} bytes`;
  }
}
