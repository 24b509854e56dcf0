import t, { type Test } from 'tap';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { openDatabase } from '../../runtime/db/open.js';
import type { Binds, Row as SqlRow, SqlBackend, SqlSession } from '../../runtime/db/sql.js';
import { ORACLE, SQL, operations } from '../../runtime/db/sql.js';
import type { Database, StoredBan, StoredProperty } from '../../runtime/db/types.js';
import { DatabaseError } from '../../runtime/db/types.js';
import { holdWriteLock } from '../helpers/sqlite-lock.js';

type Row = Record<string, unknown>;

const execFileAsync = promisify(execFile);
const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const USER_TABLES = join(ROOT, 'sql', 'createUserTables.sql');
const ROOM_TABLES = join(ROOT, 'sql', 'createRoomTables.sql');
const BAN_TABLE = join(ROOT, 'sql', 'createBootBans.sql');
const SERIALGEN = join(ROOT, 'scripts', 'SerialGen');
const NOW = new Date('2024-05-06T07:08:09.000Z');
const SERIALS = ['TEST000000000001', 'TEST000000000002', 'TEST000000000003', 'TEST000000000004'] as const;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: readonly string[], input = '', cwd = ROOT): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The sqlite3 command line, as an administrator runs it beside the servers: its own connection. */
async function sqlite3(file: string, sql: string): Promise<Row[]> {
  const { stdout, stderr } = await execFileAsync('sqlite3', ['-json', file, sql]);
  if (stderr !== '') throw new Error(`sqlite3: ${stderr}`);
  const rows = stdout.trim() === '' ? [] : (JSON.parse(stdout) as Row[]);
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])));
}

const register = (db: Database, userName: string, serial: string) =>
  db.register({ userName, passwordHash: 'h', serial, clientVersion: '1', now: NOW });

/** What the contract needs from a backend besides the Database: a second, independent connection. */
interface Backend {
  open(): Promise<Database>;
  admin(sql: string): Promise<void>;
  adminQuery(sql: string): Promise<Row[]>;
}

const count = async (b: Backend, sql: string): Promise<number> => {
  const [row] = await b.adminQuery(sql);
  return Number(row?.n);
};

