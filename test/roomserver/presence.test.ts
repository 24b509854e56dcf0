// Crowd control and presence (AG-27, §6.4-§6.6) on a real stand-alone RS_v11.
import t from 'tap';
import type { ClientConnection } from '../../protocol/client.js';
import { RS_MAIN, standaloneConfig, startServer } from '../helpers/servers.js';
import { enterRoom, joinStandalone, moveTo, waitAppear, waitDisappear } from '../helpers/clients.js';

// The strict nearest N (no crowd hysteresis): these tests watch the set follow every move.
const rs = await startServer(RS_MAIN, 'RS', standaloneConfig('CrowdHysteresis 0 0 0 0'));
t.teardown(() => rs.stop());

const open: ClientConnection[] = [];
async function user(name: string, avatars = 24): Promise<ClientConnection> {
  const c = await joinStandalone(rs.port, name, avatars);
  open.push(c);
  return c;
}
t.afterEach(async () => {
  for (const c of open.splice(0)) if (!c.isClosed) await c.logoff();
});

t.test('§5.2 ROOMID: non-zero, stable, the same for everyone, distinct per name', async (t) => {
  const a = await user('Ann');
  const b = await user('Ben');
  const r1 = await a.roomId('GroundZero#Reception<dimension-1>');
  const r2 = await a.roomId('GroundZero#ChatHall<dimension-1>');
  const r1again = await b.roomId('GroundZero#Reception<dimension-1>');
  const r1dim2 = await b.roomId('GroundZero#Reception<dimension-2>');
  t.ok(r1.id > 0 && r2.id > 0);
  t.not(r1.id, r2.id);
  t.equal(r1again.id, r1.id, 'same name, same id, other connection');
  t.not(r1dim2.id, r1.id, 'another channel is another room');
  t.equal((await a.roomId('GroundZero#Reception<dimension-1>')).id, r1.id, 'stable when asked again');
  a.send({ cmd: 'ROOMIDRQ', objId: 1, name: 'not a room name' });
  await a.sync();
  t.equal(a.peek().filter((c) => c.cmd === 'ROOMID').length, 0, 'a name without World# gets no id');
});

t.test('§6.4 presence both ways: REGOBJID before APPRACTR, then PROPUPD 23 and 5', async (t) => {
  const alice = await user('Alice');
  const bob = await user('Bob');
  alice.send({
    cmd: 'PROPSET',
    objId: 1,
    fromUser: '',
    props: [{ id: 5, flags: 0x40, access: 1, value: 'avatar:pengo.mov' }],
  });
  await alice.sync();
  const room = await enterRoom(alice, 'World#Plaza<dimension-1>', { x: 1228, y: 2465, dir: 293 });
  await enterRoom(bob, 'World#Plaza<dimension-1>', { x: 1000, y: 2000, dir: 90 });
  const seq = await Promise.all([
    bob.expectCmd('REGOBJID', (r) => r.longId === 'Alice'),
    bob.expectCmd('APPRACTR', (a) => bob.nameOf(a.objId) === 'Alice'),
  ]);
  const [reg, app] = seq;
  t.ok(reg.shortId >= 2 && reg.shortId <= 127, 'short id 2..127 (§3.3)');
  t.equal(app.objId, reg.shortId);
  t.same([app.room, app.x, app.y, app.z, app.dir], [room, 1228, 2465, 0, 293]);
  const props = await bob.expectCmd('PROPUPD', (p) => p.objId === reg.shortId);
  t.same(
    props.props.map((p) => [p.id, p.flags, p.access, p.value]),
    [
      [23, 0x40, 1, ''],
      [5, 0x40, 1, 'avatar:pengo.mov'],
    ],
  );
  await waitAppear(alice, 'Bob');
  bob.send({ cmd: 'PROPREQ', objId: 'Alice', ids: [] });
  const full = await bob.expectCmd('PROPUPD', (p) => p.objId === 'Alice');
  t.same(
    full.props.map((p) => p.id),
    [9, 5, 23],
    '§6.4 step 7: 9, 5, 23 by long id',
  );
  t.equal(full.props[0]?.value, '2004080500');
});

