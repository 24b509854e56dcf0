// The password-hashing queue (issue 6 finding 5): bounded, and shared between addresses so that no
// address's flood puts an honest login behind it.
import t from 'tap';
import { AGED_MS, FairQueue, HashingOverloaded } from '../../userserver/hash-queue.js';

/** A queue of manually finished jobs: `started` lists the keys in the order their jobs began. */
function setup(
  opts: {
    maxConcurrent?: number;
    maxQueued?: number;
    penalty?: (k: string) => number;
    suspect?: (k: string) => boolean;
  } = {},
) {
  let now = 0;
  const started: string[] = [];
  const finishers: (() => void)[] = [];
  const q = new FairQueue({
    maxConcurrent: opts.maxConcurrent ?? 1,
    maxQueued: opts.maxQueued ?? 100,
    windowMs: () => 600_000,
    penalty: opts.penalty ?? (() => 0),
    ...(opts.suspect ? { suspect: opts.suspect } : {}),
    now: () => now,
  });
  const submit = (key: string) =>
    q.run(key, () => {
      started.push(key);
      return new Promise<void>((resolve) => finishers.push(resolve));
    });
  const finishOne = async () => {
    (finishers.shift() as () => void)();
    await new Promise((r) => setImmediate(r));
  };
  return { q, started, submit, finishOne, advance: (ms: number) => (now += ms) };
}

t.test('one job per address per round, however many an address queued', async (t) => {
  const { started, submit, finishOne } = setup();
  const all = [...Array.from({ length: 4 }, () => submit('flood')), submit('a'), submit('b')];
  while (started.length < 6) await finishOne();
  await finishOne();
  await Promise.all(all);
  t.same(started.slice(0, 4), ['flood', 'b', 'a', 'flood'], 'a and b each had a turn before the flood’s second job');
});

t.test('an address arriving amid a burst of first attempts does not wait for the whole round', async (t) => {
  const { started, submit, finishOne } = setup();
  const jobs = Array.from({ length: 50 }, (_, i) => submit(`attacker${i}`));
  jobs.push(submit('honest'));
  await finishOne();
  t.same(started.slice(0, 2), ['attacker0', 'honest']);
  while (started.length < 51) await finishOne();
  await finishOne();
  await Promise.all(jobs);
});

t.test('addresses with recent failed logins yield to clean ones', async (t) => {
  const failing = new Set(['guesser']);
  const { started, submit, finishOne } = setup({ penalty: (k) => (failing.has(k) ? 1 : 0) });
  const jobs = [submit('first'), submit('guesser'), submit('guesser'), submit('clean')];
  await finishOne();
  t.same(started, ['first', 'clean']);
  while (started.length < 4) await finishOne();
  await finishOne();
  await Promise.all(jobs);
});

t.test('bounded: past maxQueued, work is refused at once', async (t) => {
  const { q, submit, finishOne } = setup({ maxQueued: 2 });
  const jobs = [submit('a'), submit('b'), submit('c')];
  await t.rejects(submit('d'), HashingOverloaded);
  t.equal(q.length, 2);
  for (let i = 0; i < 3; i++) await finishOne();
  await Promise.all(jobs);
  t.equal(q.jobs, 3);
});

t.test('hashes run at most maxConcurrent at a time', async (t) => {
  const { q, started, submit, finishOne } = setup({ maxConcurrent: 2 });
  const jobs = ['a', 'b', 'c'].map(submit);
  await new Promise((r) => setImmediate(r));
  t.equal(q.active, 2);
  t.same(started, ['a', 'b']);
  for (let i = 0; i < 3; i++) await finishOne();
  await Promise.all(jobs);
  t.equal(q.active, 0);
});

t.test(
  'a job that has waited AGED_MS goes first, oldest first: a long burst does not starve its first arrivals',
  async (t) => {
    const attempts = new Map<string, number>();
    const { started, submit, finishOne, advance } = setup({ penalty: (k) => attempts.get(k) ?? 0 });
    const jobs = [submit('running'), submit('nat'), submit('nat')];
    attempts.set('nat', 2);
    advance(AGED_MS);
    jobs.push(submit('fresh1'), submit('fresh2'));
    await finishOne();
    t.same(started, ['running', 'nat'], "the NAT's waiting job, aged, before fresh first attempts");
    await finishOne();
    t.same(started.slice(2), ['nat'], 'and its second, still aged and older than the fresh ones');
    while (started.length < 5) await finishOne();
    t.same(started.slice(3), ['fresh2', 'fresh1'], 'then the rest as before: newest first');
    await finishOne();
    await Promise.all(jobs);
  },
);

t.test('waiting does not lift an address with failed logins ahead of a clean one', async (t) => {
  const { started, submit, finishOne, advance } = setup({
    penalty: (k) => (k === 'guesser' ? 1000 : 0),
    suspect: (k) => k === 'guesser',
  });
  const jobs = [submit('running'), submit('guesser')];
  advance(10 * AGED_MS);
  jobs.push(submit('clean'));
  await finishOne();
  t.same(started, ['running', 'clean']);
  while (started.length < 3) await finishOne();
  await finishOne();
  await Promise.all(jobs);
});
