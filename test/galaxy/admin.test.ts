// wsadmin on a running galaxy and with the servers down (AG-12, AG-20, AG-40): broadcast reaching
// clients on two RoomServers, boot closing a user everywhere, privileges and VIP at the next login,
// the report by address, deleting an account, and wsadmin's exit codes either way.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoginRefused } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';
import type { Player } from '../../protocol/player.js';
import { startGalaxy } from '../helpers/galaxy.js';
import { ROOT, runToExit, tempDir } from '../helpers/servers.js';

const WSADMIN = join(ROOT, 'dist', 'scripts', 'wsadmin.js');

const g = await startGalaxy();
t.teardown(() => g.stop());
const serials = g.serials(8);
let next = 0;

const wsadmin = (...args: string[]) => runToExit(WSADMIN, ['galaxyUS.cfg', ...args, '--as', 'tester'], g.dir);

async function account(name: string): Promise<Player> {
  return g.login({ kind: 'register', name, password: 'secret1', serial: serials[next++] as string });
}

const open: Player[] = [];
t.afterEach(async () => {
  for (const p of open.splice(0)) await p.logoff().catch(() => p.crash());
});

t.test('broadcast from wsadmin reaches clients on both RoomServers, now', async (t) => {
  const a = await account('Anna');
  const b = await account('Bert');
  open.push(a, b);
  const ra = await a.enter(a.roomName('Alpha', 'Plaza'), { x: 0, y: 0 });
  const rb = await b.enter(b.roomName('Beta', 'Plaza'), { x: 0, y: 0 });
  t.not(ra.conn.socket.remotePort, rb.conn.socket.remotePort, 'one user on each RoomServer');
  const r = await wsadmin('broadcast', 'Servers', 'restart', 'at', 'noon');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /broadcast to 2 RoomServers/);
  for (const c of [ra.conn, rb.conn]) {
    const text = await c.expectCmd('TEXT', (x) => x.text === 'Servers restart at noon');
    t.equal(text.sender, 'WORLDSMASTER');
  }
  await g.us.waitLog(/admin wsadmin:tester: broadcast "Servers restart at noon": broadcast to 2 RoomServers/);
});

t.test('privileges and VIP take effect at the next login; an expired VIP is cleared at login', async (t) => {
  const d = await account('Dora');
  t.equal(d.privileges, 0);
  t.equal((await wsadmin('grant', 'dora', 'broadcast')).code, 0);
  const vip = await wsadmin('vip', 'grant', 'Dora', '--months', '6', '--payment', 'check');
  t.equal(vip.code, 0, vip.stderr);
  t.match(vip.stdout, /Dora is a VIP \(full\) until \d{4}-\d\d-\d\d \(check\); effective at Dora's next login/);
  t.equal(d.privileges, 0, 'the session that is on keeps what it had');
  await d.logoff();
  const again = await g.login({ kind: 'authenticate', name: 'Dora', password: 'secret1', firstConnection: true });
  t.equal(again.privileges, 2 | 8 | 16, 'broadcast and full VIP from the next login');
  await again.logoff();
  g.sql("update VipMemberships set expiryDate = '2001-01-01 00:00:00' where userNameLower = 'dora';");
  const later = await g.login({ kind: 'authenticate', name: 'Dora', password: 'secret1', firstConnection: true });
  t.equal(later.privileges, 2, 'the VIP bits cleared at the first login after expiry');
  open.push(later);
  t.equal(g.sql("select userPrivileges from UserRegistration where userNameLower = 'dora';").trim(), '2');
});

t.test('the report by login address, with who is online', async (t) => {
  const e = await account('Emil');
  open.push(e);
  const r = await wsadmin('--json', 'report', '127.0.0.*');
  t.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    ok: boolean;
    value: { criterion: string; records: { user: { userName: string }; online: unknown; addresses: unknown[] }[] };
  };
  t.equal(out.value.criterion, 'ip');
  const emil = out.value.records.find((x) => x.user.userName === 'Emil');
  t.match(emil, { online: { name: 'Emil', address: '127.0.0.1' }, addresses: [{ address: '127.0.0.1' }] });
  const text = await wsadmin('report', 'Em*');
  t.match(text.stdout, /^Emil\n {2}e-mail {7} \(none\)\n {2}serial {7} TEST\d{12}\n {2}status {7} active/);
  t.match(text.stdout, /last address {2}127\.0\.0\.1 \(last .*, 1 login\)/);
  t.match(text.stdout, /online {7} yes, since .* from 127\.0\.0\.1 on the UserServer/);
});

