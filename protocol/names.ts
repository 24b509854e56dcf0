// Names as the client produces them (§3.2, §1): user names of 2..16 letters, digits, '_' and '-',
// and room long ids of the form `World#Room<channel>`.

import { BROADCAST_TARGET, SERVER_PSEUDO_USER } from './constants.js';
import { mutf8Length } from './mutf8.js';

const ASCII_NAME = /^[A-Za-z0-9_-]{2,16}$/;
// With UnicodeNames any letter or digit of any script is accepted (guide Appendix I/II).
const UNICODE_NAME = /^[\p{L}\p{N}_-]{2,16}$/u;

export function isValidUserName(name: string, unicode: boolean): boolean {
  return unicode ? UNICODE_NAME.test(name) : ASCII_NAME.test(name);
}

/**
 * Names that mean something else: the broadcast long ids `world` and `room` (§5.2 WHISPER), the
 * name the servers speak as, and `TRADE`, which whispered the real client its inventory (§6.3 step 6).
 */
const RESERVED = new Set([BROADCAST_TARGET.WORLD, BROADCAST_TARGET.ROOM, SERVER_PSEUDO_USER.toLowerCase(), 'trade']);

/** The guest login's name on every UserServer with `Guests … guest …`, and the stock prefix. */
export const DEFAULT_GUEST_PREFIX = 'guest';

/**
 * A name nobody may take as a new account or an anonymous user, on any server: the reserved
 * names above, the guest login (`guest`, `guest_N`) and, on a UserServer, its own Guests prefix.
 */
export function isReservedName(name: string, guestPrefix: string | null = null): boolean {
  const key = name.toLowerCase();
  if (RESERVED.has(key)) return true;
  for (const prefix of [DEFAULT_GUEST_PREFIX, guestPrefix?.toLowerCase()]) {
    if (prefix && (key === prefix || key.startsWith(`${prefix}_`))) return true;
  }
  return false;
}

/**
 * Whether lower case is this name's identity. Accounts and online users are told apart by the
 * lower-case name (userNameLower), which is not a case fold for every letter: `VİCTIM` lowers to
 * `vi̇ctim` beside `victim`, `STRASSE` and `straße` or `Sam` and `ſam` are the same name in upper
 * case, and fullwidth `ＶＩＣＴＩＭ` is VICTIM to the eye. New names (registration, anonymous
 * users) must be in NFKC form and made of letters whose case maps one to one and back.
 */
export function foldsSafely(name: string): boolean {
  if (name.normalize('NFKC') !== name) return false;
  for (const c of name) {
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    if ([...lower].length !== 1 || [...upper].length !== 1) return false;
    if (upper.toLowerCase() !== lower || lower.toUpperCase() !== upper) return false;
  }
  return true;
}

/** Case-insensitive identity of a user name, as userNameLower in the user database. */
export function userKey(name: string): string {
  return name.toLowerCase();
}

export interface RoomName {
  world: string;
  room: string;
  /** Text between < and > at the end (the galaxy channel), or '' when absent. */
  channel: string;
}

/**
 * Longest room name a server accepts: its REDIRID answer (name + 12 bytes) must fit a 255-byte
 * frame (§2.1). Real room names are a few dozen bytes.
 */
export const MAX_ROOM_NAME_BYTES = 240;

/** Splits `GroundZero#Reception<dimension-1>`; null when the text is not a room long id. */
export function parseRoomName(name: string): RoomName | null {
  if (mutf8Length(name) > MAX_ROOM_NAME_BYTES) return null;
  const m = /^([^#<>]+)#([^<>]+?)(?:<([^<>]*)>)?$/.exec(name);
  if (!m) return null;
  return { world: m[1] as string, room: m[2] as string, channel: m[3] ?? '' };
}

/**
 * The server world a room belongs to (guide "Architecture"): the client world name plus its
 * channel, e.g. `GroundZero<dimension-1>`. All rooms of one server world stay on one RoomServer.
 */
export function serverWorldOf(r: RoomName): string {
  return r.channel === '' ? r.world : `${r.world}<${r.channel}>`;
}
