// The private UserServer ↔ RoomServer link (protocol/LINK.md). Pure codec: messages are declared
// once in a table (type number and field layout) from which the TypeScript union and the generic
// encoder/decoder follow (protocol/link-codec.ts, shared with the backup link). Frame: u32 length
// (of what follows), u8 type, body. Strings are modified UTF-8 with a u16 length, so any name or
// text a client sent crosses the link unchanged.

import {
  FrameDecoder,
  MAX_LINK_MESSAGE,
  tableCodec,
  type LinkTable,
  type TableMessage,
  type TableMessageOf,
} from './link-codec.js';

export { MAX_LINK_MESSAGE, type LinkFieldTypes } from './link-codec.js';

/** 2: TLS-PSK transport (runtime/secure-link.ts), one-message HELLO, ROOM_RELEASE. */
export const LINK_VERSION = 2;

export const LINK_MESSAGES = {
  // Handshake, inside the TLS channel (RoomServer speaks first). Types 2 and 3 were version 1's
  // CHALLENGE and AUTH; they are not used again.
  HELLO: {
    type: 1,
    fields: [
      ['version', 'u16'],
      ['rsName', 'str'],
      ['usersIp', 'str'],
      ['usersPort', 'u16'],
      ['worlds', 'strList'],
    ],
  },
  WELCOME: {
    type: 4,
    fields: [
      ['serverType', 'u8'],
      // The UserServer's web and mail settings ('' = not set): RoomServers send the same (§6.2).
      ['internalHttpServer', 'str'],
      ['externalHttpServer', 'str'],
      ['scriptServer', 'str'],
      ['smtpServer', 'str'],
      ['mailDomain', 'str'],
    ],
  },
  REFUSED: { type: 5, fields: [['reason', 'str']] },
  PING: { type: 6, fields: [] },
  PONG: { type: 7, fields: [] },
  // RoomServer asks, UserServer answers (matched by reqId).
  ROOM_REQ: {
    type: 10,
    fields: [
      ['reqId', 'u32'],
      ['name', 'str'],
    ],
  },
  ROOM_ANS: {
    type: 11,
    fields: [
      ['reqId', 'u32'],
      ['answer', 'u8'],
      ['room', 'u16'],
      ['ip', 'str'],
      ['port', 'u16'],
      ['reason', 'str'],
    ],
  },
  LOGIN_REQ: {
    type: 12,
    fields: [
      ['reqId', 'u32'],
      ['loginName', 'str'],
      ['password', 'str'],
      ['hasPassword', 'u8'],
      ['clientVersion', 'str'],
      ['address', 'str'],
    ],
  },
  LOGIN_ANS: {
    type: 13,
    fields: [
      ['reqId', 'u32'],
      ['nak', 'u8'],
      ['reason', 'str'],
      ['name', 'str'],
      ['privileges', 'u32'],
      ['channel', 'str'],
      ['props', 'props'],
    ],
  },
  WHISPER: {
    type: 14,
    fields: [
      ['reqId', 'u32'],
      ['from', 'str'],
      ['to', 'str'],
      ['text', 'str'],
    ],
  },
  WHISPER_ANS: {
    type: 15,
    fields: [
      ['reqId', 'u32'],
      ['delivered', 'u8'],
      ['reason', 'str'],
    ],
  },
  BOOT_REQ: {
    type: 16,
    fields: [
      ['reqId', 'u32'],
      ['from', 'str'],
      ['name', 'str'],
    ],
  },
  BOOT_ANS: {
    type: 17,
    fields: [
      ['reqId', 'u32'],
      ['ok', 'u8'],
      ['message', 'str'],
    ],
  },
  ROOM_LOOKUP: {
    type: 18,
    fields: [
      ['reqId', 'u32'],
      ['room', 'u16'],
    ],
  },
  ROOM_INFO: {
    type: 19,
    fields: [
      ['reqId', 'u32'],
      ['answer', 'u8'],
      ['name', 'str'],
    ],
  },
  // RoomServer reports.
  USER_JOINED: { type: 20, fields: [['name', 'str']] },
  USER_LEFT: {
    type: 21,
    fields: [
      ['name', 'str'],
      ['loggingOff', 'u8'],
    ],
  },
  PROPS: {
    type: 22,
    fields: [
      ['name', 'str'],
      ['props', 'props'],
    ],
  },
  CHANNEL: {
    type: 23,
    fields: [
      ['name', 'str'],
      ['channel', 'str'],
    ],
  },
  BUDDY: {
    type: 24,
    fields: [
      ['name', 'str'],
      ['buddy', 'str'],
      ['add', 'u8'],
    ],
  },
  BROADCAST: {
    type: 25,
    fields: [
      ['from', 'str'],
      ['text', 'str'],
    ],
  },
  // UserServer tells.
  WHISPER_DELIVER: {
    type: 30,
    fields: [
      ['from', 'str'],
      ['to', 'str'],
      ['text', 'str'],
    ],
  },
  BROADCAST_DELIVER: {
    type: 31,
    fields: [
      ['from', 'str'],
      ['text', 'str'],
    ],
  },
  BUDDY_NOTIFY: {
    type: 32,
    fields: [
      ['to', 'str'],
      ['buddy', 'str'],
      ['state', 'u8'],
    ],
  },
  KICK: {
    type: 33,
    fields: [
      ['name', 'str'],
      ['reason', 'str'],
    ],
  },
  USER_PROPS: {
    type: 34,
    fields: [
      ['name', 'str'],
      ['props', 'props'],
    ],
  },
  // Room ids as a managed resource (issue 6).
  ROOM_RELEASE: {
    type: 35,
    fields: [
      ['room', 'u16'],
      ['grants', 'u32'],
    ],
  },
  // Monitoring (40-44): a RoomServer's load at every stats sample, for the UserServer's galaxy panel.
  RS_STATS: {
    type: 40,
    fields: [
      ['users', 'u32'],
      ['connections', 'u32'],
      ['rooms', 'u32'],
      ['serverWorlds', 'u32'],
      ['tickP99Us', 'u32'],
      ['missedIntervals', 'u32'],
      ['cpuPermille', 'u32'],
      ['rssKiB', 'u32'],
      ['bytesInPerSecond', 'u32'],
      ['bytesOutPerSecond', 'u32'],
      ['eventLoopP99Us', 'u32'],
    ],
  },
} as const satisfies LinkTable;

