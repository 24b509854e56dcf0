// A teleport to the other WorldServer (guide "Redundant WorldServer Operation", steps 1-9; AG-23):
// the client asks its RoomServer for a room of a channel the other side serves, is redirected to
// that side's RoomServer, logs in there (its session is handed over, no password crossing) and
// sees who is in the room. Its usage is written once, by the side that holds the session.
import t from 'tap';
import type { Player } from '../../protocol/player.js';
import { startPair } from '../helpers/redundant.js';

const p = await startPair({ usExtra: 'Guests 20 guest 30' });
t.teardown(() => p.stop());
const serials = p.serials(6, 'teleport-seed');

const open: Player[] = [];
t.afterEach(async () => {
  for (const x of open.splice(0)) await x.logoff().catch(() => x.crash());
});

t.test('a registered user teleports from West into a room of East and sees who is there', async (t) => {
  const ann = await p.east.login({ kind: 'register', name: 'Ann', password: 'secret1', serial: serials[0] as string });
  const bob = await p.west.login({ kind: 'register', name: 'Bob', password: 'secret2', serial: serials[1] as string });
  const cid = await p.west.login({ kind: 'guest', firstConnection: true });
  open.push(ann, bob, cid);
  const hall = ann.roomName('Plaza', 'Hall');
  t.equal(hall, 'Plaza#Hall<dimension-1;2>');
  const ra = await ann.enter(hall, { x: 0, y: 0 });
  const home = await bob.enter(bob.roomName('Plaza', 'Hall'), { x: 0, y: 0 });
  t.equal(home.conn.socket.remoteAddress, '127.0.0.2', 'Bob starts on West');
  await cid.enter(cid.roomName('Plaza', 'Yard'), { x: 0, y: 0 });

  // Step 1: the client asks its current RoomServer (West's) for the room, channel suffix ;2.
  bob.channel = ann.channel;
  const there = await bob.enter(hall, { x: 20, y: 0 });
  t.equal(there.conn.socket.remoteAddress, '127.0.0.1', "redirected to East's RoomServer");
  t.equal(there.id, ra.id, 'the same id for the same room, whichever side was asked');
  t.ok(there.id <= 0x7fff, "an id of East's half");
  await ra.conn.expectCmd('APPRACTR', (x) => ra.conn.nameOf(x.objId) === 'Bob');
  await there.conn.expectCmd('APPRACTR', (x) => there.conn.nameOf(x.objId) === 'Ann');
  t.pass('each sees the other in the room');
  await p.west.us.waitLog(/Bob moved to WorldServer East \(session handed over; it logs the logoff\)/);
  await p.east.us.waitLog(/Bob arrived from WorldServer West \(session handed over\)/);

  bob.say('made it');
  t.equal((await ra.conn.expectCmd('TEXT', (x) => x.text === 'made it')).sender, 'Bob', 'chat in the room');
  // Whispers reach Bob wherever they come from: through East, which holds his session now, or
  // through West's RoomServer, to which his client is still connected (it shows whispers from any).
  const whispered = (text: string) =>
    Promise.any([there.conn, home.conn].map((c) => c.expectCmd('WHISPER', (w) => w.text === text).then(() => c)));
  cid.whisper('Bob', 'where are you?');
  await whispered('where are you?');
  ann.whisper('Bob', 'welcome');
  t.equal(await whispered('welcome'), there.conn, "from East's side, on East's RoomServer");
  home.conn.close();
  await p.west.rs.waitLog(/Bob \(127\.0\.0\.1\)\non since/);
  cid.whisper('Bob', 'still with us?');
  t.equal(await whispered('still with us?'), there.conn, 'from West, routed across to East');

  // Usage: West wrote the logon at the handover; East writes the rest at logoff; nothing twice.
  open.splice(open.indexOf(bob), 1);
  await bob.logoff();
  await p.east.us.waitLog(/Bob \(127\.0\.0\.1\)\nactive since/);
  await p.east.us.waitOut(/usage of Bob written: \+0 logons/);
  t.equal(p.sql("select timesOn from UserRegistration where userName = 'Bob';").trim(), '1', 'one logon, counted once');
  await p.west.us.waitOut(/usage of Bob written: \+1 logons/);
});

