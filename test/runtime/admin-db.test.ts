// The administration and sign-up store operations (runtime/db/admin-sql.ts) on the embedded
// database, checked through the sqlite3 command line as an administrator would; every statement
// also as Oracle would run it (bind names, reserved words, terminators).
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ADMIN_SQL, adminOperations } from '../../runtime/db/admin-sql.js';
import { SIGNUP_SQL, completeSignup, signupOperations } from '../../runtime/db/signup-sql.js';
import { openDatabase } from '../../runtime/db/open.js';
import { ORACLE, type Binds, type Row, type SqlBackend, type SqlSession } from '../../runtime/db/sql.js';
import type { Database } from '../../runtime/db/types.js';

const execFileAsync = promisify(execFile);
const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const ADMIN_TABLES = join(ROOT, 'sql', 'createAdminTables.sql');
const USER_TABLES = join(ROOT, 'sql', 'createUserTables.sql');
const NOW = new Date('2024-05-06T07:08:09.000Z');
const HOUR = 3_600_000;

async function sql(file: string, statement: string): Promise<Record<string, unknown>[]> {
  const { stdout } = await execFileAsync('sqlite3', ['-json', file, statement]);
  return stdout.trim() === '' ? [] : (JSON.parse(stdout) as Record<string, unknown>[]);
}

async function fresh(dir: string, serials = 4): Promise<{ db: Database; file: string }> {
  const file = join(dir, 'world.db');
  const db = await openDatabase({ user: '', password: '', service: `sqlite:${file}` });
  for (let i = 1; i <= serials; i++)
    await sql(file, `INSERT INTO SerialNumbers VALUES ('TEST00000000000${i}', 'none', 0)`);
  return { db, file };
}

const register = (db: Database, userName: string, serial: string, now = NOW) =>
  db.register({ userName, passwordHash: `hash-of-${userName}`, serial, clientVersion: '2004080500', now });

const email = (db: Database, name: string, address: string) =>
  db.saveProperties(name.toLowerCase(), [{ id: 11, flags: 128, access: 3, value: address }]);

t.test('privileges and account status, by name and by e-mail address', async (t) => {
  const { db, file } = await fresh(t.testdir());
  t.teardown(() => db.close());
  await register(db, 'Fred', 'TEST000000000001');
  await register(db, 'Barney', 'TEST000000000002');
  await register(db, 'Wilma', 'TEST000000000003');
  await email(db, 'Fred', 'Rubble@Example.com');
  await email(db, 'Barney', 'rubble@example.com');
  await email(db, 'Wilma', 'wilma@example.com');

  t.same(await db.changePrivileges('fred', 2 | 64, 0), { userName: 'Fred', before: 0, after: 66 });
  t.same(await db.changePrivileges('fred', 0, 64), { userName: 'Fred', before: 66, after: 2 });
  t.equal(await db.changePrivileges('nobody', 2, 0), null);
  t.same(await sql(file, "select userPrivileges from UserRegistration where userName = 'Fred'"), [
    { userPrivileges: 2 },
  ]);

  const one = await db.setAccountStatus('wilma', 0);
  t.match(one, { userName: 'Wilma', before: 1, accountStatus: 0 });
  t.equal(await db.setAccountStatus('nobody', 0), null);

  const both = await db.setStatusByEmail('rubble@example.com', 0);
  t.same(
    both.map((a) => [a.userName, a.before, a.accountStatus]),
    [
      ['Barney', 1, 0],
      ['Fred', 1, 0],
    ],
    'every account of the address, whatever the case it was stored in',
  );
  t.same(await sql(file, 'select userName, accountStatus from UserRegistration order by userName'), [
    { userName: 'Barney', accountStatus: 0 },
    { userName: 'Fred', accountStatus: 0 },
    { userName: 'Wilma', accountStatus: 0 },
  ]);
  t.same(await db.setStatusByEmail('nobody@example.com', 1), []);
  t.equal((await db.setStatusByEmail('rubble@example.com', 1)).length, 2);
});

