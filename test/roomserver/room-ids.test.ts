// Issue 6, finding 1 on a stand-alone RoomServer: room ids are a managed resource (§5.2 ROOMIDRQ).
// A small id space (RoomIds) and a short quiet period stand in for 65,535 ids and minutes.
import t from 'tap';
import type { ClientConnection } from '../../protocol/client.js';
import { SERVER_PSEUDO_USER } from '../../protocol/constants.js';
import { enterRoom, joinStandalone } from '../helpers/clients.js';
import { RS_MAIN, standaloneConfig, startServer } from '../helpers/servers.js';

const QUIET_S = 0.3;
const rs = await startServer(
  RS_MAIN,
  'RS',
  standaloneConfig(`RoomIds 4 ${QUIET_S}\nRoomRequests 100 100 1000\nFloodLimit 200 600\nLogging`),
);
t.teardown(() => rs.stop());

const room = (n: string) => `Ids#${n}<dimension-1>`;

/** ROOMIDRQ that must be answered with ROOMID, name byte-identical, id never 0. */
async function idOf(c: ClientConnection, name: string): Promise<number> {
  c.send({ cmd: 'ROOMIDRQ', objId: 1, name });
  const a = await c.expectCmd('ROOMID', (x) => x.name === name);
  if (a.room === 0) throw new Error('room id 0');
  return a.room;
}

/** ROOMIDRQ that must be answered with a WORLDSMASTER notice and no id. */
async function refused(c: ClientConnection, name: string, notice: RegExp): Promise<void> {
  c.send({ cmd: 'ROOMIDRQ', objId: 1, name });
  const text = await c.expectCmd('TEXT', (x) => x.sender === SERVER_PSEUDO_USER && notice.test(x.text));
  if (!text) throw new Error('no notice');
  await c.sync();
  if (c.peek().some((x) => x.cmd === 'ROOMID' && x.name === name)) throw new Error(`${name} got an id`);
}

/** The id of this room went back to the pool (its quiet period is over). */
function reclaimed(name: string) {
  return rs.waitOut(new RegExp(`room id \\d+ \\(${name.replace(/[#<>-]/g, (m) => `\\${m}`)}\\) back in the pool`));
}

t.test('exhaustion is answered with a notice and logged once; held ids stay; freed ids come back', async (t) => {
  const a = await joinStandalone(rs.port, 'Holder');
  const ids = [];
  for (const n of ['A1', 'A2', 'A3', 'A4']) ids.push(await idOf(a, room(n)));
  t.same([...new Set(ids)].sort(), [1, 2, 3, 4], 'four distinct ids, none 0');

  const b = await joinStandalone(rs.port, 'Latecomer');
  await refused(b, room('B1'), /every room number of this world is in use/);
  await rs.waitLog(/\(room ids\) - all 4 room ids are in use; new rooms are refused with a notice/);
  b.send({ cmd: 'ROOMIDRQ', objId: 1, name: room('B2') });
  await b.sync();
  t.notOk(
    b.peek().some((x) => x.cmd === 'TEXT' || x.cmd === 'ROOMID'),
    'a second refusal within the minute: no id, and no second notice',
  );
  t.equal((rs.log().match(/all 4 room ids are in use/g) ?? []).length, 1, 'logged once, not per request');
  t.equal(await idOf(b, room('A1')), ids[0], 'a known room is still answered, with the same id (§5.2)');

  // The holder leaves; Latecomer still holds A1's id. Once the others come back (their quiet
  // period is over), A1 keeps its id and the new rooms get the others.
  a.close();
  await Promise.all(['A2', 'A3', 'A4'].map((n) => reclaimed(room(n))));
  t.equal(await idOf(b, room('A1')), ids[0], 'the id a live connection holds stays with its name');
  const fresh = [await idOf(b, room('B3')), await idOf(b, room('B4')), await idOf(b, room('B5'))];
  t.same(fresh.sort(), ids.slice(1).sort(), 'the freed ids are handed out again, never the held one');
  b.send({ cmd: 'ROOMIDRQ', objId: 1, name: room('B6') });
  await b.sync();
  t.notOk(
    b.peek().some((x) => x.cmd === 'ROOMID' && x.name === room('B6')),
    'full again: no id for a fifth room',
  );
  b.close();
  await Promise.all(['A1', 'B3', 'B4', 'B5'].map((n) => reclaimed(room(n))));
});

t.test('a room someone stands in, or whose state is kept, keeps its id', async (t) => {
  const c = await joinStandalone(rs.port, 'Keeper');
  const id = await enterRoom(c, room('State'), { x: 0, y: 0 });
  c.send({
    cmd: 'PROPSET',
    objId: 253,
    fromUser: '',
    props: [{ id: 100, flags: 0, access: 0, value: 'door open' }],
  });
  await c.expectCmd('PROPUPD', (p) => p.objId === room('State'));
  c.close();
  const d = await joinStandalone(rs.port, 'Visitor');
  // Long enough for an unreferenced, stateless room to be reclaimed: this one has state.
  const other = await idOf(d, room('Other'));
  d.close();
  await reclaimed(room('Other'));
  const e = await joinStandalone(rs.port, 'Returner');
  t.equal(await idOf(e, room('State')), id, 'same id after the quiet period');
  e.send({ cmd: 'SUBSCRIB', objId: 1, room: id, x: 0, y: 0, z: 0, distance: -100 });
  const replay = await e.expectCmd('PROPUPD', (p) => p.objId === room('State'));
  t.equal(replay.props[0]?.value, 'door open', 'and its state');
  t.ok(other > 0);
  e.close();
});

t.test('RoomRequests: new rooms and requests per user per minute, ids held per connection', async (t) => {
  const [limited, holding] = await Promise.all([
    startServer(RS_MAIN, 'RS', standaloneConfig('RoomRequests 10 3')),
    startServer(RS_MAIN, 'RS', standaloneConfig('RoomRequests 1000 1000 10')),
  ]);
  t.teardown(() => Promise.all([limited.stop(), holding.stop()]));

  const c = await joinStandalone(limited.port, 'Hasty');
  const known = [await idOf(c, room('N1')), await idOf(c, room('N2')), await idOf(c, room('N3'))];
  await refused(c, room('N4'), /opening new rooms faster than this server allows/);
  t.equal(await idOf(c, room('N2')), known[1], 'rooms already open are still answered');
  for (let i = 0; i < 5; i++) await idOf(c, room('N1'));
  await refused(c, room('N1'), /asking for rooms faster than this server allows/);
  await limited.waitLog(/\(Hasty\) - room request refused \(more than 3 new rooms in a minute\)/);
  await limited.waitLog(/\(Hasty\) - room request refused \(more than 10 room requests in a minute\)/);
  c.close();

  const h = await joinStandalone(holding.port, 'Hoarder');
  const held = [];
  for (let i = 0; i < 10; i++) held.push(await idOf(h, room(`H${i}`)));
  await refused(h, room('H10'), /opened as many rooms as this server allows/);
  t.equal(await idOf(h, room('H3')), held[3], 'a room the connection holds is still answered');
  const other = await joinStandalone(holding.port, 'Other');
  t.ok((await idOf(other, room('H10'))) > 0, 'another connection is not affected');
  await holding.waitLog(/\(Hoarder\) - room request refused \(the connection holds 10 room ids\)/);
  h.close();
  other.close();
});