/** Opens the Database, then seeds four free serials as an administrator would, beside it. */
async function contract(t: Test, b: Backend): Promise<void> {
  const db = await b.open();
  t.teardown(() => db.close());
  for (const s of SERIALS) {
    // serialStatus written as the number 0, as the guide's own statements do.
    await b.admin(`INSERT INTO SerialNumbers (serialNumber, userName, serialStatus) VALUES ('${s}', 'none', 0)`);
  }
  const register = (userName: string, serial: string) =>
    db.register({ userName, passwordHash: 'scrypt$salt$hash', serial, clientVersion: '2020031200', now: NOW });
  const serialRow = async (serial: string) =>
    (await b.adminQuery(`SELECT userName, serialStatus FROM SerialNumbers WHERE serialNumber = '${serial}'`))[0];

  t.test('register: an unknown serial is refused and changes nothing', async (t) => {
    t.equal(await register('fred', 'TEST999999999999'), 'bad-serial');
    t.equal(await count(b, 'SELECT COUNT(*) AS n FROM UserRegistration'), 0);
  });

  t.test('register ok (AG-10): the account row, and the serial used with the name', async (t) => {
    t.equal(await register('fred', SERIALS[0]), 'ok');
    t.same(await db.findUser('fred'), {
      userName: 'fred',
      userNameLower: 'fred',
      serialNumber: SERIALS[0],
      password: 'scrypt$salt$hash',
      clientVersion: '2020031200',
      accountStatus: 1,
      registrationDate: NOW,
      timesOn: 0,
      totalMinutes: 0,
      userPrivileges: 0,
    });
    t.same(await serialRow(SERIALS[0]), { username: 'fred', serialstatus: '1' });
  });

  t.test('register: a used serial is refused and changes nothing', async (t) => {
    t.equal(await register('barney', SERIALS[0]), 'taken-serial');
    t.equal(await db.findUser('barney'), null);
    t.same(await serialRow(SERIALS[0]), { username: 'fred', serialstatus: '1' });
  });

  t.test('register: a taken name is refused whatever its case, and the serial stays free', async (t) => {
    t.equal(await register('FRED', SERIALS[1]), 'taken-name');
    t.same(await serialRow(SERIALS[1]), { username: 'none', serialstatus: '0' });
    t.equal(await count(b, 'SELECT COUNT(*) AS n FROM UserRegistration'), 1);
  });

  t.test('findUser reads what an administrator changed through another connection (AG-13)', async (t) => {
    await b.admin("update userregistration set accountstatus = 0 where username = 'fred'");
    t.equal((await db.findUser('fred'))?.accountStatus, 0);
    await b.admin("update userregistration set accountstatus = 1 where username = 'fred'");
    t.equal((await db.findUser('fred'))?.accountStatus, 1);
    t.equal(await db.findUser('nobody'), null);
  });

  t.test('setPassword replaces the stored hash', async (t) => {
    t.equal(await db.setPassword('fred', 'scrypt$new$hash'), true);
    t.equal((await db.findUser('fred'))?.password, 'scrypt$new$hash');
    t.equal(await db.setPassword('nobody', 'x'), false);
  });

  t.test('addUsage adds, also when many calls overlap', async (t) => {
    const results = await Promise.all(Array.from({ length: 20 }, () => db.addUsage('fred', 1, 5)));
    t.ok(results.every((r) => r === true));
    const user = await db.findUser('fred');
    t.equal(user?.timesOn, 20);
    t.equal(user?.totalMinutes, 100);
  });

  const props: StoredProperty[] = [
    { id: 5, flags: 128, access: 1, value: 'avatar.mov' },
    { id: 11, flags: 160, access: 3, value: 'wilma@example.com' },
    { id: 40, flags: 144, access: 0, value: Buffer.from([0, 1, 2, 0xfe, 0xff]) },
    { id: 41, flags: 240, access: 2, value: Buffer.alloc(0) },
    { id: 42, flags: 192, access: 0, value: '' },
  ];

  t.test('saveProperties stores string and binary values with flags and access', async (t) => {
    t.equal(await register('Wilma', SERIALS[1]), 'ok');
    t.equal(await db.saveProperties('wilma', props), true);
    const loaded = await db.loadProperties('wilma');
    t.same(loaded, props);
    t.ok(Buffer.isBuffer(loaded[2]?.value), 'binary values come back as Buffers');
    const rows = await b.adminQuery("SELECT DISTINCT userName FROM UserProperties WHERE LOWER(userName) = 'wilma'");
    t.same(rows, [{ username: 'Wilma' }], 'rows keep the name with case intact (Appendix III)');
    const email = await b.adminQuery(
      "select propertyStringValue from UserProperties where userName='Wilma' and propertyId=11",
    );
    t.same(email, [{ propertystringvalue: 'wilma@example.com' }], 'the guide query for e-mail addresses works');
  });

  t.test('saveProperties replaces the whole set', async (t) => {
    const next: StoredProperty[] = [{ id: 5, flags: 128, access: 1, value: 'other.mov' }];
    t.equal(await db.saveProperties('wilma', next), true);
    t.same(await db.loadProperties('wilma'), next);
  });

  t.test('a value too long for its column is refused and the stored set kept', async (t) => {
    const before = await db.loadProperties('wilma');
    const long: StoredProperty[] = [{ id: 7, flags: 128, access: 0, value: 'x'.repeat(256) }];
    await t.rejects(db.saveProperties('wilma', long), DatabaseError);
    t.same(await db.loadProperties('wilma'), before);
  });

  t.test('after the guide procedure "Deleting an Account", nothing re-creates the account', async (t) => {
    t.equal(await db.saveProperties('fred', props.slice(0, 2)), true);
    await b.admin("update userregistration set accountstatus = 0 where username = 'fred'");
    const [serial] = await b.adminQuery("select * from serialnumbers where username = 'fred'");
    t.equal(serial?.serialstatus, '1');
    await b.admin(`update serialnumbers set username = 'none', serialstatus = 0 where serialnumber = '${SERIALS[0]}'`);
    await b.admin("delete from userregistration where username = 'fred'");
    await b.admin("delete from userproperties where username = 'fred'");

    t.equal(await db.addUsage('fred', 1, 10), false);
    t.equal(await db.saveProperties('fred', props), false);
    t.equal(await db.setPassword('fred', 'x'), false);
    t.equal(await db.findUser('fred'), null);
    t.equal(await count(b, "SELECT COUNT(*) AS n FROM UserRegistration WHERE userNameLower = 'fred'"), 0);
    t.equal(await count(b, "SELECT COUNT(*) AS n FROM UserProperties WHERE LOWER(userName) = 'fred'"), 0);
    t.same(await db.loadProperties('fred'), []);

    t.equal(await register('Pebbles', SERIALS[0]), 'ok', 'the freed serial registers again');
    t.same(await serialRow(SERIALS[0]), { username: 'Pebbles', serialstatus: '1' });
  });

  t.test('rooms: load, save, replace, register once (AG-30)', async (t) => {
    t.same(await db.loadRoom('test-lobby'), []);
    const state: StoredProperty[] = [
      { id: 1, flags: 144, access: 0, value: Buffer.from('door open') },
      { id: 2, flags: 128, access: 1, value: 'lamp on' },
    ];
    await db.saveRoom('test-lobby', state);
    t.same(await db.loadRoom('test-lobby'), state);
    await db.saveRoom('test-lobby', state.slice(1));
    t.same(await db.loadRoom('test-lobby'), state.slice(1));
    await db.saveRoom('test-lobby', []);
    t.same(await db.loadRoom('test-lobby'), []);

    await db.registerRoom('test-lobby', 'Private', NOW);
    await db.registerRoom('test-lobby', 'Other', new Date());
    await Promise.all([db.registerRoom('test-hall', 'A', NOW), db.registerRoom('test-hall', 'B', NOW)]);
    const rows = await b.adminQuery(
      "SELECT roomName, serverName FROM RoomRegistration WHERE roomName LIKE 'test-%' ORDER BY roomName",
    );
    t.equal(rows.length, 2);
    t.same(rows[1], { roomname: 'test-lobby', servername: 'Private' });
  });

  t.test('boot bans (AG-20): stored, replaced by a later boot, ended ones deleted when loaded', async (t) => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const later = (minutes: number) => new Date(at.getTime() + minutes * 60_000);
    const ban = (value: string, until: Date, by = 'Admin'): StoredBan => ({
      kind: value.includes('.') ? 'address' : 'name',
      value,
      until,
      booted: 'Bad',
      by,
      at,
    });
    await db.saveBan(ban('test-bad', later(30)));
    await db.saveBan(ban('127.2.0.1', later(30)));
    await db.saveBan(ban('test-old', later(-1)));
    await db.saveBan(ban('test-bad', later(40), 'Boss'));
    const bans = (await db.loadBans(at)).filter((b) => b.value.startsWith('test-') || b.value === '127.2.0.1');
    bans.sort((a, b) => a.value.localeCompare(b.value));
    t.same(bans, [ban('127.2.0.1', later(30)), ban('test-bad', later(40), 'Boss')]);
    t.equal(await count(b, "SELECT COUNT(*) AS n FROM BootBans WHERE banValue = 'test-old'"), 0, 'ended ban deleted');
  });
}

