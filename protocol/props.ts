// Property lists (§3.4). Old style: id + string, used by PROP, SESSIONINIT, SESSIONEXIT, APPINIT.
// New style: id + flags + access + value, where the BINARY flag (0x10) makes the value raw bytes;
// used by PROPSET, PROPUPD and FINGREP. Neither has a count: a list runs to the end of the frame.

import { PropFlag } from './constants.js';
import { ErrorCode, protocolError } from './errors.js';
import { mutf8Length } from './mutf8.js';
import type { BodyReader, FrameWriter } from './wire.js';

export interface OldProp {
  id: number;
  value: string;
}

/** `value` is a Buffer exactly when `flags` has the BINARY bit. */
export interface NewProp {
  id: number;
  flags: number;
  access: number;
  value: string | Buffer;
}

export function readOldProps(r: BodyReader): OldProp[] {
  const out: OldProp[] = [];
  while (r.remaining > 0) {
    const id = r.u8();
    out.push({ id, value: r.str() });
  }
  return out;
}

export function writeOldProps(w: FrameWriter, props: readonly OldProp[]): void {
  for (const p of props) w.u8(p.id).str(p.value);
}

export function readNewProps(r: BodyReader): NewProp[] {
  const out: NewProp[] = [];
  while (r.remaining > 0) {
    const id = r.u8();
    const flags = r.u8();
    const access = r.u8();
    const value = flags & PropFlag.BINARY ? r.bytes(r.u8()) : r.str();
    out.push({ id, flags, access, value });
  }
  return out;
}

export function writeNewProp(w: FrameWriter, p: NewProp): void {
  w.u8(p.id).u8(p.flags).u8(p.access);
  if (p.flags & PropFlag.BINARY) {
    if (!Buffer.isBuffer(p.value)) {
      throw protocolError(ErrorCode.BAD_PROPERTY, `property ${p.id} has the BINARY flag but a string value`);
    }
    if (p.value.length > 255) {
      throw protocolError(ErrorCode.STRING_TOO_LONG, `binary property ${p.id} exceeds 255 bytes`);
    }
    w.u8(p.value.length).bytes(p.value);
  } else {
    if (typeof p.value !== 'string') {
      throw protocolError(ErrorCode.BAD_PROPERTY, `property ${p.id} has binary value without the BINARY flag`);
    }
    w.str(p.value);
  }
}

export function writeNewProps(w: FrameWriter, props: readonly NewProp[]): void {
  for (const p of props) writeNewProp(w, p);
}

/** Wire size of one new-style property. */
export function newPropLength(p: NewProp): number {
  return 3 + 1 + (typeof p.value === 'string' ? mutf8Length(p.value) : p.value.length);
}

/** Wire size of one old-style property. */
export function oldPropLength(p: OldProp): number {
  return 1 + 1 + mutf8Length(p.value);
}

export function stringProp(id: number, value: string, flags: number, access: number): NewProp {
  return { id, flags: flags & ~PropFlag.BINARY, access, value };
}