t.test('deleting an account frees its serial in one transaction; the serial registers again', async (t) => {
  const { db, file } = await fresh(t.testdir());
  t.teardown(() => db.close());
  await register(db, 'Fred', 'TEST000000000001');
  await email(db, 'Fred', 'fred@example.com');
  await db.recordLogin('fred', '10.0.0.1', NOW);
  const gone = await db.deleteAccount('fred');
  t.same(gone, { userName: 'Fred', serialNumber: 'TEST000000000001', serialFreed: true, properties: 1 });
  t.same(await sql(file, "select userName, serialStatus from SerialNumbers where serialNumber = 'TEST000000000001'"), [
    { userName: 'none', serialStatus: '0' },
  ]);
  t.same(await sql(file, 'select count(*) as n from UserLogins'), [{ n: 0 }]);
  t.equal(await db.deleteAccount('fred'), null);
  t.equal(await register(db, 'Pebbles', 'TEST000000000001'), 'ok');
});

t.test(
  'host accounts: the next free serial, the own password, privileges, e-mail; refusals change nothing',
  async (t) => {
    const { db, file } = await fresh(t.testdir(), 2);
    t.teardown(() => db.close());
    await register(db, 'Fred', 'TEST000000000001');
    await email(db, 'Fred', 'fred@example.com');
    const ok = await db.createHostAccount({
      hostName: 'HOST-Fred',
      fromLower: 'fred',
      email: null,
      privileges: 2,
      now: NOW,
    });
    t.same(ok, {
      ok: true,
      userName: 'HOST-Fred',
      serialNumber: 'TEST000000000002',
      email: 'fred@example.com',
      privileges: 2,
    });
    const host = await db.findUser('host-fred');
    t.match(host, { password: 'hash-of-Fred', userPrivileges: 2, accountStatus: 1, clientVersion: '2004080500' });
    t.same(await db.loadProperties('host-fred'), [{ id: 11, flags: 128, access: 3, value: 'fred@example.com' }]);
    t.same(
      await sql(file, "select userName, serialStatus from SerialNumbers where serialNumber = 'TEST000000000002'"),
      [{ userName: 'HOST-Fred', serialStatus: '1' }],
    );
    const req = { fromLower: 'fred', email: 'x@example.com', privileges: 2, now: NOW };
    t.same(await db.createHostAccount({ ...req, hostName: 'HOST-fred' }), { ok: false, reason: 'taken-name' });
    t.same(await db.createHostAccount({ ...req, hostName: 'HOST-Other' }), { ok: false, reason: 'no-serial' });
    t.same(await db.createHostAccount({ ...req, hostName: 'HOST-X', fromLower: 'nobody' }), {
      ok: false,
      reason: 'no-such-user',
    });
    t.same(await sql(file, 'select count(*) as n from UserRegistration'), [{ n: 2 }]);
  },
);

