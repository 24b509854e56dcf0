// The admin console's sessions, tokens and cookies: random ids filed by their hashes, idle expiry,
// a bounded table that gives up the least recently used session, constant-time token checks.
import t from 'tap';
import { LOGIN_COOKIE, SESSION_COOKIE, cookie, setCookie } from '../../userserver/admin/web/cookies.js';
import { SessionStore } from '../../userserver/admin/web/sessions.js';
import { isToken, newToken, sameToken, tokenKey } from '../../userserver/admin/web/tokens.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

t.test('tokens: 256 random bits in base64url, compared whole', async (t) => {
  const a = newToken();
  const b = newToken();
  t.ok(isToken(a) && isToken(b));
  t.not(a, b);
  t.equal(Buffer.from(a, 'base64url').length, 32);
  t.ok(sameToken(a, a));
  t.notOk(sameToken(b, a));
  t.notOk(sameToken(a.slice(0, 42), a), 'a prefix is not the token');
  t.notOk(sameToken(`${a}x`, a), 'nor a longer string');
  t.notOk(sameToken('', a));
  t.notOk(sameToken(null, a));
  t.notOk(sameToken(undefined, a));
  t.notOk(isToken('short'));
  t.notOk(isToken(`${a.slice(0, 42)}=`));
  t.not(tokenKey(a), a, 'filed under its hash');
});

t.test('sessions: open, find, close; each has its own CSRF token and number', async (t) => {
  const c = clock();
  const store = new SessionStore(() => ({ max: 8, idleMs: 60_000 }), c.now);
  const one = store.open('127.0.0.1');
  const two = store.open('10.0.0.2');
  t.ok(isToken(one.id));
  t.not(one.id, two.id);
  t.not(one.session.csrf, two.session.csrf);
  t.not(one.session.csrf, one.id, 'the CSRF token is not the session id');
  t.same([one.session.number, two.session.number], [1, 2]);
  t.same(one.evicted, []);
  t.equal(store.find(one.id), one.session);
  t.equal(store.find(two.id)?.address, '10.0.0.2');
  t.equal(store.find(newToken()), null, 'an unknown id');
  t.equal(store.find('not a token'), null);
  t.equal(store.find(null), null);
  t.equal(store.close(one.id), one.session);
  t.equal(store.find(one.id), null, 'closed');
  t.equal(store.size, 1);
  t.equal(store.closeAll(), 1);
  t.equal(store.find(two.id), null);
});

t.test('sessions end after the idle time; using one keeps it', async (t) => {
  const c = clock();
  let idleMs = 60_000;
  const store = new SessionStore(() => ({ max: 8, idleMs }), c.now);
  const a = store.open('127.0.0.1');
  const b = store.open('127.0.0.1');
  c.advance(40_000);
  t.ok(store.find(a.id), 'a is used');
  c.advance(30_000);
  t.same(
    store.sweep().map((s) => s.number),
    [b.session.number],
    'b was idle 70 s',
  );
  t.ok(store.find(a.id), 'a was idle 30 s');
  t.equal(store.find(b.id), null);
  idleMs = 10_000;
  c.advance(10_000);
  t.equal(store.find(a.id), null, 'a shorter idle time applies at once');
});

t.test('the table is bounded: the least recently used session makes room', async (t) => {
  const c = clock();
  let max = 2;
  const store = new SessionStore(() => ({ max, idleMs: 60_000 }), c.now);
  const a = store.open('127.0.0.1');
  c.advance(1);
  const b = store.open('127.0.0.1');
  c.advance(1);
  store.find(a.id);
  const third = store.open('127.0.0.1');
  t.same(
    third.evicted.map((s) => s.number),
    [b.session.number],
    'b, used least recently, not a, opened first',
  );
  t.equal(store.size, 2);
  t.ok(store.find(a.id));
  max = 1;
  const fourth = store.open('127.0.0.1');
  t.equal(fourth.evicted.length, 2, 'a lower AdminSessions applies at the next login');
  t.equal(store.size, 1);
});

t.test('cookies: HttpOnly, SameSite=Strict, Path=/admin, Secure when asked', async (t) => {
  t.equal(setCookie(SESSION_COOKIE, 'abc', false), 'ws_admin=abc; Path=/admin; HttpOnly; SameSite=Strict');
  t.equal(setCookie(SESSION_COOKIE, 'abc', true), 'ws_admin=abc; Path=/admin; HttpOnly; SameSite=Strict; Secure');
  t.equal(setCookie(LOGIN_COOKIE, null, false), 'ws_admin_login=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0');
  t.equal(cookie('a=1; ws_admin=xyz; ws_admin_login=q', SESSION_COOKIE), 'xyz');
  t.equal(cookie('ws_admin_login=q', SESSION_COOKIE), null);
  t.equal(cookie(undefined, SESSION_COOKIE), null);
  t.equal(cookie('ws_admin=first; ws_admin=second', SESSION_COOKIE), 'first');
});
