import t from 'tap';
import type { AnyCommand } from '../../protocol/commands.js';
import { StreamDecoder } from '../../protocol/decoder.js';
import { ErrorCode, type ProtocolError } from '../../protocol/errors.js';
import { hex, VECTORS } from './vectors.js';

function run(chunks: Buffer[]) {
  const commands: AnyCommand[] = [];
  const errors: unknown[] = [];
  const d = new StreamDecoder({ onCommand: (c) => commands.push(c), onError: (e) => errors.push(e) });
  for (const c of chunks) d.push(c);
  return { commands, errors, d };
}

for (const v of VECTORS) {
  t.test(`${v.name}: whole, byte by byte, split at every offset (§2.2)`, async (t) => {
    const bytes = hex(v.hex);
    t.same(run([bytes]).commands, v.commands, 'whole');
    const single = [...bytes].map((b) => Buffer.from([b]));
    t.same(run(single).commands, v.commands, 'byte by byte');
    for (let i = 1; i < bytes.length; i++) {
      const r = run([bytes.subarray(0, i), bytes.subarray(i)]);
      if (!t.same(r.commands, v.commands, `split at ${i}`)) break;
      t.equal(r.errors.length, 0);
    }
  });
}

t.test('all vectors concatenated in one chunk, and in odd-sized chunks', async (t) => {
  const all = Buffer.concat(VECTORS.map((v) => hex(v.hex)));
  const expected = VECTORS.flatMap((v) => v.commands);
  t.same(run([all]).commands, expected);
  for (const size of [2, 3, 7, 64, 255, 256, 1000]) {
    const chunks: Buffer[] = [];
    for (let o = 0; o < all.length; o += size) chunks.push(all.subarray(o, o + size));
    t.same(run(chunks).commands, expected, `chunks of ${size}`);
  }
});

t.test('§2.1 a length byte below 3 is fatal, and nothing is emitted after it', async (t) => {
  for (const bad of [0, 1, 2]) {
    const r = run([Buffer.concat([hex('03 FF 0A'), Buffer.from([bad]), hex('03 FF 0A')])]);
    t.equal(r.commands.length, 1, `length ${bad}: the frame before is delivered`);
    t.equal(r.errors.length, 1);
    t.equal((r.errors[0] as ProtocolError).code, ErrorCode.FRAME_TOO_SHORT);
    r.d.push(hex('03 FF 0A'));
    t.equal(r.commands.length, 1, 'dead decoder ignores further input');
    t.equal(r.errors.length, 1, 'error reported once');
  }
});

t.test('a bad frame after a partial one straddling chunks', async (t) => {
  const r = run([hex('0B 01 01 04 D8'), hex('09 A6 00 00 01 2C 05 01 14 09 41')]);
  t.equal(r.commands.length, 1);
  t.equal((r.errors[0] as ProtocolError).code, ErrorCode.TRUNCATED);
});

t.test('the decoder never holds more than one partial frame', async (t) => {
  const r = run([Buffer.from([255]), Buffer.alloc(200, 1)]);
  t.equal(r.d.bufferedBytes, 201);
  t.ok(r.d.bufferedBytes < 255);
});

t.test('a handler that throws ends the stream like a protocol error', async (t) => {
  const errors: unknown[] = [];
  let calls = 0;
  const d = new StreamDecoder({
    onCommand: () => {
      calls++;
      throw new Error('handler bug');
    },
    onError: (e) => errors.push(e),
  });
  d.push(Buffer.concat([hex('03 FF 0A'), hex('03 FF 0A')]));
  t.equal(calls, 1);
  t.equal(errors.length, 1);
  t.ok(d.isDead);
});

t.test('CO records are emitted only after the whole frame decoded', async (t) => {
  // Second record truncated: nothing from this frame may be delivered.
  const r = run([hex('0E FE 0C 02 00 08 0E 48 04 25 00 C8 00 AD')]);
  t.equal(r.commands.length, 1, 'a complete single-record CO frame is fine');
  const bad = run([hex('10 FE 0C 02 00 08 0E 48 04 25 00 C8 00 AD 03 00')]);
  t.equal(bad.commands.length, 0);
  t.equal((bad.errors[0] as ProtocolError).code, ErrorCode.TRUNCATED);
});
