// Redundant WorldServers (AG-23, guide "Redundant WorldServer Operation", issue 11): two UserServers
// (East, BackupServer, on 127.0.0.1; West, BackupClient, on 127.0.0.2; the same client port), a
// RoomServer each, one shared database. Users of either side see each other in their friends
// lists, whisper and broadcast across, are booted across (the ban holds on both sides), and a name
// logged in on one side that logs in on the other replaces the first session (AG-11), a race of
// two such logins included; wsadmin on either side sees and reaches both.
import t from 'tap';
import { join } from 'node:path';
import { LoginRefused } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';
import type { Player } from '../../protocol/player.js';
import { startPair, type Side } from '../helpers/redundant.js';
import { ROOT, runToExit } from '../helpers/servers.js';

const WSADMIN = join(ROOT, 'dist', 'scripts', 'wsadmin.js');

// West keeps a user whose client vanished for 3 s (LogoffDelay): long enough to whisper to him then.
const p = await startPair({ usExtra: 'Guests 20 guest 30', westExtra: 'LogoffDelay 3' });
t.teardown(() => p.stop());
const serials = p.serials(20);
let next = 0;

const wsadmin = (side: Side, ...args: string[]) =>
  runToExit(WSADMIN, [`${side.name}US.cfg`, ...args, '--as', 'tester'], p.dir);

const open: Player[] = [];
t.afterEach(async () => {
  for (const x of open.splice(0)) await x.logoff().catch(() => x.crash());
});

async function register(side: Side, name: string, from?: string): Promise<Player> {
  const x = await side.login({ kind: 'register', name, password: 'secret1', serial: serials[next++] as string }, from);
  open.push(x);
  return x;
}

async function again(side: Side, name: string): Promise<Player> {
  const x = await side.login({ kind: 'authenticate', name, password: 'secret1', firstConnection: true });
  open.push(x);
  return x;
}

async function logoff(x: Player): Promise<void> {
  open.splice(open.indexOf(x), 1);
  await x.logoff();
}

t.test('login on each side; channels carry each side suffix; a two-host URL reaches one of them', async (t) => {
  const ann = await register(p.east, 'Ann');
  const bob = await register(p.west, 'Bob');
  t.equal(ann.channel, 'dimension-1;2', 'East (BackupServer) channels end in ;2');
  t.equal(bob.channel, 'dimension-1;1', 'West (BackupClient) channels end in ;1');
  const g = await p.login({ kind: 'guest', firstConnection: true });
  open.push(g);
  t.match(g.name, /^guest_\d+$/, `logged in through worldserver://${p.hosts}:${p.port}/`);
  t.ok(['127.0.0.1', '127.0.0.2'].includes(g.entry.socket.remoteAddress as string));
  const ra = await ann.enter(ann.roomName('Plaza', 'Hall'), { x: 0, y: 0 });
  const rb = await bob.enter(bob.roomName('Plaza', 'Hall'), { x: 0, y: 0 });
  t.equal(ra.conn.socket.remoteAddress, '127.0.0.1', "East's RoomServer");
  t.equal(rb.conn.socket.remoteAddress, '127.0.0.2', "West's RoomServer");
  t.ok(ra.id >= 1 && ra.id <= 0x7fff, `East's room id ${ra.id} is in its half`);
  t.ok(rb.id >= 0x8000 && rb.id <= 0xffff, `West's room id ${rb.id} is in its half`);
});

t.test('a friend on the other WorldServer is shown online, offline, and online again', async (t) => {
  const cleo = await register(p.east, 'Cleo');
  const dan = await register(p.west, 'Dan');
  const { conn } = await cleo.enter(cleo.roomName('Plaza', 'Cafe'), { x: 0, y: 0 });
  cleo.buddy('Dan');
  t.same(await conn.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), ['Dan', 1], 'online on West');
  await logoff(dan);
  t.same(await conn.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), ['Dan', 0], 'offline');
  const dan2 = await again(p.west, 'Dan');
  t.same(await conn.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), ['Dan', 1], 'online again');
  // And the other way round: a West user watching an East user that comes online later.
  dan2.buddy('Eve');
  const eve = await register(p.east, 'Eve');
  t.same(await dan2.entry.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), ['Eve', 1]);
  await logoff(eve);
  t.same(await dan2.entry.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), ['Eve', 0]);
});

