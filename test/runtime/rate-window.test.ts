// N per minute per key (room requests per user, handshakes per address), refunds, bounded memory.
import t from 'tap';
import { RateWindow } from '../../runtime/rate-window.js';

t.test('at most limit events per key per window; the window restarts', async (t) => {
  const w = new RateWindow<string>(1000);
  t.ok(w.take('a', 2, 0));
  t.ok(w.take('a', 2, 10));
  t.notOk(w.take('a', 2, 20), 'third in the window');
  t.ok(w.take('b', 2, 20), 'other keys are independent');
  t.notOk(w.allows('a', 2, 999));
  t.ok(w.allows('a', 2, 1000));
  t.ok(w.take('a', 2, 1000), 'new window');
});

t.test('a refunded event does not count', async (t) => {
  const w = new RateWindow<string>(1000);
  t.ok(w.take('a', 1, 0));
  w.refund('a');
  t.ok(w.take('a', 1, 1));
  w.refund('zzz');
  t.pass('refunding an unknown key is harmless');
});

t.test('keys whose window passed are pruned', async (t) => {
  const w = new RateWindow<number>(1000);
  for (let i = 0; i < 1000; i++) w.take(i, 1, 0);
  t.equal(w.size, 1000);
  w.take(-1, 1, 5000);
  t.equal(w.size, 1, 'only the key of the current window is left');
});
