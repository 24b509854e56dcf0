// The admin web console on a real StatusHttp endpoint, with the embedded database and a stand-in
// for the running galaxy: login (form token, wrong passwords, AdminLoginFailures per address and
// overall), sessions (cookie attributes, bound to an address, bounded, idle expiry, logout), CSRF
// refusals, tasks run from forms with their answers escaped on the page, and AdminPassword
// following a configuration reload.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../runtime/db/open.js';
import type { Database } from '../../runtime/db/types.js';
import { HttpEndpoint, listenHttpOrDie } from '../../runtime/http/endpoint.js';
import { LogLimiter } from '../../runtime/log-limit.js';
import { DEFAULT_HTTP_LIMITS } from '../../runtime/stats-config.js';
import type { LiveGalaxy } from '../../userserver/admin/types.js';
import { AdminConsole } from '../../userserver/admin/web/console.js';
import { ConsoleCounts } from '../../userserver/admin/web/counts.js';
import { loadUserServerConfig, type UserServerConfig } from '../../userserver/config.js';
import { PasswordHasher } from '../../userserver/passwords.js';

const BASE = 'Server Private\nRoomServers 5200 def456\nUserDatabase us pw sqlite:world.db 60\nPasswordCost 10\n';
const PASSWORD = 'correct-horse';
const NOW = new Date('2024-05-06T07:08:09.000Z');

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A client with its own cookie jar, from one source address (127.0.0.0/8 all reach 127.0.0.1). */
class Browser {
  readonly jar = new Map<string, string>();
  lastSetCookie: string[] = [];

  constructor(
    private readonly port: number,
    readonly from = '127.0.0.1',
  ) {}

  get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.send('GET', path, null, headers);
  }

  post(path: string, fields: Record<string, string | string[]> | string, headers: Record<string, string> = {}) {
    const body =
      typeof fields === 'string'
        ? fields
        : new URLSearchParams(
            Object.entries(fields).flatMap(([k, v]): [string, string][] =>
              Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]],
            ),
          ).toString();
    return this.send('POST', path, body, { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  }

  /** Logs in as a person does: the login page, then its form. */
  async login(password = PASSWORD): Promise<Answer> {
    const page = await this.get('/admin');
    return this.post('/admin/login', { login: field(page.body, 'login'), password });
  }

  private send(method: string, path: string, body: string | null, headers: Record<string, string>): Promise<Answer> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          method,
          localAddress: this.from,
          headers: {
            ...headers,
            ...(cookie ? { cookie } : {}),
            ...(body ? { 'content-length': Buffer.byteLength(body) } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            this.lastSetCookie = res.headers['set-cookie'] ?? [];
            for (const c of this.lastSetCookie) {
              const [pair] = c.split(';');
              const [k, v] = (pair as string).split('=') as [string, string];
              if (/Max-Age=0/.test(c)) this.jar.delete(k);
              else this.jar.set(k, v);
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
          });
        },
      );
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  }
}

/** The value of the first hidden field `name` of a page. */
function field(page: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(page);
  if (!m) throw new Error(`no ${name} field in the page:\n${page.slice(0, 500)}`);
  return m[1] as string;
}

