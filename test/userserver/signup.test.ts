// The sign-up pages (userserver/signup/) on the embedded database, served on 127.0.0.1: the pages,
// codeword.pl answers exactly as WorldsPlayer reads them, mail through a test SMTP server, and the
// limits (per address, per e-mail address, wrong codewords, expiry, a serial never twice).
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { fetchCodeword } from '../../protocol/client/codeword.js';
import { openDatabase } from '../../runtime/db/open.js';
import type { Database } from '../../runtime/db/types.js';
import { signupDraft } from '../../userserver/signup/config.js';
import { SignupHttp } from '../../userserver/signup/http.js';
import { WindowCounter } from '../../userserver/signup/limits.js';
import { Signup, type SignupConfig } from '../../userserver/signup/signup.js';
import { normalizeCodeword, newCodeword, CODEWORD_ALPHABET } from '../../userserver/signup/codeword.js';
import { codewordIn, startMailSink } from '../helpers/smtp.js';

const MINUTE = 60_000;

interface Site {
  db: Database;
  file: string;
  script: string;
  port: number;
  signup: Signup;
  logs: string[];
  clock: { now: number };
  cfg: SignupConfig;
}

async function site(t: Test, over: Partial<SignupConfig> = {}, serials = 5, shared?: Site): Promise<Site> {
  const file = shared?.file ?? `${t.testdir()}/world.db`;
  const db = await openDatabase({ user: '', password: '', service: `sqlite:${file}` });
  t.teardown(() => db.close());
  if (!shared && serials) {
    const rows = Array.from({ length: serials }, (_, i) => `('SIGN${String(i + 1).padStart(12, '0')}', 'none', '0')`);
    execFileSync('sqlite3', [file, `INSERT INTO SerialNumbers VALUES ${rows.join(', ')}`]);
  }
  const cfg: SignupConfig = {
    ...signupDraft(),
    serverName: 'Test',
    bindAddr: '127.0.0.1',
    http: { smtp: null, mailDomain: 'worlds.example' },
    signupHttp: { port: 0, bindAddr: '127.0.0.1', line: 1 },
    ...over,
  };
  const logs: string[] = [];
  const clock = shared?.clock ?? { now: Date.parse('2024-05-06T07:08:09Z') };
  const log = {
    event: (s: string) => logs.push(s),
    error: (w: string | null, s: string) => logs.push(`(${w}) - ${s}`),
  };
  const signup = new Signup(
    db,
    () => cfg,
    log,
    () => clock.now,
  );
  const { http, address } = await SignupHttp.listen(signup, () => cfg, log);
  t.teardown(() => http.close());
  return { db, file, script: `http://127.0.0.1:${address.port}/cgi-bin`, port: address.port, signup, logs, clock, cfg };
}

