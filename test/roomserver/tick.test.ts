import t from 'tap';
import { OverloadMeter } from '../../roomserver/tick.js';

t.test('AG-31 ALERT after more than 5 late intervals in an hour, once per hour', async (t) => {
  const m = new OverloadMeter(0);
  const interval = 1000;
  t.notOk(m.record(900, 0, interval), 'on time');
  t.notOk(m.record(2000, 1000, interval), 'exactly at the next due time is still on time');
  const alerts: boolean[] = [];
  for (let i = 0; i < 8; i++) alerts.push(m.record(10_000 + i * 3000, 10_000 + i * 3000 - 1500, interval));
  t.same(
    alerts,
    [false, false, false, false, false, true, false, false],
    'the sixth late interval alerts, then silence',
  );
  t.equal(m.missedThisHour, 8);
  t.notOk(m.record(3_700_000, 3_700_000 - 1500, interval), 'a new hour starts counting again');
  t.equal(m.missedThisHour, 1);
  t.equal(m.missed, 9);
});
