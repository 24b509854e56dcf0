// AG-1, AG-2, AG-36, AG-37 on a real RS_v11 process.
import t from 'tap';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ClientConnection } from '../../protocol/client.js';
import { RS_MAIN, runToExit, standaloneConfig, startServer, tempDir } from '../helpers/servers.js';
import { joinStandalone } from '../helpers/clients.js';

t.test('AG-2 particulars on screen, then the log file <name>RS.<pid>.log says Ready to serve', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig());
  t.teardown(() => rs.stop());
  const lines = rs.stdout().trimEnd().split('\n');
  t.equal(lines[lines.length - 1], 'Redirecting server output to file', 'last screen line');
  t.match(rs.stdout(), /Server: Testworld/);
  t.match(rs.stdout(), /stand-alone/);
  t.equal(rs.logPath, join(rs.dir, `TestworldRS.${rs.pid}.log`), 'log named after Server and the server pid');
  t.match(rs.log(), /Client updates: nearest 24 avatars every 50000 microseconds/, 'particulars in the log too');
  t.match(rs.log(), /^Ready to serve$/m);
  t.ok(existsSync(rs.outPath), '.out file for debugging output');
  t.ok(rs.port > 0, 'ephemeral port');
  t.equal(await rs.stop(), 0, 'SIGTERM exits 0');
});

t.test('AcceptSlots: the listening socket open several times; users get in through every copy', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig());
  t.match(rs.stdout(), /Listening for users on 127\.0\.0\.1:\d+ \(8 accept slots\)/, 'eight by default');
  t.equal(await rs.stop(), 0);
  const three = await startServer(RS_MAIN, 'RS', standaloneConfig('AcceptSlots 3'));
  t.match(three.stdout(), /\(3 accept slots\)/);
  const users = await Promise.all(['Ann', 'Ben', 'Cid', 'Dee', 'Eve'].map((name) => joinStandalone(three.port, name)));
  t.equal(users.length, 5, 'every login got through');
  const code = three.stop();
  await Promise.all(users.map((u) => u.closed));
  t.equal(await code, 0, 'SIGTERM exits 0');
  const refused = await ClientConnection.connect('127.0.0.1', three.port).then(
    (c) => (c.close(), 'connected'),
    (err: NodeJS.ErrnoException) => err.code,
  );
  t.equal(refused, 'ECONNREFUSED', 'no copy of the socket outlives the server');
  const one = await startServer(RS_MAIN, 'RS', standaloneConfig('AcceptSlots 1'));
  t.match(one.stdout(), /\(1 accept slot\)/);
  t.equal(await one.stop(), 0);
});

t.test('AG-1 configuration errors: file, line and keyword on stderr, non-zero exit, no log', async (t) => {
  const dir = tempDir();
  const cases: [string, RegExp][] = [
    ['Server X\nUsers 0\nFrobnicate yes\n', /bad\.cfg:3: Frobnicate: unknown keyword/],
    ['Server X\nClientUpdates 6\n', /bad\.cfg:2: ClientUpdates: expects 2 argument/],
    ['Users 0\n', /bad\.cfg:1: Server: required keyword is missing/],
    ['Server X\nConnections many 10\n', /bad\.cfg:2: Connections: ordinary 'many' is not a whole number/],
  ];
  for (const [text, want] of cases) {
    writeFileSync(join(dir, 'bad.cfg'), text);
    const r = await runToExit(RS_MAIN, ['bad.cfg'], dir);
    t.equal(r.code, 1, `exit status for ${want}`);
    t.match(r.stderr, want);
    t.notMatch(r.stdout, /Redirecting/);
  }
  t.same(
    readdirSync(dir).filter((f) => f.endsWith('.log')),
    [],
    'no log file left behind',
  );
  const missing = await runToExit(RS_MAIN, ['nowhere.cfg'], dir);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /configuration file nowhere\.cfg not found/);
  const noArg = await runToExit(RS_MAIN, [], dir);
  t.equal(noArg.code, 2);
  t.match(noArg.stderr, /Usage: RS_v11 <config-file>/);
});

