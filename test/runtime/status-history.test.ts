// The status page's history (AG-42): one point per sample, an hour kept in fixed rings.
import t from 'tap';
import { History, figure } from '../../runtime/status-history.js';
import { StatsRegistry } from '../../runtime/stats.js';

t.test('figures: value, rate or moving average, scaled; null for a stat that does not exist', async (t) => {
  const r = {
    fullName: 'a.b.c',
    name: 'c',
    kind: 'change' as const,
    unit: 'x',
    description: '',
    value: 10,
    rate: 2,
    averageRate: 3,
  };
  t.equal(figure(r, { field: 'value' }), 10);
  t.equal(figure(r, { field: 'rate', scale: 60 }), 120);
  t.equal(figure(r, { field: 'averageRate', scale: 0.5 }), 1.5);
  t.equal(figure(undefined, { field: 'value' }), null);
});

t.test(
  'one point per sample, oldest first, at most an hour of samples; since() returns only newer points',
  async (t) => {
    let now = 1_000_000;
    const reg = new StatsRegistry('roomserver', 'first', { now: () => now });
    let users = 0;
    reg.number('users', 'users', 'Users', () => users);
    const lines = reg.counter('chat_lines', 'lines', 'Chat');
    const h = new History(
      reg,
      [
        { key: 'users', label: 'Users', stat: 'users', field: 'value' },
        { key: 'chat', label: 'Chat per minute', stat: 'chat_lines', field: 'rate', scale: 60 },
        { key: 'gone', label: 'Gone', stat: 'no_such_stat', field: 'value' },
      ],
      600_000,
    );
    t.equal(h.capacity, 6, 'an hour of 10-minute samples');
    for (let i = 1; i <= 8; i++) {
      users = i;
      lines.inc(i);
      now += 600_000;
      reg.sample();
    }
    t.equal(h.size, 6);
    const all = h.since();
    t.same(all.series.users, [3, 4, 5, 6, 7, 8], 'the oldest points made room');
    t.same(
      all.t,
      [3, 4, 5, 6, 7, 8].map((i) => 1000 + 600 * i),
      'seconds since the epoch',
    );
    t.same(
      (all.series.chat ?? []).map((v) => v?.toFixed(3)),
      [3, 4, 5, 6, 7, 8].map((i) => ((i * 60) / 600).toFixed(3)),
      'lines per minute',
    );
    t.same(all.series.gone, [null, null, null, null, null, null], 'a missing stat is a gap');
    const newer = h.since(all.t[3] as number);
    t.same(newer.series.users, [7, 8]);
    t.same(h.since(1e12).t, []);
  },
);

t.test('the capacity is an hour of samples, between 2 and 3600 points', async (t) => {
  const reg = new StatsRegistry('roomserver', 'first');
  t.equal(new History(reg, [], 5000).capacity, 720);
  t.equal(new History(reg, [], 100).capacity, 3600);
  t.equal(new History(reg, [], 7_200_000).capacity, 2);
});
