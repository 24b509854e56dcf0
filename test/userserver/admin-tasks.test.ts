// Every administration task (userserver/admin/) on the embedded database, with a stand-in for the
// running galaxy: results, error codes and messages, and one audit line per action.
import t, { type Test } from 'tap';
import { openDatabase } from '../../runtime/db/open.js';
import type { Database } from '../../runtime/db/types.js';
import { Accounts } from '../../userserver/accounts.js';
import { LoginGuard } from '../../userserver/login-guard.js';
import { addMonths } from '../../userserver/admin/vip.js';
import { PasswordHasher } from '../../userserver/passwords.js';
import { likePattern, guessCriterion } from '../../userserver/admin/report.js';
import { runTask, runTaskFrom } from '../../userserver/admin/tasks.js';
import type { AdminContext, LiveGalaxy, OnlineUser } from '../../userserver/admin/types.js';

const NOW = new Date('2024-05-06T07:08:09.000Z');

interface FakeGalaxy extends LiveGalaxy {
  users: Map<string, OnlineUser>;
  booted: string[];
  broadcasts: string[];
}

function fakeGalaxy(): FakeGalaxy {
  const users = new Map<string, OnlineUser>();
  const g: FakeGalaxy = {
    users,
    booted: [],
    broadcasts: [],
    online: (name) => users.get(name.toLowerCase()) ?? null,
    onlineUsers: () => [...users.values()],
    async boot(by, name) {
      const u = users.get(name.toLowerCase());
      if (!u) return { ok: false, message: `${name} is not logged on.` };
      users.delete(name.toLowerCase());
      g.booted.push(`${by} ${u.name}`);
      return { ok: true, message: `${u.name} has been booted.` };
    },
    broadcast(from, text) {
      g.broadcasts.push(`${from}: ${text}`);
      return { roomServers: 2, directUsers: 1 };
    },
  };
  return g;
}

function online(name: string, address = '10.0.0.7'): OnlineUser {
  return { name, kind: 'registered', address, loginAt: NOW, privileges: 0, roomServers: ['first'] };
}

async function setup(t: Test, serials = 8) {
  const file = `${t.testdir()}/world.db`;
  const db: Database = await openDatabase({ user: '', password: '', service: `sqlite:${file}` });
  t.teardown(() => db.close());
  const { execFileSync } = await import('node:child_process');
  const rows = Array.from({ length: serials }, (_, i) => `('TEST${String(i + 1).padStart(12, '0')}', 'none', '0')`);
  if (serials) execFileSync('sqlite3', [file, `INSERT INTO SerialNumbers VALUES ${rows.join(', ')}`]);
  const audit: string[] = [];
  const galaxy = fakeGalaxy();
  const ctx = (live = true): AdminContext => ({
    db,
    galaxy: live ? galaxy : null,
    by: 'wsadmin:ops',
    now: () => NOW,
    audit: (l) => audit.push(l),
  });
  let n = 0;
  const account = async (name: string, mail?: string) => {
    n++;
    const serial = `TEST${String(n).padStart(12, '0')}`;
    await db.register({ userName: name, passwordHash: `h-${name}`, serial, clientVersion: 'v1', now: NOW });
    if (mail) await db.saveProperties(name.toLowerCase(), [{ id: 11, flags: 128, access: 3, value: mail }]);
  };
  return { db, file, audit, galaxy, ctx, account };
}

t.test('grant, revoke, privileges, special guest: effective at next login, one audit line each', async (t) => {
  const { ctx, account, audit } = await setup(t);
  await account('Fred');
  const g = await runTaskFrom(ctx(), 'grant', { user: 'fred', privileges: ['broadcast', 'BUILD'] });
  t.match(g, { ok: true, value: { userName: 'Fred', before: 0, after: 3 } });
  t.match(
    g.ok && g.summary,
    /Fred: privileges build, broadcast \(3\), were none \(0\); effective at Fred's next login/,
  );
  t.match(await runTaskFrom(ctx(), 'revoke', { user: 'Fred', privileges: ['build'] }), {
    ok: true,
    value: { after: 2 },
  });
  t.match(await runTaskFrom(ctx(), 'specialguest', { user: 'Fred', on: true }), { ok: true, value: { after: 66 } });
  t.match(await runTaskFrom(ctx(), 'specialguest', { user: 'Fred', on: false }), { ok: true, value: { after: 2 } });
  t.match(await runTaskFrom(ctx(), 'privileges', { user: 'FRED' }), {
    ok: true,
    summary: 'Fred: privileges broadcast (2)',
  });
  t.match(await runTaskFrom(ctx(), 'grant', { user: 'nobody', privileges: ['vip'] }), {
    ok: false,
    error: { code: 'not-found', message: 'no account named nobody' },
  });
  t.match(await runTaskFrom(ctx(), 'grant', { user: 'Fred', privileges: ['wizard'] }), {
    ok: false,
    error: { code: 'usage', message: /grant: privileges: "wizard" is not build, broadcast/ },
  });
  t.match(await runTaskFrom(ctx(), 'grant', { user: 'Fred' }), { ok: false, error: { code: 'usage' } });
  t.equal(audit.length, 8, 'one audit line per action, refusals and mistakes included');
  t.match(audit[0], /^admin wsadmin:ops: grant broadcast build to fred: Fred: privileges build, broadcast/);
  t.match(audit[7], /^admin wsadmin:ops: grant \(rejected\): usage: grant: privileges: name at least one privilege/);
});