t.test('the user report: by name, e-mail, serial and address, prefix wildcards, LIKE characters literal', async (t) => {
  const { db } = await fresh(t.testdir(), 5);
  t.teardown(() => db.close());
  await register(db, 'Alice', 'TEST000000000001');
  await register(db, 'Alan', 'TEST000000000002');
  await register(db, 'Al_x', 'TEST000000000003');
  await register(db, 'Bob', 'TEST000000000004');
  await email(db, 'Alice', 'alice@example.com');
  await db.recordLogin('alice', '192.168.1.20', NOW);
  await db.recordLogin('alice', '10.1.1.1', new Date(NOW.getTime() + HOUR));
  await db.recordLogin('alice', '10.1.1.1', new Date(NOW.getTime() + 2 * HOUR));
  await db.recordLogin('bob', '192.168.1.30', NOW);
  const names = async (criterion: 'name' | 'email' | 'serial' | 'ip', like: string, limit = 10) =>
    (await db.report({ criterion, like, limit })).map((r) => r.user.userName);

  t.same(await names('name', 'al%'), ['Al_x', 'Alan', 'Alice'], 'ordered by name, case-insensitive');
  t.same(await names('name', 'al\\_%'), ['Al_x'], 'an escaped _ is a character, not a wildcard');
  t.same(await names('name', 'alice'), ['Alice']);
  t.same(await names('name', 'al%', 2), ['Al_x', 'Alan'], 'at most limit');
  t.same(await names('email', 'alice@%'), ['Alice']);
  t.same(await names('serial', 'TEST00000000000%'), ['Al_x', 'Alan', 'Alice', 'Bob']);
  t.same(await names('serial', 'TEST000000000004'), ['Bob']);
  t.same(await names('ip', '192.168.1.%'), ['Alice', 'Bob']);
  t.same(await names('ip', '10.1.1.1'), ['Alice']);
  t.same(await names('ip', '172.%'), []);
  const [alice] = await db.report({ criterion: 'name', like: 'alice', limit: 1 });
  t.match(alice, { email: 'alice@example.com', vip: null, user: { serialNumber: 'TEST000000000001', timesOn: 0 } });
  t.notOk(alice && 'password' in alice.user, 'never the password');
  t.same(
    alice?.addresses.map((a) => [a.address, a.logins]),
    [
      ['10.1.1.1', 2],
      ['192.168.1.20', 1],
    ],
    'one row per address, most recent first',
  );
  t.same(alice?.addresses[0]?.firstLogin, new Date(NOW.getTime() + HOUR));
  await Promise.all(Array.from({ length: 20 }, () => db.recordLogin('bob', '192.168.1.30', NOW)));
  const [bob] = await db.report({ criterion: 'name', like: 'bob', limit: 1 });
  t.equal(bob?.addresses[0]?.logins, 21, 'concurrent logins all counted');
});

t.test('VIP memberships: set, cancel, and the bits cleared once expired', async (t) => {
  const { db } = await fresh(t.testdir());
  t.teardown(() => db.close());
  await register(db, 'Vic', 'TEST000000000001');
  await db.changePrivileges('vic', 2, 0);
  const m = {
    vipPrivileges: 24,
    startDate: NOW,
    expiryDate: new Date(NOW.getTime() + HOUR),
    payment: 'check',
    grantedBy: 'wsadmin:ops',
  };
  t.same(await db.setVipMembership('vic', m), { userName: 'Vic', before: 2, after: 26 });
  t.same(await db.vipMembership('vic'), m);
  t.same(await db.setVipMembership('vic', { ...m, vipPrivileges: 8 }), { userName: 'Vic', before: 26, after: 10 });
  t.equal(await db.expireVip('vic', NOW), null, 'not yet expired');
  t.equal(await db.expireVip('vic', new Date(NOW.getTime() + HOUR)), 2, 'expired: the VIP bit is cleared');
  t.match(await db.vipMembership('vic'), { vipPrivileges: 0, expiryDate: m.expiryDate }, 'the dates are kept');
  await db.changePrivileges('vic', 8, 0);
  t.equal(await db.expireVip('vic', new Date(NOW.getTime() + 2 * HOUR)), null, 'a spent membership clears nothing');
  t.same(await db.cancelVipMembership('vic'), { userName: 'Vic', before: 10, after: 2 });
  t.equal(await db.vipMembership('vic'), null);
  t.equal(await db.setVipMembership('nobody', m), null);
});

