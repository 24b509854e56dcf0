// Redirection and routing between RoomServers (AG-15, AG-17, AG-18, AG-26, spec §1, §6.4, §9).
import t from 'tap';
import type { ClientConnection } from '../../protocol/client.js';
import type { Player } from '../../protocol/player.js';
import { startGalaxy } from '../helpers/galaxy.js';

const g = await startGalaxy({
  usExtra: 'Guests 20 visitor 30\nScriptServer http://worlds.example/cgi-bin\nMailDomain worlds.example',
});
t.teardown(() => g.stop());

const open: Player[] = [];
async function guest(): Promise<Player> {
  const p = await g.login({ kind: 'guest', firstConnection: true });
  open.push(p);
  return p;
}
t.afterEach(async () => {
  for (const p of open.splice(0)) await p.logoff().catch(() => p.crash());
});

function portOf(c: ClientConnection): number {
  return c.socket.remotePort as number;
}

t.test('AG-15 two worlds on two RoomServers: fewest server worlds first, same ids everywhere', async (t) => {
  const a = await guest();
  const b = await guest();
  const ra = await a.enter(a.roomName('Alpha', 'Plaza'), { x: 0, y: 0 });
  const rb = await b.enter(b.roomName('Beta', 'Plaza'), { x: 0, y: 0 });
  t.not(portOf(ra.conn), portOf(rb.conn), 'the second world goes to the RoomServer with fewer worlds');
  const ports = new Set([g.rs.get('first')?.port, g.rs.get('second')?.port]);
  t.ok(ports.has(portOf(ra.conn)) && ports.has(portOf(rb.conn)));
  // All rooms of a server world stay on its RoomServer; ids are galaxy-wide.
  const ra2 = await a.resolve(a.roomName('Alpha', 'Tower'));
  t.equal(portOf(ra2.conn), portOf(ra.conn));
  const viaOther = await b.resolve(a.roomName('Alpha', 'Plaza'));
  t.equal(viaOther.id, ra.id, 'the same room has the same id asked through another RoomServer');
  t.equal(portOf(viaOther.conn), portOf(ra.conn), 'and is redirected to the RoomServer that serves it');
  // §1: a room of its own server asked on a RoomServer connection is answered with ROOMID.
  ra.conn.send({ cmd: 'ROOMIDRQ', objId: 1, name: a.roomName('Alpha', 'Cellar') });
  const own = await ra.conn.expectCmd('ROOMID');
  t.ok(own.room > 0);
});

t.test(
  '§6.2 RoomServers send the web settings the UserServer has (the client reads them from its latest connection)',
  async (t) => {
    const a = await guest();
    t.equal(a.entry.serverProps.get(25), 'http://worlds.example/cgi-bin');
    const { conn } = await a.enter(a.roomName('Nu', 'Hall'), { x: 0, y: 0 });
    t.equal(conn.serverProps.get(25), 'http://worlds.example/cgi-bin', 'ScriptServer (25) on the RoomServer too');
    t.equal(conn.serverProps.get(27), 'worlds.example', 'MailDomain (27)');
    t.equal(conn.serverProps.get(15), '3');
    t.equal(conn.serverProps.get(8), '50000');
  },
);

t.test('AG-26 the avatar set on the UserServer is what others see on the RoomServer', async (t) => {
  const a = await guest();
  const b = await guest();
  a.setAvatar('avatar:pengo.mov');
  await a.entry.sync();
  const room = a.roomName('Gamma', 'Hall');
  await a.enter(room, { x: 0, y: 0 });
  const { conn } = await b.enter(room, { x: 50, y: 0 });
  const app = await conn.expectCmd('APPRACTR', (x) => conn.nameOf(x.objId) === a.name);
  const props = await conn.expectCmd('PROPUPD', (p) => p.objId === app.objId);
  t.same(
    props.props.map((p) => [p.id, p.value]),
    [
      [23, ''],
      [5, 'avatar:pengo.mov'],
    ],
  );
});