t.test('whispers and broadcasts cross; an undeliverable whisper across is reported as today', async (t) => {
  const fay = await register(p.east, 'Fay');
  const gus = await register(p.west, 'Gus');
  const rf = await fay.enter(fay.roomName('Plaza', 'Well'), { x: 0, y: 0 });
  const rg = await gus.enter(gus.roomName('Plaza', 'Well'), { x: 0, y: 0 });
  fay.whisper('gus', 'hello West');
  const w = await rg.conn.expectCmd('WHISPER');
  t.same([w.sender, w.text], ['Fay', 'hello West'], 'East → West');
  gus.whisper('Fay', 'hello East');
  t.same(await rf.conn.expectCmd('WHISPER').then((x) => [x.sender, x.text]), ['Gus', 'hello East'], 'West → East');
  // Gus's client vanishes: West keeps his session for LogoffDelay, but he is reachable nowhere.
  open.splice(open.indexOf(gus), 1);
  gus.crash();
  await p.west.us.waitLog(/Gus \(127\.0\.0\.1\)\nconnected since/);
  await rg.conn.closed;
  // West's RoomServer tells its UserServer that Gus left before it writes his session record; a
  // whisper sent earlier could reach West while it still places him in that room (a test race
  // seen once under a loaded machine).
  await p.west.rs.waitLog(/Gus \(127\.0\.0\.1\)\non since/);
  fay.whisper('Gus', 'still there?');
  t.equal(
    (await rf.conn.expectCmd('TEXT', (x) => x.sender === 'WORLDSMASTER')).text,
    'Gus is not logged on.',
    'the sender is told',
  );
  await p.east.us.waitLog(/\(Fay\) - undeliverable whisper dropped - Gus is between servers/);

  p.sql("update userregistration set userprivileges = 2 where username = 'Fay';");
  await logoff(fay);
  const boss = await again(p.east, 'Fay');
  const hal = await register(p.west, 'Hal');
  const rb = await boss.enter(boss.roomName('Plaza', 'Tower'), { x: 0, y: 0 });
  const rh = await hal.enter(hal.roomName('Plaza', 'Tower'), { x: 0, y: 0 });
  boss.whisper('world', 'maintenance at noon');
  for (const c of [rb.conn, rh.conn])
    t.equal((await c.expectCmd('TEXT', (x) => x.text === 'maintenance at noon')).sender, 'Fay');
  await p.east.us.waitLog(/broadcast by Fay: maintenance at noon/);
  await p.west.us.waitLog(/broadcast by Fay \(from WorldServer East\): maintenance at noon/);
});

t.test('AG-11 across: a second login on the other side replaces the first', async (t) => {
  const ida = await register(p.east, 'Ida');
  const jon = await register(p.west, 'Jon');
  jon.buddy('Ida');
  t.same(await jon.entry.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), ['Ida', 1]);
  const ida2 = await again(p.west, 'Ida');
  const told = await ida.entry.expectCmd('TEXT', (x) => x.sender === 'WORLDSMASTER');
  t.equal(told.text, 'You have been disconnected: logged in again on WorldServer West.');
  await ida.entry.closed;
  open.splice(open.indexOf(ida), 1);
  await p.east.us.waitLog(/Ida \(127\.0\.0\.1\)\nactive since/);
  await jon.entry.sync();
  t.notOk(
    jon.entry.peek().some((c) => c.cmd === 'BUDDYLISTNOTIFY' && c.buddy === 'Ida' && c.state === 0),
    'her friend never saw her offline',
  );
  const e = await wsadmin(p.east, 'online', 'Ida');
  t.equal(e.code, 0, e.stderr);
  t.match(e.stdout, /Ida is online from 127\.0\.0\.1 on WorldServer West/, 'East knows where she is now');
  ida2.whisper('Jon', 'I moved');
  t.equal((await jon.entry.expectCmd('WHISPER')).text, 'I moved');
});