t.test('sign-up: reserve, answer, register with the e-mail address, release what is never used', async (t) => {
  const { db, file } = await fresh(t.testdir(), 3);
  t.teardown(() => db.close());
  const req = {
    codeword: 'ABC234',
    handshakeId: '1234567',
    email: 'new@example.com',
    address: '10.0.0.9',
    now: NOW,
    expiry: new Date(NOW.getTime() + HOUR),
    emailSince: new Date(NOW.getTime() - 24 * HOUR),
    emailLimit: 2,
  };
  const r = await db.reserveSerial(req);
  t.ok(r.ok);
  const serial = r.ok ? r.serialNumber : '';
  t.same(await sql(file, `select userName, serialStatus from SerialNumbers where serialNumber = '${serial}'`), [
    { userName: 'signup', serialStatus: '2' },
  ]);
  t.equal(await db.redeemCodeword('999', 'ABC234', NOW, NOW), null, 'another handshake id: no');
  t.equal(await db.redeemCodeword('1234567', 'ABC235', NOW, NOW), null, 'another codeword: no');
  t.equal(await db.redeemCodeword('1234567', 'ABC234', new Date(NOW.getTime() + HOUR), NOW), null, 'expired: no');
  const hold = new Date(NOW.getTime() + 30 * 24 * HOUR);
  t.equal(await db.redeemCodeword('1234567', 'ABC234', NOW, hold), serial);
  t.equal(
    await db.redeemCodeword('1234567', 'ABC234', new Date(NOW.getTime() + 2 * HOUR), hold),
    serial,
    'again: same',
  );

  t.same(await db.reserveSerial({ ...req, codeword: 'XYZ234' }).then((x) => x.ok), true);
  t.same(await db.reserveSerial({ ...req, codeword: 'XYZ235' }), { ok: false, reason: 'email-limit' });
  t.ok(
    (await db.reserveSerial({ ...req, email: 'other@example.com', codeword: 'QQQ234' })).ok,
    'another address is not limited',
  );

  t.equal(await register(db, 'Newbie', serial), 'ok', 'a reserved serial registers');
  t.same(await db.loadProperties('newbie'), [{ id: 11, flags: 128, access: 3, value: 'new@example.com' }]);
  t.same(await sql(file, `select signupState from SignupCodewords where serialNumber = '${serial}'`), [
    { signupState: 2 },
  ]);
  t.equal(await db.redeemCodeword('1234567', 'ABC234', NOW, hold), null, 'a registered codeword answers no more');

  const later = new Date(NOW.getTime() + 2 * HOUR);
  const rel = await db.releaseSignups(later, NOW);
  t.same(rel, { released: 2, forgotten: 0 }, 'the two codewords never answered');
  t.same(await sql(file, "select count(*) as n from SerialNumbers where serialStatus = '0' and userName = 'none'"), [
    { n: 2 },
  ]);
  t.same(await db.releaseSignups(new Date(later.getTime() + 48 * HOUR), later), { released: 0, forgotten: 3 });
});

t.test('sign-up: a reservation whose mail failed is abandoned; an empty pool is no-serial', async (t) => {
  const { db, file } = await fresh(t.testdir(), 1);
  t.teardown(() => db.close());
  const req = {
    codeword: 'ABC234',
    handshakeId: '1',
    email: 'a@example.com',
    address: '10.0.0.1',
    now: NOW,
    expiry: new Date(NOW.getTime() + HOUR),
    emailSince: NOW,
    emailLimit: 10,
  };
  const r = await db.reserveSerial(req);
  t.same(await db.reserveSerial(req), { ok: false, reason: 'no-serial' });
  await db.abandonSignup(r.ok ? r.serialNumber : '');
  t.same(await sql(file, 'select serialStatus from SerialNumbers'), [{ serialStatus: '0' }]);
  t.equal(await db.redeemCodeword('1', 'ABC234', NOW, NOW), null);
  t.ok((await db.reserveSerial(req)).ok, 'the serial is free again');
});