t.test("movement: LONGLOC relayed with the viewer's own id, and only for avatars that moved", async (t) => {
  const alice = await user('Alice');
  const bob = await user('Bob');
  const carol = await user('Carol');
  const r = 'World#Park<dimension-1>';
  await enterRoom(carol, r, { x: 300, y: 0 });
  await enterRoom(bob, r, { x: 200, y: 0 });
  await enterRoom(alice, r, { x: 100, y: 0 });
  const bobInAlice = await waitAppear(alice, 'Bob');
  const carolInAlice = await waitAppear(alice, 'Carol');
  const aliceInCarol = await waitAppear(carol, 'Alice');
  const bobInCarol = await waitAppear(carol, 'Bob');
  t.not(bobInAlice, carolInAlice);
  alice.drain();
  moveTo(bob, { x: 210, y: 5, dir: 45 });
  const loc = await alice.expectCmd('LONGLOC');
  t.equal(loc.objId, bobInAlice, 'Alice hears of Bob under her id for him');
  t.same([loc.x, loc.y, loc.z, loc.dir], [210, 5, 0, 45]);
  const locC = await carol.expectCmd('LONGLOC', (l) => l.objId === bobInCarol);
  t.equal(locC.x, 210);
  t.equal(
    alice.peek().filter((c) => c.cmd === 'LONGLOC' && c.objId === carolInAlice).length,
    0,
    'Carol did not move: nothing about her',
  );
  moveTo(bob, { x: 210, y: 5, dir: 45 });
  moveTo(alice, { x: 110, y: 0 });
  await carol.expectCmd('LONGLOC', (l) => l.objId === aliceInCarol);
  t.equal(
    carol.peek().filter((c) => c.cmd === 'LONGLOC' && c.objId === bobInCarol).length,
    0,
    'a repeated position is not resent',
  );
});

t.test('AG-27 nearest N: more users than N, and the set changes as they move', async (t) => {
  const dave = await user('Dave', 2);
  const r = 'World#Field<dimension-1>';
  const others: ClientConnection[] = [];
  for (const [i, x] of [100, 200, 300, 400].entries()) {
    const c = await user(`P${i + 1}`);
    await enterRoom(c, r, { x, y: 0 });
    others.push(c);
  }
  await enterRoom(dave, r, { x: 0, y: 0 });
  await waitAppear(dave, 'P1');
  await waitAppear(dave, 'P2');
  // A tick after everyone is placed: anything else Dave would see would have come before this.
  await waitAppear(others[0] as ClientConnection, 'P4');
  moveTo(others[0] as ClientConnection, { x: 101, y: 0 });
  await dave.expectCmd('LONGLOC');
  const shown = dave
    .peek()
    .filter((c) => c.cmd === 'APPRACTR')
    .map((c) => dave.nameOf(c.objId));
  t.same(shown, [], 'only P1 and P2, nothing of P3 or P4');
  moveTo(others[3] as ClientConnection, { x: 50, y: 0 });
  await waitAppear(dave, 'P4');
  await waitDisappear(dave, 'P2');
  moveTo(others[3] as ClientConnection, { x: 1000, y: 0 });
  await waitDisappear(dave, 'P4');
  await waitAppear(dave, 'P2');
  t.pass('set follows movement');
});