export type LinkName = keyof typeof LINK_MESSAGES;

export type LinkMessageOf<N extends LinkName> = TableMessageOf<typeof LINK_MESSAGES, N>;
export type LinkMessage = TableMessage<typeof LINK_MESSAGES>;

/** ROOM_ANS.answer (EXHAUSTED since version 2: no room id is left). */
export const RoomAnswerKind = { NONE: 0, HERE: 1, ELSEWHERE: 2, EXHAUSTED: 3 } as const;

/** The role of the UserServer ↔ RoomServer link in its TLS-PSK key and identity (LINK.md). */
export const ROOMSERVER_LINK_ROLE = 'roomserver';

/** The PSK identity a RoomServer presents (sent in clear): role and RoomServer name. */
export function linkIdentity(role: string, name: string): string {
  return `${role} ${name}`;
}

export function parseLinkIdentity(identity: string): { role: string; name: string } | null {
  const m = /^([a-z]+) (\S{1,64})$/.exec(identity);
  return m ? { role: m[1] as string, name: m[2] as string } : null;
}

/**
 * The version a peer speaking the plain-TCP link of version 1 announces in its first message
 * (HELLO: u32 length, type 1, u16 version), or null when the bytes are not such a message.
 */
export function legacyHelloVersion(first: Buffer): number | null {
  if (first.length < 7) return null;
  const len = first.readUInt32BE(0);
  if (len < 3 || len > MAX_LINK_MESSAGE || first[4] !== LINK_MESSAGES.HELLO.type) return null;
  return first.readUInt16BE(5);
}

/**
 * LOGIN_ANS `reason` on acceptance when the login started the user's session in the galaxy (a
 * client that came straight to the RoomServer): that RoomServer sends the message of the hour,
 * which the UserServer sends at every other login (AG-21: once per login).
 */
export const LOGIN_NEW_SESSION = 'new session';

const codec = tableCodec(LINK_MESSAGES, 'link');

export function encodeLink(m: LinkMessage): Buffer {
  return codec.encode(m);
}

export function decodeLinkBody(type: number, body: Buffer): LinkMessage {
  return codec.decodeBody(type, body);
}

/** Streaming decoder of the link's frames (any chunking; terminal on the first error, never throws). */
export class LinkDecoder extends FrameDecoder<LinkMessage> {
  constructor(onMessage: (m: LinkMessage) => void, onError: (err: unknown) => void) {
    super(decodeLinkBody, onMessage, onError);
  }
}