t.test('deactivate and reactivate: one account, or every account of an e-mail address (listed)', async (t) => {
  const { ctx, account, db } = await setup(t);
  await account('Fred', 'rubble@example.com');
  await account('Barney', 'Rubble@Example.com');
  await account('Wilma', 'wilma@example.com');
  const all = await runTaskFrom(ctx(), 'deactivate', { email: 'RUBBLE@example.com' });
  t.match(all, {
    ok: true,
    summary: 'deactivated 2 accounts of rubble@example.com: Barney, Fred; effective at their next login',
  });
  t.equal((await db.findUser('wilma'))?.accountStatus, 1, 'other addresses untouched');
  t.match(await runTaskFrom(ctx(), 'reactivate', { user: 'fred' }), {
    ok: true,
    summary: "Fred reactivated; effective at Fred's next login",
  });
  t.match(await runTaskFrom(ctx(), 'reactivate', { user: 'fred' }), {
    ok: true,
    summary: 'Fred was already reactivated',
  });
  t.match(await runTaskFrom(ctx(), 'reactivate', { email: 'nobody@example.com' }), {
    ok: false,
    error: { code: 'not-found', message: 'no account has the e-mail address nobody@example.com' },
  });
  t.match(await runTaskFrom(ctx(), 'deactivate', { user: 'Fred', email: 'a@b.c' }), {
    ok: false,
    error: { code: 'usage' },
  });
  t.match(await runTaskFrom(ctx(), 'deactivate', { email: 'not-an-address' }), { ok: false, error: { code: 'usage' } });
});

t.test(
  'delete: refused while online, boots first when asked, frees the serial; works with the servers down',
  async (t) => {
    const { ctx, account, galaxy, db, audit } = await setup(t);
    await account('Fred');
    await account('Barney');
    galaxy.users.set('fred', online('Fred'));
    const refused = await runTaskFrom(ctx(), 'delete', { user: 'Fred' });
    t.match(refused, {
      ok: false,
      error: { code: 'refused', message: 'Fred is online (from 10.0.0.7); boot Fred first, or delete with boot' },
    });
    t.ok(await db.findUser('fred'), 'nothing deleted');
    const d = await runTaskFrom(ctx(), 'delete', { user: 'Fred', boot: true });
    t.match(d, {
      ok: true,
      value: { userName: 'Fred', serialNumber: 'TEST000000000001', serialFreed: true, booted: true },
      summary: 'booted and deleted Fred: serial TEST000000000001 freed, 0 properties deleted',
    });
    t.same(galaxy.booted, ['wsadmin:ops Fred'], 'booted by the operator (the 30-minute ban of AG-20)');
    t.equal(await db.findUser('fred'), null);
    t.match(await runTaskFrom(ctx(false), 'delete', { user: 'barney' }), { ok: true, value: { booted: false } });
    t.match(await runTaskFrom(ctx(false), 'delete', { user: 'barney' }), { ok: false, error: { code: 'not-found' } });
    t.match(audit[1], /^admin wsadmin:ops: delete Fred: booted and deleted Fred/);
  },
);

t.test('newhost: HOST- name, host privilege (broadcast), next free serial, password of the own account', async (t) => {
  const { ctx, account, db } = await setup(t, 2);
  await account('Fred', 'fred@example.com');
  const h = await runTaskFrom(ctx(), 'newhost', { hostName: 'host-Freddy', from: 'fred' });
  t.match(h, {
    ok: true,
    value: { userName: 'HOST-Freddy', serialNumber: 'TEST000000000002', email: 'fred@example.com', privileges: 2 },
  });
  t.match(await db.findUser('host-freddy'), { password: 'h-Fred', userPrivileges: 2 });
  t.match(await runTaskFrom(ctx(), 'newhost', { hostName: 'HOST-Other', from: 'fred', email: 'h@example.com' }), {
    ok: false,
    error: { code: 'refused', message: 'no free serial number is left: load more with scripts/SerialGen' },
  });
  t.match(await runTaskFrom(ctx(), 'newhost', { hostName: 'Freddy', from: 'fred' }), {
    ok: false,
    error: { code: 'usage', message: /must start with HOST-/ },
  });
  t.match(await runTaskFrom(ctx(), 'newhost', { hostName: 'HOST-abcdefghijkl', from: 'fred' }), {
    ok: false,
    error: { code: 'usage', message: /at most 11 after HOST-/ },
  });
  t.match(await runTaskFrom(ctx(), 'newhost', { hostName: 'HOST-Freddy', from: 'fred' }), {
    ok: false,
    error: { code: 'refused', message: 'the name HOST-Freddy is already registered' },
  });
  t.match(await runTaskFrom(ctx(), 'newhost', { hostName: 'HOST-X1', from: 'nobody' }), {
    ok: false,
    error: { code: 'not-found' },
  });
});

