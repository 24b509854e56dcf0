// Issue 6, finding 2: shared room state (§5.2 PROPSET 253 / room long id) is bounded. Caps per
// room and per server (SharedState); a value too large to send is refused, not stored; and the
// memory comes back when rooms leave memory (here: their state stored in the room database).
import t from 'tap';
import type { ClientConnection } from '../../protocol/client.js';
import type { NewProp } from '../../protocol/props.js';
import { enterRoom, joinStandalone } from '../helpers/clients.js';
import { RS_MAIN, standaloneConfig, startServer } from '../helpers/servers.js';

const prop = (id: number, value: string): NewProp => ({ id, flags: 0, access: 0, value });

/** PROPSET on the current room; resolves with what the server echoed (or [] when nothing was). */
async function setShared(c: ClientConnection, room: string, props: NewProp[]): Promise<NewProp[]> {
  c.send({ cmd: 'PROPSET', objId: 253, fromUser: '', props });
  await c.sync();
  return c.drain((x) => x.cmd === 'PROPUPD' && x.objId === room).flatMap((x) => (x.cmd === 'PROPUPD' ? x.props : []));
}

async function stored(c: ClientConnection, room: string): Promise<NewProp[]> {
  c.send({ cmd: 'PROPREQ', objId: room, ids: [] });
  return (await c.expectCmd('PROPUPD', (p) => p.objId === room)).props;
}

t.test('caps per room; a value too large to send is refused, not stored', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig('SharedState 3 1 1'));
  t.teardown(() => rs.stop());
  const c = await joinStandalone(rs.port, 'Builder');
  const room = `Caps#${'Long'.repeat(40)}<dimension-1>`;
  await enterRoom(c, room, { x: 0, y: 0 });

  const big = 'x'.repeat(100);
  t.same(await setShared(c, room, [prop(100, big)]), [], 'too large for one frame: no echo');
  t.same(await stored(c, room), [], 'and not stored');
  await rs.waitLog(
    /\(Builder\) - shared property 100 of Caps#.* refused, not stored: too large to send in one frame \(SharedState\)/,
  );
  t.notMatch(rs.log(), /stored only/);

  t.equal((await setShared(c, room, [prop(1, 'a'), prop(2, 'b'), prop(3, 'c')])).length, 3);
  t.same(
    (await setShared(c, room, [prop(4, 'd'), prop(2, 'B')])).map((p) => p.value),
    ['B'],
    'a fourth property is refused; changing one of the three is not',
  );
  t.same(
    (await stored(c, room)).map((p) => p.value),
    ['a', 'B', 'c'],
  );
  await rs.waitLog(/\(Builder\) - shared property 4 of .* refused, not stored: the room holds 3 shared properties/);

  c.close();

  const rs2 = await startServer(RS_MAIN, 'RS', standaloneConfig('SharedState 10 1 1'));
  t.teardown(() => rs2.stop());
  const d = await joinStandalone(rs2.port, 'Filler');
  const other = `Caps#Bytes<dimension-1>`;
  await enterRoom(d, other, { x: 0, y: 0 });
  // Each ~200-byte property counts its size plus 64: three fit in 1 KiB, a fourth does not.
  const v = 'v'.repeat(190);
  for (const id of [1, 2, 3]) t.equal((await setShared(d, other, [prop(id, v)])).length, 1, `property ${id} stored`);
  t.same(await setShared(d, other, [prop(4, v)]), [], 'the fourth would pass 1 KiB');
  await rs2.waitLog(
    /\(Filler\) - shared property 4 of .* refused, not stored: the room's shared state would pass 1024 bytes/,
  );
  d.close();
});

t.test('the server cap, and memory back when rooms leave memory (state stored in the room database)', async (t) => {
  // 0.01 MiB: room overhead 1 KiB + one small property each: nine rooms fit, the tenth does not.
  const rs = await startServer(
    RS_MAIN,
    'RS',
    standaloneConfig('SharedState 10 1 0.01\nRoomIds 100 0.2\nRoomDatabase rs pw sqlite:rooms.db 0.01\nLogging'),
  );
  t.teardown(() => rs.stop());
  const c = await joinStandalone(rs.port, 'Spammer');
  const rooms = Array.from({ length: 10 }, (_, i) => `Server#Room${i}<dimension-1>`);
  for (const [i, room] of rooms.entries()) {
    await enterRoom(c, room, { x: 0, y: 0 });
    const echoed = await setShared(c, room, [prop(7, `state ${i}`)]);
    if (i < 9) t.equal(echoed.length, 1, `room ${i}: stored`);
    else t.same(echoed, [], 'room 9: the server cap refuses it');
  }
  await rs.waitLog(
    /\(Spammer\) - shared property 7 of Server#Room9<dimension-1> refused, not stored: the server's shared state would pass 10486 bytes/,
  );
  c.close();

  // Stored in the room database, nobody around: the rooms leave memory and give their bytes back.
  await Promise.all(
    rooms
      .slice(0, 9)
      .map((r) => rs.waitOut(new RegExp(`room ${r.replace(/[#<>-]/g, (m) => `\\${m}`)} \\(id \\d+\\) left memory`))),
  );
  const d = await joinStandalone(rs.port, 'Newcomer');
  await enterRoom(d, rooms[9]!, { x: 0, y: 0 });
  t.equal((await setShared(d, rooms[9]!, [prop(7, 'now it fits')])).length, 1, 'room 9 can hold state now');
  await enterRoom(d, rooms[3]!, { x: 0, y: 0 });
  const back = await d.expectCmd('PROPUPD', (p) => p.objId === rooms[3]);
  t.equal(back.props[0]?.value, 'state 3', 'a freed room comes back with its stored state');
  d.close();
});

t.test('a room leaves memory while a connection still holds its id, and comes back when used', async (t) => {
  const rs = await startServer(
    RS_MAIN,
    'RS',
    standaloneConfig('RoomIds 100 0.2\nRoomDatabase rs pw sqlite:rooms.db 0.01\nLogging'),
  );
  t.teardown(() => rs.stop());
  const c = await joinStandalone(rs.port, 'Wanderer');
  const room = 'Memory#Hall<dimension-1>';
  const id = await enterRoom(c, room, { x: 0, y: 0 });
  t.equal((await setShared(c, room, [prop(9, 'kept in the database')])).length, 1);
  c.send({ cmd: 'TELEPORT', objId: 1, room: 0, exitType: 1, entryType: 0, x: 0, y: 0, z: 0, dir: 0 });
  c.send({ cmd: 'UNSUBSCR', objId: 1, room: id });
  await rs.waitOut(/room Memory#Hall<dimension-1> \(id \d+\) left memory/);
  c.send({ cmd: 'SUBSCRIB', objId: 1, room: id, x: 0, y: 0, z: 0, distance: -100 });
  const back = await c.expectCmd('PROPUPD', (p) => p.objId === room);
  t.equal(back.props[0]?.value, 'kept in the database', 'the id still names the room, and its state is back');
  t.notMatch(rs.out(), /room id \d+ \(Memory#Hall/, 'the id never went back to the pool');
  c.close();
});
