// ServerLog on winston (AG-2, AG-32…AG-36, issue 7): the guide's formats byte for byte, one write per
// event-loop turn, nothing lost or written twice across rotation, reopen and tracing toggles, the
// JSON stream and operators' transports.
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import TransportStream from 'winston-transport';
import { ServerLog } from '../../runtime/log.js';
import type { LogRecord } from '../../runtime/log-transports.js';

const turn = () => new Promise((r) => setImmediate(r));
const FIXED = new Date(1996, 5, 7, 13, 26, 12);

function newLog(extra: Partial<ConstructorParameters<typeof ServerLog>[0]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ws-log-'));
  const stdout: string[] = [];
  const log = new ServerLog({
    baseName: 'firstRS.1234',
    dir,
    toStdout: false,
    tracing: false,
    server: 'first',
    now: () => FIXED,
    stdout: (d) => void stdout.push(d),
    ...extra,
  });
  return { log, dir, stdout };
}

t.test("the guide's formats, byte for byte", async (t) => {
  const { log } = newLog();
  t.teardown(() => log.close());
  log.line('Ready to serve');
  log.error('SomeGuy', 'timeout');
  log.error(null, 'internal error');
  log.event('broadcast by Bob: hello');
  log.block(['Thu Jun 27 13:26:12 1996 Bot_347 (205.153.211.35)', 'on since Thu Jun 27 13:05:44 1996']);
  await turn();
  t.equal(
    readFileSync(log.logPath, 'utf8'),
    [
      'Ready to serve',
      'Fri Jun  7 13:26:12 1996 (SomeGuy) - timeout',
      'Fri Jun  7 13:26:12 1996 internal error',
      'Fri Jun  7 13:26:12 1996 broadcast by Bob: hello',
      'Thu Jun 27 13:26:12 1996 Bot_347 (205.153.211.35)',
      'on since Thu Jun 27 13:05:44 1996',
      '',
    ].join('\n'),
  );
  log.debug('debugging');
  await turn();
  t.equal(readFileSync(log.outPath, 'utf8'), '13:26:12.000 debugging\n', '.out lines carry the time of day');
});

t.test('the lines of one turn reach the file together, when the turn ends', async (t) => {
  const { log } = newLog();
  t.teardown(() => log.close());
  for (let i = 0; i < 1000; i++) log.event(`line ${i}`);
  t.equal(readFileSync(log.logPath, 'utf8'), '', 'nothing written during the turn');
  await turn();
  t.equal(readFileSync(log.logPath, 'utf8').split('\n').length - 1, 1000, 'all of it at its end');
  log.event('last words');
  log.close();
  t.match(readFileSync(log.logPath, 'utf8'), /last words\n$/, 'close() writes what is pending (exit paths)');
});

t.test('rotation between writes of the same and later turns: no line lost, none twice', async (t) => {
  const { log, dir } = newLog();
  t.teardown(() => log.close());
  let n = 0;
  const stems: string[] = [];
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 100; i++) log.event(`record ${n++}`);
    log.trace('not traced');
    stems.push(log.rotate(FIXED));
    for (let i = 0; i < 50; i++) log.event(`record ${n++}`);
    await turn();
  }
  t.same(stems, [
    'firstRS.1234.06-07-96',
    'firstRS.1234.06-07-96.2',
    'firstRS.1234.06-07-96.3',
    'firstRS.1234.06-07-96.4',
    'firstRS.1234.06-07-96.5',
  ]);
  const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  t.equal(files.length, 6, 'five saved files and the current one');
  const seen = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').match(/record \d+$/gm) ?? []);
  t.equal(seen.length, n, 'every line once');
  t.equal(new Set(seen).size, n, 'none twice');
  t.ok(existsSync(join(dir, 'firstRS.1234.06-07-96.out')), 'the .out file is saved with it');
});