t.test('AG-1 a bare name is found in ./wc_config/', async (t) => {
  const dir = tempDir();
  mkdirSync(join(dir, 'wc_config'));
  writeFileSync(join(dir, 'wc_config', 'inDir.cfg'), standaloneConfig());
  const { spawn } = await import('node:child_process');
  const out = await new Promise<string>((resolve) => {
    const p = spawn(process.execPath, [RS_MAIN, 'inDir.cfg'], { cwd: dir });
    let text = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      text += d;
      if (text.includes('Redirecting')) p.kill('SIGTERM');
    });
    p.on('exit', () => resolve(text));
  });
  t.match(out, /Configuration file: .*wc_config\/inDir\.cfg/);
});

t.test('a port in use is reported and the process exits', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  t.teardown(() => blocker.close());
  const dir = tempDir();
  writeFileSync(join(dir, 'p.cfg'), `Server X\nUsers ${port}\nBindAddr 127.0.0.1\n`);
  const r = await runToExit(RS_MAIN, ['p.cfg'], dir);
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`cannot listen for users on 127\\.0\\.0\\.1:${port}: address already in use`));
});

t.test('AG-36 kill -USR1 toggles command tracing into the .out file', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig());
  t.teardown(() => rs.stop());
  const alice = await joinStandalone(rs.port, 'Alice');
  t.teardown(() => alice.close());
  alice.send({ cmd: 'PROPREQ', objId: 'BeforeTracing', ids: [] });
  await alice.sync();
  rs.kill('SIGUSR1');
  await rs.waitLog(/Logging enabled \(SIGUSR1\)/);
  alice.send({ cmd: 'PROPREQ', objId: 'WhileTracing', ids: [] });
  await rs.waitOut(/<- Alice PROPREQ "WhileTracing"/);
  await alice.sync();
  await rs.waitOut(/-> Alice PROPUPD #255 props=\[3\/80="24"\]/);
  rs.kill('SIGUSR1');
  await rs.waitLog(/Logging disabled \(SIGUSR1\)/);
  alice.send({ cmd: 'PROPREQ', objId: 'AfterTracing', ids: [] });
  await alice.sync();
  rs.kill('SIGUSR1');
  await rs.waitLog(/Logging enabled \(SIGUSR1\)[\s\S]*Logging disabled[\s\S]*Logging enabled/);
  alice.send({ cmd: 'PROPREQ', objId: 'TracingAgain', ids: [] });
  await rs.waitOut(/TracingAgain/);
  t.notMatch(rs.out(), /BeforeTracing|AfterTracing/, 'nothing traced while off');
  t.notMatch(rs.out(), /password|s3cret/i);
});

t.test('the Logging keyword traces from the start, and passwords never reach the trace', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig('Logging'));
  t.teardown(() => rs.stop());
  const c = await ClientConnection.connect('127.0.0.1', rs.port);
  t.teardown(() => c.close());
  await c.handshake();
  await c.login({ kind: 'roomserver', name: 'Tracy', password: 'hunter22', avatars: 24 });
  await rs.waitOut(/<- 127\.0\.0\.1 SESSIONINIT #1 props=\[3="24",9="2004080500",7="24",2="Tracy",6=<redacted>\]/);
  t.notMatch(rs.out(), /hunter22/);
});

t.test('AG-37 SIGTERM closes clients cleanly, writes their session records, exits 0', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig());
  const a = await joinStandalone(rs.port, 'Alice');
  const b = await joinStandalone(rs.port, 'Bob');
  a.send({ cmd: 'TEXT', objId: 1, sender: '', text: 'one' });
  await a.expectCmd('TEXT', (x) => x.sender === 'Alice');
  rs.kill('SIGTERM');
  rs.kill('SIGTERM');
  t.equal(await rs.exited, 0);
  await Promise.all([a.closed, b.closed]);
  const log = rs.log();
  t.match(log, /Shutting down \(SIGTERM\)/);
  t.match(log, /Alice \(127\.0\.0\.1\)\non since .*\n1 text messages, avatar = /);
  t.match(log, /Bob \(127\.0\.0\.1\)\non since .*\n0 text messages/);
  t.match(log, /Shutdown complete/);
});