t.test('avatar and sleep changes reach viewers as PROPUPD; TELEPORT room 0 and logoff are departures', async (t) => {
  const alice = await user('Alice');
  const bob = await user('Bob');
  const r = 'World#Cafe<dimension-1>';
  const roomId = await enterRoom(alice, r, { x: 0, y: 0 });
  await enterRoom(bob, r, { x: 50, y: 0 });
  const aliceInBob = await waitAppear(bob, 'Alice');
  await bob.expectCmd('PROPUPD', (p) => p.objId === aliceInBob);
  alice.send({
    cmd: 'PROPSET',
    objId: 1,
    fromUser: '',
    props: [{ id: 5, flags: 0x40, access: 1, value: 'avatar:holden.mov' }],
  });
  const up = await bob.expectCmd('PROPUPD', (p) => p.objId === aliceInBob);
  t.same(up.props, [{ id: 5, flags: 0x40, access: 1, value: 'avatar:holden.mov' }]);
  alice.send({ cmd: 'PROPSET', objId: 1, fromUser: '', props: [{ id: 23, flags: 0x40, access: 1, value: 'asleep' }] });
  const sleep = await bob.expectCmd('PROPUPD', (p) => p.objId === aliceInBob);
  t.equal(sleep.props[0]?.value, 'asleep');
  alice.send({ cmd: 'PROPSET', objId: 1, fromUser: '', props: [{ id: 22, flags: 0x40, access: 1, value: '7' }] });
  await alice.sync();
  alice.send({ cmd: 'TELEPORT', objId: 1, room: 0, exitType: 1, entryType: 0, x: 0, y: 0, z: 0, dir: 0 });
  await waitDisappear(bob, 'Alice');
  bob.drain();
  alice.send({ cmd: 'TELEPORT', objId: 1, room: roomId, exitType: 0, entryType: 1, x: 5, y: 5, z: 0, dir: 0 });
  await waitAppear(bob, 'Alice');
  t.equal(bob.peek().filter((c) => c.cmd === 'REGOBJID').length, 0, 'the cached short id is reused: no new REGOBJID');
  await alice.logoff();
  await waitDisappear(bob, 'Alice');
  const bobSeesCarol = await user('Carol');
  await enterRoom(bobSeesCarol, r, { x: 60, y: 0 });
  await waitAppear(bob, 'Carol');
  bobSeesCarol.close();
  await waitDisappear(bob, 'Carol');
  await rs.waitLog(/\(Carol\) - (connection closed by client|Connection reset by peer)/);
});

t.test('§5.2 ROOMCHNG between two rooms the viewer subscribes to; portal rooms use the distance field', async (t) => {
  const viewer = await user('Viewer', 3);
  const walker = await user('Walker');
  const hall = 'World#Hall<dimension-1>';
  const annex = 'World#Annex<dimension-1>';
  const hallId = await enterRoom(viewer, hall, { x: 0, y: 0 });
  const annexId = (await viewer.roomId(annex)).id;
  // The annex is seen through a portal at (500, 0, 0), 500 units away: field = 500 − 100.
  viewer.send({ cmd: 'SUBSCRIB', objId: 1, room: annexId, x: 500, y: 0, z: 0, distance: 400 });
  await enterRoom(walker, hall, { x: 100, y: 0 });
  const id = await waitAppear(viewer, 'Walker');
  walker.send({ cmd: 'ROOMCHNG', objId: 1, room: annexId, x: 520, y: 0, z: 0, dir: 0 });
  const ch = await viewer.expectCmd('ROOMCHNG');
  t.same([ch.objId, ch.room, ch.x], [id, annexId, 520]);
  // Fill the hall with three nearer users: the walker in the annex (≈ 520 away) drops out of N=3.
  const near: ClientConnection[] = [];
  for (const [i, x] of [10, 20, 30].entries()) {
    const c = await user(`Near${i}`);
    await enterRoom(c, hall, { x, y: 0 });
    near.push(c);
  }
  await waitDisappear(viewer, 'Walker');
  viewer.send({ cmd: 'UNSUBSCR', objId: 1, room: hallId });
  await waitAppear(viewer, 'Walker');
  await waitDisappear(viewer, 'Near0');
  t.pass("UNSUBSCR removes the room's avatars; the portal room fills the set again");
});
