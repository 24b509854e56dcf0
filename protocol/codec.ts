// Generic frame encoder and decoder driven by the table in commands.ts. Pure: no I/O, no timers,
// no logging. A decoded body must consume its frame exactly (§2.4); anything else is a typed error.

import { CMD_NAME_BY_NUMBER, Cmd, MAX_FRAME_BYTES, MIN_FRAME_BYTES, ObjIds, type CmdName } from './constants.js';
import { COMMANDS, type AnyCommand, type Command, type CommandOf, type FieldKind } from './commands.js';
import { ErrorCode, protocolError } from './errors.js';
import { readNewProps, readOldProps, writeNewProps, writeOldProps, type NewProp, type OldProp } from './props.js';
import { BodyReader, FrameWriter, objIdLength, type ObjId } from './wire.js';

export type CommandSink = (command: AnyCommand, inCoFrame: boolean) => void;

/**
 * Decodes one complete frame (length byte included) and hands each command to `emit`: one for an
 * ordinary frame, one per record for a CO frame (objid 254, §2.3). Throws ProtocolError.
 */
export function decodeFrameInto(frame: Buffer, emit: CommandSink): void {
  if (frame.length < MIN_FRAME_BYTES || frame.length > MAX_FRAME_BYTES) {
    throw protocolError(ErrorCode.FRAME_TOO_SHORT, `frame of ${frame.length} bytes`);
  }
  if (frame[0] !== frame.length) {
    throw protocolError(ErrorCode.TRUNCATED, `length byte ${frame[0]} does not match frame of ${frame.length}`);
  }
  const r = new BodyReader(frame, 1, frame.length);
  const objId = r.objId();
  const number = r.u8();
  const name = CMD_NAME_BY_NUMBER.get(number);
  if (name === undefined) {
    emit({ cmd: 'UNKNOWN', number, objId, body: r.bytes(r.remaining) }, objId === ObjIds.CO);
    return;
  }
  if (objId === ObjIds.CO) {
    if (!COMMANDS[name].co) {
      throw protocolError(ErrorCode.BAD_CO_FRAME, `${name} cannot be carried in a CO frame`);
    }
    while (r.remaining > 0) {
      const recordId = r.objId();
      if (recordId === ObjIds.CO) throw protocolError(ErrorCode.BAD_OBJID, 'CO record names objid 254');
      emit(readBody(r, name, recordId), true);
    }
    return;
  }
  const command = readBody(r, name, objId);
  if (r.remaining !== 0) {
    throw protocolError(ErrorCode.TRAILING_BYTES, `${r.remaining} bytes after the body of ${name}`);
  }
  emit(command, false);
}

/** Convenience for tests and tools: all commands of one frame. */
export function decodeFrame(frame: Buffer): { commands: AnyCommand[]; co: boolean } {
  const commands: AnyCommand[] = [];
  let co = false;
  decodeFrameInto(frame, (c, inCo) => {
    commands.push(c);
    co = inCo;
  });
  return { commands, co };
}

function readBody(r: BodyReader, name: CmdName, objId: ObjId): Command {
  // Built field by field from the table; the table is what makes the cast sound.
  const out: Record<string, unknown> = { cmd: name, objId };
  for (const [field, kind] of COMMANDS[name].fields) out[field] = readField(r, kind);
  return out as Command;
}

function readField(r: BodyReader, kind: FieldKind): unknown {
  switch (kind) {
    case 'u8':
      return r.u8();
    case 's8':
      return r.s8();
    case 'u16':
      return r.u16();
    case 's16':
      return r.s16();
    case 'str':
      return r.str();
    case 'objid':
      return r.objId();
    case 'ipv4':
      return r.ipv4();
    case 'oldProps':
      return readOldProps(r);
    case 'newProps':
      return readNewProps(r);
    case 'idList': {
      const ids: number[] = [];
      while (r.remaining > 0) ids.push(r.u8());
      return ids;
    }
    case 'rest':
      return r.bytes(r.remaining);
  }
}

