// The `stats-record` administration task (issue 8: StatsRecord "and an admin command"): start,
// status, stop on the running server's recorder; files only relative, without .., ending in .csv;
// one audit line per action.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../runtime/db/types.js';
import { StatsRecorder } from '../../runtime/stats-record.js';
import { StatsRegistry } from '../../runtime/stats.js';
import { recordFile } from '../../userserver/admin/stats-record.js';
import { runTaskFrom } from '../../userserver/admin/tasks.js';
import type { AdminContext, LiveGalaxy } from '../../userserver/admin/types.js';

const galaxy: LiveGalaxy = {
  online: () => null,
  onlineUsers: () => [],
  boot: () => Promise.resolve({ ok: false, message: 'nobody' }),
  broadcast: () => ({ roomServers: 0, directUsers: 0 }),
};

function setup(t: Test) {
  // Files are named relative to the server's working directory: this test's directory.
  const dir = t.testdir();
  const cwd = process.cwd();
  process.chdir(dir);
  t.teardown(() => process.chdir(cwd));
  const reg = new StatsRegistry('userserver', 'Galaxy');
  reg.number('users', 'users', 'Users', () => 4);
  const events: string[] = [];
  const recorder = new StatsRecorder(
    reg,
    { event: (x) => events.push(x), error: (_w, x) => events.push(x) },
    'GalaxyUS.stats.csv',
  );
  t.teardown(() => {
    if (recorder.status().recording) recorder.stop();
    return recorder.flushed();
  });
  const audit: string[] = [];
  const ctx = (running = true): AdminContext => ({
    db: {} as Database,
    galaxy: running ? galaxy : null,
    recorder: running ? recorder : null,
    by: 'wsadmin:ops',
    now: () => new Date(),
    audit: (l) => audit.push(l),
  });
  return { dir, recorder, ctx, audit, events };
}

async function rows(rec: StatsRecorder, n: number): Promise<void> {
  while (rec.status().rows < n) await new Promise((r) => setTimeout(r, 5));
  await rec.flushed();
}

t.test('start with defaults, status, stop; stopping again is refused', async (t) => {
  const { dir, recorder, ctx, audit } = setup(t);
  const idle = await runTaskFrom(ctx(), 'stats-record', { action: 'status' });
  t.match(idle, { ok: true, summary: 'stats are not being recorded', value: { recording: false } });
  const s = await runTaskFrom(ctx(), 'stats-record', { action: 'start' });
  t.match(s, {
    ok: true,
    summary: 'Now recording all stats to GalaxyUS.stats.csv every 5 s (stats record)',
    value: { recording: true, file: 'GalaxyUS.stats.csv', intervalMs: 5000 },
  });
  await rows(recorder, 1);
  const st = await runTaskFrom(ctx(), 'stats-record', { action: 'status' });
  t.match(st, {
    ok: true,
    summary: /^recording all stats to GalaxyUS\.stats\.csv every 5 s since \d{4}-\d\d-\d\d .* UTC, 1 rows so far$/,
  });
  const stop = await runTaskFrom(ctx(), 'stats-record', { action: 'stop' });
  t.match(stop, { ok: true, summary: 'Stopped recording stats to GalaxyUS.stats.csv after 1 rows' });
  t.match(await runTaskFrom(ctx(), 'stats-record', { action: 'stop' }), {
    ok: false,
    error: { code: 'refused', message: 'Stats are not being recorded' },
  });
  const csv = readFileSync(join(dir, 'GalaxyUS.stats.csv'), 'utf8').split('\n');
  t.equal(csv[0], 'time,userserver.Galaxy.users');
  t.match(csv[1], /^\d{4}-\d\d-\d\dT.*Z,4$/);
  t.same(audit, [
    'admin wsadmin:ops: stats-record status: stats are not being recorded',
    'admin wsadmin:ops: stats-record start: Now recording all stats to GalaxyUS.stats.csv every 5 s (stats record)',
    audit[2],
    'admin wsadmin:ops: stats-record stop: Stopped recording stats to GalaxyUS.stats.csv after 1 rows',
    'admin wsadmin:ops: stats-record stop: refused: Stats are not being recorded',
  ]);
});

t.test('start with a period and a file; starting again while recording changes them', async (t) => {
  const { dir, recorder, ctx, audit } = setup(t);
  await runTaskFrom(ctx(), 'stats-record', { action: 'start', seconds: 60 });
  const ok = await runTaskFrom(ctx(), 'stats-record', { action: 'start', seconds: 0.05, file: 'fast.csv' });
  t.match(ok, { ok: true, value: { file: 'fast.csv', intervalMs: 50 } });
  await rows(recorder, 3);
  t.ok(readFileSync(join(dir, 'fast.csv'), 'utf8').split('\n').length >= 4, 'a header and rows');
  t.match(audit.at(-1), /^admin wsadmin:ops: stats-record start every 0\.05 s fast\.csv: Now recording/);
});

t.test('usage: files stay in the working directory and end in .csv; seconds in range; not running', async (t) => {
  const { ctx } = setup(t);
  for (const file of ['../up.csv', '/tmp/abs.csv', 'a/../b.csv', 'stats.txt', '.csv', 'a//b.csv', 'sp ace.csv'])
    t.match(
      await runTaskFrom(ctx(), 'stats-record', { action: 'start', file }),
      { ok: false, error: { code: 'usage', message: /must be a path relative to the UserServer's directory/ } },
      file,
    );
  t.equal(recordFile('logs/stats-1.csv'), 'logs/stats-1.csv');
  t.match(await runTaskFrom(ctx(), 'stats-record', { action: 'start', seconds: 0 }), {
    error: { code: 'usage', message: /seconds must be a number from 0\.05 to 86400/ },
  });
  t.match(await runTaskFrom(ctx(), 'stats-record', { action: 'stop', seconds: 5 }), {
    error: { code: 'usage', message: /seconds and file go with start only/ },
  });
  t.match(await runTaskFrom(ctx(), 'stats-record', { action: 'pause' }), {
    error: { code: 'usage', message: /action must be one of start, stop, status/ },
  });
  t.match(await runTaskFrom(ctx(false), 'stats-record', { action: 'status' }), {
    error: { code: 'not-running', message: 'the UserServer is not running' },
  });
});
