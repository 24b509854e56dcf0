import t from 'tap';
import { decodeFrame } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/errors.js';
import {
  KEEPALIVE,
  SESSIONEXIT_REPLY,
  maxTextBytes,
  propUpdFrames,
  sessionInitNak,
  sessionInitReply,
  splitText,
  textFrames,
} from '../../protocol/messages.js';
import { mutf8Length } from '../../protocol/mutf8.js';
import { toHex } from './vectors.js';

t.test('fixed frames', async (t) => {
  t.equal(toHex(SESSIONEXIT_REPLY), '06 01 07 04 01 30');
  t.equal(toHex(KEEPALIVE), '04 FF 0F 00');
  t.equal(toHex(sessionInitNak(13)), '07 01 06 04 02 31 33');
});

t.test('§5.2 SESSIONINIT replies the client would assert on are refused', async (t) => {
  t.throws(() => sessionInitNak(4), { code: ErrorCode.VALUE_RANGE });
  t.throws(() => sessionInitNak(8), { code: ErrorCode.VALUE_RANGE });
  t.throws(() => sessionInitReply([{ id: 15, value: '3' }]), { code: ErrorCode.BAD_PROPERTY }, 'VAR_ERROR first');
  t.throws(
    () =>
      sessionInitReply([
        { id: 4, value: '0' },
        { id: 7, value: '24' },
      ]),
    { code: ErrorCode.BAD_PROPERTY },
  );
  t.equal(
    toHex(
      sessionInitReply([
        { id: 4, value: '0' },
        { id: 15, value: '3' },
        { id: 8, value: '1000000' },
        { id: 3, value: '24' },
      ]),
    ),
    '16 01 06 04 01 30 0F 01 33 08 07 31 30 30 30 30 30 30 03 02 32 34',
  );
});

t.test('propUpdFrames splits at 255 bytes and drops what cannot fit', async (t) => {
  const props = [];
  for (let i = 30; i < 40; i++) props.push({ id: i, flags: 0x40, access: 1, value: 'v'.repeat(60) });
  const { frames, dropped } = propUpdFrames('Bob', props);
  t.equal(dropped.length, 0);
  t.ok(frames.length >= 3);
  t.ok(frames.every((f) => f.length <= 255));
  t.same(
    frames.flatMap((f) => {
      const c = decodeFrame(f).commands[0];
      return c?.cmd === 'PROPUPD' ? c.props : [];
    }),
    props,
  );
  const huge = propUpdFrames('A'.repeat(40), [{ id: 100, flags: 0x10, access: 0, value: Buffer.alloc(240) }]);
  t.equal(huge.dropped.length, 1);
  t.equal(huge.frames.length, 1, 'still one (empty) PROPUPD');
});

t.test('splitText keeps characters whole and prefers spaces', async (t) => {
  const text = 'word '.repeat(100);
  const pieces = splitText(text, 50);
  t.equal(pieces.join(''), text);
  t.ok(pieces.every((p) => mutf8Length(p) <= 50));
  t.ok(pieces.slice(0, -1).every((p) => p.endsWith(' ')));
  const emoji = '\u{1F600}'.repeat(100);
  const ep = splitText(emoji, 50);
  t.equal(ep.join(''), emoji);
  t.ok(
    ep.every((p) => mutf8Length(p) <= 50 && !/[\ud800-\udbff]$/.test(p)),
    'no split inside a pair',
  );
  t.throws(() => splitText('x', 3), { code: ErrorCode.VALUE_RANGE });
});

t.test('textFrames fill frames to exactly 255 bytes at most', async (t) => {
  const frames = textFrames('WORLDSMASTER', 'x'.repeat(1000));
  t.ok(frames.every((f) => f.length <= 255));
  t.equal(frames[0]?.length, 255);
  t.equal(maxTextBytes('Bob'), 255 - 3 - 5 - 1);
});
