// Issue 6, finding 1 across a galaxy: the UserServer's room ids are a managed resource. Exhaustion
// is answered (on the UserServer and through a RoomServer); an id stays with its name while any
// UserServer connection or RoomServer holds it (for its connections or its rooms' state); ids come
// back galaxy-wide after the quiet period. RoomIds 4 stands in for 65,535 ids.
import t from 'tap';
import type { ClientConnection } from '../../protocol/client.js';
import { SERVER_PSEUDO_USER } from '../../protocol/constants.js';
import { startGalaxy } from '../helpers/galaxy.js';

const g = await startGalaxy({
  database: false,
  rsNames: ['first'],
  usExtra: 'RoomIds 4 0.3\nLogging',
  rsExtra: 'RoomIds 100 0.3\nLogging',
});
t.teardown(() => g.stop());
const rs = g.rs.get('first')!;

const esc = (s: string) => s.replace(/[#<>-]/g, (m) => `\\${m}`);
/** The UserServer put the id of this room back in the pool. */
const backInPool = (name: string) => g.us.waitOut(new RegExp(`room id \\d+ \\(${esc(name)}\\) back in the pool`));

async function notice(c: ClientConnection, name: string): Promise<void> {
  c.send({ cmd: 'ROOMIDRQ', objId: 1, name });
  await c.expectCmd('TEXT', (x) => x.sender === SERVER_PSEUDO_USER && /every room number/.test(x.text));
  await c.sync();
  if (c.peek().some((x) => (x.cmd === 'REDIRID' || x.cmd === 'ROOMID') && x.name === name))
    throw new Error(`${name} got an id`);
}

t.test('exhaustion is answered on the UserServer and through a RoomServer; ids come back galaxy-wide', async (t) => {
  const ann = await g.login({ kind: 'anonymous', name: 'Ann', firstConnection: true });
  const names = ['R1', 'R2', 'R3', 'R4'].map((r) => ann.roomName('Full', r));
  const ids: number[] = [];
  for (const n of names) {
    const a = await ann.entry.roomId(n);
    t.ok(a.ip !== undefined, `${n}: REDIRID`);
    ids.push(a.id);
  }
  t.same([...ids].sort(), [1, 2, 3, 4]);
  await notice(ann.entry, ann.roomName('Full', 'R5'));
  await g.us.waitLog(/\(room ids\) - all 4 room ids are in use; new rooms are refused with a notice/);

  // In R1 on the RoomServer, which asks the UserServer for further rooms (§1: most recent connection).
  const r1 = await ann.enter(names[0]!, { x: 0, y: 0 });
  t.equal(r1.id, ids[0]);
  await notice(r1.conn, ann.roomName('Full', 'R6'));
  await rs.waitLog(/\(room ids\) - all 4 room ids are in use/);

  // The UserServer connection closes: R2..R4 were held only by it; R1 is held by the RoomServer.
  await ann.entry.logoff(false);
  await Promise.all(names.slice(1).map(backInPool));
  const bob = await g.login({ kind: 'anonymous', name: 'Bob', firstConnection: true });
  t.equal((await bob.entry.roomId(names[0]!)).id, ids[0], 'R1 keeps its id: a RoomServer connection holds it');
  const again = [];
  for (const r of ['S1', 'S2', 'S3']) again.push((await bob.entry.roomId(bob.roomName('Full', r))).id);
  t.same(again.sort(), ids.slice(1).sort(), 'the three freed ids are handed out again');

  // Ann leaves R1 and the galaxy: the RoomServer gives R1 up (ROOM_RELEASE), Bob still holds it.
  await ann.logoff();
  await rs.waitOut(new RegExp(`room ${esc(names[0]!)} \\(id ${ids[0]}\\) left memory`));
  t.equal((await bob.entry.roomId(names[0]!)).id, ids[0], 'still the same id while Bob holds it');
  await bob.logoff();
  await Promise.all([names[0]!, ...['S1', 'S2', 'S3'].map((r) => bob.roomName('Full', r))].map(backInPool));
  const cy = await g.login({ kind: 'anonymous', name: 'Cy', firstConnection: true });
  for (const r of ['T1', 'T2', 'T3', 'T4']) t.ok((await cy.entry.roomId(cy.roomName('Full', r))).id > 0);
  await cy.logoff();
  await Promise.all(['T1', 'T2', 'T3', 'T4'].map((r) => backInPool(cy.roomName('Full', r))));
});

t.test('a room whose state lives on its RoomServer keeps its id after everyone left', async (t) => {
  const dee = await g.login({ kind: 'anonymous', name: 'Dee', firstConnection: true });
  const state = dee.roomName('Kept', 'Hall');
  const clock = dee.roomName('Kept', 'Clock');
  const { id, conn } = await dee.enter(state, { x: 0, y: 0 });
  conn.send({ cmd: 'PROPSET', objId: 253, fromUser: '', props: [{ id: 100, flags: 0, access: 0, value: 'lamp on' }] });
  await conn.expectCmd('PROPUPD', (p) => p.objId === state);
  await dee.recent.roomId(clock);
  await dee.logoff();
  // The clock room had no state: once it is back in the pool, the quiet period has passed for both.
  await backInPool(clock);
  const eve = await g.login({ kind: 'anonymous', name: 'Eve', firstConnection: true });
  const again = await eve.enter(state, { x: 0, y: 0 });
  t.equal(again.id, id, 'the same id');
  const replay = await again.conn.expectCmd('PROPUPD', (p) => p.objId === state);
  t.equal(replay.props[0]?.value, 'lamp on', 'and the same state');
  await eve.logoff();
});
