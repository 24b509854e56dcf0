// AG-35 rotation and SIGHUP reopen under load (no line lost, none twice), LogFormat json and
// LogTransport (issue 7), and what `--stdout` prints.
import { readFileSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ClientConnection } from '../../protocol/client.js';
import { joinStandalone } from '../helpers/clients.js';
import { RS_MAIN, US_MAIN, standaloneConfig, startServer, type ServerProcess } from '../helpers/servers.js';
import { userServerConfig } from '../helpers/galaxy.js';

/** Sessions of `count` users, `parallel` at a time: each leaves a three-line session record. */
async function sessions(port: number, prefix: string, count: number, parallel = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const c = await joinStandalone(port, `${prefix}${next++}`);
      await c.logoff();
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** Resolves once the process printed something matching `re` on stdout. */
async function waitStdout(p: ServerProcess, re: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const m = p.stdout().match(re);
    if (m) return m;
    if (p.proc.exitCode !== null) throw new Error(`exited without printing ${re}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every session record (`<name> (127.0.0.1)` / `on since`) across the given files, by name. */
function recordNames(files: string[]): string[] {
  return files.flatMap((f) =>
    [
      ...readFileSync(f, 'utf8').matchAll(/^\w{3} \w{3} [ \d]\d [\d:]{8} \d{4} (\w+) \(127\.0\.0\.1\)\non since /gm),
    ].map((m) => m[1] as string),
  );
}

const logFiles = (rs: ServerProcess) =>
  readdirSync(rs.dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => join(rs.dir, f));

t.test('LogRotate every few tenths of a second under steady writes: every record exactly once', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig('LogRotate 0.005\nLogging'));
  t.teardown(() => rs.stop());
  const saved = () => logFiles(rs).filter((f) => /\.\d\d-\d\d-\d\d(\.\d+)?\.log$/.test(f));
  // Sessions go on until at least three rotations happened while they were written.
  let total = 0;
  for (let round = 0; saved().length < 3; round++) {
    await sessions(rs.port, `R${round}x`, 40);
    total += 40;
  }
  t.equal(await rs.stop(), 0);
  t.ok(saved().length >= 3, `${saved().length} saved files, named <name>.<pid>.MM-DD-YY[.n].log`);
  const names = recordNames(logFiles(rs));
  t.equal(names.length, total, `all ${total} records are there`);
  t.equal(new Set(names).size, total, 'none written twice');
  const traced = readdirSync(rs.dir)
    .filter((f) => f.endsWith('.out'))
    .flatMap((f) => readFileSync(join(rs.dir, f), 'utf8').match(/<- R\d+x\d+ SESSIONEXIT/g) ?? []);
  t.equal(traced.length, total, 'the .out trace rotates with it, nothing lost or doubled');
});

t.test('kill -HUP after an external logrotate renamed the file: none lost, none twice', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig());
  t.teardown(() => rs.stop());
  const load = sessions(rs.port, 'Hup', 120, 4);
  await rs.waitLog(/Hup\d+ \(127\.0\.0\.1\)\non since/);
  const renamed = `${rs.logPath}.1`;
  renameSync(rs.logPath, renamed);
  rs.kill('SIGHUP');
  await rs.waitLog(/log files reopened \(SIGHUP\)/);
  await load;
  t.equal(await rs.stop(), 0);
  const before = recordNames([renamed]);
  const after = recordNames([rs.logPath]);
  t.ok(before.length > 0 && after.length > 0, `${before.length} records before the switch, ${after.length} after`);
  t.equal(before.length + after.length, 120, 'no record lost');
  t.equal(new Set([...before, ...after]).size, 120, 'none written twice');
  t.match(readFileSync(rs.logPath, 'utf8'), /^\w{3} .* log files reopened \(SIGHUP\)\n/, 'the new file starts there');
});

t.test('LogFormat json: a JSON line per event on stdout, carrying user and address', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig('LogFormat json'));
  t.teardown(() => rs.stop());
  const c = await joinStandalone(rs.port, 'Jason');
  await c.logoff();
  await rs.waitLog(/Jason \(127\.0\.0\.1\)\non since/);
  const json = () =>
    rs
      .stdout()
      .split('Redirecting server output to file\n')[1]
      ?.split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>) ?? [];
  await waitStdout(rs, /"event":"session"/);
  const records = json();
  const session = records.find((r) => r.event === 'session');
  t.same(Object.keys(session ?? {}), ['time', 'server', 'pid', 'user', 'address', 'event', 'detail']);
  t.match(session, { server: 'Testworld', pid: rs.pid, user: 'Jason', address: '127.0.0.1' });
  t.match(session?.detail, /^\w{3} .* Jason \(127\.0\.0\.1\)\non since .*\n0 text messages, avatar = /);
  t.match(
    records.find((r) => r.event === 'login'),
    { user: 'Jason', address: '127.0.0.1' },
    'logins reach the JSON stream',
  );
  t.ok(
    records.some((r) => r.detail === 'Ready to serve'),
    'every .log event is there',
  );
  t.notMatch(rs.log(), /"event"/, 'the .log file keeps the text format');

  const us = await startServer(US_MAIN, 'US', userServerConfig({ database: false, extra: 'LogFormat json' }));
  t.teardown(() => us.stop());
  const bad = await ClientConnection.connect('127.0.0.1', us.port);
  t.teardown(() => bad.close());
  await bad.handshake();
  await bad.login({ kind: 'anonymous', name: 'x', firstConnection: true }).catch(() => null);
  const [line] = await waitStdout(us, /^\{.*"login-refused".*\}$/m);
  t.match(JSON.parse(line), { event: 'login-refused', user: 'x', address: '127.0.0.1', server: 'Galaxy' });
});

t.test('LogTransport: an operator module adds a winston transport', async (t) => {
  const plugin = [
    "import { appendFileSync } from 'node:fs';",
    'export default ({ Transport, server, kind }) =>',
    '  new (class extends Transport {',
    '    log(info, next) {',
    "      appendFileSync('shipped.txt', `${kind} ${server} ${info.level} ${info.event} ${info.user}\\n`);",
    '      next();',
    '    }',
    '  })();',
  ].join('\n');
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig('LogTransport ./shipper.mjs'), {
    files: { 'shipper.mjs': plugin },
  });
  t.teardown(() => rs.stop());
  await rs.waitLog(/LogTransport \.\/shipper\.mjs \(line 5\): 1 transport\(s\) added/);
  const c = await joinStandalone(rs.port, 'Shipped');
  await c.logoff();
  await rs.waitLog(/Shipped \(127\.0\.0\.1\)/);
  const shipped = join(rs.dir, 'shipped.txt');
  const { waitForFile } = await import('../helpers/servers.js');
  await waitForFile(shipped, /RoomServer Testworld info session Shipped/);
  t.pass('the transport received the session record with its user');

  const broken = await import('../helpers/servers.js').then(({ runToExit }) =>
    runToExit(RS_MAIN, ['broken.cfg'], rs.dir),
  );
  t.equal(broken.code, 1);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(rs.dir, 'broken.cfg'), standaloneConfig('LogTransport ./missing.mjs'));
  const missing = await import('../helpers/servers.js').then(({ runToExit }) =>
    runToExit(RS_MAIN, ['broken.cfg'], rs.dir),
  );
  t.equal(missing.code, 1, 'a module that cannot be loaded stops the server at start');
  t.match(missing.stderr, /broken\.cfg: LogTransport \.\/missing\.mjs \(line 5\): cannot load/);
});

t.test('--stdout names no .log file; startup dates are ctime', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig(), { args: ['--stdout'], waitReady: false });
  t.teardown(() => rs.stop());
  await waitStdout(rs, /^Ready to serve$/m);
  t.notMatch(rs.stdout(), /\.log\b/, 'no .log file is named');
  t.match(rs.stdout(), /Log: standard output \(--stdout\), debug output: TestworldRS\.\d+\.out/);
  t.match(rs.stdout(), /started \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/, 'the date as in the log lines');
  t.same(
    readdirSync(rs.dir).filter((f) => f.endsWith('.log')),
    [],
  );
});