t.test('AG-11 across: a race of two logins leaves exactly one session, the same on both sides', async (t) => {
  await register(p.east, 'Kim').then(logoff);
  for (let round = 0; round < 3; round++) {
    const [e, w] = await Promise.all([again(p.east, 'Kim'), again(p.west, 'Kim')]);
    const loser = await Promise.race([e.entry.closed.then(() => e), w.entry.closed.then(() => w)]);
    const winner = loser === e ? w : e;
    open.splice(open.indexOf(loser), 1);
    await winner.entry.sync();
    t.notOk(winner.entry.isClosed, `round ${round}: one survives`);
    const where = loser === e ? 'WorldServer West' : 'the UserServer';
    const east = await wsadmin(p.east, 'online', 'Kim');
    const west = await wsadmin(p.west, 'online', 'Kim');
    t.match(east.stdout, where === 'WorldServer West' ? /on WorldServer West/ : /on the UserServer/);
    t.match(west.stdout, where === 'WorldServer West' ? /on the UserServer/ : /on WorldServer East/);
    await logoff(winner);
  }
});

t.test('wsadmin on either side sees and reaches both', async (t) => {
  // From an address of her own: the boot bans it (on both sides).
  const nia = await register(p.east, 'Nia', '127.0.8.9');
  const oto = await register(p.west, 'Oto');
  const rn = await nia.enter(nia.roomName('Plaza', 'Market'), { x: 0, y: 0 });
  const ro = await oto.enter(oto.roomName('Plaza', 'Market'), { x: 0, y: 0 });
  const list = await wsadmin(p.east, 'online');
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /^Nia +registered +127\.0\.8\.9 +east /m, 'East lists its own users by RoomServer');
  t.match(list.stdout, /^Oto +registered +127\.0\.0\.1 +WS:West /m, "and West's by WorldServer");
  const b = await wsadmin(p.east, 'broadcast', 'Both', 'sides', 'hear', 'this');
  t.equal(b.code, 0, b.stderr);
  t.match(b.stdout, /broadcast to 1 RoomServer and 0 users on the UserServer only and forwarded to WorldServer West/);
  for (const c of [rn.conn, ro.conn])
    t.equal((await c.expectCmd('TEXT', (x) => x.text === 'Both sides hear this')).sender, 'WORLDSMASTER');
  const boot = await wsadmin(p.west, 'boot', 'Nia');
  t.equal(boot.code, 0, boot.stderr);
  t.match(boot.stdout, /Nia has been booted\./);
  await rn.conn.closed;
  open.splice(open.indexOf(nia), 1);
  await p.east.us.waitLog(/booted Nia \(127\.0\.8\.9\)/);
});

t.test('AG-20 across: !boot of a user on the other side; the ban holds on both', async (t) => {
  const lea0 = await register(p.east, 'Lea');
  await logoff(lea0);
  p.sql("update userregistration set userprivileges = 2 where username = 'Lea';");
  const lea = await again(p.east, 'Lea');
  // The guest comes from an address of its own, which the boot bans on both sides.
  const mo = await p.west.login({ kind: 'guest', firstConnection: true }, '127.0.8.8').then((x) => (open.push(x), x));
  const { conn } = await lea.enter(lea.roomName('Plaza', 'Gate'), { x: 0, y: 0 });
  const rm = await mo.enter(mo.roomName('Plaza', 'Gate'), { x: 0, y: 0 });
  lea.whisper('world', `!boot ${mo.name}`);
  t.equal((await conn.expectCmd('WHISPER', (x) => x.sender === 'WORLDSMASTER')).text, `${mo.name} has been booted.`);
  await rm.conn.closed;
  open.splice(open.indexOf(mo), 1);
  await p.west.us.waitLog(new RegExp(`Lea booted ${mo.name} \\(127\\.0\\.8\\.8\\)`));
  for (const side of [p.east, p.west]) {
    const err = await side.login({ kind: 'guest', firstConnection: true }, '127.0.8.8').catch((x: unknown) => x);
    t.ok(err instanceof LoginRefused && err.code === Nak.BAD_IPADDRESS, `${side.name} refuses the booted address`);
  }
  t.match(p.sql(`select banKind, banValue from BootBans where bootedName = '${mo.name}';`), /address\|127\.0\.8\.8/);
});