t.test('a guest teleports the other way: from East into a room of West', async (t) => {
  const dee = await p.west.login({ kind: 'guest', firstConnection: true });
  const eli = await p.east.login({ kind: 'guest', firstConnection: true });
  open.push(dee, eli);
  const room = dee.roomName('Harbor', 'Pier');
  const rd = await dee.enter(room, { x: 0, y: 0 });
  t.ok(rd.id >= 0x8000, "West's room has an id of West's half");
  await eli.enter(eli.roomName('Harbor', 'Pier'), { x: 0, y: 0 });
  eli.channel = dee.channel;
  const there = await eli.enter(room, { x: 10, y: 0 });
  t.equal(there.conn.socket.remoteAddress, '127.0.0.2', "on West's RoomServer");
  await rd.conn.expectCmd('APPRACTR', (x) => rd.conn.nameOf(x.objId) === eli.name);
  await p.east.us.waitLog(new RegExp(`${eli.name} moved to WorldServer West`));
  // The guest's session password (issued by East) was checked on West against East's verifier.
  eli.whisper(dee.name, 'hi');
  t.equal((await rd.conn.expectCmd('WHISPER')).text, 'hi');
});

t.test("a wrong password at the other side's RoomServer is refused; the session stays", async (t) => {
  const fox = await p.west.login({ kind: 'register', name: 'Fox', password: 'secret3', serial: serials[2] as string });
  open.push(fox);
  const ans = await fox.recent.roomId(`Plaza#Hall<dimension-1;2>`);
  t.equal(ans.ip, '127.0.0.1');
  fox.password = 'wrong-one';
  const err = await fox.server(ans.ip as string, ans.port as number).catch((e: unknown) => e);
  t.match(String(err), /VAR_ERROR 13/, 'bad password');
  await fox.entry.sync();
  t.notOk(fox.entry.isClosed, 'the session on West is untouched');
  fox.password = 'secret3';
});

t.test('teleporting back over the connection it kept: the session follows the client back', async (t) => {
  const gil = await p.west.login({ kind: 'register', name: 'Gil', password: 'secret4', serial: serials[3] as string });
  const kay = await p.east.login({ kind: 'guest', firstConnection: true });
  open.push(gil, kay);
  const westRoom = gil.roomName('Mill', 'Yard');
  const home = await gil.enter(westRoom, { x: 0, y: 0 });
  const westChannel = gil.channel;
  gil.channel = kay.channel;
  const there = await gil.enter(gil.roomName('Mill', 'Loft'), { x: 0, y: 0 });
  t.equal(there.conn.socket.remoteAddress, '127.0.0.1');
  await p.east.us.waitLog(/Gil arrived from WorldServer West/);
  // Back to West's room: the client reuses its connection to West's RoomServer, without a login.
  gil.channel = westChannel;
  const back = await gil.enter(westRoom, { x: 5, y: 0 });
  t.equal(back.conn, home.conn, 'the same connection');
  // The client drops the connection to East's RoomServer it no longer uses (§6.1, 120 s idle).
  there.conn.close();
  await p.east.us.waitLog(/Gil went back to WorldServer West, whose RoomServer it is still on/);
  await p.west.us.waitLog(/Gil is back from WorldServer East \(on RoomServer west\)/);
  kay.whisper('Gil', 'found you');
  t.equal((await home.conn.expectCmd('WHISPER')).text, 'found you', 'reachable on West again');
  t.notMatch(p.east.us.log(), /Gil \(127\.0\.0\.1\)\nactive since/, 'never logged off on East');
  open.splice(open.indexOf(gil), 1);
  await gil.logoff();
  await p.west.us.waitLog(/Gil \(127\.0\.0\.1\)\nactive since/);
  await p.west.us.waitOut(/usage of Gil written: \+0 logons/);
  t.equal(p.sql("select timesOn from UserRegistration where userName = 'Gil';").trim(), '1', 'one logon');
});

t.test('a session that moved away ends there: its client leaves the RoomServer it came from too', async (t) => {
  const hal = await p.west.login({ kind: 'guest', firstConnection: true });
  const ivy = await p.east.login({ kind: 'guest', firstConnection: true });
  open.push(ivy);
  const home = await hal.enter(hal.roomName('Dock', 'One'), { x: 0, y: 0 });
  hal.channel = ivy.channel;
  const there = await hal.enter(hal.roomName('Dock', 'Two'), { x: 0, y: 0 });
  await p.west.us.waitLog(new RegExp(`${hal.name} moved to WorldServer East`));
  // "Go offline" reaches East's RoomServer only (LOGONOFF): the session ends on East.
  await there.conn.logoff(true);
  const told = await home.conn.expectCmd('TEXT', (x) => x.sender === 'WORLDSMASTER');
  t.match(told.text, /logged off on WorldServer East/);
  await home.conn.closed;
  t.pass("West's RoomServer let the client go");
  hal.crash();
});
