// Seeded fuzzing of the stream decoder (ENGINEERING.md practice 13): random frames, mutated valid
// frames and random chunking. Assertions: it never throws, never emits after an error, reports at
// most one error, and never buffers a full frame's worth of bytes.
import t from 'tap';
import { StreamDecoder } from '../../protocol/decoder.js';
import { isProtocolError } from '../../protocol/errors.js';
import { encodeCommand } from '../../protocol/codec.js';
import type { AnyCommand } from '../../protocol/commands.js';
import { hex, VECTORS } from './vectors.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const valid = VECTORS.map((v) => hex(v.hex));

t.test('random and mutated input', async (t) => {
  const rand = rng(0xc0ffee);
  const int = (n: number) => Math.floor(rand() * n);
  let errored = 0;
  let decoded = 0;
  for (let round = 0; round < 3000; round++) {
    const parts: Buffer[] = [];
    const frames = 1 + int(20);
    for (let i = 0; i < frames; i++) {
      const kind = int(4);
      if (kind === 0) {
        const len = int(260);
        const b = Buffer.alloc(len);
        for (let j = 0; j < len; j++) b[j] = int(256);
        parts.push(b);
      } else {
        const base = Buffer.from(valid[int(valid.length)] as Buffer);
        if (kind === 1) base[int(base.length)] = int(256);
        if (kind === 2 && base.length > 4) {
          const at = 1 + int(base.length - 1);
          base[at] = (base[at] as number) ^ (1 << int(8));
        }
        parts.push(base);
      }
    }
    const stream = Buffer.concat(parts);
    let errors = 0;
    let emittedAfterError = false;
    const commands: AnyCommand[] = [];
    const d = new StreamDecoder({
      onCommand: (c) => {
        if (errors > 0) emittedAfterError = true;
        commands.push(c);
      },
      onError: (e) => {
        errors++;
        if (!isProtocolError(e)) throw new Error(`non-protocol error escaped: ${String(e)}`);
      },
    });
    let o = 0;
    while (o < stream.length) {
      const n = 1 + int(300);
      d.push(stream.subarray(o, o + n));
      if (d.bufferedBytes >= 255) throw new Error('decoder buffered a whole frame');
      o += n;
    }
    if (emittedAfterError || errors > 1) {
      t.fail(`round ${round}: emitted after error or reported twice`);
      return;
    }
    if (errors) errored++;
    decoded += commands.length;
    // Whatever decoded must re-encode (the decoder only yields representable commands).
    for (const c of commands) if (c.cmd !== 'UNKNOWN' && c.objId !== 254) encodeCommand(c);
  }
  t.ok(errored > 100, `many rounds hit an error (${errored})`);
  t.ok(decoded > 1000, `many commands decoded (${decoded})`);
});