t.test('a serial is never handed out twice, also by two UserServers on one database at once', async (t) => {
  const dir = t.testdir();
  const { db: a, file } = await fresh(dir, 0);
  const b = await openDatabase({ user: '', password: '', service: `sqlite:${file}` });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const values = Array.from({ length: 30 }, (_, i) => `('RACE${String(i).padStart(12, '0')}', 'none', '0')`);
  await sql(file, `INSERT INTO SerialNumbers VALUES ${values.join(', ')}`);
  const req = (i: number) => ({
    codeword: 'ABC234',
    handshakeId: String(i),
    email: `u${i}@example.com`,
    address: '10.0.0.1',
    now: NOW,
    expiry: new Date(NOW.getTime() + HOUR),
    emailSince: NOW,
    emailLimit: 5,
  });
  const host = { fromLower: 'nobody', email: null, privileges: 2, now: NOW };
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).reserveSerial(req(i))));
  const got = results.flatMap((r) => (r.ok ? [r.serialNumber] : []));
  t.equal(got.length, 30, 'as many as there were free serials');
  t.equal(new Set(got).size, 30, 'each once');
  t.equal(results.filter((r) => !r.ok && r.reason === 'no-serial').length, 10);
  t.same(await a.createHostAccount({ ...host, hostName: 'HOST-Late' }), { ok: false, reason: 'no-such-user' });
  t.same(await sql(file, "select count(*) as n from SerialNumbers where serialStatus = '2'"), [{ n: 30 }]);
});

t.test('createAdminTables.sql: sqlite3 runs it; an existing database gets its tables at open', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'old.db');
  const text = readFileSync(ADMIN_TABLES, 'utf8');
  t.notMatch(text, /\n\s*\n/, 'no blank line: SQL*Plus would end a statement there');
  t.notMatch(text, /&/, 'no ampersand: SQL*Plus would prompt for a substitution variable');
  t.notMatch(text.replace(/^--.*$/gm, ''), /\bCOMMIT\b/i);
  for (const script of [USER_TABLES, ADMIN_TABLES]) {
    const r = spawnSync('sqlite3', [join(dir, 'new.db')], { input: readFileSync(script, 'utf8'), encoding: 'utf8' });
    t.same({ status: r.status, stderr: r.stderr }, { status: 0, stderr: '' }, script);
  }
  spawnSync('sqlite3', [file], { input: readFileSync(USER_TABLES, 'utf8') });
  await sql(file, "INSERT INTO SerialNumbers VALUES ('TEST000000000001', 'none', '0')");
  await sql(
    file,
    "INSERT INTO UserRegistration VALUES ('old', 'Old', 'TEST000000000001', 'pw', 'v', 1, '2001-01-01 00:00:00', 5, 50, 2)",
  );
  const db = await openDatabase({ user: '', password: '', service: `sqlite:${file}` });
  t.teardown(() => db.close());
  await db.recordLogin('old', '10.0.0.1', NOW);
  t.same(await db.changePrivileges('old', 8, 0), { userName: 'Old', before: 2, after: 10 }, 'old rows untouched');
  const tables = await sql(file, "select name from sqlite_master where type = 'table' order by name");
  t.same(
    tables.map((r) => r.name).filter((n) => ['SignupCodewords', 'UserLogins', 'VipMemberships'].includes(String(n))),
    ['SignupCodewords', 'UserLogins', 'VipMemberships'],
    'the administration tables were added',
  );
});

// Oracle reserved words cannot name a bind variable (ORA-01745); a subset that column-like names hit.
const RESERVED = new Set(
  'ACCESS ADD ALL AND ANY AS BY CHAR CHECK COLUMN DATE DEFAULT DELETE FILE FOR FROM GROUP IN INDEX INTO IS LEVEL LIKE MODE NUMBER OF ON OPTION OR ORDER PRIVILEGES PUBLIC RAW ROW ROWS SESSION SET SIZE START SYSDATE TABLE TO UID UNIQUE UPDATE USER VALUES VIEW WHERE WITH'.split(
    ' ',
  ),
);