t.test('report: by name, e-mail, serial and address, with wildcards; online status when the server runs', async (t) => {
  const { ctx, account, galaxy, db } = await setup(t);
  await account('Alice', 'alice@example.com');
  await account('Alan', 'alan@example.org');
  await account('Bob', 'bob@example.com');
  await db.recordLogin('alice', '192.168.7.20', NOW);
  await db.recordLogin('bob', '192.168.7.21', NOW);
  galaxy.users.set('alice', online('Alice', '192.168.7.20'));
  const names = async (input: Record<string, unknown>, live = true) => {
    const r = await runTaskFrom(ctx(live), 'report', input);
    return r.ok
      ? (r.value as { records: { user: { userName: string } }[] }).records.map((x) => x.user.userName)
      : r.error.code;
  };
  t.same(await names({ pattern: 'Al*' }), ['Alan', 'Alice'], "the guide's example: Al*");
  t.same(await names({ pattern: '*@example.com' }), 'usage', 'only a trailing * is a wildcard');
  t.same(await names({ pattern: 'alice@example.com' }), ['Alice'], 'an @ means an e-mail address');
  t.same(await names({ pattern: 'al*', by: 'email' }), ['Alan', 'Alice']);
  t.same(await names({ pattern: '192.168.7.*' }), ['Alice', 'Bob'], 'digits and dots mean an address');
  t.same(await names({ pattern: 'TEST000000000003' }), ['Bob'], 'no such name: a serial');
  t.same(await names({ pattern: 'test00000000000*', by: 'serial' }), ['Alan', 'Alice', 'Bob']);
  t.same(await names({ pattern: 'Zed*' }), 'not-found');
  t.same(await names({ pattern: 'a*', limit: 1 }), ['Alan']);
  const r = await runTaskFrom(ctx(), 'report', { pattern: 'a*', limit: 1 });
  t.match(r, { ok: true, value: { truncated: true }, summary: '1 account by name a* (the first 1; more match)' });
  const full = await runTaskFrom(ctx(), 'report', { pattern: 'Alice' });
  t.match(full.ok && full.value, {
    criterion: 'name',
    records: [
      {
        email: 'alice@example.com',
        user: { userName: 'Alice', serialNumber: 'TEST000000000001', accountStatus: 1, timesOn: 0 },
        addresses: [{ address: '192.168.7.20', logins: 1 }],
        online: { address: '192.168.7.20' },
      },
    ],
  });
  const down = await runTaskFrom(ctx(false), 'report', { pattern: 'Bob' });
  t.match(down.ok && down.value, { records: [{ online: null }] }, 'unknown with the UserServer down');
  t.equal(likePattern('50%_off*', 'name'), '50\\%\\_off%');
  t.equal(guessCriterion('10.0.*'), 'ip');
  t.equal(guessCriterion('Al*'), 'name-or-serial');
});