t.test('AG-18 whispers and friends-list notices cross RoomServers', async (t) => {
  const a = await guest();
  const b = await guest();
  const ra = await a.enter(a.roomName('Delta', 'Room'), { x: 0, y: 0 });
  const rb = await b.enter(b.roomName('Epsilon', 'Room'), { x: 0, y: 0 });
  t.not(portOf(ra.conn), portOf(rb.conn), 'on different RoomServers');
  a.whisper(b.name, 'across the galaxy');
  const w = await rb.conn.expectCmd('WHISPER');
  t.same([w.sender, w.text], [a.name, 'across the galaxy']);
  a.whisper('Nobody', 'anyone?');
  t.equal((await ra.conn.expectCmd('TEXT', (x) => x.sender === 'WORLDSMASTER')).text, 'Nobody is not logged on.');
  await g.us.waitLog(new RegExp(`\\(${a.name}\\) - undeliverable whisper dropped - Nobody is not logged on`));
  // Friends list sent to the most recent connection (the RoomServer): notices come back there.
  a.buddy(b.name);
  const on = await ra.conn.expectCmd('BUDDYLISTNOTIFY');
  t.same([on.buddy, on.state], [b.name, 1]);
  const c = await guest();
  a.buddy(c.name);
  t.same(await ra.conn.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), [c.name, 1]);
  await b.logoff();
  open.splice(open.indexOf(b), 1);
  t.same(
    await ra.conn.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]),
    [b.name, 0],
    'offline when it logs off',
  );
  c.crash();
  open.splice(open.indexOf(c), 1);
  t.same(
    await ra.conn.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]),
    [c.name, 0],
    'and when its client vanishes',
  );
});

t.test('broadcast from a privileged user reaches every RoomServer', async (t) => {
  g.sql("insert into SerialNumbers (serialNumber, userName, serialStatus) values ('TESTBROADCAST001', 'none', 0);");
  const boss = await g.login({ kind: 'register', name: 'Boss', password: 'secret1', serial: 'TESTBROADCAST001' });
  open.push(boss);
  await boss.logoff();
  open.pop();
  g.sql("update userregistration set userprivileges = 2 where username = 'Boss';");
  const admin = await g.login({ kind: 'authenticate', name: 'Boss', password: 'secret1', firstConnection: true });
  open.push(admin);
  const a = await guest();
  const b = await guest();
  const ra = await a.enter(a.roomName('Zeta', 'One'), { x: 0, y: 0 });
  const rb = await b.enter(b.roomName('Eta', 'One'), { x: 0, y: 0 });
  const { conn } = await admin.enter(admin.roomName('Zeta', 'Two'), { x: 0, y: 0 });
  admin.whisper('world', 'maintenance at noon');
  for (const c of [conn, ra.conn, rb.conn])
    t.equal((await c.expectCmd('TEXT', (x) => x.text === 'maintenance at noon')).sender, 'Boss');
  await g.us.waitLog(/broadcast by Boss: maintenance at noon/);
});

t.test('AG-17 the UserServer connection closes after the grace period; the user stays', async (t) => {
  const a = await guest();
  const b = await guest();
  const room = a.roomName('Theta', 'Hall');
  const { conn } = await a.enter(room, { x: 0, y: 0 });
  await b.enter(room, { x: 10, y: 0 });
  await a.entry.closed;
  t.pass('closed by the UserServer (RedirectGrace 5 s in this galaxy)');
  await g.us.waitLog(new RegExp(`${a.name} \\(127\\.0\\.0\\.1\\)\\nconnected since`));
  b.whisper(a.name, 'still there?');
  t.equal((await conn.expectCmd('WHISPER')).text, 'still there?', 'still reachable through the RoomServer');
});

t.test('a teleport across RoomServers: the old server sees a departure, the new one an arrival', async (t) => {
  const walker = await guest();
  const stay1 = await guest();
  const stay2 = await guest();
  const here = walker.roomName('Iota', 'Gate');
  const there = walker.roomName('Kappa', 'Gate');
  const r1 = await stay1.enter(here, { x: 10, y: 0 });
  const r2 = await stay2.enter(there, { x: 10, y: 0 });
  t.not(portOf(r1.conn), portOf(r2.conn), 'two worlds, two RoomServers');
  await walker.enter(here, { x: 0, y: 0 });
  await r1.conn.expectCmd('APPRACTR', (x) => r1.conn.nameOf(x.objId) === walker.name);
  await walker.enter(there, { x: 0, y: 0 });
  await r2.conn.expectCmd('APPRACTR', (x) => r2.conn.nameOf(x.objId) === walker.name);
  await r1.conn.expectCmd('DISAPPR', (x) => r1.conn.nameOf(x.objId) === walker.name);
  t.equal(walker.servers.size, 2, 'the client keeps a connection to each RoomServer');
  walker.say('made it');
  t.equal(
    (await r2.conn.expectCmd('TEXT', (x) => x.text === 'made it')).sender,
    walker.name,
    'chat goes to the new room',
  );
});