t.test('SIGHUP after an external rename: earlier lines in the renamed file, later ones in a new file', async (t) => {
  const { log, dir } = newLog();
  t.teardown(() => log.close());
  log.event('before 1');
  await turn();
  renameSync(log.logPath, join(dir, 'renamed.log'));
  log.event('before 2'); // still pending when the signal arrives
  log.reopen();
  log.event('after');
  await turn();
  t.equal(
    readFileSync(join(dir, 'renamed.log'), 'utf8')
      .match(/before \d/g)
      ?.join(','),
    'before 1,before 2',
  );
  t.match(readFileSync(log.logPath, 'utf8'), /^\S.* after\n$/, 'the fresh file holds only what came after');
});

t.test('toggling the trace loses nothing', async (t) => {
  const { log } = newLog();
  t.teardown(() => log.close());
  log.trace('off 1');
  log.setTracing(true);
  log.trace('on 1');
  log.setTracing(false);
  log.trace('off 2');
  log.setTracing(true);
  log.trace('on 2');
  await turn();
  const out = readFileSync(log.outPath, 'utf8');
  t.match(out, /command logging enabled\n.* on 1\n.*command logging disabled\n.*command logging enabled\n.* on 2\n$/);
  t.notMatch(out, /off \d/);
});

t.test('LogFormat json: one JSON object per event on stdout, with user and address', async (t) => {
  const { log, stdout } = newLog({ json: true });
  t.teardown(() => log.close());
  log.error('Bob', 'login refused: wrong password for Bob (NAK 13)', {
    event: 'login-refused',
    user: 'Bob',
    address: '10.0.0.7',
  });
  log.note('login Ann from 10.0.0.8', { event: 'login', user: 'Ann', address: '10.0.0.8' });
  log.debug('not for the JSON stream');
  await turn();
  const lines = stdout.join('').trimEnd().split('\n');
  t.equal(lines.length, 2);
  const [refused, login] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  t.same(refused, {
    time: FIXED.toISOString(),
    server: 'first',
    pid: process.pid,
    user: 'Bob',
    address: '10.0.0.7',
    event: 'login-refused',
    detail: '(Bob) - login refused: wrong password for Bob (NAK 13)',
  });
  t.equal(login?.event, 'login');
  t.notMatch(readFileSync(log.logPath, 'utf8'), /login Ann/, 'notes are not .log lines');
  log.setJson(false);
  log.event('text only');
  await turn();
  t.equal(stdout.join('').trimEnd().split('\n').length, 2, 'switched off by a reload');
});

t.test('--stdout with LogFormat json: stdout carries the JSON lines only', async (t) => {
  const { log, stdout } = newLog({ toStdout: true, json: true });
  t.teardown(() => log.close());
  t.notOk(log.writesLogFile);
  log.event('hello');
  await turn();
  t.same(JSON.parse(stdout.join('')).detail, 'hello');
  log.setJson(false);
  log.event('plain');
  await turn();
  t.match(stdout.join(''), /\n\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} plain\n$/, 'text again without json');
});

t.test("operators' transports get every .log event; a stuck one does not hold the file back", async (t) => {
  const { log } = newLog();
  t.teardown(() => log.close());
  const got: LogRecord[] = [];
  class Collect extends TransportStream {
    override log(info: LogRecord, next: () => void): void {
      got.push(info);
      next();
    }
  }
  class Stuck extends TransportStream {
    override log(): void {}
  }
  log.pluginLogger().add(new Collect());
  log.pluginLogger().add(new Stuck());
  for (let i = 0; i < 200; i++) log.error('Eve', `error ${i}`, { user: 'Eve' });
  log.debug('debug only');
  await turn();
  t.equal(readFileSync(log.logPath, 'utf8').split('\n').length - 1, 200, 'the file has every line');
  t.ok(got.length > 0, 'the working transport receives events');
  t.equal(got[0]?.level, 'error', 'syslog levels');
  t.equal(got[0]?.user, 'Eve');
  t.notOk(
    got.some((r) => r.channel === 'out'),
    'debug lines only for transports that ask for level debug',
  );
});
