// Once per key per window; what was held back is counted.
import t from 'tap';
import { NoticeThrottle } from '../../runtime/notice-throttle.js';

t.test('first line per key per window; held-back lines are counted', async (t) => {
  const th = new NoticeThrottle(1000);
  t.equal(th.allow('a', 0), 0);
  t.equal(th.allow('a', 10), null);
  t.equal(th.allow('a', 20), null);
  t.equal(th.allow('b', 20), 0, 'another offender is logged');
  t.equal(th.allow('a', 1000), 2, 'next window: two were held back');
  t.equal(th.allow('a', 1500), null);
});

t.test('memory is bounded: the oldest keys are forgotten', async (t) => {
  const th = new NoticeThrottle(60_000, 3);
  for (const k of ['a', 'b', 'c', 'd']) th.allow(k, 0);
  t.equal(th.allow('a', 1), 0, 'a was forgotten, so it is logged again');
  t.equal(th.allow('d', 1), null, 'd is remembered');
});