t.test('every administration statement, as Oracle runs it: exact binds, no reserved bind name, no ";"', async (t) => {
  const seen = new Set<string>();
  const check = (text: string, binds: Binds) => {
    seen.add(text);
    const names = [...new Set([...text.matchAll(/:(\w+)/g)].map((m) => m[1] ?? ''))].sort();
    t.same(names, Object.keys(binds).sort(), text);
    t.notOk(
      names.some((n) => RESERVED.has(n.toUpperCase())),
      `no reserved bind name in ${text}`,
    );
    t.notMatch(text, /;/);
  };
  const rows = (text: string): Row[] => {
    if (text.startsWith(ADMIN_SQL.freeSerials)) return [{ serialnumber: 'S1' }];
    if (text.startsWith(SIGNUP_SQL.signupsByEmail)) return [{ n: 0 }];
    if (text.startsWith(SIGNUP_SQL.codeword))
      return [{ serialnumber: 'S1', signupstate: 0, expirydate: new Date(NOW.getTime() + HOUR) }];
    if (text.startsWith(SIGNUP_SQL.expiredSignups)) return [{ serialnumber: 'S1', signupstate: 0 }];
    if (text.startsWith(ADMIN_SQL.expiredVip)) return [{ vipprivileges: 24 }];
    if (text.startsWith(SIGNUP_SQL.signupOfSerial)) return [{ email: 'a@example.com' }];
    if (text.startsWith(ADMIN_SQL.account) || text.startsWith(ADMIN_SQL.accountsByEmail))
      return [{ username: 'Fred', usernamelower: 'fred', serialnumber: 'S', accountstatus: 1, userprivileges: 0 }];
    if (text.startsWith(ADMIN_SQL.fullAccount)) return [{ username: 'Fred', password: 'h', clientversion: 'v' }];
    if (text.startsWith('SELECT r.')) return [{ username: 'Fred', usernamelower: 'fred', registrationdate: NOW }];
    return [];
  };
  const session: SqlSession = {
    query: async (text, binds) => {
      check(text, binds);
      // createHostAccount: the new host name is free.
      if (text.startsWith(ADMIN_SQL.account) && binds.nameLower === 'host-new') return [];
      return rows(text);
    },
    // Nothing to update: the INSERT that follows is exercised too.
    execute: async (text, binds) => (check(text, binds), /^UPDATE (UserLogins|VipMemberships)/.test(text) ? 0 : 1),
  };
  const b: SqlBackend = { ...session, dialect: ORACLE, transaction: (work) => work(session) };
  const ops = { ...adminOperations, ...signupOperations };
  await ops.changePrivileges(b, 'fred', 2, 0);
  await ops.setAccountStatus(b, 'fred', 0);
  await ops.setStatusByEmail(b, 'a@example.com', 0);
  await ops.deleteAccount(b, 'fred');
  await ops.createHostAccount(b, { hostName: 'HOST-New', fromLower: 'fred', email: null, privileges: 2, now: NOW });
  for (const criterion of ['name', 'email', 'serial', 'ip'] as const)
    await ops.report(b, { criterion, like: 'a%', limit: 5 });
  await ops.recordLogin(b, 'fred', '10.0.0.1', NOW);
  await ops.vipMembership(b, 'fred');
  await ops.setVipMembership(b, 'fred', {
    vipPrivileges: 24,
    startDate: NOW,
    expiryDate: NOW,
    payment: 'p',
    grantedBy: 'g',
  });
  await ops.cancelVipMembership(b, 'fred');
  await ops.expireVip(b, 'fred', NOW);
  await ops.reserveSerial(b, {
    codeword: 'A',
    handshakeId: 'h',
    email: 'e',
    address: 'a',
    now: NOW,
    expiry: NOW,
    emailSince: NOW,
    emailLimit: 1,
  });
  await ops.redeemCodeword(b, 'h', 'A', NOW, NOW);
  await ops.abandonSignup(b, 'S1');
  await ops.releaseSignups(b, NOW, NOW);
  await completeSignup(session, 'S1', 'Fred');
  for (const [name, text] of Object.entries({ ...ADMIN_SQL, ...SIGNUP_SQL }))
    t.ok(
      [...seen].some((s) => s.startsWith(text)),
      `exercised: ${name}`,
    );
  t.ok(
    [...seen].some((s) => s.includes(' FETCH FIRST ')),
    'Oracle row limits',
  );
  t.ok(
    [...seen].some((s) => s.endsWith(' FOR UPDATE')),
    'Oracle locks what a transaction relies on',
  );
});
