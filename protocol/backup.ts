// The backup link between two redundant UserServers (protocol/BACKUP.md; guide "Redundant
// WorldServer Operation", AG-23). Its own message table on the framing every private link shares
// (protocol/link-codec.ts), and the rules both ends must apply alike: which half of the room-id
// space each side hands out, which side serves a channel, and which of two sessions of one name
// survives when both WorldServers logged it in. Pure: no I/O.

import { FrameDecoder, tableCodec, type LinkTable, type TableMessage, type TableMessageOf } from './link-codec.js';

/** 1: the first version of the backup link. */
export const BACKUP_VERSION = 1;

/** The role of the backup link in its TLS-PSK key and identity (`backup <Server>`). */
export const BACKUP_LINK_ROLE = 'backup';

/**
 * What the PSK key is salted with, and the identity hint the BackupServer sends. The two
 * UserServers have different `Server` names and the guide's lines name nothing else both share;
 * a fixed text still keeps the key apart from every RoomServers key (whose salt is a galaxy name)
 * and lets a BackupClient that reached a RoomServers port by mistake say so.
 */
export const BACKUP_LINK_GALAXY = 'WorldServer backup link';

/** `BackupServer` listens, `BackupClient` connects (guide Appendix II). */
export type BackupRole = 'server' | 'client';

const PEER_INFO = [
  ['version', 'u16'],
  ['serverName', 'str'],
  ['suffix', 'str'],
  ['serverType', 'u8'],
  // Random per process: a peer that restarted is told apart from one whose link merely broke.
  ['instance', 'str'],
] as const;

/** Who a session is (USER_ON, CLAIM_ANS): what the duplicate-login rule and `online` need. */
const SESSION = [
  ['name', 'str'],
  ['session', 'str'],
  ['loginAt', 'u64'],
  // The session of the other side this login replaced (AG-11), '' when none.
  ['replaces', 'str'],
  ['accountKind', 'u8'],
  ['privileges', 'u32'],
] as const;

/** A whole session (CLAIM_ANS, RETURN): it moves with its unwritten usage and its friends list. */
const RECORD = [
  ...SESSION,
  ['serial', 'str'],
  ['clientVersion', 'str'],
  ['address', 'str'],
  ['channel', 'str'],
  // HMAC of the password the client holds (the key both sides derive): RoomServer logins check it.
  ['verifier', 'bytes'],
  ['accountedUntil', 'u64'],
  ['timesOnCounted', 'u8'],
  ['props', 'props'],
  ['propsDirty', 'u8'],
  ['buddies', 'strList'],
  ['guestSlot', 'u32'],
] as const;

export const BACKUP_MESSAGES = {
  // Handshake inside TLS: the BackupClient speaks first.
  HELLO: { type: 1, fields: PEER_INFO },
  WELCOME: { type: 2, fields: PEER_INFO },
  REFUSED: { type: 3, fields: [['reason', 'str']] },
  PING: { type: 6, fields: [] },
  PONG: { type: 7, fields: [] },
  // The sender closes the link on purpose (its shutdown): the other side's log says why.
  BYE: { type: 8, fields: [['reason', 'str']] },
  // Presence: the list of users at link-up, then every login and logoff.
  USER_ON: { type: 10, fields: [...SESSION, ['address', 'str']] },
  USER_OFF: {
    type: 11,
    fields: [
      ['name', 'str'],
      ['session', 'str'],
    ],
  },
  // The user's client logged off (LOGONOFF) on one of the sender's servers: end the session you hold.
  LOGOFF: {
    type: 12,
    fields: [
      ['name', 'str'],
      ['session', 'str'],
    ],
  },
  // Routing (requests carry a reqId the answer repeats).
  WHISPER: {
    type: 20,
    fields: [
      ['reqId', 'u32'],
      ['from', 'str'],
      ['to', 'str'],
      ['text', 'str'],
    ],
  },
  WHISPER_ANS: {
    type: 21,
    fields: [
      ['reqId', 'u32'],
      ['delivered', 'u8'],
      ['reason', 'str'],
    ],
  },
  BROADCAST: {
    type: 22,
    fields: [
      ['from', 'str'],
      ['text', 'str'],
    ],
  },
  BOOT: {
    type: 23,
    fields: [
      ['reqId', 'u32'],
      ['by', 'str'],
      ['name', 'str'],
    ],
  },
  BOOT_ANS: {
    type: 24,
    fields: [
      ['reqId', 'u32'],
      ['ok', 'u8'],
      ['message', 'str'],
    ],
  },
  // A boot ban made on the sender's side (AG-20): it holds on both.
  BAN: {
    type: 25,
    fields: [
      ['banKind', 'u8'],
      ['value', 'str'],
      ['until', 'u64'],
      ['booted', 'str'],
      ['by', 'str'],
      ['at', 'u64'],
    ],
  },
  // Rooms of channels the other side serves (guide steps 3-5).
  ROOM_REQ: {
    type: 30,
    fields: [
      ['reqId', 'u32'],
      ['name', 'str'],
    ],
  },
  ROOM_ANS: {
    type: 31,
    fields: [
      ['reqId', 'u32'],
      ['answer', 'u8'],
      ['room', 'u16'],
      ['ip', 'str'],
      ['port', 'u16'],
      ['reason', 'str'],
    ],
  },
  ROOM_RELEASE: {
    type: 32,
    fields: [
      ['room', 'u16'],
      ['grants', 'u32'],
    ],
  },
  // At link-up: an id of the receiver's half that the sender's clients and RoomServers still hold.
  ROOM_HOLD: {
    type: 33,
    fields: [
      ['room', 'u16'],
      ['name', 'str'],
    ],
  },
  // A user arriving on one of the sender's RoomServers (guide steps 6-8): hand its session over.
  CLAIM: {
    type: 40,
    fields: [
      ['reqId', 'u32'],
      ['name', 'str'],
      ['session', 'str'],
      // HMAC of the password the client presented, under the key both sides derive from the link password.
      ['verifier', 'bytes'],
      ['address', 'str'],
    ],
  },
  CLAIM_ANS: {
    type: 41,
    fields: [['reqId', 'u32'], ['nak', 'u8'], ['reason', 'str'], ...RECORD],
  },
  // A session whose client is present nowhere on the sender any more, offered back to the side
  // it came from, whose RoomServers may still have the client (it went back there over a
  // connection it had kept): taken (ok 1) if so, else the sender logs it off.
  RETURN: { type: 42, fields: [['reqId', 'u32'], ...RECORD] },
  RETURN_ANS: {
    type: 43,
    fields: [
      ['reqId', 'u32'],
      ['ok', 'u8'],
    ],
  },
} as const satisfies LinkTable;

