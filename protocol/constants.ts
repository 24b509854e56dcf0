// Wire constants of protocol 24 (WORLDS-PROTOCOL.md §3-§5). Numbers are wire values;
// names follow the client's constant tables so that code and spec read alike.

/** Command numbers, §5.1. */
export const Cmd = {
  LONGLOC: 1,
  STATE: 2,
  PROP: 3,
  SHORTLOC: 4,
  ROOMCHNG: 5,
  SESSIONINIT: 6,
  SESSIONEXIT: 7,
  APPINIT: 8,
  PROPREQ: 10,
  DISAPPR: 11,
  APPRACTR: 12,
  REGOBJID: 13,
  TEXT: 14,
  PROPSET: 15,
  PROPUPD: 16,
  WHISPER: 17,
  TELEPORT: 18,
  ROOMIDRQ: 20,
  ROOMID: 21,
  SUBSCRIB: 22,
  UNSUBSCR: 23,
  SUBDIST: 24,
  REDIRECT: 25,
  REDIRID: 26,
  FINGREQ: 27,
  FINGREP: 28,
  BUDDYLISTUPDATE: 29,
  BUDDYLISTNOTIFY: 30,
  CHANNEL: 31,
} as const;

export type CmdName = keyof typeof Cmd;
export type CmdNumber = (typeof Cmd)[CmdName];

/** Reverse map, derived so that a command cannot be half-registered. */
export const CMD_NAME_BY_NUMBER: ReadonlyMap<number, CmdName> = new Map(
  (Object.keys(Cmd) as CmdName[]).map((name) => [Cmd[name], name]),
);

/** Property ids, §4.1. Id 5 is VAR_CHANNEL in SESSIONINIT and VAR_BITMAP on objects. */
export const Var = {
  APPNAME: 1,
  USERNAME: 2,
  PROTOCOL: 3,
  ERROR: 4,
  CHANNEL: 5,
  BITMAP: 5,
  PASSWORD: 6,
  AVATARS: 7,
  UPDATETIME: 8,
  CLIENT: 9,
  SERIAL: 10,
  EMAIL: 11,
  LOGONOFF: 12,
  DURATION: 13,
  GUEST: 14,
  SERVERTYPE: 15,
  BIZCARD: 16,
  NEW_PASSWD: 20,
  PRIV: 22,
  ASLEEP: 23,
  EXTERNAL_HTTP_SERVER: 24,
  SCRIPT_SERVER: 25,
  SMTP_SERVER: 26,
  MAIL_DOMAIN: 27,
  NEW_USERNAME: 28,
  INTERNAL_HTTP_SERVER: 29,
  INVENTORY: 32,
} as const;

/**
 * Property ids the client accepts in a SESSIONINIT reply (§5.2). Any other id makes it assert
 * and drop the connection, so the encoder of replies checks against this set.
 */
export const SESSIONINIT_REPLY_IDS: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 8, 10, 13, 15, 22]);

/**
 * Session properties the servers own (§4.1): a client may not set them on itself, and they are
 * never stored as user properties.
 */
export const SERVER_OWNED_PROPERTIES: ReadonlySet<number> = new Set([
  1, 2, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 20, 22, 28,
]);

/** Properties other users never see: password, serial, e-mail address (guide Appendix III). */
export const PRIVATE_PROPERTIES: ReadonlySet<number> = new Set([6, 10, 11, 20]);

/** VAR_ERROR values, §4.2. 4 and 8 make the client assert: never send them. */
export const Nak = {
  ACK: 0,
  BAD_USER: 1,
  MAX_ORDINARY: 2,
  MAX_PRIORITY: 3,
  FATAL: 5,
  BAD_PROTOCOL: 6,
  BAD_CLIENTSW: 7,
  BAD_SERIAL: 9,
  TAKEN_SERIAL: 10,
  TAKEN_USER: 11,
  NO_SUCH_USER: 12,
  BAD_PASSWORD: 13,
  BAD_ACCOUNT: 14,
  NOT_LOGGEDON: 15,
  BAD_IPADDRESS: 16,
  LOGGEDON: 17,
  CRYPT_METHOD: 18,
  CRYPT_ERROR: 19,
  SESSIONINIT: 20,
  ROOM_FULL: 21,
} as const;

export type NakCode = (typeof Nak)[keyof typeof Nak];

/** VAR_SERVERTYPE values, §4.3. 3 on a galaxy's first connection crashes the client (§6.1). */
export const ServerType = {
  USER_SERVER_DB: 1,
  USER_SERVER_ANON: 2,
  ROOM_SERVER_US: 3,
  ROOM_SERVER_ANON: 4,
} as const;

/** VAR_PRIV bits, §4.3 and guide Appendix III. */
export const Priv = {
  NONE: 0,
  BUILD: 1,
  BROADCAST: 2,
  PROPERTY: 4,
  VIP: 8,
  VIP2: 16,
  SPECIALGUEST: 64,
} as const;

/** Reserved one-byte ObjIDs, §3.3. */
export const ObjIds = {
  LONG_FORM: 0,
  CLIENT: 1,
  FIRST_SHORT: 2,
  /** The client reads REGOBJID's id as a signed byte: 128..252 can never be looked up again. */
  LAST_SHORT: 127,
  CURRENT_ROOM: 253,
  CO: 254,
  PO: 255,
} as const;

/** New-style property flags, §3.5. */
export const PropFlag = {
  DBSTORE: 0x80,
  AUTOUPDATE: 0x40,
  FINGER: 0x20,
  BINARY: 0x10,
} as const;

/** Property access bits, §3.5. */
export const PropAccess = {
  POSSESS: 1,
  PRIVATE: 2,
} as const;

export const PROTOCOL_VERSION = 24;
export const MAX_FRAME_BYTES = 255;
export const MIN_FRAME_BYTES = 3;
export const MAX_STRING_BYTES = 255;

/** The pseudo-user the original servers used for their notices (§5.2 TEXT). */
export const SERVER_PSEUDO_USER = 'WORLDSMASTER';

/**
 * Long ids the client whispers to when a user with broadcast privilege uses the Broadcast menu or
 * the "Boot a user" dialog (protocol/BROADCAST.md).
 */
export const BROADCAST_TARGET = { WORLD: 'world', ROOM: 'room' } as const;
