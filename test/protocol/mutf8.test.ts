import t from 'tap';
import { mutf8Decode, mutf8Encode, mutf8Length } from '../../protocol/mutf8.js';
import { ErrorCode } from '../../protocol/errors.js';
import { hex, toHex } from './vectors.js';

t.test('§3.2 examples', async (t) => {
  t.equal(toHex(mutf8Encode('Zoë')), '5A 6F C3 AB');
  t.equal(toHex(mutf8Encode('a\u0000b')), '61 C0 80 62');
  t.equal(toHex(mutf8Encode('\u{1F600}')), 'ED A0 BD ED B8 80', 'astral characters as surrogate pairs');
  t.equal(mutf8Length('\u{1F600}'), 6);
  t.equal(toHex(mutf8Encode('\u0800\uffff')), 'E0 A0 80 EF BF BF');
});

t.test('decodes what the client sends', async (t) => {
  t.equal(mutf8Decode(hex('5A 6F C3 AB')), 'Zoë');
  t.equal(mutf8Decode(hex('61 C0 80 62')), 'a\u0000b');
  t.equal(mutf8Decode(hex('61 00 62')), 'a\u0000b', 'raw 00 accepted as NUL');
  t.equal(mutf8Decode(hex('ED A0 BD ED B8 80')), '\u{1F600}');
  t.equal(mutf8Decode(hex('')), '');
  t.equal(mutf8Decode(hex('41 42 43'), 1, 2), 'B');
});

t.test('rejects 4-byte UTF-8 and broken sequences', async (t) => {
  for (const bad of ['F0 9F 98 80', 'C3', 'C3 41', 'E0 A0', 'E0 41 80', '80', 'FF', 'F8 80 80 80 80']) {
    t.throws(() => mutf8Decode(hex(bad)), { code: ErrorCode.BAD_STRING }, bad);
  }
});

t.test('round-trips every BMP code unit and astral samples', async (t) => {
  let s = '';
  for (let c = 0; c <= 0xffff; c++) s += String.fromCharCode(c);
  t.equal(mutf8Decode(mutf8Encode(s)), s);
  const astral = '\u{10000}\u{1F600}\u{10FFFF}x';
  t.equal(mutf8Decode(mutf8Encode(astral)), astral);
  t.equal(mutf8Length(s), mutf8Encode(s).length);
});
