// Names as the client produces them (§3.2, §1): user names of 2..16 letters, digits, '_' and '-',
// and room long ids of the form `World#Room<channel>`.

import { mutf8Length } from './mutf8.js';

const ASCII_NAME = /^[A-Za-z0-9_-]{2,16}$/;
// With UnicodeNames any letter or digit of any script is accepted (guide Appendix I/II).
const UNICODE_NAME = /^[\p{L}\p{N}_-]{2,16}$/u;

export function isValidUserName(name: string, unicode: boolean): boolean {
  return unicode ? UNICODE_NAME.test(name) : ASCII_NAME.test(name);
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
