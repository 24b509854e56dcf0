// Java "modified UTF-8" (§3.2): UTF-16 code units encoded one by one, NUL as C0 80, characters
// above U+FFFF as two 3-byte surrogate halves. Node's UTF-8 codec cannot be used: it writes 4-byte
// sequences (which the client rejects) and replaces C0 80 and surrogate halves when decoding.

import { ErrorCode, protocolError } from './errors.js';

/** Number of bytes `s` takes in modified UTF-8. */
export function mutf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) n += 1;
    else if (c <= 0x7ff) n += 2;
    else n += 3;
  }
  return n;
}

/** Writes `s` at `offset` and returns the offset after it. The caller sized `buf`. */
export function mutf8Write(buf: Buffer, s: string, offset: number): number {
  let o = offset;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) {
      buf[o++] = c;
    } else if (c <= 0x7ff) {
      buf[o++] = 0xc0 | (c >> 6);
      buf[o++] = 0x80 | (c & 0x3f);
    } else {
      buf[o++] = 0xe0 | (c >> 12);
      buf[o++] = 0x80 | ((c >> 6) & 0x3f);
      buf[o++] = 0x80 | (c & 0x3f);
    }
  }
  return o;
}

export function mutf8Encode(s: string): Buffer {
  const buf = Buffer.allocUnsafe(mutf8Length(s));
  mutf8Write(buf, s, 0);
  return buf;
}

/**
 * Decodes `buf[start, end)`. Mirrors java.io.DataInputStream.readUTF, which is what the client
 * runs: a raw 00 is accepted as NUL, continuation bytes must be 10xxxxxx, and lead bytes of 4-byte
 * UTF-8 (F0..FF) or stray continuation bytes are errors.
 */
export function mutf8Decode(buf: Uint8Array, start = 0, end = buf.length): string {
  // Fast path: pure ASCII (the overwhelming case for names and chat).
  let i = start;
  while (i < end && (buf[i] as number) < 0x80) i++;
  if (i === end) return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');

  const units: number[] = [];
  for (let j = start; j < i; j++) units.push(buf[j] as number);
  while (i < end) {
    const a = buf[i] as number;
    if (a < 0x80) {
      units.push(a);
      i += 1;
    } else if ((a & 0xe0) === 0xc0) {
      if (i + 2 > end) throw badString('truncated 2-byte sequence');
      const b = buf[i + 1] as number;
      if ((b & 0xc0) !== 0x80) throw badString('bad continuation byte');
      units.push(((a & 0x1f) << 6) | (b & 0x3f));
      i += 2;
    } else if ((a & 0xf0) === 0xe0) {
      if (i + 3 > end) throw badString('truncated 3-byte sequence');
      const b = buf[i + 1] as number;
      const c = buf[i + 2] as number;
      if ((b & 0xc0) !== 0x80 || (c & 0xc0) !== 0x80) throw badString('bad continuation byte');
      units.push(((a & 0x0f) << 12) | ((b & 0x3f) << 6) | (c & 0x3f));
      i += 3;
    } else {
      throw badString(`invalid lead byte 0x${a.toString(16)}`);
    }
  }
  let out = '';
  for (let k = 0; k < units.length; k += 4096) out += String.fromCharCode(...units.slice(k, k + 4096));
  return out;
}

function badString(detail: string) {
  return protocolError(ErrorCode.BAD_STRING, `invalid modified UTF-8 string: ${detail}`);
}
