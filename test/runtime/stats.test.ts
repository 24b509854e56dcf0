// The statistics registry (AG-41): names, the three kinds, rates and their moving average,
// distributions, and the `show stats` line format.
import t from 'tap';
import { AVERAGE_SAMPLES, Distribution, StatsRegistry, formatReading } from '../../runtime/stats.js';

function clocked() {
  let now = 1_000_000;
  const reg = new StatsRegistry('roomserver', 'firstRS', { now: () => now });
  return { reg, advance: (ms: number) => (now += ms) };
}

t.test('names are category.container.name and must be snake_case and unique', async (t) => {
  const { reg } = clocked();
  reg.number('users', 'users', 'users logged in', () => 12);
  t.equal(reg.read('users')?.fullName, 'roomserver.firstRS.users');
  t.throws(() => reg.number('users', 'users', 'again', () => 1), /registered twice/);
  t.throws(() => reg.number('Tick-ms', 'ms', 'bad', () => 1), /snake_case/);
  t.same(reg.names, ['users']);
});

t.test('number: read when shown', async (t) => {
  const { reg } = clocked();
  let users = 3;
  reg.number('users', 'users', 'users logged in', () => users);
  t.equal(reg.read('users')?.value, 3);
  users = 7;
  t.equal(reg.read('users')?.value, 7, 'no sampling needed for a number');
  t.equal(formatReading(reg.read('users')!), 'roomserver.firstRS.users : 7 users');
});

t.test('change: last rate per second and the moving average of recent rates', async (t) => {
  const { reg, advance } = clocked();
  const chat = reg.counter('chat_lines', 'lines', 'chat lines heard');
  reg.sample();
  chat.value += 10;
  advance(5000);
  reg.sample();
  let r = reg.read('chat_lines')!;
  t.equal(r.value, 10);
  t.equal(r.rate, 2, '10 lines in 5 s');
  t.equal(r.averageRate, 2);
  chat.inc(30);
  advance(5000);
  reg.sample();
  r = reg.read('chat_lines')!;
  t.equal(r.rate, 6);
  t.equal(r.averageRate, 4, 'average of 2/s and 6/s');
  t.equal(formatReading(r), 'roomserver.firstRS.chat_lines : 40 lines, 6/s, 4/s');
  for (let i = 0; i < AVERAGE_SAMPLES; i++) {
    advance(5000);
    reg.sample();
  }
  t.equal(reg.read('chat_lines')!.averageRate, 0, `only the last ${AVERAGE_SAMPLES} samples count`);
});

t.test('change of a total kept elsewhere', async (t) => {
  const { reg, advance } = clocked();
  let bytes = 0;
  reg.changeOf('bytes_out', 'bytes', 'bytes written to clients', () => bytes);
  reg.sample();
  bytes = 4096;
  advance(2000);
  reg.sample();
  t.equal(reg.read('bytes_out')!.rate, 2048);
});

t.test('percentage with its terms', async (t) => {
  const { reg } = clocked();
  let terms: [number, number] = [0, 0];
  reg.percentage('login_failure_ratio', 'logins refused', () => terms);
  t.equal(reg.read('login_failure_ratio')!.value, 0, 'no division by zero');
  terms = [116, 306];
  const r = reg.read('login_failure_ratio')!;
  t.equal(r.numerator, 116);
  t.equal(r.denominator, 306);
  t.equal(formatReading(r), 'roomserver.firstRS.login_failure_ratio : 37.91% (116/306)');
});

t.test('distribution: last, median and 99th percentile over the retained window', async (t) => {
  const { reg } = clocked();
  const d = new Distribution(100);
  reg.distribution('tick_ms', 'ms', 'tick duration', d);
  t.equal(reg.read('tick_ms_p99')!.value, 0, 'empty is 0');
  for (let i = 1; i <= 200; i++) d.record(i);
  t.equal(reg.read('tick_ms')!.value, 200);
  t.equal(reg.read('tick_ms_p50')!.value, 150, 'only the last 100 values are kept (101..200)');
  t.equal(reg.read('tick_ms_p99')!.value, 199);
  t.equal(d.count, 200);
  d.clear();
  t.equal(d.quantile(0.5), 0);
  t.equal(d.last, 200, 'the last value survives a clear');
});