t.test('vip: grant, renew, cancel, show with months; the bits set and cleared; expiry applied at login', async (t) => {
  const { ctx, account, db, file } = await setup(t);
  await account('Vic');
  const vip = (input: Record<string, unknown>) => runTaskFrom(ctx(), 'vip', { user: 'vic', ...input });
  t.match(await vip({ action: 'show' }), { ok: true, summary: 'Vic is not a VIP' });
  t.match(await vip({ action: 'grant', months: 6, payment: 'check' }), {
    ok: true,
    value: { privileges: 24, active: true, membership: { expiryDate: new Date('2024-11-06T07:08:09.000Z') } },
    summary: "Vic is a VIP (full) until 2024-11-06 (check); effective at Vic's next login",
  });
  t.match(await vip({ action: 'grant', months: 1 }), {
    ok: false,
    error: { code: 'refused', message: 'Vic is already a VIP until 2024-11-06; renew to extend it' },
  });
  t.match(await vip({ action: 'renew', months: 12, tier: 'basic' }), {
    ok: true,
    value: { privileges: 8, membership: { expiryDate: new Date('2025-11-06T07:08:09.000Z') } },
  });
  t.match(await vip({ action: 'grant', months: 3 }), { ok: false, error: { code: 'usage', message: /1, 6, 12/ } });
  t.match(await vip({ action: 'cancel' }), { ok: true, value: { privileges: 0 } });
  t.match(await vip({ action: 'cancel' }), { ok: false, error: { code: 'refused', message: 'Vic is not a VIP' } });
  t.match(await vip({ action: 'renew', months: 1 }), { ok: false, error: { code: 'refused' } });
  t.same(
    addMonths(new Date('2024-01-31T12:00:00Z'), 1),
    new Date('2024-02-29T12:00:00Z'),
    'the 31st: the end of February',
  );

  // A membership that ended: the next login (Accounts, as the UserServer runs it) clears the bits.
  await vip({ action: 'grant', months: 1 });
  const { execFileSync } = await import('node:child_process');
  execFileSync('sqlite3', [file, "update VipMemberships set expiryDate = '2001-01-01 00:00:00'"]);
  const warnings: string[] = [];
  const guard = new LoginGuard(() => ({
    failures: { perAddress: 5, perAccount: 5, windowMs: 600_000 },
    registrationsPerHour: 5,
  }));
  const accounts = new Accounts(db, new PasswordHasher(10), guard, (w) => warnings.push(w));
  t.equal((await accounts.current('Vic'))?.userPrivileges, 0, 'cleared at login');
  t.equal((await db.findUser('vic'))?.userPrivileges, 0, 'and in the database');
  t.match(await vip({ action: 'show' }), { ok: true, summary: 'Vic is not a VIP; the membership ended 2001-01-01' });
  t.same(warnings, []);
});

t.test('broadcast, boot and online act on the running galaxy and say so when it is not running', async (t) => {
  const { ctx, galaxy, audit } = await setup(t, 0);
  galaxy.users.set('fred', online('Fred'));
  t.match(await runTask(ctx(), 'broadcast', { text: 'maintenance at noon' }), {
    ok: true,
    value: { roomServers: 2, directUsers: 1 },
  });
  t.same(galaxy.broadcasts, ['WORLDSMASTER: maintenance at noon']);
  t.match(await runTaskFrom(ctx(), 'online', {}), { ok: true, summary: '1 user online' });
  t.match(await runTaskFrom(ctx(), 'online', { user: 'FRED' }), {
    ok: true,
    summary: 'Fred is online from 10.0.0.7 on RoomServer first',
  });
  t.match(await runTaskFrom(ctx(), 'boot', { user: 'fred' }), {
    ok: true,
    summary: 'Fred has been booted. Logins as Fred or from 10.0.0.7 are refused for 30 minutes',
  });
  t.match(await runTaskFrom(ctx(), 'boot', { user: 'fred' }), {
    ok: false,
    error: { code: 'not-found', message: 'fred is not logged on' },
  });
  t.match(await runTaskFrom(ctx(), 'online', { user: 'fred' }), { ok: false, error: { code: 'not-found' } });
  for (const [task, input] of [
    ['broadcast', { text: 'hello' }],
    ['boot', { user: 'fred' }],
    ['online', {}],
  ] as const)
    t.match(await runTaskFrom(ctx(false), task, input), {
      ok: false,
      error: { code: 'not-running', message: 'the UserServer is not running' },
    });
  t.match(await runTaskFrom(ctx(), 'broadcast', { text: '  ' }), { ok: false, error: { code: 'usage' } });
  t.match(await runTaskFrom(ctx(), 'broadcast', { text: 'x'.repeat(1001) }), { ok: false, error: { code: 'usage' } });
  t.match(await runTaskFrom(ctx(), 'shutdown', {}), {
    ok: false,
    error: { code: 'usage', message: /unknown task "shutdown"/ },
  });
  t.match(audit[0], /^admin wsadmin:ops: broadcast "maintenance at noon": broadcast to 2 RoomServers/);
  t.match(audit.at(-2), /^admin wsadmin:ops: broadcast \(rejected\): usage: broadcast: text is longer than 1000/);
  t.match(audit.at(-1), /^admin wsadmin:ops: shutdown \(rejected\): usage: unknown task/);
});

t.test('a database failure is an error value with the database message, and audited', async (t) => {
  const { ctx, db, audit } = await setup(t, 0);
  await db.close();
  const r = await runTaskFrom(ctx(), 'privileges', { user: 'fred' });
  t.match(r, { ok: false, error: { code: 'failed', message: /closed/ } });
  t.match(audit[0], /privileges fred: failed: .*closed/);
});
