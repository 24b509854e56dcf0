// Builders for the server messages whose layout the client is strictest about: SESSIONINIT and
// SESSIONEXIT replies (§5.2), property updates split at 255 bytes (§2.1), and chat text split at
// character boundaries. Pure functions returning encoded frames.

import { encodeCommand } from './codec.js';
import { MAX_FRAME_BYTES, Nak, ObjIds, PropAccess, PropFlag, SESSIONINIT_REPLY_IDS, Var } from './constants.js';
import { ErrorCode, protocolError } from './errors.js';
import { mutf8Length } from './mutf8.js';
import { newPropLength, type NewProp, type OldProp } from './props.js';
import { objIdLength, type ObjId } from './wire.js';

/** `06 01 07 04 01 30`: the only SESSIONEXIT a server sends, and only as a reply (§5.2). */
export const SESSIONEXIT_REPLY: Buffer = encodeCommand({
  cmd: 'SESSIONEXIT',
  objId: ObjIds.CLIENT,
  props: [{ id: Var.ERROR, value: '0' }],
});

/** `04 FF 0F 00`: a PROPSET to the server object, accepted and ignored by the client (§5.2). */
export const KEEPALIVE: Buffer = encodeCommand({ cmd: 'PROPSET', objId: ObjIds.PO, fromUser: '', props: [] });

/**
 * SESSIONINIT reply. VAR_ERROR goes first; ids outside the set the client accepts would make it
 * assert and drop the connection, so they are refused here.
 */
export function sessionInitReply(props: readonly OldProp[]): Buffer {
  if (props[0]?.id !== Var.ERROR)
    throw protocolError(ErrorCode.BAD_PROPERTY, 'SESSIONINIT reply must start with VAR_ERROR');
  for (const p of props) {
    if (!SESSIONINIT_REPLY_IDS.has(p.id)) {
      throw protocolError(ErrorCode.BAD_PROPERTY, `property ${p.id} is not allowed in a SESSIONINIT reply`);
    }
  }
  return encodeCommand({ cmd: 'SESSIONINIT', objId: ObjIds.CLIENT, props: [...props] });
}

/** Refusal: only VAR_ERROR, e.g. `07 01 06 04 02 31 33` for a bad password. */
export function sessionInitNak(code: number): Buffer {
  if (code === 4 || code === 8 || code === Nak.ACK) {
    throw protocolError(ErrorCode.VALUE_RANGE, `NAK ${code} must never be sent (§4.2)`);
  }
  return sessionInitReply([{ id: Var.ERROR, value: String(code) }]);
}

/** Server-information property: flags 80 (DBSTORE), access 01, as the real servers send (§6.2). */
export function serverProp(id: number, value: string): NewProp {
  return { id, flags: PropFlag.DBSTORE, access: PropAccess.POSSESS, value };
}

export interface SplitProps {
  frames: Buffer[];
  /** Properties too large to fit any frame addressed to this objid. */
  dropped: NewProp[];
}

/**
 * PROPUPD for `objId`, split over as many frames as needed (the real RS split one object's
 * properties over 2-3 frames, §5.2). An empty list yields one empty PROPUPD.
 */
export function propUpdFrames(objId: ObjId, props: readonly NewProp[]): SplitProps {
  const header = 1 + objIdLength(objId) + 1;
  const frames: Buffer[] = [];
  const dropped: NewProp[] = [];
  let group: NewProp[] = [];
  let size = header;
  const flush = () => {
    frames.push(encodeCommand({ cmd: 'PROPUPD', objId, props: group }));
    group = [];
    size = header;
  };
  for (const p of props) {
    const n = newPropLength(p);
    if (header + n > MAX_FRAME_BYTES) {
      dropped.push(p);
      continue;
    }
    if (size + n > MAX_FRAME_BYTES) flush();
    group.push(p);
    size += n;
  }
  if (group.length > 0 || frames.length === 0) flush();
  return { frames, dropped };
}

/**
 * Splits `text` into pieces of at most `maxBytes` modified-UTF-8 bytes, never inside a surrogate
 * pair, preferring to break after a space.
 */
export function splitText(text: string, maxBytes: number): string[] {
  if (maxBytes < 6) throw protocolError(ErrorCode.VALUE_RANGE, `cannot split text into ${maxBytes}-byte pieces`);
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    let bytes = 0;
    let end = start;
    let lastSpace = -1;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      const isPair = c >= 0xd800 && c <= 0xdbff && end + 1 < text.length;
      const step = isPair ? 2 : 1;
      const b = mutf8Length(text.slice(end, end + step));
      if (bytes + b > maxBytes) break;
      bytes += b;
      end += step;
      if (c === 0x20) lastSpace = end;
    }
    if (end < text.length && lastSpace > start) end = lastSpace;
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}

/** Largest text that fits one TEXT/WHISPER frame from `sender` (§5.2: 255 − 3 − (2 + name) − 1). */
export function maxTextBytes(sender: string): number {
  return MAX_FRAME_BYTES - 3 - (2 + mutf8Length(sender)) - 1;
}

/** TEXT frames from `sender` (long form, as §5.2 requires), split when too long. */
export function textFrames(sender: string, text: string): Buffer[] {
  return splitText(text, maxTextBytes(sender)).map((piece) =>
    encodeCommand({ cmd: 'TEXT', objId: ObjIds.CLIENT, sender, text: piece }),
  );
}

/** WHISPER frames delivered to the recipient (objid 1), sender in long form (§5.2). */
export function whisperFrames(sender: string, text: string): Buffer[] {
  return splitText(text, maxTextBytes(sender)).map((piece) =>
    encodeCommand({ cmd: 'WHISPER', objId: ObjIds.CLIENT, sender, text: piece }),
  );
}

/** BUDDYLISTNOTIFY (§5.2): 1 online, 0 offline, 2 "send me your list again" (name must be empty). */
export function buddyNotify(name: string, state: 0 | 1 | 2): Buffer {
  return encodeCommand({ cmd: 'BUDDYLISTNOTIFY', objId: ObjIds.CLIENT, buddy: state === 2 ? '' : name, state });
}
