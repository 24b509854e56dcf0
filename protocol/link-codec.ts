// The framing and field encoding every private server-to-server link shares (protocol/LINK.md,
// protocol/BACKUP.md): a link declares its messages once in a table (type number and field
// layout); the TypeScript union of its messages and a generic encoder/decoder follow from the
// table. Frame: u32 length (of what follows), u8 type, body. Strings are modified UTF-8 with a u16
// length, so any name or text a client sent crosses a link unchanged. Pure: no I/O.

import { PropFlag } from './constants.js';
import { ErrorCode, protocolError } from './errors.js';
import { mutf8Decode, mutf8Length, mutf8Write } from './mutf8.js';
import type { NewProp } from './props.js';

/** Largest message accepted or produced; checked as soon as the length is read. */
export const MAX_LINK_MESSAGE = 256 * 1024;
const MAX_LIST = 4096;

export interface LinkFieldTypes {
  u8: number;
  u16: number;
  u32: number;
  /** Whole numbers up to 2^53 (milliseconds since 1970), as 8 bytes big-endian. */
  u64: number;
  str: string;
  bytes: Buffer;
  strList: string[];
  props: NewProp[];
}
export type LinkFieldKind = keyof LinkFieldTypes;
export type LinkField = readonly [name: string, kind: LinkFieldKind];
export type LinkTable = Record<string, { type: number; fields: readonly LinkField[] }>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type BodyOf<F extends readonly LinkField[]> = { -readonly [P in F[number] as P[0]]: LinkFieldTypes[P[1]] };
/** One message of a table, with its `kind`. */
export type TableMessageOf<T extends LinkTable, N extends keyof T & string> = Simplify<
  { kind: N } & BodyOf<T[N]['fields']>
>;
/** Every message of a table. */
export type TableMessage<T extends LinkTable> = { [N in keyof T & string]: TableMessageOf<T, N> }[keyof T & string];

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

  u64(v: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(BigInt(checkInt(v, Number.MAX_SAFE_INTEGER)));
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

function writeField(w: LinkWriter, kind: LinkFieldKind, v: unknown, where: string): void {
  switch (kind) {
    case 'u8':
    case 'u16':
    case 'u32':
    case 'u64':
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

  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`value ${v} above 2^53`);
    return Number(v);
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

function readField(r: LinkReader, kind: LinkFieldKind): unknown {
  switch (kind) {
    case 'u8':
      return r.u8();
    case 'u16':
      return r.u16();
    case 'u32':
      return r.u32();
    case 'u64':
      return r.u64();
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

/** The encoder and body decoder of one link's table. */
export interface TableCodec<M extends { kind: string }> {
  encode(m: M): Buffer;
  decodeBody(type: number, body: Buffer): M;
}

export function tableCodec<T extends LinkTable>(table: T, linkName: string): TableCodec<TableMessage<T>> {
  // `kind` names the message itself: a field of that name would make the message type impossible.
  for (const [name, spec] of Object.entries(table))
    if (spec.fields.some(([field]) => field === 'kind')) throw new Error(`${linkName} ${name}: a field named kind`);
  const nameByType = new Map<number, string>(Object.keys(table).map((n) => [(table[n] as T[string]).type, n]));
  return {
    encode(m) {
      const spec = table[m.kind] as T[string];
      const fields = m as unknown as Record<string, unknown>;
      const w = new LinkWriter();
      for (const [name, kind] of spec.fields) writeField(w, kind, fields[name], `${m.kind}.${name}`);
      return w.finish(spec.type);
    },
    decodeBody(type, body) {
      const kind = nameByType.get(type);
      if (kind === undefined) throw bad(`unknown ${linkName} message type ${type}`);
      const r = new LinkReader(body);
      const out: Record<string, unknown> = { kind };
      for (const [name, fk] of (table[kind] as T[string]).fields) out[name] = readField(r, fk);
      if (r.remaining !== 0) throw bad(`${r.remaining} bytes after ${kind}`);
      return out as TableMessage<T>;
    },
  };
}

/**
 * Streaming frame decoder: any chunking; the declared length is checked against the cap before
 * anything is buffered for it. Chunks are kept in a list and joined only for the message being
 * decoded. Terminal on the first error; never throws.
 */
export class FrameDecoder<M> {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private dead = false;

  constructor(
    private readonly decodeBody: (type: number, body: Buffer) => M,
    private readonly onMessage: (m: M) => void,
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
        const m = this.decodeBody(frame[4] as number, frame.subarray(5));
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