t.test('onSample listeners run after each sample', async (t) => {
  const { reg, advance } = clocked();
  const seen: number[] = [];
  reg.onSample.push((at) => seen.push(at));
  reg.sample();
  advance(5000);
  reg.sample();
  t.same(seen, [1_000_000, 1_005_000]);
});

t.test('remove: a stat can go away (a RoomServer that left), and the generation says the set changed', async (t) => {
  const { reg } = clocked();
  const g0 = reg.generation;
  reg.number('rs_first_users', 'users', 'users on first', () => 3);
  t.ok(reg.generation > g0, 'adding changes the generation');
  t.ok(reg.has('rs_first_users'));
  const g1 = reg.generation;
  t.equal(reg.remove('rs_first_users'), true);
  t.equal(reg.remove('rs_first_users'), false, 'removing twice is harmless');
  t.ok(reg.generation > g1, 'removing changes the generation');
  t.notOk(reg.has('rs_first_users'));
  t.equal(reg.read('rs_first_users'), undefined);
  reg.number('rs_first_users', 'users', 'users on first, back again', () => 4);
  t.equal(reg.read('rs_first_users')?.value, 4, 'the name can be registered again');
});

t.test('families: members carry the family (for labelled exporters) and its name must be snake_case', async (t) => {
  const { reg } = clocked();
  const family = { name: 'logins_refused', help: 'Logins refused, by NAK code', labels: { nak: '13' } };
  reg.changeOf('logins_refused_bad_password', 'logins', 'NAK 13', () => 2, { family });
  reg.number('users', 'users', 'users', () => 1);
  t.same(reg.read('logins_refused_bad_password')?.family, family);
  t.equal(reg.read('users')?.family, undefined, 'a stat of its own has no family');
  t.throws(
    () => reg.number('x', 'u', 'd', () => 0, { family: { name: 'Bad-Name', help: 'h', labels: {} } }),
    /snake_case/,
  );
  t.notOk(reg.has('x'), 'a refused stat is not registered');
});

t.test('beforeSample runs before rates move on, onSample after; lastSampleAt is the sample time', async (t) => {
  const { reg, advance } = clocked();
  const order: string[] = [];
  let snapshot = 0;
  let source = 5;
  reg.number('snapshot', 'things', 'taken at each sample', () => snapshot);
  reg.beforeSample.push(() => {
    order.push('before');
    snapshot = source;
  });
  reg.onSample.push(() => order.push(`after ${reg.read('snapshot')?.value}`));
  t.equal(reg.lastSampleAt, 0);
  reg.sample();
  source = 9;
  t.equal(reg.read('snapshot')?.value, 5, 'a snapshot holds until the next sample');
  advance(5000);
  reg.sample();
  t.same(order, ['before', 'after 5', 'before', 'after 9']);
  t.equal(reg.lastSampleAt, 1_005_000);
});

t.test('percentage and change stats take a family too; start() samples at once and then on its timer', async (t) => {
  const reg = new StatsRegistry('userserver', 'PrivateUS');
  const fam = { name: 'ratio', help: 'a ratio', labels: { kind: 'a' } };
  reg.percentage('ratio_a', 'share of a', () => [1, 4], { family: fam });
  t.equal(reg.read('ratio_a')?.value, 25);
  t.same(reg.read('ratio_a')?.family, fam);
  const samples: number[] = [];
  reg.onSample.push((at) => samples.push(at));
  // The registry's timer never keeps a process alive; this test has to.
  const alive = setInterval(() => {}, 1000);
  t.teardown(() => clearInterval(alive));
  reg.start(20);
  t.equal(samples.length, 1, 'the first sample is taken at start');
  await new Promise<void>((resolve) => reg.onSample.push(() => resolve()));
  reg.stop();
  t.ok(samples.length >= 2, 'then every interval');
  const n = samples.length;
  await new Promise((r) => setTimeout(r, 60));
  t.equal(samples.length, n, 'stop() stops sampling');
});