async function until(what: string, check: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setup(t: Test, extra = `AdminPassword ${PASSWORD}\n`) {
  const dir = t.testdir();
  const file = join(dir, 'PrivateUS.cfg');
  writeFileSync(file, BASE + extra);
  let cfg: Readonly<UserServerConfig> = loadUserServerConfig(file);
  const db: Database = await openDatabase({ user: '', password: '', service: `sqlite:${join(dir, 'world.db')}` });
  t.teardown(() => db.close());
  const serials = Array.from({ length: 8 }, (_, i) => `('TEST${String(i + 1).padStart(12, '0')}', 'none', '0')`);
  execFileSync('sqlite3', [join(dir, 'world.db'), `INSERT INTO SerialNumbers VALUES ${serials.join(', ')}`]);
  let n = 0;
  const account = async (name: string, mail?: string) => {
    n++;
    const r = await db.register({
      userName: name,
      passwordHash: 'x',
      serial: `TEST${String(n).padStart(12, '0')}`,
      clientVersion: 'v1',
      now: NOW,
    });
    if (r !== 'ok') throw new Error(`cannot register ${name}: ${JSON.stringify(r)}`);
    if (mail) await db.saveProperties(name.toLowerCase(), [{ id: 11, flags: 128, access: 3, value: mail }]);
  };
  const broadcasts: string[] = [];
  const galaxy: LiveGalaxy = {
    online: () => null,
    onlineUsers: () => [],
    boot: () => Promise.resolve({ ok: false, message: 'nobody is on' }),
    broadcast(_from, text) {
      broadcasts.push(text);
      return { roomServers: 2, directUsers: 0 };
    },
  };
  const events: string[] = [];
  const errors: string[] = [];
  const audit: string[] = [];
  const counts = new ConsoleCounts();
  const logLimit = new LogLimiter({ error: (who, text) => errors.push(`(${who}) - ${text}`) }, () => 60_000);
  const web = new AdminConsole({
    cfg: () => cfg,
    context: (by) => ({ db, galaxy, by, now: () => NOW, audit: (l) => audit.push(l) }),
    log: { event: (x) => events.push(x) },
    logLimit,
    counts,
  });
  await web.start('http://127.0.0.1:1/admin');
  t.teardown(() => web.close());
  const { server } = await listenHttpOrDie('test', 0, '127.0.0.1');
  const endpoint = new HttpEndpoint(server, () => DEFAULT_HTTP_LIMITS, {
    onHandlerError: (_p, err) => errors.push(`handler: ${String(err)}`),
  });
  endpoint.mount('/admin', web.handle);
  t.teardown(() => endpoint.close());
  const browser = (from = '127.0.0.1') => new Browser(endpoint.port, from);
  /** Writes the file anew and reloads it as the UserServer does (userserver/reload.ts). */
  const reload = async (text: string) => {
    writeFileSync(file, BASE + text);
    cfg = loadUserServerConfig(file);
    await web.reconfigured();
  };
  return { account, broadcasts, events, errors, audit, counts, browser, reload, web };
}

t.test('off without AdminPassword', async (t) => {
  const { browser } = await setup(t, '');
  const r = await browser().get('/admin');
  t.equal(r.status, 404);
  t.equal(r.body, 'the admin console is off: the configuration has no AdminPassword\n');
});

t.test('login: the form token, a wrong password (refused, logged, counted), then the right one', async (t) => {
  const { browser, events, errors, counts } = await setup(t);
  const b = browser();
  const page = await b.get('/admin');
  t.equal(page.status, 200);
  t.match(page.body, /<form method="post" action="\/admin\/login">/);
  t.match(page.headers['content-security-policy'], /frame-ancestors 'none'/, 'the endpoint protects the page');
  t.match(b.lastSetCookie[0], /^ws_admin_login=[\w-]{43}; Path=\/admin; HttpOnly; SameSite=Strict$/);
  t.equal(field(page.body, 'login'), b.jar.get('ws_admin_login'), 'the form carries the cookie’s token');

  const forged = await browser().post('/admin/login', { login: field(page.body, 'login'), password: PASSWORD });
  t.equal(forged.status, 403, 'a login form posted without its cookie (from another site) is refused');
  t.match(errors.at(-1), /^\(127\.0\.0\.1\) - admin console: POST \/admin\/login refused: the login form's token/);

  const wrong = await b.post('/admin/login', { login: field(page.body, 'login'), password: 'guess-one' });
  t.equal(wrong.status, 403);
  t.match(wrong.body, /Wrong password\./);
  t.equal(b.jar.has('ws_admin'), false, 'no session');
  t.equal(
    errors.at(-1),
    '(127.0.0.1) - admin console: wrong password (1 of 5 allowed from this address in 15 minutes)',
  );
  t.equal(counts.loginsFailed, 1);

  const right = await b.login();
  t.equal(right.status, 303);
  t.equal(right.headers.location, '/admin');
  t.match(
    b.lastSetCookie[0],
    /^ws_admin=[\w-]{43}; Path=\/admin; HttpOnly; SameSite=Strict$/,
    'not Secure over plain HTTP',
  );
  t.equal(events.at(-1), 'admin console: session 127.0.0.1#1 opened');
  t.same([counts.logins, counts.sessions], [1, 1]);
  const home = await b.get('/admin');
  t.equal(home.status, 200);
  t.match(home.body, /session 127\.0\.0\.1#1/);
  t.match(home.body, /id="form-report"/);
  const tokens = [...home.body.matchAll(/name="csrf" value="([^"]*)"/g)].map((m) => m[1]);
  t.ok(tokens.length >= 15, 'every form (and the logout button) carries the CSRF token');
  t.equal(new Set(tokens).size, 1, 'the session’s one token');
  t.not(tokens[0], b.jar.get('ws_admin'), 'which is not the session id');
});

t.test('forms run the tasks: results on the page, escaped, one audit line naming the session', async (t) => {
  const { browser, account, audit, broadcasts } = await setup(t);
  await account('Alice', 'pat@example.com');
  await account('Alan', 'pat@example.com');
  await account('Bob', 'bob@example.com');
  const b = browser();
  await b.login();
  const csrf = field((await b.get('/admin')).body, 'csrf');

  const report = await b.post('/admin/task/report', { csrf, pattern: 'Al*', by: 'auto', limit: '' });
  t.equal(report.status, 200);
  t.match(report.body, /<strong>report<\/strong>: 2 accounts by name Al\*/);
  const rows = [...report.body.matchAll(/<tr><td>(\w+)<\/td>/g)].map((m) => m[1]);
  t.same(rows, ['Alan', 'Alice'], 'one row per account, Bob not among them');
  t.match(report.body, /<th>e-mail<\/th>.*<td>pat@example\.com<\/td>/s);
  t.match(report.body, /name="pattern" maxlength="254" required value="Al\*"/, 'the form keeps what was typed');

  const off = await b.post('/admin/task/deactivate', { csrf, user: '', email: 'PAT@example.com' });
  t.equal(off.status, 200);
  t.match(off.body, /deactivated 2 accounts of pat@example\.com: Alan, Alice/);
  t.match(off.body, /<td>Alan<\/td><td>TEST\d{12}<\/td><td>inactive<\/td><td>active<\/td>/);

  const grant = await b.post('/admin/task/grant', { csrf, user: 'bob', privileges: ['broadcast', 'build'] });
  t.match(grant.body, /Bob: privileges build, broadcast \(3\), were none \(0\)/);

  const sent = await b.post('/admin/task/broadcast', { csrf, text: 'Servers restart at noon' });
  t.equal(sent.status, 200);
  t.same(broadcasts, ['Servers restart at noon']);

  const evil = await b.post('/admin/task/report', { csrf, pattern: '<script>alert(1)</script>' });
  t.equal(evil.status, 404, 'not found');
  t.notMatch(evil.body, /<script>alert/, 'nothing posted comes back as markup');
  t.match(evil.body, /no account matches name or serial &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  t.match(evil.body, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);

  const usage = await b.post('/admin/task/vip', { csrf, action: 'grant', user: 'Bob', months: '3', payment: 'check' });
  t.equal(usage.status, 400);
  t.match(
    usage.body,
    /<strong>vip<\/strong>: months must be 1, 6, 12 \(the guide&#39;s choices\)/,
    'the task’s own words',
  );
  const noRecorder = await b.post('/admin/task/stats-record', { csrf, action: 'status' });
  t.equal(noRecorder.status, 503, 'the stand-in server has no recorder');

  t.same(audit.slice(0, 4), [
    'admin web:127.0.0.1#1: report Al*: 2 accounts by name Al*',
    'admin web:127.0.0.1#1: deactivate every account of pat@example.com: deactivated 2 accounts of pat@example.com: Alan, Alice; effective at their next login',
    "admin web:127.0.0.1#1: grant broadcast build to bob: Bob: privileges build, broadcast (3), were none (0); effective at Bob's next login",
    'admin web:127.0.0.1#1: broadcast "Servers restart at noon": broadcast to 2 RoomServers and 0 users on the UserServer only',
  ]);
  t.equal(audit.length, 7, 'one line per action, failures included');
});

t.test('every POST needs the session and its CSRF token: 403, logged once per window, counted', async (t) => {
  const { browser, broadcasts, errors, counts, audit } = await setup(t);
  const b = browser();
  await b.login();
  const csrf = field((await b.get('/admin')).body, 'csrf');
  const without = await b.post('/admin/task/broadcast', { text: 'forged' });
  t.equal(without.status, 403);
  t.match(without.body, /security token is missing or wrong/);
  t.notMatch(without.body, /name="csrf"/, 'the refusal hands out no token');
  t.equal(
    errors.at(-1),
    '(127.0.0.1) - admin console: POST /admin/task/broadcast (session 127.0.0.1#1) refused: CSRF token missing',
  );
  const wrong = await b.post('/admin/task/broadcast', { csrf: `${csrf.slice(1)}x`, text: 'forged' });
  t.equal(wrong.status, 403);
  const logout = await b.post('/admin/logout', {});
  t.equal(logout.status, 403, 'logging out needs the token too');
  const noSession = await browser().post('/admin/task/broadcast', { csrf, text: 'forged' });
  t.equal(noSession.status, 403, 'a token without the session cookie');
  t.match(noSession.body, /Your session has ended/);
  t.same(broadcasts, [], 'nothing was broadcast');
  t.same(audit, [], 'no task ran');
  t.equal(counts.postsRefused, 4);
  t.equal(errors.length, 1, 'one line per address and window (LogLimitWindow)');

  t.equal(
    (await b.post('/admin/task/broadcast', JSON.stringify({ csrf, text: 'x' }), { 'content-type': 'application/json' }))
      .status,
    415,
  );
  t.equal((await b.get('/admin/task/broadcast')).status, 405);
  t.equal((await b.post('/admin/task/frobnicate', { csrf })).status, 404);
  t.equal((await b.post('/admin/task/broadcast', { csrf, text: 'Hello' })).status, 200, 'with the token it runs');
  t.same(broadcasts, ['Hello']);
});

t.test('failed logins are limited per address and overall (AdminLoginFailures), and logged', async (t) => {
  const { browser, errors, counts } = await setup(t, `AdminPassword ${PASSWORD}\nAdminLoginFailures 2 3 10\n`);
  const one = browser('127.0.0.1');
  t.equal((await one.login('wrong-one')).status, 403);
  t.equal((await one.login('wrong-two')).status, 403);
  const locked = await one.login();
  t.equal(locked.status, 429, 'the right password is not even checked');
  t.match(locked.body, /Too many failed logins\. Try again in 10 minutes\./);
  t.ok(Number(locked.headers['retry-after']) > 590);
  t.match(
    errors.at(-1),
    /^\(127\.0\.0\.1\) - admin console: login refused unchecked: 2 wrong passwords from this address in 10 minutes \(AdminLoginFailures\)$/,
  );
  const two = browser('127.0.0.2');
  t.equal((await two.login()).status, 303, 'another address logs in');
  const three = browser('127.0.0.3');
  t.equal((await three.login('wrong-three')).status, 403, 'the third wrong password of the window, overall');
  const four = browser('127.0.0.4');
  const all = await four.login();
  t.equal(all.status, 429, 'now every new address is refused');
  t.match(errors.at(-1), /login refused unchecked: 3 wrong passwords from all addresses in 10 minutes/);
  t.equal((await browser('127.0.0.2').login()).status, 303, 'except one that logged in before');
  const before = errors.length;
  t.equal((await four.login()).status, 429);
  t.equal(errors.length, before, 'a repeated refusal is not logged again within the window');
  t.same([counts.loginsFailed, counts.loginsRefused, counts.logins], [3, 3, 2]);
});

t.test('sessions: bound to their address, bounded, idle-limited, ended by logout; Secure behind TLS', async (t) => {
  const { browser, events, counts } = await setup(t, `AdminPassword ${PASSWORD}\nAdminSessions 1 0.01\n`);
  const a = browser();
  t.equal((await a.login()).status, 303);
  const b = browser();
  t.equal((await b.login()).status, 303);
  t.equal(events.at(-2), 'admin console: session 127.0.0.1#1 ended to make room (AdminSessions 1)');
  t.match((await a.get('/admin')).body, /action="\/admin\/login"/, "a's session is gone");

  const stolen = browser('127.0.0.9');
  stolen.jar.set('ws_admin', b.jar.get('ws_admin') as string);
  t.match((await stolen.get('/admin')).body, /action="\/admin\/login"/, 'a cookie from another address is no session');

  const csrf = field((await b.get('/admin')).body, 'csrf');
  const out = await b.post('/admin/logout', { csrf });
  t.equal(out.status, 303);
  t.match(b.lastSetCookie[0], /^ws_admin=; .*Max-Age=0/);
  t.equal(events.at(-1), 'admin console: session 127.0.0.1#2 logged out');
  t.equal(counts.sessions, 0);

  const tls = browser();
  await tls.get('/admin', { 'x-forwarded-proto': 'https' });
  t.match(tls.lastSetCookie[0], /; Secure$/, 'behind a TLS proxy the cookies are Secure');
  const page = await tls.get('/admin');
  const opened = await tls.post(
    '/admin/login',
    { login: field(page.body, 'login'), password: PASSWORD },
    { 'x-forwarded-proto': 'https' },
  );
  t.match(opened.headers['set-cookie']?.[0], /^ws_admin=.*; Secure$/);

  await until('the idle session to end', () =>
    events.some((e) => /session 127\.0\.0\.1#3 ended after 0\.01 minutes idle/.test(e)),
  );
  t.equal(counts.sessions, 0, 'swept by the timer, with nobody using the console');
});

t.test(
  'AdminPassword follows a reload: same password keeps sessions, another ends them, none turns it off',
  async (t) => {
    const { browser, events, reload } = await setup(t);
    const b = browser();
    await b.login();
    await reload(`AdminPassword ${PASSWORD}\n`);
    t.equal((await b.get('/admin')).body.includes('session 127.0.0.1#1'), true, 'the same password: nothing changes');

    await reload('AdminPassword battery-staple\n');
    t.equal(events.at(-1), 'AdminPassword changed; 1 console session ended');
    t.match((await b.get('/admin')).body, /action="\/admin\/login"/);
    t.equal((await browser().login()).status, 403, 'the old password no longer works');
    t.equal((await browser().login('battery-staple')).status, 303);

    const hash = await new PasswordHasher(10).hash('tr0ub4dor&3', 'test');
    await reload(`AdminPassword ${hash}\n`);
    t.equal(events.at(-1), 'AdminPassword changed; 1 console session ended');
    t.equal((await browser().login('tr0ub4dor&3')).status, 303, 'a hash from the file');

    await reload('');
    t.equal(events.at(-1), 'AdminPassword removed: the admin console is off; 1 console session ended');
    t.equal((await b.get('/admin')).status, 404);
    await reload(`AdminPassword ${PASSWORD}\n`);
    t.equal(events.at(-1), 'AdminPassword given: the admin console at /admin is on');
    t.equal((await browser().login()).status, 303);
  },
);