function writeBody(w: FrameWriter, c: Command): void {
  const fields = c as unknown as Record<string, unknown>;
  for (const [field, kind] of COMMANDS[c.cmd].fields) writeField(w, kind, fields[field], `${c.cmd}.${field}`);
}

function writeField(w: FrameWriter, kind: FieldKind, v: unknown, where: string): void {
  switch (kind) {
    case 'u8':
      w.u8(num(v, where));
      return;
    case 's8':
      w.s8(num(v, where));
      return;
    case 'u16':
      w.u16(num(v, where));
      return;
    case 's16':
      w.s16(num(v, where));
      return;
    case 'str':
      w.str(str(v, where));
      return;
    case 'objid':
      w.objId(typeof v === 'string' ? v : num(v, where));
      return;
    case 'ipv4':
      w.ipv4(str(v, where));
      return;
    case 'oldProps':
      writeOldProps(w, v as OldProp[]);
      return;
    case 'newProps':
      writeNewProps(w, v as NewProp[]);
      return;
    case 'idList':
      for (const id of v as number[]) w.u8(id);
      return;
    case 'rest':
      w.bytes(v as Buffer);
      return;
  }
}

function num(v: unknown, where: string): number {
  if (typeof v !== 'number') throw protocolError(ErrorCode.VALUE_RANGE, `${where} must be a number`);
  return v;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string') throw protocolError(ErrorCode.VALUE_RANGE, `${where} must be a string`);
  return v;
}

/** Encodes one command as one frame. Throws ProtocolError when it cannot be represented. */
export function encodeCommand(c: Command): Buffer {
  if (c.objId === ObjIds.CO) throw protocolError(ErrorCode.BAD_OBJID, 'objid 254 is reserved for CO frames');
  const w = new FrameWriter();
  w.objId(c.objId).u8(Cmd[c.cmd]);
  writeBody(w, c);
  return w.finish();
}

/** Encodes a frame with a command number outside §5.1 (tests and fuzzing). */
export function encodeUnknown(number: number, objId: ObjId, body: Uint8Array): Buffer {
  return new FrameWriter().objId(objId).u8(number).bytes(body).finish();
}

/** Encodes records of one CO-capable command into a single CO frame (§2.3). */
export function encodeCo<N extends CmdName>(name: N, records: readonly CommandOf<N>[]): Buffer {
  if (!COMMANDS[name].co) throw protocolError(ErrorCode.BAD_CO_FRAME, `${name} cannot be carried in a CO frame`);
  const w = new FrameWriter();
  w.u8(ObjIds.CO).u8(Cmd[name]);
  for (const rec of records) {
    const c = rec as Command;
    if (c.cmd !== name) throw protocolError(ErrorCode.BAD_CO_FRAME, `CO frame of ${name} given a ${c.cmd}`);
    w.objId(c.objId);
    writeBody(w, c);
  }
  return w.finish();
}

/**
 * Packs records into as few frames as fit in 255 bytes each: CO frames for groups, a plain frame
 * for a record that ends up alone.
 */
export function packCo<N extends CmdName>(name: N, records: readonly CommandOf<N>[]): Buffer[] {
  const frames: Buffer[] = [];
  let group: CommandOf<N>[] = [];
  let size = 3;
  const flush = () => {
    if (group.length === 1) frames.push(encodeCommand(group[0] as Command));
    else if (group.length > 1) frames.push(encodeCo(name, group));
    group = [];
    size = 3;
  };
  for (const rec of records) {
    const recSize = objIdLength(rec.objId) + bodyLength(rec as Command);
    if (size + recSize > MAX_FRAME_BYTES) flush();
    group.push(rec);
    size += recSize;
  }
  flush();
  return frames;
}

/** Body size of a fixed-layout command (the ones allowed in CO frames). */
function bodyLength(c: Command): number {
  let n = 0;
  for (const [, kind] of COMMANDS[c.cmd].fields) {
    if (kind === 'u8' || kind === 's8') n += 1;
    else if (kind === 'u16' || kind === 's16') n += 2;
    else throw protocolError(ErrorCode.BAD_CO_FRAME, `${c.cmd} has a variable-size body`);
  }
  return n;
}
