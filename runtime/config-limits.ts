// Extension keywords for the limits of issue 6 that are not per connection: the room-id space and
// its quiet period, room requests per user, shared room state, and unauthenticated link
// handshakes. Each server adds the rows it understands to its keyword table; the values are read
// from the server's current configuration when they are used, so a re-read file reaches them.

import { int, n, num, type KeywordSpec } from './config.js';

export interface RoomLimits {
  /** RoomIds: largest room id handed out (the wire carries u16; ids are never 0). @default 65535 */
  maxIds: number;
  /** RoomIds: an id nobody refers to goes back to the pool after this long. @default 300 s */
  quietMs: number;
  /** RoomRequests: room requests (ROOMIDRQ) one user may make per minute. @default 300 */
  requestsPerMinute: number;
  /** RoomRequests: requests per user per minute that open a room no one here holds. @default 100 */
  newRoomsPerMinute: number;
  /** RoomRequests: distinct room ids one connection may hold (it keeps them while it lives). @default 2000 */
  heldPerConnection: number;
}

export const DEFAULT_ROOM_LIMITS: Readonly<RoomLimits> = Object.freeze({
  maxIds: 0xffff,
  quietMs: 300_000,
  requestsPerMinute: 300,
  newRoomsPerMinute: 100,
  heldPerConnection: 2000,
});

export interface SharedStateLimits {
  /** SharedState: shared properties one room may hold. @default 64 */
  propertiesPerRoom: number;
  /** SharedState: bytes of shared state one room may hold. @default 8 KiB */
  roomBytes: number;
  /** SharedState: bytes of shared state all rooms of the server may hold together. @default 32 MiB */
  serverBytes: number;
}

export const DEFAULT_SHARED_STATE: Readonly<SharedStateLimits> = Object.freeze({
  propertiesPerRoom: 64,
  roomBytes: 8 * 1024,
  serverBytes: 32 * 1024 * 1024,
});

export interface LinkHandshakeLimits {
  /** LinkHandshake: time a peer has to complete the link handshake. @default 10 s */
  timeoutMs: number;
  /** LinkHandshake: unauthenticated handshakes one address may start per minute. @default 12 */
  perAddressPerMinute: number;
  /** LinkHandshake: unauthenticated handshakes from all addresses per minute. @default 120 */
  totalPerMinute: number;
}

export const DEFAULT_LINK_HANDSHAKE: Readonly<LinkHandshakeLimits> = Object.freeze({
  timeoutMs: 10_000,
  perAddressPerMinute: 12,
  totalPerMinute: 120,
});

const SECONDS = num(0.05, 86_400);

/** `RoomIds maxIds quietSeconds` and `RoomRequests perMinute newPerMinute [heldPerConnection]` (both servers). */
export function roomKeywords<D extends { rooms: RoomLimits }>(): KeywordSpec<D>[] {
  return [
    {
      keyword: 'RoomIds',
      args: [
        { name: 'maxIds', type: int(1, 0xffff) },
        { name: 'quietSeconds', type: SECONDS },
      ],
      apply(d, v) {
        d.rooms.maxIds = n(v, 0);
        d.rooms.quietMs = n(v, 1) * 1000;
      },
    },
    {
      keyword: 'RoomRequests',
      args: [
        { name: 'perMinute', type: int(10, 1_000_000) },
        { name: 'newPerMinute', type: int(1, 1_000_000) },
        { name: 'heldPerConnection', type: int(10, 0xffff), optional: true },
      ],
      apply(d, v) {
        d.rooms.requestsPerMinute = n(v, 0);
        d.rooms.newRoomsPerMinute = n(v, 1);
        if (v[2] !== undefined) d.rooms.heldPerConnection = n(v, 2);
      },
    },
  ];
}

/** `SharedState properties roomKilobytes serverMegabytes` (RoomServer). */
export function sharedStateKeyword<D extends { sharedState: SharedStateLimits }>(): KeywordSpec<D> {
  return {
    keyword: 'SharedState',
    args: [
      { name: 'properties', type: int(1, 255) },
      { name: 'roomKilobytes', type: num(0.25, 1024) },
      { name: 'serverMegabytes', type: num(0.01, 65_536) },
    ],
    apply(d, v) {
      d.sharedState.propertiesPerRoom = n(v, 0);
      d.sharedState.roomBytes = Math.round(n(v, 1) * 1024);
      d.sharedState.serverBytes = Math.round(n(v, 2) * 1024 * 1024);
    },
  };
}

/** `LinkHandshake seconds perAddressPerMinute totalPerMinute` (UserServer, RoomServers port). */
export function linkHandshakeKeyword<D extends { linkHandshake: LinkHandshakeLimits }>(): KeywordSpec<D> {
  return {
    keyword: 'LinkHandshake',
    args: [
      { name: 'seconds', type: SECONDS },
      { name: 'perAddressPerMinute', type: int(1, 100_000) },
      { name: 'totalPerMinute', type: int(1, 1_000_000) },
    ],
    apply(d, v) {
      d.linkHandshake.timeoutMs = n(v, 0) * 1000;
      d.linkHandshake.perAddressPerMinute = n(v, 1);
      d.linkHandshake.totalPerMinute = n(v, 2);
    },
  };
}
