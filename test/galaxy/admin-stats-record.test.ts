// `wsadmin <cfg> stats-record` on a running UserServer (issue 8: StatsRecord "and an admin
// command"): start writes the CSV, a SIGHUP that leaves the StatsRecord line alone leaves the
// recording alone (one that changes it applies it), stop ends it, and the exit codes fit scripts
// (4 refused, 2 usage, 5 not running).
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGalaxy } from '../helpers/galaxy.js';
import { ROOT, runToExit, waitForFile } from '../helpers/servers.js';

const WSADMIN = join(ROOT, 'dist', 'scripts', 'wsadmin.js');

const g = await startGalaxy({ rsNames: ['first'] });
t.teardown(() => g.stop());
const wsadmin = (...args: string[]) => runToExit(WSADMIN, ['galaxyUS.cfg', ...args, '--as', 'tester'], g.dir);

t.test('start writes every stat to the CSV file; status; stop', async (t) => {
  const idle = await wsadmin('stats-record', 'status');
  t.same([idle.code, idle.stdout], [0, 'stats are not being recorded\n']);

  const start = await wsadmin('stats-record', 'start', '0.1', 'rec.csv');
  t.equal(start.code, 0, start.stderr);
  t.equal(start.stdout, 'Now recording all stats to rec.csv every 0.1 s (stats record)\n');
  const csv = join(g.dir, 'rec.csv');
  await waitForFile(csv, /^time,.*\n(.*\n){3}/);
  const [header, ...rows] = readFileSync(csv, 'utf8').trimEnd().split('\n');
  const columns = (header as string).split(',');
  t.ok(columns.includes('userserver.Galaxy.users'), 'a column per stat, by full name');
  t.ok(columns.includes('userserver.Galaxy.admin_console_sessions'));
  for (const r of rows) {
    t.equal(r.split(',').length, columns.length, 'every row as wide as the header');
    t.match(r, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,/);
  }
  await g.us.waitLog(/admin wsadmin:tester: stats-record start every 0\.1 s rec\.csv: Now recording all stats/);

  g.us.kill('SIGHUP');
  await g.us.waitLog(/configuration galaxyUS\.cfg re-read \(SIGHUP\): no changes/);
  const status = await wsadmin('stats-record', 'status');
  t.equal(status.code, 0);
  t.match(
    status.stdout,
    /^recording all stats to rec\.csv every 0\.1 s since .* UTC, \d+ rows so far\n$/,
    'a reload leaves it on',
  );

  const stop = await wsadmin('stats-record', 'stop');
  t.equal(stop.code, 0, stop.stderr);
  t.match(stop.stdout, /^Stopped recording stats to rec\.csv after \d+ rows\n$/);
  const again = await wsadmin('stats-record', 'stop');
  t.same([again.code, again.stderr], [4, 'wsadmin: Stats are not being recorded\n'], 'refused: exit 4');
});

t.test('a reload that changes the StatsRecord line applies it', async (t) => {
  const cfg = join(g.dir, 'galaxyUS.cfg');
  writeFileSync(cfg, `${readFileSync(cfg, 'utf8')}\nStatsRecord 0.1 fromcfg.csv\n`);
  g.us.kill('SIGHUP');
  await g.us.waitLog(/re-read \(SIGHUP\): applied StatsRecord/);
  await waitForFile(join(g.dir, 'fromcfg.csv'), /^time,.*\n.*\n/);
  const status = await wsadmin('stats-record', 'status');
  t.match(status.stdout, /^recording all stats to fromcfg\.csv every 0\.1 s/);
});

t.test('usage errors, and a server that is not running', async (t) => {
  const outside = await wsadmin('stats-record', 'start', '1', '../elsewhere.csv');
  t.equal(outside.code, 2);
  t.match(outside.stderr, /must be a path relative to the UserServer's directory, without \.\., ending in \.csv/);
  const bad = await wsadmin('stats-record', 'pause');
  t.equal(bad.code, 2);
  await g.us.stop();
  const down = await wsadmin('stats-record', 'status');
  t.equal(down.code, 5);
  t.match(down.stderr, /stats-record needs the running galaxy/);
});
