import t from 'tap';
import { decodeFrame, encodeCommand, encodeCo, encodeUnknown, packCo } from '../../protocol/codec.js';
import type { AnyCommand, Command, CommandOf } from '../../protocol/commands.js';
import { ErrorCode } from '../../protocol/errors.js';
import { hex, toHex, VECTORS } from './vectors.js';

function encodeAll(commands: AnyCommand[], co: boolean | undefined): Buffer {
  const first = commands[0];
  if (!first) throw new Error('vector without commands');
  if (first.cmd === 'UNKNOWN') return encodeUnknown(first.number, first.objId, first.body);
  if (co) return encodeCo(first.cmd, commands as CommandOf<typeof first.cmd>[]);
  return encodeCommand(first);
}

for (const v of VECTORS) {
  t.test(v.name, async (t) => {
    const bytes = hex(v.hex);
    t.equal(bytes[0], bytes.length, 'length byte counts the whole frame (§2.1)');
    const decoded = decodeFrame(bytes);
    t.same(decoded.commands, v.commands, 'decodes to the expected commands');
    t.equal(decoded.co, v.co ?? false, 'CO flag');
    t.equal(toHex(encodeAll(v.commands, v.co)), toHex(bytes), 're-encodes byte-identical');
    t.same(decodeFrame(encodeAll(decoded.commands, v.co)).commands, v.commands, 'round-trips');
  });
}

t.test('§2.4 a body must be consumed exactly', async (t) => {
  t.throws(() => decodeFrame(hex('0C 01 01 04 D8 09 A6 00 00 01 2C 00')), { code: ErrorCode.TRAILING_BYTES });
  t.throws(() => decodeFrame(hex('0A 01 01 04 D8 09 A6 00 00 01')), { code: ErrorCode.TRUNCATED });
  // String length byte running past the end of the frame.
  t.throws(() => decodeFrame(hex('06 01 14 05 41 42')), { code: ErrorCode.TRUNCATED });
  // Binary property whose length runs past the end.
  t.throws(() => decodeFrame(hex('09 FD 0F 00 64 D0 01 04 DE')), { code: ErrorCode.TRUNCATED });
});

t.test('frame length byte must match the frame', async (t) => {
  t.throws(() => decodeFrame(hex('04 FF 0A')), { code: ErrorCode.TRUNCATED });
  t.throws(() => decodeFrame(hex('02 FF')), { code: ErrorCode.FRAME_TOO_SHORT });
});

t.test('§2.3 CO frames only carry fixed-layout commands', async (t) => {
  t.throws(() => decodeFrame(hex('08 FE 0E 02 00 00 01 41')), { code: ErrorCode.BAD_CO_FRAME });
  t.throws(() => decodeFrame(hex('04 FE 0B FE')), { code: ErrorCode.BAD_OBJID });
  t.throws(() => encodeCo('TEXT' as 'LONGLOC', []), { code: ErrorCode.BAD_CO_FRAME });
  t.throws(() => encodeCommand({ cmd: 'DISAPPR', objId: 254 }), { code: ErrorCode.BAD_OBJID });
});

t.test('encoder refuses what the client cannot receive', async (t) => {
  t.throws(() => encodeCommand({ cmd: 'LONGLOC', objId: 1, x: 40000, y: 0, z: 0, dir: 0 }), {
    code: ErrorCode.VALUE_RANGE,
  });
  t.throws(() => encodeCommand({ cmd: 'ROOMID', objId: 1, name: 'x', room: 70000 }), { code: ErrorCode.VALUE_RANGE });
  t.throws(() => encodeCommand({ cmd: 'ROOMIDRQ', objId: 1, name: 'x'.repeat(256) }), {
    code: ErrorCode.STRING_TOO_LONG,
  });
  t.throws(() => encodeCommand({ cmd: 'ROOMIDRQ', objId: 1, name: 'x'.repeat(252) }), {
    code: ErrorCode.FRAME_TOO_LARGE,
  });
  t.throws(() => encodeCommand({ cmd: 'DISAPPR', objId: 0 }), { code: ErrorCode.BAD_OBJID });
  t.throws(() => encodeCommand({ cmd: 'REDIRID', objId: 1, name: 'a', room: 1, ip: 'localhost', port: 1 }), {
    code: ErrorCode.VALUE_RANGE,
  });
  t.throws(
    () => encodeCommand({ cmd: 'PROPUPD', objId: 2, props: [{ id: 5, flags: 0x10, access: 0, value: 'not binary' }] }),
    { code: ErrorCode.BAD_PROPERTY },
  );
  t.throws(
    () => encodeCommand({ cmd: 'PROPUPD', objId: 2, props: [{ id: 5, flags: 0, access: 0, value: Buffer.from('x') }] }),
    { code: ErrorCode.BAD_PROPERTY },
  );
  const max = encodeCommand({ cmd: 'ROOMIDRQ', objId: 1, name: 'x'.repeat(251) });
  t.equal(max.length, 255, 'a 255-byte frame is fine');
});

t.test('packCo splits records into frames of at most 255 bytes', async (t) => {
  const records: CommandOf<'LONGLOC'>[] = [];
  for (let i = 0; i < 60; i++) records.push({ cmd: 'LONGLOC', objId: 2 + i, x: i, y: -i, z: 0, dir: i % 360 });
  const frames = packCo('LONGLOC', records);
  t.ok(frames.every((f) => f.length <= 255 && f[0] === f.length));
  const back: AnyCommand[] = frames.flatMap((f) => decodeFrame(f).commands);
  t.same(back, records, 'all records survive, in order');
  t.equal(frames.length, Math.ceil(60 / 28), '28 nine-byte records per CO frame');
  const one = packCo('DISAPPR', [{ cmd: 'DISAPPR', objId: 7 }]);
  t.equal(toHex(one[0] as Buffer), '03 07 0B', 'a lone record uses the ordinary form');
  t.same(packCo('DISAPPR', []), []);
});

t.test('modified UTF-8 inside frames (§3.2)', async (t) => {
  const zoe: Command = { cmd: 'TEXT', objId: 1, sender: 'Zoë', text: 'a\u0000b' };
  const bytes = encodeCommand(zoe);
  t.equal(toHex(bytes), '0E 01 0E 00 04 5A 6F C3 AB 04 61 C0 80 62');
  t.same(decodeFrame(bytes).commands, [zoe]);
});
