// The private UserServer ↔ RoomServer link (protocol/LINK.md). Pure codec: messages are declared
// once in a table (type number and field layout) from which the TypeScript union and the generic
// encoder/decoder follow, as for the client protocol. Frame: u32 length (of what follows), u8
// type, body. Strings are modified UTF-8 with a u16 length, so any name or text a client sent
// crosses the link unchanged.

import { PropFlag } from './constants.js';
import { ErrorCode, protocolError } from './errors.js';
import { mutf8Decode, mutf8Length, mutf8Write } from './mutf8.js';
import type { NewProp } from './props.js';

/** 2: TLS-PSK transport (runtime/secure-link.ts), one-message HELLO, ROOM_RELEASE. */
export const LINK_VERSION = 2;
/** Largest message accepted or produced; checked as soon as the length is read. */
export const MAX_LINK_MESSAGE = 256 * 1024;
const MAX_LIST = 4096;

export interface LinkFieldTypes {
  u8: number;
  u16: number;
  u32: number;
  str: string;
  bytes: Buffer;
  strList: string[];
  props: NewProp[];
}
type LinkFieldKind = keyof LinkFieldTypes;
type LinkField = readonly [name: string, kind: LinkFieldKind];

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
} as const satisfies Record<string, { type: number; fields: readonly LinkField[] }>;

export type LinkName = keyof typeof LINK_MESSAGES;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type BodyOf<F extends readonly LinkField[]> = { -readonly [P in F[number] as P[0]]: LinkFieldTypes[P[1]] };
export type LinkMessageOf<N extends LinkName> = Simplify<{ kind: N } & BodyOf<(typeof LINK_MESSAGES)[N]['fields']>>;
export type LinkMessage = { [N in LinkName]: LinkMessageOf<N> }[LinkName];

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

const NAME_BY_TYPE = new Map<number, LinkName>(
  (Object.keys(LINK_MESSAGES) as LinkName[]).map((n) => [LINK_MESSAGES[n].type, n]),
);

function bad(detail: string) {
  return protocolError(ErrorCode.LINK_BAD_MESSAGE, detail);
}

// ---------------------------------------------------------------- encoding

class LinkWriter {
  private parts: Buffer[] = [];
  size = 0;

  private push(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }

  u8(v: number): void {
    this.push(Buffer.from([checkInt(v, 0xff)]));
  }

  u16(v: number): void {
    const b = Buffer.allocUnsafe(2);
    b.writeUInt16BE(checkInt(v, 0xffff));
    this.push(b);
  }

  u32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(checkInt(v, 0xffffffff));
    this.push(b);
  }

  str(s: string): void {
    const n = mutf8Length(s);
    if (n > 0xffff) throw bad(`string of ${n} bytes`);
    const b = Buffer.allocUnsafe(2 + n);
    b.writeUInt16BE(n);
    mutf8Write(b, s, 2);
    this.push(b);
  }

  bytes(v: Buffer): void {
    if (v.length > 0xffff) throw bad(`byte string of ${v.length} bytes`);
    this.u16(v.length);
    this.push(v);
  }

  finish(type: number): Buffer {
    const head = Buffer.allocUnsafe(5);
    head.writeUInt32BE(this.size + 1);
    head[4] = type;
    if (this.size + 1 > MAX_LINK_MESSAGE)
      throw protocolError(ErrorCode.LINK_TOO_LARGE, `link message of ${this.size + 1} bytes`);
    return Buffer.concat([head, ...this.parts], 5 + this.size);
  }
}

function checkInt(v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw bad(`value ${v} outside 0..${max}`);
  return v;
}

export function encodeLink(m: LinkMessage): Buffer {
  const spec = LINK_MESSAGES[m.kind];
  const fields = m as unknown as Record<string, unknown>;
  const w = new LinkWriter();
  for (const [name, kind] of spec.fields) writeField(w, kind, fields[name], `${m.kind}.${name}`);
  return w.finish(spec.type);
}

