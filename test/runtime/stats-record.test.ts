// `stats record` (AG-41): every stat appended to a CSV file every period, readable as it is by a
// spreadsheet or a plotting tool, also when the set of stats changes.
import t from 'tap';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StatsRecorder, csvField, csvNumber, numberedFile } from '../../runtime/stats-record.js';
import { StatsRegistry } from '../../runtime/stats.js';

function logs() {
  const lines: string[] = [];
  return {
    lines,
    log: {
      event: (text: string) => lines.push(text),
      error: (who: string | null, text: string) => lines.push(`(${who}) - ${text}`),
    },
  };
}

/** Reads a CSV file the simple way a plotting tool does: header, then rows of the same width. */
function table(path: string): { header: string[]; rows: string[][] } {
  const [head, ...rest] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const header = (head as string).split(',');
  const rows = rest.map((l) => l.split(','));
  for (const r of rows)
    if (r.length !== header.length) throw new Error(`row of ${r.length} fields under ${header.length} columns`);
  return { header, rows };
}

async function rowsOf(rec: StatsRecorder, n: number): Promise<void> {
  while (rec.status().rows < n) await new Promise((r) => setTimeout(r, 5));
  await rec.flushed();
}

t.test('fields and numbers', async (t) => {
  t.equal(csvField('plain'), 'plain');
  t.equal(csvField('a,b'), '"a,b"');
  t.equal(csvField('say "hi"'), '"say ""hi"""');
  t.equal(csvNumber(12), '12');
  t.equal(csvNumber(1 / 3), '0.333333');
  t.equal(csvNumber(NaN), '');
  t.equal(numberedFile('stats.csv', 2), 'stats.2.csv');
  t.equal(numberedFile('dir.x/stats', 1), 'dir.x/stats.1');
});

t.test('a header row, then one row per period: time, then every stat', async (t) => {
  const dir = t.testdir();
  const reg = new StatsRegistry('roomserver', 'first');
  let users = 3;
  reg.number('users', 'users', 'Users', () => users);
  const chat = reg.counter('chat_lines', 'lines', 'Chat');
  reg.percentage('ratio', 'A ratio', () => [1, 3]);
  const { log, lines } = logs();
  const rec = new StatsRecorder(reg, log, join(dir, 'default.csv'));
  const file = join(dir, 'stats.csv');
  t.match(rec.start({ intervalMs: 30, file }), /Now recording all stats to .*stats\.csv every 0\.03 s/);
  t.teardown(() => rec.stop());
  await rowsOf(rec, 1);
  users = 5;
  chat.inc(7);
  await rowsOf(rec, 3);
  const { header, rows } = table(file);
  t.same(header, ['time', 'roomserver.first.users', 'roomserver.first.chat_lines', 'roomserver.first.ratio']);
  t.same(rows[0]?.slice(1), ['3', '0', '33.333333'], 'values; a change stat its running total');
  t.same(rows.at(-1)?.slice(1), ['5', '7', '33.333333']);
  for (const r of rows) t.ok(!Number.isNaN(Date.parse(r[0] as string)), `ISO 8601 time ${r[0]}`);
  const times = rows.map((r) => Date.parse(r[0] as string));
  t.ok(
    times.every((x, i) => i === 0 || x >= (times[i - 1] as number)),
    'rows in time order',
  );
  t.same(rec.status(), { recording: true, file, intervalMs: 30, rows: rec.status().rows, since: rec.status().since });
  const stopped = rec.stop();
  t.match(stopped, /Stopped recording stats to .*stats\.csv after \d+ rows/);
  const n = readFileSync(file, 'utf8').split('\n').length;
  await new Promise((r) => setTimeout(r, 80));
  t.equal(readFileSync(file, 'utf8').split('\n').length, n, 'nothing is written after stop');
  t.equal(rec.status().recording, false);
  t.equal(rec.stop(), 'Stats are not being recorded');
  t.ok(lines.some((l) => /Now recording/.test(l)) && lines.some((l) => /Stopped recording/.test(l)), 'both logged');
});

t.test('the set of stats changes: rows go on in a numbered file, and back when the set is back', async (t) => {
  const dir = t.testdir();
  const reg = new StatsRegistry('userserver', 'Galaxy');
  reg.number('users', 'users', 'Users', () => 1);
  const { log, lines } = logs();
  const rec = new StatsRecorder(reg, log, join(dir, 'x.csv'));
  const file = join(dir, 'galaxy.csv');
  rec.start({ intervalMs: 20, file });
  t.teardown(() => rec.stop());
  await rowsOf(rec, 2);
  reg.number('rs_first_users', 'users', 'Users on first', () => 4);
  const before = rec.status().rows;
  await rowsOf(rec, before + 2);
  t.equal(rec.status().file, join(dir, 'galaxy.1.csv'));
  t.ok(lines.some((l) => /set of stats changed; stats record continues in .*galaxy\.1\.csv/.test(l)));
  reg.remove('rs_first_users');
  const again = rec.status().rows;
  await rowsOf(rec, again + 2);
  t.equal(rec.status().file, file, 'the first file holds this set: it continues there');
  rec.stop();
  t.same(table(file).header, ['time', 'userserver.Galaxy.users']);
  t.same(table(join(dir, 'galaxy.1.csv')).header, [
    'time',
    'userserver.Galaxy.users',
    'userserver.Galaxy.rs_first_users',
  ]);
  t.ok(table(join(dir, 'galaxy.1.csv')).rows.every((r) => r[2] === '4'));
});

t.test(
  'a file with another header is left alone; a file removed while recording starts again with its header',
  async (t) => {
    const dir = t.testdir();
    const file = join(dir, 'stats.csv');
    writeFileSync(file, 'date,temperature\n2024-01-01,3\n');
    const reg = new StatsRegistry('roomserver', 'first');
    reg.number('users', 'users', 'Users', () => 2);
    const { log, lines } = logs();
    const rec = new StatsRecorder(reg, log, file);
    rec.start({ intervalMs: 20 });
    t.teardown(() => rec.stop());
    await rowsOf(rec, 2);
    t.equal(readFileSync(file, 'utf8'), 'date,temperature\n2024-01-01,3\n', 'untouched');
    const alt = join(dir, 'stats.1.csv');
    t.equal(rec.status().file, alt);
    t.ok(lines.some((l) => /holds other stats; stats record writes to .*stats\.1\.csv instead/.test(l)));
    rmSync(alt);
    await rowsOf(rec, rec.status().rows + 1);
    t.same(table(alt).header, ['time', 'roomserver.first.users'], 'rotated away: the new file has its header');
    rec.stop();
    t.ok(existsSync(alt));
  },
);

t.test('a file that cannot be written stops recording with one log line', async (t) => {
  const dir = t.testdir();
  const reg = new StatsRegistry('roomserver', 'first');
  reg.number('users', 'users', 'Users', () => 2);
  const { log, lines } = logs();
  const rec = new StatsRecorder(reg, log, join(dir, 'x.csv'));
  rec.start({ intervalMs: 20, file: join(dir, 'no', 'such', 'dir', 'stats.csv') });
  while (rec.status().recording) await new Promise((r) => setTimeout(r, 5));
  await rec.flushed();
  const errors = lines.filter((l) => l.startsWith('(StatsRecord)'));
  t.equal(errors.length, 1);
  t.match(errors[0], /cannot write .*stats\.csv: .*; stats recording stopped/);
});
