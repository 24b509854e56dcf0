// `/metrics` (AG-42): registry stats as Prometheus series with valid names, types, units and HELP.
import t from 'tap';
import { MetricsExporter, metricFor } from '../../../runtime/http/metrics.js';
import { Distribution, StatsRegistry, type StatReading } from '../../../runtime/stats.js';
import { parseExposition } from '../../helpers/exposition.js';

const reading = (r: Partial<StatReading> & Pick<StatReading, 'name' | 'kind' | 'unit'>): StatReading => ({
  fullName: `roomserver.first.${r.name}`,
  description: 'a stat',
  value: 1,
  ...r,
});

t.test('metric names: prefix and category, counters _total, units last, ms in seconds, percent as ratio', async (t) => {
  const m = (r: Parameters<typeof reading>[0]) => {
    const x = metricFor('roomserver', reading(r));
    return `${x.type} ${x.name} ×${x.scale}`;
  };
  t.equal(m({ name: 'users', kind: 'number', unit: 'users' }), 'gauge worldserver_roomserver_users ×1');
  t.equal(
    m({ name: 'chat_lines', kind: 'change', unit: 'lines' }),
    'counter worldserver_roomserver_chat_lines_total ×1',
  );
  t.equal(
    m({ name: 'bytes_sent', kind: 'change', unit: 'bytes' }),
    'counter worldserver_roomserver_sent_bytes_total ×1',
  );
  t.equal(m({ name: 'rss_bytes', kind: 'number', unit: 'bytes' }), 'gauge worldserver_roomserver_rss_bytes ×1');
  t.equal(m({ name: 'tick_ms', kind: 'number', unit: 'ms' }), 'gauge worldserver_roomserver_tick_seconds ×0.001');
  t.equal(
    m({ name: 'tick_ms_p99', kind: 'number', unit: 'ms' }),
    'gauge worldserver_roomserver_tick_p99_seconds ×0.001',
  );
  t.equal(
    m({ name: 'cpu_seconds', kind: 'change', unit: 'seconds' }),
    'counter worldserver_roomserver_cpu_seconds_total ×1',
  );
  t.equal(
    m({ name: 'login_failure_ratio', kind: 'percentage', unit: '%' }),
    'gauge worldserver_roomserver_login_failure_ratio ×0.01',
  );
  t.equal(m({ name: 'slots_total', kind: 'change', unit: 'slots' }), 'counter worldserver_roomserver_slots_total ×1');
});

t.test('families share one metric name with their labels; HELP names the unit', async (t) => {
  const fam = {
    name: 'logins_refused',
    help: 'Logins refused, by NAK code',
    labels: { nak: '13', reason: 'bad_password' },
  };
  const x = metricFor(
    'userserver',
    reading({ name: 'logins_refused_bad_password', kind: 'change', unit: 'logins', family: fam }),
  );
  t.equal(x.name, 'worldserver_userserver_logins_refused_total');
  t.same(x.labels, fam.labels);
  t.equal(x.help, 'Logins refused, by NAK code (logins)');
  const bad = { ...fam, labels: { server: 'x' } };
  t.throws(
    () => metricFor('userserver', reading({ name: 'a', kind: 'number', unit: 'u', family: bad })),
    /invalid label name server/,
    'the server label belongs to the exporter',
  );
});