function writeField(w: LinkWriter, kind: LinkFieldKind, v: unknown, where: string): void {
  switch (kind) {
    case 'u8':
    case 'u16':
    case 'u32':
      if (typeof v !== 'number') throw bad(`${where} must be a number`);
      w[kind](v);
      return;
    case 'str':
      if (typeof v !== 'string') throw bad(`${where} must be a string`);
      w.str(v);
      return;
    case 'bytes':
      if (!Buffer.isBuffer(v)) throw bad(`${where} must be bytes`);
      w.bytes(v);
      return;
    case 'strList': {
      const list = v as string[];
      if (list.length > MAX_LIST) throw bad(`${where}: ${list.length} entries`);
      w.u16(list.length);
      for (const s of list) w.str(s);
      return;
    }
    case 'props': {
      const props = v as NewProp[];
      if (props.length > MAX_LIST) throw bad(`${where}: ${props.length} properties`);
      w.u16(props.length);
      for (const p of props) {
        w.u8(p.id);
        w.u8(p.flags);
        w.u8(p.access);
        if (p.flags & PropFlag.BINARY) {
          if (!Buffer.isBuffer(p.value)) throw bad(`${where}: binary property ${p.id} without bytes`);
          w.bytes(p.value);
        } else {
          if (typeof p.value !== 'string') throw bad(`${where}: text property ${p.id} with bytes`);
          w.str(p.value);
        }
      }
      return;
    }
  }
}

// ---------------------------------------------------------------- decoding

class LinkReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw bad('message ends inside a field');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  str(): string {
    const n = this.u16();
    this.need(n);
    const s = mutf8Decode(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  bytes(): Buffer {
    const n = this.u16();
    this.need(n);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }
}

export function decodeLinkBody(type: number, body: Buffer): LinkMessage {
  const kind = NAME_BY_TYPE.get(type);
  if (!kind) throw bad(`unknown link message type ${type}`);
  const r = new LinkReader(body);
  const out: Record<string, unknown> = { kind };
  for (const [name, fk] of LINK_MESSAGES[kind].fields) out[name] = readField(r, fk);
  if (r.remaining !== 0) throw bad(`${r.remaining} bytes after ${kind}`);
  return out as LinkMessage;
}

function readField(r: LinkReader, kind: LinkFieldKind): unknown {
  switch (kind) {
    case 'u8':
      return r.u8();
    case 'u16':
      return r.u16();
    case 'u32':
      return r.u32();
    case 'str':
      return r.str();
    case 'bytes':
      return r.bytes();
    case 'strList': {
      const n = r.u16();
      if (n > MAX_LIST) throw bad(`list of ${n} entries`);
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(r.str());
      return out;
    }
    case 'props': {
      const n = r.u16();
      if (n > MAX_LIST) throw bad(`${n} properties`);
      const out: NewProp[] = [];
      for (let i = 0; i < n; i++) {
        const id = r.u8();
        const flags = r.u8();
        const access = r.u8();
        out.push({ id, flags, access, value: flags & PropFlag.BINARY ? r.bytes() : r.str() });
      }
      return out;
    }
  }
}

/**
 * Streaming link decoder: any chunking; the declared length is checked against the cap before
 * anything is buffered for it. Chunks are kept in a list and joined only for the message being
 * decoded. Terminal on the first error; never throws.
 */
export class LinkDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private dead = false;

  constructor(
    private readonly onMessage: (m: LinkMessage) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.dead) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      while (this.buffered >= 4) {
        const len = this.peekLength();
        if (len < 1 || len > MAX_LINK_MESSAGE) {
          throw protocolError(ErrorCode.LINK_TOO_LARGE, `link message length ${len} outside 1..${MAX_LINK_MESSAGE}`);
        }
        if (this.buffered < 4 + len) return;
        const frame = this.take(4 + len);
        const m = decodeLinkBody(frame[4] as number, frame.subarray(5));
        this.onMessage(m);
        if (this.dead) return;
      }
    } catch (err) {
      this.dead = true;
      this.chunks = [];
      this.buffered = 0;
      this.onError(err);
    }
  }

  kill(): void {
    this.dead = true;
    this.chunks = [];
    this.buffered = 0;
  }

  private peekLength(): number {
    const first = this.chunks[0] as Buffer;
    if (first.length >= 4) return first.readUInt32BE(0);
    return this.take(4, true).readUInt32BE(0);
  }

  /** The next n bytes (a view when they lie in one chunk); `peek` leaves them buffered. */
  private take(n: number, peek = false): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (!peek) {
        if (first.length === n) this.chunks.shift();
        else this.chunks[0] = first.subarray(n);
        this.buffered -= n;
      }
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    let i = 0;
    while (off < n) {
      const c = this.chunks[i++] as Buffer;
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
    }
    if (!peek) {
      let left = n;
      while (left > 0) {
        const c = this.chunks[0] as Buffer;
        if (c.length <= left) {
          left -= c.length;
          this.chunks.shift();
        } else {
          this.chunks[0] = c.subarray(left);
          left = 0;
        }
      }
      this.buffered -= n;
    }
    return out;
  }
}