const post = (s: Site, id: string, email: string) =>
  fetch(`${s.script}/register.pl?id=${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ id, email }).toString(),
  });

async function shownCodeword(res: Response): Promise<string> {
  const m = /class="codeword">([A-Z0-9]{6})</.exec(await res.text());
  if (!m) throw new Error('no codeword on the page');
  return m[1] as string;
}

const serialStatus = (s: Site, serial: string) =>
  execFileSync(
    'sqlite3',
    [s.file, `select userName || '|' || serialStatus from SerialNumbers where serialNumber = '${serial}'`],
    {
      encoding: 'utf8',
    },
  ).trim();

t.test('without SmtpServer: the page, the codeword shown, codeword.pl as the client reads it', async (t) => {
  const s = await site(t);
  const form = await fetch(`${s.script}/register.pl?id=1234567`);
  t.equal(form.status, 200);
  const html = await form.text();
  t.match(html, /<form method="post">/);
  t.match(html, /name="id" value="1234567"/);
  t.equal(form.headers.get('cache-control'), 'no-store');
  const res = await post(s, '1234567', 'New.User@Example.com');
  t.equal(res.status, 200);
  const codeword = await shownCodeword(res);
  t.ok(codeword.length <= 6, 'at most 6 characters: longer would be taken for the serial itself');
  const got = await fetchCodeword(s.script, '1234567', codeword);
  t.match(got, {
    url: `${s.script}/codeword.pl?id=1234567&codeword=${codeword}`,
    status: 200,
    lastModified: undefined,
    outcome: { kind: 'serial' },
  });
  t.match(got.line, /^1,0,SIGN\d{12}$/, 'first line 1,0,<serial>');
  const serial = got.outcome.kind === 'serial' ? got.outcome.serial : '';
  t.equal(serialStatus(s, serial), 'signup|2', 'reserved, so nobody else gets it');
  t.match(await fetchCodeword(s.script, '1234567', codeword.toLowerCase()), { outcome: { serial } }, 'asked again');
  t.match(await fetchCodeword(s.script, '7654321', codeword), {
    line: '0,1,no such codeword, or it has expired',
    outcome: { kind: 'no-match' },
  });
  t.match(await fetchCodeword(s.script + '/', 'x y', codeword), { outcome: { kind: 'no-match' } });
  t.ok(s.logs.some((l) => l.includes(`codeword for serial ${serial} shown to 127.0.0.1`)));
  t.equal(s.signup.counters.serialsAnswered, 2);
});

t.test('with SmtpServer: the codeword arrives by mail, never on the page', async (t) => {
  const sink = await startMailSink();
  t.teardown(() => sink.close());
  const s = await site(t, { http: { smtp: `127.0.0.1:${sink.port}`, mailDomain: 'worlds.example' } });
  const res = await post(s, '42', 'wilma@example.com');
  const page = await res.text();
  t.match(page, /is on its way to <strong>wilma@example.com<\/strong>/);
  t.notMatch(page, /class="codeword"/);
  const mail = await sink.next();
  t.same(mail.to, ['wilma@example.com']);
  t.equal(mail.from, 'registration@worlds.example', 'From: an address in MailDomain');
  t.match(mail.text, /Subject: Your codeword for Test/);
  const got = await fetchCodeword(s.script, '42', codewordIn(mail.text));
  t.equal(got.outcome.kind, 'serial');
  t.equal(s.signup.counters.codewordsMailed, 1);
});

t.test('a mail server that is not there: an apology, and the serial is free again at once', async (t) => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const s = await site(t, { http: { smtp: `127.0.0.1:${port}`, mailDomain: null } }, 1);
  const res = await post(s, '42', 'a@example.com');
  t.equal(res.status, 503);
  t.match(await res.text(), /could not be e-mailed/);
  t.equal(serialStatus(s, 'SIGN000000000001'), 'none|0');
  t.ok(s.logs.some((l) => /\(SmtpServer 127\.0\.0\.1:\d+\) - codeword mail to a@example.com failed/.test(l)));
});

t.test('limits: per address, per e-mail address, wrong codewords; a refusal logged once', async (t) => {
  const s = await site(t, {
    signupAddressLimit: { count: 3, ms: 60 * MINUTE },
    signupEmailLimit: { count: 2, ms: 24 * 60 * MINUTE },
    signupCodewordLimit: { count: 3, ms: 60 * MINUTE },
    signupExpiry: { codewordMs: 120 * MINUTE, holdMs: 24 * 60 * MINUTE },
  });
  t.equal((await post(s, '1', 'same@example.com')).status, 200);
  const second = await post(s, '2', 'SAME@example.com');
  const codeword = await shownCodeword(second);
  const third = await post(s, '3', 'same@example.com');
  t.equal(third.status, 503);
  t.match(await third.text(), /Too many codewords were sent to this e-mail address/);
  const fourth = await post(s, '4', 'other@example.com');
  t.equal(fourth.status, 429, 'the fourth request from one address');
  t.match(await fourth.text(), /Too many requests from your address\. Try again in 60 minutes/);
  t.equal((await post(s, '5', 'more@example.com')).status, 429);
  t.equal(s.logs.filter((l) => l.includes('SignupAddressLimit')).length, 1, 'logged once per window');

  for (const wrong of ['AAAAAA', 'BBBBBB', 'toolong!'])
    t.match(await fetchCodeword(s.script, '2', wrong), { outcome: { kind: 'no-match' } });
  t.match(await fetchCodeword(s.script, '2', codeword), { line: '0,2,too many wrong codewords; try again later' });
  s.clock.now += 61 * MINUTE;
  t.match(await fetchCodeword(s.script, '2', codeword), { outcome: { kind: 'serial' } }, 'a new window');
  t.equal((await post(s, '6', 'later@example.com')).status, 200, 'and new requests');
});

t.test('codewords expire; the sweep frees their serials; answered serials are held, then freed', async (t) => {
  const s = await site(t, { signupExpiry: { codewordMs: 10 * MINUTE, holdMs: 60 * MINUTE } }, 2);
  const unused = await shownCodeword(await post(s, '10', 'a@example.com'));
  const used = await shownCodeword(await post(s, '11', 'b@example.com'));
  const got = await fetchCodeword(s.script, '11', used);
  const held = got.outcome.kind === 'serial' ? got.outcome.serial : '';
  s.clock.now += 10 * MINUTE;
  t.match(await fetchCodeword(s.script, '10', unused), { outcome: { kind: 'no-match' } }, 'expired');
  t.match(await fetchCodeword(s.script, '11', used), { outcome: { kind: 'serial', serial: held } }, 'held');
  await s.signup.sweep();
  t.equal(s.signup.counters.serialsReleased, 1);
  const status = execFileSync(
    'sqlite3',
    [s.file, "select serialNumber || '|' || serialStatus from SerialNumbers order by 1"],
    {
      encoding: 'utf8',
    },
  );
  t.match(status, new RegExp(`${held}\\|2`), 'the answered serial stays reserved');
  t.match(status, /\|0/, 'the other is free again');
  s.clock.now += 60 * MINUTE;
  await s.signup.sweep();
  t.equal(serialStatus(s, held), 'none|0', 'never registered: freed after the hold');
  t.ok(s.logs.some((l) => /1 reserved serials released/.test(l)));
});

t.test('two UserServers racing on one database never hand out a serial twice', async (t) => {
  const limits = {
    signupAddressLimit: { count: 1000, ms: MINUTE },
    signupEmailLimit: { count: 1000, ms: MINUTE },
  };
  const a = await site(t, limits, 12);
  const b = await site(t, limits, 0, a);
  const results = await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      const s = i % 2 ? a : b;
      const res = await post(s, String(100 + i), `u${i}@example.com`);
      if (res.status !== 200) return null;
      const got = await fetchCodeword(s.script, String(100 + i), await shownCodeword(res));
      return got.outcome.kind === 'serial' ? got.outcome.serial : null;
    }),
  );
  const serials = results.filter((x) => x !== null);
  t.equal(serials.length, 12, 'every free serial handed out');
  t.equal(new Set(serials).size, 12, 'none twice');
  t.ok(a.logs.concat(b.logs).some((l) => /no free serial number is left/.test(l)));
});

t.test('the listener is bounded: body, header time, connections; unknown paths and methods', async (t) => {
  const s = await site(t, { signupHttpLimits: { connections: 3, bodyBytes: 300, headerMs: 300 } });
  const big = await fetch(`${s.script}/register.pl?id=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `id=1&email=${'a'.repeat(400)}@example.com`,
  });
  t.equal(big.status, 413);
  t.equal((await fetch(`${s.script}/index.html`)).status, 404);
  t.equal((await fetch(`${s.script}/codeword.pl?id=1&codeword=AAAAAA`, { method: 'POST' })).status, 405);
  const noId = await fetch(`${s.script}/register.pl`);
  t.equal(noId.status, 400);
  t.match(await noId.text(), /Start from WorldsPlayer/);
  const bad = await post(s, '1', 'not-an-address');
  t.equal(bad.status, 400);
  t.match(await bad.text(), /That is not an e-mail address/);

  // A client that never finishes its headers is closed after headerMs.
  const slow = connect(s.port, '127.0.0.1').on('error', () => undefined);
  slow.write('GET /cgi-bin/register.pl?id=1 HTTP/1.1\r\nHost: x\r\n');
  const t0 = Date.now();
  await new Promise((r) => slow.once('close', r));
  t.ok(Date.now() - t0 < 5_000, `closed after ${Date.now() - t0} ms`);

  // Connections beyond the cap are dropped at once.
  const held = Array.from({ length: 3 }, () => connect(s.port, '127.0.0.1').on('error', () => undefined));
  await Promise.all(held.map((c) => new Promise((r) => c.once('connect', r))));
  const extra = connect(s.port, '127.0.0.1').on('error', () => undefined);
  const dropped = await new Promise<boolean>((r) => {
    extra.once('close', () => r(true));
    extra.write('GET /cgi-bin/register.pl?id=1 HTTP/1.1\r\nHost: x\r\n\r\n');
    extra.once('data', () => r(false));
  });
  t.ok(dropped, 'the fourth connection is closed unanswered');
  for (const c of held) c.destroy();
});

t.test('codewords: 6 characters of an unambiguous alphabet, typed in any case', async (t) => {
  const seen = new Set(Array.from({ length: 200 }, () => newCodeword()));
  t.ok(seen.size > 195, 'random');
  t.ok([...seen].every((c) => /^[A-Z2-9]{6}$/.test(c) && !/[01OIL]/.test(c)));
  t.equal(CODEWORD_ALPHABET.length, 31);
  t.equal(normalizeCodeword(' abc234 '), 'ABC234');
  t.equal(normalizeCodeword('ABC10O'), null);
  t.equal(normalizeCodeword('ABC2345'), null);
});

t.test('WindowCounter: fixed windows, bounded keys', async (t) => {
  const w = new WindowCounter(3);
  const win = { count: 2, ms: 1000 };
  t.ok(w.take('a', win, 0));
  t.ok(w.take('a', win, 10));
  t.notOk(w.take('a', win, 20));
  t.equal(w.minutesLeft('a', win, 20), 1);
  t.ok(w.take('a', win, 1000), 'the next window');
  for (const k of ['b', 'c', 'd']) w.take(k, win, 1000);
  t.equal(w.size, 3, 'the oldest key forgotten');
  w.sweep(1000, 5000);
  t.equal(w.size, 0);
});