t.test(
  'the exporter: valid exposition, default process metrics, every stat once, rebuilt when stats change',
  async (t) => {
    const reg = new StatsRegistry('roomserver', 'first');
    let users = 12;
    reg.number('users', 'users', 'Users logged in', () => users);
    reg.changeOf('bytes_sent', 'bytes', 'Bytes written to clients', () => 4096);
    const d = new Distribution();
    d.record(25);
    reg.distribution('tick_ms', 'ms', 'Tick duration', d);
    reg.percentage('login_failure_ratio', 'Share refused\nof "all" logins \\ attempts', () => [1, 4]);
    const fam = (nak: string) => ({
      family: { name: 'logins_refused', help: 'Logins refused, by NAK code', labels: { nak } },
    });
    reg.changeOf('logins_refused_bad_user', 'logins', 'NAK 1', () => 3, fam('1'));
    reg.changeOf('logins_refused_bad_password', 'logins', 'NAK 13', () => 5, fam('13'));
    const ex = new MetricsExporter(reg);
    t.match(ex.contentType, /^text\/plain; version=0\.0\.4/);

    let { samples, families } = parseExposition(await ex.metrics());
    const one = (name: string, labels: Record<string, string> = {}) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    t.same(
      one('worldserver_roomserver_users').map((s) => s.value),
      [12],
    );
    t.same(one('worldserver_roomserver_users')[0]?.labels, { server: 'first' }, 'the container is the server label');
    t.same(
      one('worldserver_roomserver_sent_bytes_total').map((s) => s.value),
      [4096],
    );
    t.same(
      one('worldserver_roomserver_tick_p99_seconds').map((s) => s.value),
      [0.025],
    );
    t.same(
      one('worldserver_roomserver_login_failure_ratio').map((s) => s.value),
      [0.25],
    );
    t.same(
      one('worldserver_roomserver_logins_refused_total', { nak: '13' }).map((s) => s.value),
      [5],
    );
    t.same(
      one('worldserver_roomserver_logins_refused_total', { nak: '1' }).map((s) => s.value),
      [3],
    );
    t.equal(families.get('worldserver_roomserver_logins_refused_total')?.type, 'counter');
    t.equal(families.get('worldserver_roomserver_users')?.type, 'gauge');
    t.match(
      families.get('worldserver_roomserver_login_failure_ratio')?.help,
      /\\n.*\\\\/,
      'HELP escapes line feeds and backslashes',
    );
    t.ok(families.has('process_cpu_user_seconds_total'), "prom-client's default process metrics are there");
    t.ok(families.has('nodejs_heap_size_used_bytes'));
    t.ok(families.has('process_open_fds') && families.has('nodejs_active_handles'));
    t.notOk(families.has('nodejs_eventloop_lag_seconds'), 'but not its event-loop gauges (the registry has its own)');
    t.notOk(
      families.has('nodejs_gc_duration_seconds'),
      'nor its garbage-collection histogram (a cost at every collection)',
    );

    users = 13;
    reg.number('rs_second_users', 'users', 'Users on second', () => 2);
    ({ samples, families } = parseExposition(await ex.metrics()));
    t.same(
      one('worldserver_roomserver_users').map((s) => s.value),
      [13],
      'read at each scrape',
    );
    t.same(
      one('worldserver_roomserver_rs_second_users').map((s) => s.value),
      [2],
      'a stat added later appears',
    );
    reg.remove('rs_second_users');
    ({ samples, families } = parseExposition(await ex.metrics()));
    t.same(one('worldserver_roomserver_rs_second_users'), [], 'and goes when it is removed');
    t.notOk(families.has('worldserver_roomserver_rs_second_users'));
  },
);

t.test('the strict reader refuses what Prometheus would', async (t) => {
  const ok = '# HELP a_total x\n# TYPE a_total counter\na_total{l="v"} 1\n';
  t.equal(parseExposition(ok).samples.length, 1);
  t.throws(() => parseExposition('a 1'), /line feed/);
  t.throws(() => parseExposition('# TYPE a gauge\na{l=v} 1\n'), /not a valid sample/);
  t.throws(() => parseExposition('# TYPE a gauge\nb 1\n'), /outside its metric/);
  t.throws(() => parseExposition('# TYPE a gauge\na 1\na 2\n'), /same series twice/);
  t.throws(() => parseExposition('# TYPE a counter\na -1\n'), /below zero/);
  t.throws(() => parseExposition('# TYPE a gauge\n# TYPE a gauge\n'), /second TYPE/);
  t.throws(() => parseExposition('# TYPE 1a gauge\n'), /malformed/);
});
