// Primitive readers and writers for frame bodies (§3.1-§3.3). Big-endian integers, modified-UTF-8
// strings with a one-byte length, and ObjIDs. A reader never reads past its end: running short is a
// typed error, which the connection turns into a closed connection.

import { MAX_FRAME_BYTES, MAX_STRING_BYTES, ObjIds } from './constants.js';
import { ErrorCode, protocolError } from './errors.js';
import { mutf8Decode, mutf8Length, mutf8Write } from './mutf8.js';

/** A short ObjID (1..255, never 0) or a long id string (§3.3). */
export type ObjId = number | string;

export class BodyReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw protocolError(ErrorCode.TRUNCATED, `frame ends inside ${what}`);
    }
  }

  u8(): number {
    this.need(1, 'a byte field');
    return this.buf[this.pos++] as number;
  }

  s8(): number {
    this.need(1, 'a byte field');
    return this.buf.readInt8(this.pos++);
  }

  u16(): number {
    this.need(2, 'a 16-bit field');
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  s16(): number {
    this.need(2, 'a 16-bit field');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  str(): string {
    const len = this.u8();
    this.need(len, 'a string');
    const s = mutf8Decode(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  /** Copies: a view would keep the whole received chunk alive. */
  bytes(n: number): Buffer {
    this.need(n, 'a byte string');
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  objId(): ObjId {
    const b = this.u8();
    if (b !== ObjIds.LONG_FORM) return b;
    return this.str();
  }

  ipv4(): string {
    this.need(4, 'an IPv4 address');
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return `${b[p]}.${b[p + 1]}.${b[p + 2]}.${b[p + 3]}`;
  }
}

/**
 * Writes one frame into a scratch area sized to the protocol maximum, then copies out exactly the
 * bytes written. Anything that would pass 255 bytes is an error here, before it can reach a client
 * that cannot receive it (§2.1).
 */
export class FrameWriter {
  private readonly buf = Buffer.allocUnsafe(MAX_FRAME_BYTES);
  private pos = 1;

  get length(): number {
    return this.pos;
  }

  private room(n: number): void {
    if (this.pos + n > MAX_FRAME_BYTES) {
      throw protocolError(ErrorCode.FRAME_TOO_LARGE, `frame would exceed ${MAX_FRAME_BYTES} bytes`);
    }
  }

  u8(v: number): this {
    checkInt(v, 0, 0xff, 'u8');
    this.room(1);
    this.buf[this.pos++] = v;
    return this;
  }

  s8(v: number): this {
    checkInt(v, -0x80, 0x7f, 's8');
    this.room(1);
    this.buf.writeInt8(v, this.pos++);
    return this;
  }

  u16(v: number): this {
    checkInt(v, 0, 0xffff, 'u16');
    this.room(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  s16(v: number): this {
    checkInt(v, -0x8000, 0x7fff, 's16');
    this.room(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  str(s: string): this {
    const n = mutf8Length(s);
    if (n > MAX_STRING_BYTES) {
      throw protocolError(ErrorCode.STRING_TOO_LONG, `string of ${n} bytes exceeds ${MAX_STRING_BYTES}`);
    }
    this.room(1 + n);
    this.buf[this.pos++] = n;
    this.pos = mutf8Write(this.buf, s, this.pos);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  objId(id: ObjId): this {
    if (typeof id === 'string') return this.u8(ObjIds.LONG_FORM).str(id);
    if (!Number.isInteger(id) || id < 1 || id > 255) {
      throw protocolError(ErrorCode.BAD_OBJID, `short ObjID ${id} is outside 1..255`);
    }
    return this.u8(id);
  }

  ipv4(addr: string): this {
    const parts = addr.split('.');
    if (parts.length !== 4) throw protocolError(ErrorCode.VALUE_RANGE, `not an IPv4 address: ${addr}`);
    for (const p of parts) {
      if (!/^\d{1,3}$/.test(p)) throw protocolError(ErrorCode.VALUE_RANGE, `not an IPv4 address: ${addr}`);
      this.u8(Number(p));
    }
    return this;
  }

  /** Finishes the frame: sets the length byte and returns an exact-size copy. */
  finish(): Buffer {
    this.buf[0] = this.pos;
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

function checkInt(v: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw protocolError(ErrorCode.VALUE_RANGE, `${what} value ${v} is outside ${min}..${max}`);
  }
}

/** Bytes an ObjID takes on the wire. */
export function objIdLength(id: ObjId): number {
  return typeof id === 'string' ? 2 + mutf8Length(id) : 1;
}
