import t from 'tap';
import { CoBatch, encodeRegObjId, longObjIdBytes } from '../../protocol/fast.js';
import { encodeCommand, packCo } from '../../protocol/codec.js';
import type { CommandOf } from '../../protocol/commands.js';
import { ErrorCode } from '../../protocol/errors.js';
import { toHex } from './vectors.js';

t.test('CoBatch produces the generic encoder bytes', async (t) => {
  const frames: Buffer[] = [];
  const b = new CoBatch('LONGLOC', (f) => frames.push(f));
  const recs: CommandOf<'LONGLOC'>[] = [];
  for (let i = 0; i < 40; i++) {
    const id = i % 3 === 0 ? `user${i}` : 2 + i;
    recs.push({ cmd: 'LONGLOC', objId: id, x: -i * 100, y: i * 7, z: i, dir: (i * 37) % 360 });
    b.pos(typeof id === 'string' ? longObjIdBytes(id) : id, -i * 100, i * 7, i, (i * 37) % 360);
  }
  b.flush();
  t.same(frames.map(toHex), packCo('LONGLOC', recs).map(toHex));
});

t.test('CoBatch single record uses the ordinary form', async (t) => {
  const frames: Buffer[] = [];
  const b = new CoBatch('APPRACTR', (f) => frames.push(f));
  b.roomPos(2, 8, 1000, 2000, 0, 90);
  b.flush();
  t.equal(toHex(frames[0] as Buffer), '0D 02 0C 00 08 03 E8 07 D0 00 00 00 5A');
  b.flush();
  t.equal(frames.length, 1, 'flush of an empty batch emits nothing');
  t.throws(() => b.empty(2), { code: ErrorCode.BAD_CO_FRAME }, 'records of another command are refused');
  const d = new CoBatch('DISAPPR', (f) => frames.push(f));
  d.empty(longObjIdBytes('Bob'));
  d.flush();
  t.equal(toHex(frames[1] as Buffer), toHex(encodeCommand({ cmd: 'DISAPPR', objId: 'Bob' })));
});

t.test('REGOBJID fast encoder', async (t) => {
  t.equal(toHex(encodeRegObjId('Bob', 2)), '08 FF 0D 03 42 6F 62 02');
  t.equal(
    toHex(encodeRegObjId('Zoë', 127)),
    toHex(encodeCommand({ cmd: 'REGOBJID', objId: 255, longId: 'Zoë', shortId: 127 })),
  );
  t.throws(() => encodeRegObjId('Bob', 128), { code: ErrorCode.BAD_OBJID }, '§3.3 ids 128..252 are unusable');
  t.throws(() => encodeRegObjId('Bob', 1), { code: ErrorCode.BAD_OBJID }, 'never re-register 1');
});