export type BackupName = keyof typeof BACKUP_MESSAGES;
export type BackupMessageOf<N extends BackupName> = TableMessageOf<typeof BACKUP_MESSAGES, N>;
export type BackupMessage = TableMessage<typeof BACKUP_MESSAGES>;

const codec = tableCodec(BACKUP_MESSAGES, 'backup link');

export function encodeBackup(m: BackupMessage): Buffer {
  return codec.encode(m);
}

export function decodeBackupBody(type: number, body: Buffer): BackupMessage {
  return codec.decodeBody(type, body);
}

export class BackupDecoder extends FrameDecoder<BackupMessage> {
  constructor(onMessage: (m: BackupMessage) => void, onError: (err: unknown) => void) {
    super(decodeBackupBody, onMessage, onError);
  }
}

/** USER_ON.accountKind, CLAIM_ANS.accountKind. */
export const ACCOUNT_KINDS = ['registered', 'anonymous', 'guest'] as const;
export type AccountKindName = (typeof ACCOUNT_KINDS)[number];

export function kindCode(kind: AccountKindName): number {
  return ACCOUNT_KINDS.indexOf(kind);
}

export function kindOf(code: number): AccountKindName | null {
  return ACCOUNT_KINDS[code] ?? null;
}

// ---------------------------------------------------------------- room ids

export interface IdRange {
  first: number;
  last: number;
}

/**
 * Room ids are the client's galaxy-wide key (§5.2 ROOMIDRQ), and each side hands out the ids of
 * the rooms it serves. Partitioned by role, so that two rooms never share an id whichever side
 * named them: the BackupServer side 1-32767, the BackupClient side 32768-65535; a UserServer
 * without a backup keyword has them all.
 */
export function roomIdRange(role: BackupRole | null): IdRange {
  if (role === 'server') return { first: 1, last: 0x7fff };
  if (role === 'client') return { first: 0x8000, last: 0xffff };
  return { first: 1, last: 0xffff };
}

export function inRange(id: number, r: IdRange): boolean {
  return id >= r.first && id <= r.last;
}

// ---------------------------------------------------------------- channels

/** Guide Appendix II: the BackupClient's suffix is "1", the BackupServer's "2". */
export function defaultSuffix(role: BackupRole): string {
  return role === 'client' ? '1' : '2';
}

/** `dimension-1;2` → `2`; null when the channel has no suffix. */
export function channelSuffix(channel: string): string | null {
  const i = channel.lastIndexOf(';');
  return i < 0 ? null : channel.slice(i + 1);
}

/**
 * Which side serves a channel: one carrying a suffix other than ours is the other WorldServer's
 * (its server virtual space); ours, and a channel without suffix, are served here. Both sides
 * apply it alike, so a room has one server, and one id, galaxy-wide.
 */
export function channelOwner(channel: string, ownSuffix: string): 'local' | 'peer' {
  const s = channelSuffix(channel);
  return s === null || s === ownSuffix ? 'local' : 'peer';
}

// ---------------------------------------------------------------- duplicate logins

export interface SessionStamp {
  /** Unique galaxy-wide (role, process instance and a counter). */
  session: string;
  /** When the login happened, ms since 1970 on the side that took it. */
  loginAt: number;
  /** The session of the other side this login replaced, '' when none. */
  replaces: string;
}

/**
 * AG-11 across two WorldServers: a second login of a name replaces the first. When each side
 * learns of the other's session of a name it also holds, both decide with this function on the
 * same two stamps, so they agree on the one that survives: a login made knowing the other session
 * replaces it; otherwise (a race, or logins made while the link was down) the later login wins,
 * and at the same millisecond the greater session id. Returns the survivor.
 */
export function duplicateWinner<S extends SessionStamp>(a: S, b: S): S {
  if (b.replaces !== '' && b.replaces === a.session) return b;
  if (a.replaces !== '' && a.replaces === b.session) return a;
  if (a.loginAt !== b.loginAt) return a.loginAt > b.loginAt ? a : b;
  return a.session > b.session ? a : b;
}
