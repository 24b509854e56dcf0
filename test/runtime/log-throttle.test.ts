// Logged once per offender per window; the next line says how many were held back.
import t from 'tap';
import { LogThrottle, ThrottledLog, heldBack } from '../../runtime/log-throttle.js';

t.test('first line per key per window; held-back lines are counted', async (t) => {
  const th = new LogThrottle(1000);
  t.equal(th.allow('a', 0), 0);
  t.equal(th.allow('a', 10), null);
  t.equal(th.allow('a', 20), null);
  t.equal(th.allow('b', 20), 0, 'another offender is logged');
  t.equal(th.allow('a', 1000), 2, 'next window: two were held back');
  t.equal(th.allow('a', 1500), null);
});

t.test('the suffix a logged line gets', async (t) => {
  t.equal(heldBack(0, 60_000), '');
  t.equal(heldBack(1, 60_000), ' (1 more suppressed in the last 60 s)');
  t.equal(heldBack(3, 5_000), ' (3 more suppressed in the last 5 s)');
});

t.test('memory is bounded: the oldest keys are forgotten', async (t) => {
  const th = new LogThrottle(60_000, 3);
  for (const k of ['a', 'b', 'c', 'd']) th.allow(k, 0);
  t.equal(th.allow('a', 1), 0, 'a was forgotten, so it is logged again');
  t.equal(th.allow('d', 1), null, 'd is remembered');
});

t.test('ThrottledLog: once per offender and event (the LogLimiter call)', async (t) => {
  const lines: string[] = [];
  const log = new ThrottledLog({ error: (who, text) => lines.push(`(${who}) - ${text}`) });
  log.error('Bob', 'rooms', 'room request refused', '10.0.0.1');
  log.error('Bob', 'rooms', 'room request refused', '10.0.0.1');
  log.error('Bob', 'state', 'shared property refused', '10.0.0.1');
  log.error('Eve', 'rooms', 'room request refused', '10.0.0.2');
  t.same(lines, ['(Bob) - room request refused', '(Bob) - shared property refused', '(Eve) - room request refused']);
});