t.test("wsadmin's exit codes and messages with the UserServer up", async (t) => {
  const missing = await wsadmin('report', 'Nobody*');
  t.same([missing.code, missing.stderr], [3, 'wsadmin: no account matches name or serial Nobody*\n']);
  const usage = await wsadmin('grant', 'Dora', 'wizard');
  t.equal(usage.code, 2);
  t.match(usage.stderr, /"wizard" is not build, broadcast/);
  t.equal((await wsadmin('frobnicate')).code, 2, 'an unknown task');
  t.equal((await wsadmin('vip', 'grant', 'Dora', '--months', '3')).code, 2);
  const json = await wsadmin('--json', 'privileges', 'Nobody');
  t.equal(json.code, 3);
  t.same(JSON.parse(json.stdout), {
    ok: false,
    task: 'privileges',
    error: { code: 'not-found', message: 'no account named Nobody' },
  });
  const noCfg = await runToExit(WSADMIN, ['missing.cfg', 'online'], g.dir);
  t.equal(noCfg.code, 2);
  t.match(noCfg.stderr, /configuration file missing\.cfg not found/);
});

// Booting bans the address of the booted user, 127.0.0.1 here, for 30 minutes: no login after it.
t.test('boot closes the user everywhere; delete is refused while online, or boots first', async (t) => {
  const c = await account('Carl');
  const f = await account('Finn');
  const { conn } = await c.enter(c.roomName('Gamma', 'Hall'), { x: 0, y: 0 });
  const refused = await wsadmin('delete', 'Finn');
  t.equal(refused.code, 4, 'refused');
  t.match(refused.stderr, /Finn is online \(from 127\.0\.0\.1\); boot Finn first, or delete with boot/);

  const r = await wsadmin('boot', 'carl');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Carl has been booted\. Logins as Carl or from 127\.0\.0\.1 are refused for 30 minutes/);
  await conn.closed;
  for (const x of c.connections) await x.closed;
  t.pass('every connection of Carl closed');
  const again = await g
    .login({ kind: 'authenticate', name: 'Carl', password: 'secret1', firstConnection: true })
    .catch((e: unknown) => e);
  t.ok(again instanceof LoginRefused && again.code === Nak.BAD_IPADDRESS, 'NAK 16, "Bad IP address"');
  await g.us.waitLog(/admin wsadmin:tester: boot carl: Carl has been booted/);
  const gone = await wsadmin('boot', 'carl');
  t.equal(gone.code, 3, 'not logged on: not found');
  t.match(gone.stderr, /carl is not logged on/);

  const d = await wsadmin('delete', 'Finn', '--boot');
  t.equal(d.code, 0, d.stderr);
  t.match(d.stdout, /booted and deleted Finn: serial TEST\d{12} freed/);
  await f.entry.closed;
  t.equal(g.sql("select count(*) from UserRegistration where userNameLower = 'finn';").trim(), '0');
  await g.us.waitLog(/\(Finn\) - account no longer exists in the user database; usage not recorded/);
  t.equal(g.sql("select count(*) from UserRegistration where userNameLower = 'finn';").trim(), '0', 'not re-created');
});

t.test('with the UserServer down: database tasks still work, live ones exit 5, audit in the admin log', async (t) => {
  await g.us.stop();
  t.notOk(existsSync(join(g.dir, 'GalaxyUS.sock')), 'the control socket is removed at shutdown');
  const online = await wsadmin('online');
  t.equal(online.code, 5);
  t.match(
    online.stderr,
    /the UserServer Galaxy is not running \(nothing listens on GalaxyUS\.sock\); online needs the running galaxy/,
  );
  t.equal((await wsadmin('broadcast', 'hello')).code, 5);
  t.equal((await wsadmin('boot', 'Emil')).code, 5);
  const report = await wsadmin('report', 'Emil');
  t.equal(report.code, 0, report.stderr);
  t.match(report.stdout, /online {7} unknown \(the UserServer is not running\)/);
  t.equal((await wsadmin('deactivate', 'Emil')).code, 0);
  t.equal(g.sql("select accountStatus from UserRegistration where userNameLower = 'emil';").trim(), '0');
  t.equal((await wsadmin('deactivate', 'Ghost')).code, 3);
  const del = await wsadmin('delete', 'Emil', '--boot');
  t.equal(del.code, 0, 'nobody is online with the servers down');
  const log = readFileSync(join(g.dir, 'GalaxyUS.admin.log'), 'utf8');
  t.match(log, /admin wsadmin:tester: deactivate Emil: Emil deactivated/);
  t.match(log, /admin wsadmin:tester: delete Emil: deleted Emil: serial TEST\d{12} freed/);
  t.notMatch(log, /online|broadcast/, 'live tasks never reached a server');
  const empty = tempDir('ws-elsewhere-');
  const elsewhere = await runToExit(WSADMIN, [join(g.dir, 'galaxyUS.cfg'), 'report', 'Emil', '--dir', empty], g.dir);
  t.equal(elsewhere.code, 1);
  t.match(elsewhere.stderr, /no user database .*world\.db: run wsadmin in the UserServer's working directory/);
  t.notOk(existsSync(join(empty, 'world.db')), 'never a new, empty database');
});