t.test('private and persistent properties: an e-mail address is stored, never shown', async (t) => {
  g.sql("insert into SerialNumbers (serialNumber, userName, serialStatus) values ('TESTPRIVATE00001', 'none', 0);");
  const p = await g.login({ kind: 'register', name: 'Privy', password: 'secret1', serial: 'TESTPRIVATE00001' });
  open.push(p);
  p.entry.send({
    cmd: 'PROPSET',
    objId: 1,
    fromUser: '',
    props: [{ id: 11, flags: 0x80, access: 1, value: 'privy@example.test' }],
  });
  p.setAvatar('avatar:holden.mov');
  await p.entry.sync();
  const other = await guest();
  const room = p.roomName('Lambda', 'Hall');
  await p.enter(room, { x: 0, y: 0 });
  const { conn } = await other.enter(room, { x: 10, y: 0 });
  await conn.expectCmd('APPRACTR', (x) => conn.nameOf(x.objId) === 'Privy');
  conn.send({ cmd: 'PROPREQ', objId: 'Privy', ids: [] });
  const shown = await conn.expectCmd('PROPUPD', (x) => x.objId === 'Privy');
  t.same(
    shown.props.map((x) => x.id),
    [9, 5, 23],
    'others see client version, avatar, sleep state: not the e-mail address',
  );
  await p.logoff();
  open.splice(open.indexOf(p), 1);
  await g.us.waitOut(/usage of Privy written: \+1 logons, \+0 minutes, 1 properties/);
  t.equal(
    g.sql("select propertyId, propertyFlags, propertyStringValue from userproperties where username = 'Privy';").trim(),
    '11|128|privy@example.test',
    'DBSTORE property in UserProperties',
  );
});

t.test('AG-27 special guests (privilege 64) are seen and heard beyond the nearest N', async (t) => {
  g.sql("insert into SerialNumbers (serialNumber, userName, serialStatus) values ('TESTSPECIAL00001', 'none', 0);");
  const star = await g.login({ kind: 'register', name: 'Star', password: 'secret1', serial: 'TESTSPECIAL00001' });
  await star.logoff();
  g.sql("update userregistration set userprivileges = 64 where username = 'Star';");
  const celeb = await g.login({ kind: 'authenticate', name: 'Star', password: 'secret1', firstConnection: true });
  open.push(celeb);
  const fan = await g.login({ kind: 'guest', firstConnection: true }, 1);
  open.push(fan);
  const near = await guest();
  const room = fan.roomName('Mu', 'Stage');
  const { conn } = await fan.enter(room, { x: 0, y: 0 });
  await near.enter(room, { x: 10, y: 0 });
  await conn.expectCmd('APPRACTR', (x) => conn.nameOf(x.objId) === near.name);
  await celeb.enter(room, { x: 3000, y: 0 });
  await conn.expectCmd('APPRACTR', (x) => conn.nameOf(x.objId) === 'Star');
  celeb.say('hello everyone');
  t.equal(
    (await conn.expectCmd('TEXT', (x) => x.text === 'hello everyone')).sender,
    'Star',
    'heard though far beyond the 1 nearest',
  );
});

t.test('AG-15 volunteers: a RoomServer with a World line gets that world first', async (t) => {
  const own = await startGalaxy({ database: false, rsNames: [] });
  t.teardown(() => own.stop());
  const first = await own.startRoomServer('first');
  const second = await own.startRoomServer('second', 'World Omega');
  const p = await own.login({ kind: 'anonymous', name: 'Scout', firstConnection: true });
  const at = async (world: string) => portOf((await p.resolve(p.roomName(world, 'Hall'))).conn);
  t.equal(await at('Omega'), second.port, 'the volunteer serves Omega');
  t.equal(await at('Alpha'), first.port, 'fewest worlds: first (0) before second (1)');
  t.equal(await at('Beta'), first.port, 'a tie goes to the RoomServer connected first');
  t.equal(await at('Gamma'), second.port, 'then the one with fewer worlds again');
  await p.logoff();
});

t.test('§6.1 keep-alives only while the client uses the RoomServer; an unused one it may drop', async (t) => {
  const own = await startGalaxy({ database: false, rsNames: ['first'], rsExtra: 'Timeouts 600 300 0.2' });
  t.teardown(() => own.stop());
  const user = await own.login({ kind: 'anonymous', name: 'Busy', firstConnection: true });
  const { conn } = await user.enter(user.roomName('Xi', 'Hall'), { x: 0, y: 0 });
  const idle = await own.login({ kind: 'anonymous', name: 'Idle', firstConnection: true });
  const ans = await idle.entry.roomId(idle.roomName('Xi', 'Hall'));
  const unused = await idle.server(ans.ip as string, ans.port as number);
  const keepAlive = (c: typeof conn) => c.expect((x) => x.cmd === 'PROPSET' && x.objId === 255, 'keep-alive');
  for (let i = 0; i < 3; i++) await keepAlive(conn);
  t.equal(unused.peek().filter((x) => x.cmd === 'PROPSET').length, 0, 'none to a connection without subscriptions');
  unused.send({ cmd: 'SUBSCRIB', objId: 1, room: ans.id, x: 0, y: 0, z: 0, distance: -100 });
  await keepAlive(unused);
  t.pass('one once it subscribes');
  await user.logoff();
  await idle.logoff();
});