function sqliteBackend(dir: string): Backend {
  const file = join(dir, 'db', 'users.db');
  return {
    open: () => openDatabase({ user: '', password: '', service: `sqlite:${file}` }),
    admin: async (sql) => void (await sqlite3(file, sql)),
    adminQuery: (sql) => sqlite3(file, sql),
  };
}

t.test('SQLite: the Database contract', async (t) => {
  await contract(t, sqliteBackend(t.testdir()));
});

t.test('SQLite: first open creates the directory, the file and all nine tables, in WAL mode', async (t) => {
  const file = join(t.testdir(), 'a', 'b', 'world.db');
  const db = await openDatabase({ user: 'x', password: 'y', service: `sqlite:${file}` });
  t.equal(db.kind, 'sqlite');
  t.equal(db.description, `sqlite:${file}`);
  const tables = await sqlite3(file, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  t.same(
    tables.map((r) => r.name),
    [
      'BootBans',
      'RoomProperties',
      'RoomRegistration',
      'SerialNumbers',
      'SignupCodewords',
      'UserLogins',
      'UserProperties',
      'UserRegistration',
      'VipMemberships',
    ],
  );
  t.same(await sqlite3(file, 'PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
  await db.close();
});

t.test('SQLite: a file made with createUserTables.sql only gets the room tables added', async (t) => {
  const file = join(t.testdir(), 'users.db');
  t.equal((await run('sqlite3', [file], readFileSync(USER_TABLES, 'utf8'))).code, 0);
  await sqlite3(file, "INSERT INTO SerialNumbers VALUES ('TEST000000000009', 'none', '0')");
  const db = await openDatabase({ user: '', password: '', service: `sqlite:${file}` });
  t.teardown(() => db.close());
  t.equal(await register(db, 'dino', 'TEST000000000009'), 'ok');
  t.same(await db.loadRoom('x'), []);
});

t.test('SQLite: a database made before boot bans were stored gets the BootBans table at its next open', async (t) => {
  const file = join(t.testdir(), 'older.db');
  for (const script of [USER_TABLES, ROOM_TABLES])
    t.equal((await run('sqlite3', [file], readFileSync(script, 'utf8'))).code, 0);
  const db = await openDatabase({ user: '', password: '', service: `sqlite:${file}` });
  t.teardown(() => db.close());
  t.same(await db.loadBans(new Date()), []);
  t.same(await sqlite3(file, "SELECT name FROM sqlite_master WHERE name = 'BootBans'"), [{ name: 'BootBans' }]);
});

// Issue 6 finding 8: a file deleted or replaced under the server is noticed at the next call, and
// nothing is acknowledged into a file that nobody will open again.
for (const [what, change] of [
  ['deleted', (file: string) => rmSync(file)],
  [
    'replaced',
    (file: string) => {
      copyFileSync(file, `${file}.copy`);
      renameSync(`${file}.copy`, file);
    },
  ],
] as const) {
  t.test(`SQLite: a database file ${what} while open is refused at the next call, naming the file`, async (t) => {
    const file = join(t.testdir(), 'gone.db');
    const db = await openDatabase({ user: '', password: '', service: `sqlite:${file}` });
    t.teardown(() => db.close());
    await db.saveRoom('before', [{ id: 1, flags: 128, access: 0, value: 'kept' }]);
    change(file);
    const expected = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was ${what}.*restart this server`);
    await t.rejects(db.saveRoom('after', []), { name: 'DatabaseError', message: expected });
    await t.rejects(db.findUser('someone'), { name: 'DatabaseError', message: expected });
    await t.rejects(register(db, 'late', 'TEST000000000009'), DatabaseError);
    if (what === 'deleted') {
      await t.rejects(
        db.findUser('x'),
        { message: /cp \/proc\/\d+\/fd\/\d+ .*gone\.db\.rescued/ },
        'a way to rescue it',
      );
    }
  });
}

t.test('SQLite: a relative path; close() resolves once, and calls after it reject with DatabaseError', async (t) => {
  const dir = t.testdir();
  t.chdir(dir);
  const db = await openDatabase({ user: '', password: '', service: 'sqlite:run/rel.db' });
  t.ok(existsSync(join(dir, 'run', 'rel.db')), 'the path is relative to the working directory');
  const pending = db.findUser('someone');
  const closed = db.close();
  t.equal(await pending, null, 'a call made before close() still completes');
  await closed;
  await db.close();
  await t.rejects(db.findUser('someone'), DatabaseError);
  await t.rejects(db.saveRoom('r', []), DatabaseError);
});

t.test('SQLite: if the worker thread dies, pending and later calls reject with DatabaseError', async (t) => {
  const db = await openDatabase({ user: '', password: '', service: `sqlite:${join(t.testdir(), 'd.db')}` });
  const calls = Array.from({ length: 200 }, (_, i) => db.addUsage(`user${i}`, 1, 1));
  // Reaching into the backend is the only way to kill its thread from outside.
  await (db as unknown as { worker: Worker }).worker.terminate();
  const settled = await Promise.allSettled(calls);
  const rejected = settled.filter((s) => s.status === 'rejected');
  t.ok(rejected.length > 0, 'calls in flight were rejected');
  t.ok(rejected.every((s) => s.reason instanceof DatabaseError));
  await t.rejects(db.findUser('x'), DatabaseError);
  await db.close();
});

t.test('SQLite: probe() fails at once while another program holds the write lock, then succeeds again', async (t) => {
  const file = join(t.testdir(), 'probe.db');
  const db = await openDatabase({ user: '', password: '', service: `sqlite:${file}` });
  t.teardown(() => db.close());
  await db.probe();
  const lock = await holdWriteLock(file);
  t.teardown(() => lock.kill());
  const started = Date.now();
  await t.rejects(db.probe(), { name: 'DatabaseError', message: /locked for writing by another program/ });
  t.ok(Date.now() - started < 2000, 'the probe does not wait for the busy timeout');
  await lock.release();
  await db.probe();
  t.equal(await db.findUser('nobody'), null, 'ordinary calls still work after a failed probe');
});

t.test('SQLite: an unusable path fails with a DatabaseError', async (t) => {
  const dir = t.testdir({ 'not-a-db': 'hello, this is text and not a database file at all........' });
  await t.rejects(openDatabase({ user: '', password: '', service: `sqlite:${join(dir, 'not-a-db')}` }), {
    name: 'DatabaseError',
    message: /not-a-db.*not a database/,
  });
  await t.rejects(openDatabase({ user: '', password: '', service: 'sqlite:' }), DatabaseError);
});

// The compiled worker (dist/runtime/db/sqlite-worker.js) is what operators run; `npm test` builds it.
const DIST_OPEN = join(ROOT, 'dist', 'runtime', 'db', 'open.js');
const distFresh = ['open', 'sqlite', 'sqlite-worker', 'sql', 'types'].every((m) => {
  const js = join(ROOT, 'dist', 'runtime', 'db', `${m}.js`);
  return existsSync(js) && statSync(js).mtimeMs >= statSync(join(ROOT, 'runtime', 'db', `${m}.ts`)).mtimeMs;
});
if (distFresh) {
  t.test('SQLite: the compiled backend finds its compiled worker', async (t) => {
    const file = join(t.testdir(), 'compiled.db');
    const script = `
      import { openDatabase } from ${JSON.stringify(DIST_OPEN)};
      const db = await openDatabase({ user: '', password: '', service: ${JSON.stringify(`sqlite:${file}`)} });
      await db.saveRoom('r', [{ id: 1, flags: 144, access: 0, value: Buffer.from([7]) }]);
      const [p] = await db.loadRoom('r');
      await db.close();
      console.log(JSON.stringify({ binary: Buffer.isBuffer(p.value), byte: p.value[0] }));`;
    const r = await run(process.execPath, ['--input-type=module', '-e', script]);
    t.equal(r.stderr, '');
    t.same(JSON.parse(r.stdout), { binary: true, byte: 7 });
  });
} else {
  t.comment('dist/runtime/db is missing or older than its sources: run `npm run build` to test the compiled worker');
}

t.test('sql/*.sql run cleanly in the sqlite3 command line (AG-38)', async (t) => {
  const file = join(t.testdir(), 'fresh.db');
  for (const script of [USER_TABLES, ROOM_TABLES, BAN_TABLE]) {
    const r = await run('sqlite3', [file], readFileSync(script, 'utf8'));
    t.same({ code: r.code, stderr: r.stderr }, { code: 0, stderr: '' }, script);
  }
  const again = await run('sqlite3', [file], readFileSync(USER_TABLES, 'utf8'));
  t.not(again.code, 0, 'a second run reports the tables exist');
  for (const script of [USER_TABLES, ROOM_TABLES, BAN_TABLE]) {
    const text = readFileSync(script, 'utf8');
    t.notMatch(text, /\n\s*\n/, 'no blank line: SQL*Plus would end a statement there');
    t.notMatch(text, /&/, 'no ampersand: SQL*Plus would prompt for a substitution variable');
    t.notMatch(
      text.replace(/^--.*$/gm, ''),
      /\bCOMMIT\b/i,
      'no COMMIT: DDL commits by itself, and sqlite3 rejects a bare COMMIT',
    );
  }
});

t.test('SerialGen (AG-39)', async (t) => {
  const dir = t.testdir();
  const gen = (seed: string, out: string, ...more: string[]) =>
    run(SERIALGEN, ['--seed', seed, '--prefix', 'QAQA', '--count', '50', '--out', out, ...more], '', dir);
  const read = (out: string, name: string) => readFileSync(join(dir, out, name), 'utf8');

  const a = await gen('seed-one', 'a', '--dialect', 'sqlite');
  t.equal(a.code, 0, a.stderr);
  const serials = read('a', 'serials-production.txt').trim().split('\n');
  t.equal(serials.length, 50);
  t.equal(new Set(serials).size, 50, 'no duplicates');
  t.ok(
    serials.every((s) => /^QAQA\d{12}$/.test(s) && s.length === 16),
    '16 characters: the prefix and 12 digits',
  );
  const master = read('a', 'serials-master.txt');
  t.match(master, new RegExp(`^0\\t${serials[0]}\\t\\d{4}-\\d\\d-\\d\\d\\t[0-9a-f]{8}$`, 'm'));
  t.notMatch(master, /seed-one/, 'the seed itself is not written out');

  t.equal((await gen('seed-one', 'b')).code, 0);
  t.equal(read('b', 'serials-production.txt'), read('a', 'serials-production.txt'), 'the same seed, the same serials');
  t.equal((await gen('seed-two', 'c')).code, 0);
  const other = new Set(read('c', 'serials-production.txt').trim().split('\n'));
  t.ok(serials.filter((s) => other.has(s)).length === 0, 'another seed, other serials');

  const oracleSql = read('b', 'NewSerials.sql');
  t.match(oracleSql, /COMMIT;\n$/);
  t.notMatch(oracleSql, /BEGIN/);
  t.match(read('a', 'NewSerials.sql'), /^BEGIN TRANSACTION;$/m);

  const verify = (s: string) => run(SERIALGEN, ['--seed', 'seed-one', '--verify', s], '', dir);
  t.equal((await verify(serials[0] ?? '')).code, 0, 'a generated serial verifies');
  const wrong =
    (serials[0] ?? '').slice(0, 14) + String((Number((serials[0] ?? '').slice(14)) + 1) % 100).padStart(2, '0');
  t.equal((await verify(wrong)).code, 1, 'a wrong check digit does not');
  t.not((await run(SERIALGEN, ['--seed', 's', '--prefix', 'QA1', '--count', '1'], '', dir)).code, 0);

  const file = join(dir, 'users.db');
  t.equal((await run('sqlite3', [file], readFileSync(USER_TABLES, 'utf8'))).code, 0);
  const load = await run('sqlite3', [file], read('a', 'NewSerials.sql'));
  t.same({ code: load.code, stderr: load.stderr }, { code: 0, stderr: '' }, 'NewSerials.sql loads with sqlite3');
  t.same(await sqlite3(file, "SELECT COUNT(*) AS n FROM SerialNumbers WHERE userName = 'none' AND serialStatus = 0"), [
    { n: 50 },
  ]);
  const db = await openDatabase({ user: '', password: '', service: `sqlite:${file}` });
  t.teardown(() => db.close());
  t.equal(await register(db, 'first', serials[0] ?? ''), 'ok', 'a generated serial registers');
});

// Oracle reserved words cannot name a bind variable (ORA-01745).
const ORACLE_RESERVED = new Set(
  (
    'ACCESS ADD ALL ALTER AND ANY AS ASC AUDIT BETWEEN BY CHAR CHECK CLUSTER COLUMN COMMENT COMPRESS CONNECT ' +
    'CREATE CURRENT DATE DECIMAL DEFAULT DELETE DESC DISTINCT DROP ELSE EXCLUSIVE EXISTS FILE FLOAT FOR FROM ' +
    'GRANT GROUP HAVING IDENTIFIED IMMEDIATE IN INCREMENT INDEX INITIAL INSERT INTEGER INTERSECT INTO IS LEVEL ' +
    'LIKE LOCK LONG MAXEXTENTS MINUS MLSLABEL MODE MODIFY NOAUDIT NOCOMPRESS NOT NOWAIT NULL NUMBER OF OFFLINE ' +
    'ON ONLINE OPTION OR ORDER PCTFREE PRIOR PRIVILEGES PUBLIC RAW RENAME RESOURCE REVOKE ROW ROWID ROWNUM ROWS ' +
    'SELECT SESSION SET SHARE SIZE SMALLINT START SUCCESSFUL SYNONYM SYSDATE TABLE THEN TO TRIGGER UID UNION ' +
    'UNIQUE UPDATE USER VALIDATE VALUES VARCHAR VARCHAR2 VIEW WHENEVER WHERE WITH'
  ).split(' '),
);

t.test('every statement, as Oracle runs it: exact binds, no reserved bind name, no ";"', async (t) => {
  const seen = new Set<string>();
  const check = (sql: string, binds: Binds): void => {
    seen.add(sql);
    const names = [...new Set([...sql.matchAll(/:(\w+)/g)].map((m) => m[1] ?? ''))].sort();
    // oracledb rejects a bind name the statement does not use (NJS-097); better-sqlite3 a missing one.
    t.same(names, Object.keys(binds).sort(), sql);
    t.notOk(
      names.some((n) => ORACLE_RESERVED.has(n.toUpperCase())),
      `no reserved bind name in ${sql}`,
    );
    t.notMatch(sql, /;/);
  };
  const rows = (sql: string, binds: Binds): SqlRow[] => {
    if (sql.startsWith(SQL.serialStatus)) return [{ serialstatus: '0' }];
    if (sql.startsWith(SQL.accountName)) return binds.nameLower === 'fred' ? [{ username: 'Fred' }] : [];
    return [];
  };
  const session: SqlSession = {
    query: async (sql, binds) => (check(sql, binds), rows(sql, binds)),
    execute: async (sql, binds) => (check(sql, binds), 1),
  };
  const b: SqlBackend = { ...session, dialect: ORACLE, transaction: (work) => work(session) };
  const props: StoredProperty[] = [
    { id: 1, flags: 128, access: 0, value: 's' },
    { id: 2, flags: 144, access: 0, value: Buffer.from([1]) },
  ];
  await operations.findUser(b, 'fred');
  await operations.loadProperties(b, 'fred');
  t.equal(
    await operations.register(b, { userName: 'New', passwordHash: 'h', serial: 'S', clientVersion: 'v', now: NOW }),
    'ok',
  );
  await operations.setPassword(b, 'fred', 'h');
  await operations.addUsage(b, 'fred', 1, 2);
  t.equal(await operations.saveProperties(b, 'fred', props), true);
  await operations.loadRoom(b, 'r');
  await operations.saveRoom(b, 'r', props);
  await operations.registerRoom(b, 'r', 'RS', NOW);
  await operations.saveBan(b, { kind: 'name', value: 'bad', until: NOW, booted: 'Bad', by: 'Admin', at: NOW });
  await operations.loadBans(b, NOW);
  for (const sql of Object.values(SQL))
    t.ok(
      [...seen].some((s) => s.startsWith(sql)),
      `exercised: ${sql}`,
    );
  t.ok(
    [...seen].some((s) => s.endsWith(' FOR UPDATE')),
    'Oracle locks the rows a transaction relies on',
  );
});

// --- Oracle -------------------------------------------------------------------------------------

async function listener(t: Test, onSocket: (s: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function timed<T>(work: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const start = Date.now();
  try {
    await work;
    return { ms: Date.now() - start, error: null };
  } catch (error) {
    return { ms: Date.now() - start, error };
  }
}

t.test('Oracle: an unreachable service fails with a DatabaseError, never hangs', async (t) => {
  t.test('connection refused', async (t) => {
    // A port that was just free: nothing listens there once the listener is closed.
    const free = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => r(typeof a === 'object' && a !== null ? a.port : 1));
      });
    });
    const service = `127.0.0.1:${free}/XE`;
    const { ms, error } = await timed(openDatabase({ user: 'us', password: 'pw-secret', service }));
    t.type(error, DatabaseError);
    t.match(String((error as Error).message), `cannot reach Oracle service ${service} as us`);
    t.notMatch(String((error as Error).message), /pw-secret/, 'the password is never shown');
    t.ok(ms < 5000, `failed in ${ms} ms`);
  });

  t.test('a listener that accepts and never answers: the connect timeout', async (t) => {
    const port = await listener(t, () => undefined);
    const service = `127.0.0.1:${port}/XE`;
    const open = openDatabase({ user: 'us', password: 'pw', service }, { connectTimeoutSeconds: 1 });
    const { ms, error } = await timed(open);
    t.type(error, DatabaseError);
    t.match(String((error as Error).message), /cannot reach Oracle service .* timed out/);
    t.ok(ms >= 900 && ms < 4000, `failed in ${ms} ms`);
  });

  t.test('a TNS alias without tnsnames.ora', async (t) => {
    const saved = { TNS_ADMIN: process.env.TNS_ADMIN, ORACLE_HOME: process.env.ORACLE_HOME };
    process.env.TNS_ADMIN = t.testdir();
    delete process.env.ORACLE_HOME;
    t.teardown(() => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    await t.rejects(openDatabase({ user: 'us', password: 'pw', service: 'UserService' }), {
      name: 'DatabaseError',
      message: /cannot reach Oracle service UserService as us: .*tnsnames\.ora/,
    });
  });
});

// WS_TEST_ORACLE=user/password@connectString runs the same contract against a real Oracle schema.
// Only rows the tests create (serials TEST…, the test users, rooms test-…) are touched.
interface OracleConn {
  execute(sql: string, binds: unknown[], options: Record<string, unknown>): Promise<{ rows?: Row[] }>;
  close(): Promise<void>;
}
const oracleUrl = process.env.WS_TEST_ORACLE;
const oracleSettings = oracleUrl ? /^([^/]+)\/(.*)@([^@]+)$/.exec(oracleUrl) : null;
if (oracleSettings) {
  const [, user = '', password = '', service = ''] = oracleSettings;
  t.test(`Oracle ${user}@${service}: the Database contract`, async (t) => {
    const oracledb = createRequire(import.meta.url)('oracledb') as {
      OUT_FORMAT_OBJECT: number;
      getConnection(a: Record<string, unknown>): Promise<OracleConn>;
    };
    const conn = await oracledb.getConnection({ user, password, connectString: service, connectTimeout: 10 });
    t.teardown(() => conn.close());
    const opts = { outFormat: oracledb.OUT_FORMAT_OBJECT, autoCommit: true };
    const adminQuery = async (sql: string) =>
      ((await conn.execute(sql, [], opts)).rows ?? []).map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])),
      );
    const exists = await adminQuery("SELECT COUNT(*) AS n FROM user_tables WHERE table_name = 'SERIALNUMBERS'");
    const bansExist = await adminQuery("SELECT COUNT(*) AS n FROM user_tables WHERE table_name = 'BOOTBANS'");
    const missing = [
      ...(Number(exists[0]?.n) === 0 ? [USER_TABLES, ROOM_TABLES] : []),
      ...(Number(bansExist[0]?.n) === 0 ? [BAN_TABLE] : []),
    ];
    {
      for (const script of missing) {
        const text = readFileSync(script, 'utf8').replace(/^--.*$/gm, '');
        for (const stmt of text
          .split(';')
          .map((s) => s.trim())
          .filter(Boolean))
          await adminQuery(stmt);
      }
    }
    const names = "('fred', 'barney', 'wilma', 'pebbles')";
    await adminQuery("DELETE FROM SerialNumbers WHERE serialNumber LIKE 'TEST%'");
    await adminQuery(`DELETE FROM UserRegistration WHERE userNameLower IN ${names}`);
    await adminQuery(`DELETE FROM UserProperties WHERE LOWER(userName) IN ${names}`);
    await adminQuery("DELETE FROM RoomProperties WHERE roomName LIKE 'test-%'");
    await adminQuery("DELETE FROM RoomRegistration WHERE roomName LIKE 'test-%'");
    await adminQuery("DELETE FROM BootBans WHERE banValue LIKE 'test-%' OR banValue = '127.2.0.1'");
    const b: Backend = {
      open: () => openDatabase({ user, password, service }),
      admin: async (sql) => void (await adminQuery(sql)),
      adminQuery,
    };
    await contract(t, b);
  });
} else {
  t.comment('Oracle contract not run: set WS_TEST_ORACLE=user/password@connectString to run it against a real Oracle');
}
