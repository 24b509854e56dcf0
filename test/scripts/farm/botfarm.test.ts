// The bot farm end to end (AG-44): the compiled `scripts/botfarm` against a real stand-alone RS_v11
// and against a small galaxy (US_v11 and two RS_v11, registration with serials the farm generates
// into the embedded database, then registered logins). Short runs; the checks are that the report's
// numbers hang together, not how fast anything was.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Summary } from '../../../scripts/farm/report.js';
import { startGalaxy } from '../../helpers/galaxy.js';
import { ROOT, RS_MAIN, startServer } from '../../helpers/servers.js';

const FARM = join(ROOT, 'dist', 'scripts', 'farm', 'main.js');

interface FarmRun {
  code: number | null;
  summary: Summary;
  stderr: string;
}

function farm(args: string[]): Promise<FarmRun> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [FARM, '--json', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    p.on('exit', (code) => {
      try {
        resolve({ code, summary: JSON.parse(out) as Summary, stderr: err });
      } catch {
        reject(new Error(`botfarm exited ${code} without a JSON summary:\n${out}\n${err}`));
      }
    });
  });
}

/** Short runs: a fast ramp, a few seconds held, chat and whispers often enough to be seen. */
const SHORT = ['--rate', '40', '--hold', '4', '--settle', '1', '--interval', '1', '--chat-every', '1'];

function plausible(t: Test, s: Summary, bots: number): void {
  t.equal(s.logins.ok, bots, 'every bot logged in');
  t.equal(s.logins.failed, 0, `no login failed (${JSON.stringify(s.logins.byReason)})`);
  t.equal(s.drops.count, 0, `no bot was dropped (${JSON.stringify(s.drops.byReason)})`);
  t.equal(s.overall.online, bots, 'all of them online at the end');
  t.ok((s.overall.receivedPerUserS.LONGLOC ?? 0) > 0, 'position updates received');
  t.ok((s.overall.receivedPerUserS.APPRACTR ?? 0) >= 0 && s.intervals.length > 0, 'intervals reported');
  t.ok(s.overall.bytesInPerUserS > 0 && s.overall.bytesOutPerUserS > 0, 'bytes counted both ways');
  t.ok(s.chat.sent > 0, 'chat lines sent');
  t.equal(s.chat.echoed, s.chat.sent, 'every chat line echoed back to its sender');
  t.ok(s.overall.echo.count > 0 && (s.overall.echo.p50 ?? -1) >= 0, 'echo latency measured');
  t.ok(s.overall.moveAge.count > 0, 'position age measured');
  t.ok(s.whispers.sent > 0, 'whispers sent');
  t.equal(s.whispers.received, s.whispers.sent, 'every whisper delivered');
  t.equal(s.logins.attempted, bots);
}

t.test('AG-44 the farm against a stand-alone RoomServer', async (t) => {
  const rs = await startServer(
    RS_MAIN,
    'RS',
    ['Server Farmtest', 'Users 0', 'BindAddr 127.0.0.1', 'ClientUpdates 6 200000'].join('\n'),
  );
  t.teardown(() => rs.stop());
  const run = await farm([
    '--port',
    String(rs.port),
    '--pid',
    String(rs.pid),
    '--bots',
    '20',
    '--per-room',
    '10',
    '--whisper-every',
    '2',
    '--avatar-every',
    '2',
    ...SHORT,
  ]);
  t.equal(run.code, 0, run.stderr);
  const s = run.summary;
  t.equal(s.target.login, 'direct');
  t.equal(s.target.serverType, 4);
  plausible(t, s, 20);
  const server = s.overall.servers[0];
  t.equal(server?.pid, rs.pid);
  t.ok(server && server.cpuPct !== null && server.rssMiB !== null && server.rssMiB > 0, 'server CPU and RSS read');
  t.ok((s.overall.receivedPerUserS.PROPUPD ?? 0) > 0, 'arrivals asked for properties and got them');
  t.same(s.sourceAddresses, { first: '127.0.0.2', last: '127.0.0.3', count: 2 });
  // The server's session records name the address each bot came from (AG-32): 10 per address.
  await rs.stop();
  const log = rs.log();
  t.equal((log.match(/^\S+ \S+ +\d+ [\d:]+ \d+ bot\d+ \(127\.0\.0\.2\)$/gm) ?? []).length, 10);
  t.equal((log.match(/^\S+ \S+ +\d+ [\d:]+ \d+ bot\d+ \(127\.0\.0\.3\)$/gm) ?? []).length, 10);
});

t.test('AG-44 the farm through a UserServer: registration with serials, registered logins, guests', async (t) => {
  const g = await startGalaxy({ usExtra: 'Guests 4 guest 45' });
  t.teardown(() => g.stop());
  const common = ['--port', String(g.usPort), '--pid', String(g.us.pid), '--worlds', '2', '--per-room', '5'];
  const reg = await farm([...common, '--bots', '20', '--make-serials', g.dbPath, '--whisper-every', '2', ...SHORT]);
  t.equal(reg.code, 0, reg.stderr);
  t.equal(reg.summary.target.login, 'register');
  t.equal(reg.summary.target.serverType, 1);
  plausible(t, reg.summary, 20);
  t.equal(g.sql("select count(*) from UserRegistration where userName like 'bot%';").trim(), '20', 'accounts made');
  t.equal(g.sql("select count(*) from SerialNumbers where serialStatus = '1';").trim(), '20', 'serials used');
  t.ok((reg.summary.overall.servers[0]?.cpuPct ?? -1) >= 0, 'UserServer CPU read');
  // Both RoomServers took part: each server world went to one of them.
  for (const rs of g.rs.values()) await rs.waitLog(/^Ready to serve$/m);
  const auth = await farm([...common, '--bots', '6', '--login', 'authenticate', '--whisper-every', '2', ...SHORT]);
  t.equal(auth.code, 0, auth.stderr);
  t.equal(auth.summary.target.login, 'authenticate');
  plausible(t, auth.summary, 6);
  const guests = await farm([...common, '--bots', '3', '--login', 'guest', '--whisper-every', '2', ...SHORT]);
  t.equal(guests.code, 0, guests.stderr);
  t.equal(guests.summary.target.login, 'guest');
  plausible(t, guests.summary, 3);
  await Promise.all([...g.rs.values()].map((rs) => rs.stop()));
  for (const [name, rs] of g.rs) t.match(rs.log(), / bot\d+ \(127\.0\.0\.\d+\)$/m, `${name} served bots`);
});
