import t from 'tap';
import { chatText, moveAgeMs, parseChat, stampMove } from '../../../scripts/farm/stamps.js';

t.test('a position carries its send time in dir (0..359) and the low 3 bits of x', async (t) => {
  const sent = 1_712_345_678_901;
  for (const x of [0, 5, -4182, 1234, -1, 29_990]) {
    const s = stampMove(x, sent);
    t.ok(s.dir >= 0 && s.dir < 360, 'a direction the client could send');
    t.ok(Math.abs(s.x - x) < 8, 'x moves by under 8 units');
    for (const age of [0, 10, 480, 1_000, 2_300, 28_000]) {
      const got = moveAgeMs(s.x, s.dir, sent + age);
      t.ok(got !== null && Math.abs(got - age) <= 10, `x ${x}, age ${age}: ${got}`);
    }
  }
  t.equal(moveAgeMs(0, 400, 0), null, 'a direction out of range carries no stamp');
});

t.test('chat lines carry kind, sequence and time', async (t) => {
  const text = chatText('say', 12, 1_712_345_678_901.25);
  t.ok(Buffer.byteLength(text) < 100);
  t.same(parseChat(text), { kind: 'say', seq: 12, atMs: 1_712_345_678_901.3 });
  t.same(parseChat(chatText('whisper', 3, 5)), { kind: 'whisper', seq: 3, atMs: 5 });
  t.equal(parseChat('hello there'), null);
  t.equal(parseChat('Welcome to WorldServer'), null);
});
