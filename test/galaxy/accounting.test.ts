// AG-14 accounting and AG-21 the message of the hour: a SESSIONEXIT with LOGONOFF logs the user off
// at once, whichever server hears it first; LogoffDelay only for lost connections; the message of
// the hour once per login, and an edited one picked up at once.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ClientConnection } from '../../protocol/client.js';
import { ObjIds, SERVER_PSEUDO_USER, Var } from '../../protocol/constants.js';
import type { Player } from '../../protocol/player.js';
import { startGalaxy, type Galaxy } from '../helpers/galaxy.js';

/** LogoffDelay 30 s, as shipped: only an immediate logoff explains a write within a second. */
const SHIPPED_DELAY = 'LogoffDelay 30';

function usage(g: Galaxy, name: string): string {
  return g.sql(`select timesOn, totalMinutes from userregistration where username = '${name}';`).trim();
}

async function within(ms: number, check: () => boolean): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

async function registeredInRoom(g: Galaxy, name: string, serial: string): Promise<Player> {
  const p = await g.login({ kind: 'register', name, password: 'secret1', serial });
  await p.enter(p.roomName('Town', 'Square'), { x: 0, y: 0 });
  return p;
}

t.test('the logoff race: LOGONOFF reaches the UserServer before the RoomServer says the user left', async (t) => {
  const g = await startGalaxy({ rsNames: ['first'], usExtra: SHIPPED_DELAY });
  t.teardown(() => g.stop());
  const [s1, s2] = g.serials(2);
  const fred = await registeredInRoom(g, 'fred', s1 as string);
  const rsConn = fred.room?.conn as ClientConnection;
  t.equal(usage(g, 'fred'), '0|0', 'nothing counted before the logoff');
  // The UserServer connection is the last one: LOGONOFF there first, the RoomServer's exit after.
  await fred.entry.logoff(true);
  rsConn.send({ cmd: 'SESSIONEXIT', objId: ObjIds.CLIENT, props: [] });
  const took = await within(1000, () => usage(g, 'fred') === '1|0');
  t.pass(`timesOn + 1 and 0 minutes, ${took} ms after the logoff`);
  await g.us.waitOut(/logoff fred: logged off/);
  t.notMatch(g.us.out(), /logoff fred: connection lost/, 'not taken for a lost connection');
  await g.us.waitLog(/fred \(127\.0\.0\.1\)\nactive since/);

  // The other order: LOGONOFF on the RoomServer while the UserServer connection is still open.
  const ann = await registeredInRoom(g, 'ann', s2 as string);
  await (ann.room?.conn as ClientConnection).logoff(true);
  const took2 = await within(1000, () => usage(g, 'ann') === '1|0');
  t.pass(`RoomServer first: logged off ${took2} ms later, though its UserServer connection was open`);
  await g.us.waitOut(/logoff ann: logged off/);
  ann.crash();
});

t.test('a session that moved between RoomServers ends at once and is counted once', async (t) => {
  const g = await startGalaxy({ rsNames: ['first', 'second'], usExtra: SHIPPED_DELAY });
  t.teardown(() => g.stop());
  const [serial] = g.serials(1);
  const p = await g.login({ kind: 'register', name: 'mover', password: 'secret1', serial: serial as string });
  const a = await p.enter(p.roomName('Alpha', 'Hall'), { x: 0, y: 0 });
  // Worlds go to the RoomServer with fewest worlds: Beta lands on the other one.
  const b = await p.enter(p.roomName('Beta', 'Hall'), { x: 0, y: 0 });
  t.not(a.conn, b.conn, 'two RoomServers');
  await p.logoff();
  await within(1000, () => usage(g, 'mover') === '1|0');
  t.pass('one logon, no LogoffDelay');
  await g.us.waitOut(/logoff mover: logged off/);
});

t.test('a lost connection still waits LogoffDelay, and is not credited for it', async (t) => {
  const g = await startGalaxy({ rsNames: ['first'], usExtra: 'LogoffDelay 1' });
  t.teardown(() => g.stop());
  const [serial] = g.serials(1);
  const p = await registeredInRoom(g, 'lost', serial as string);
  p.crash();
  await g.us.waitOut(/logoff lost: connection lost/);
  t.equal(usage(g, 'lost'), '1|0');
});

t.test('the message of the hour: once per login, from the server the client logged in to', async (t) => {
  const g = await startGalaxy({ database: false, rsNames: ['first'] });
  t.teardown(() => g.stop());
  writeFileSync(join(g.dir, 'moth'), 'Welcome to the Galaxy!\n');
  await g.us.waitLog(/message of the hour loaded from moth \(1 lines\)/);
  await g.rs.get('first')?.waitLog(/message of the hour loaded from moth \(1 lines\)/);
  const p = await g.login({ kind: 'anonymous', name: 'Greeted', firstConnection: true });
  t.teardown(() => p.crash());
  const { conn } = await p.enter(p.roomName('Town', 'Square'), { x: 0, y: 0 });
  await p.entry.sync();
  await conn.sync();
  const greetings = (c: ClientConnection) =>
    c.drain((x) => x.cmd === 'TEXT' && x.sender === SERVER_PSEUDO_USER && x.text === 'Welcome to the Galaxy!').length;
  t.equal(greetings(p.entry), 1, 'the UserServer greets the login');
  t.equal(greetings(conn), 0, 'the RoomServer it was redirected to does not greet it again');

  // A client that comes straight to the RoomServer starts its session there: greeted there, once.
  const rs = g.rs.get('first');
  const direct = await ClientConnection.connect('127.0.0.1', rs?.port as number);
  t.teardown(() => direct.close());
  await direct.handshake();
  await direct.login({ kind: 'roomserver', name: 'Direct', password: '', avatars: 24 });
  await direct.sync();
  t.equal(greetings(direct), 1, 'a session started on the RoomServer is greeted by it');

  // AG-21: an edited file reaches the next login without waiting for the hourly re-read.
  writeFileSync(join(g.dir, 'moth'), 'Maintenance at noon.\n');
  await g.us.waitLog(/message of the hour loaded from moth \(1 lines\)[\s\S]*message of the hour loaded from moth/);
  const q = await g.login({ kind: 'anonymous', name: 'Later', firstConnection: true });
  t.teardown(() => q.crash());
  t.equal((await q.entry.expectCmd('TEXT')).text, 'Maintenance at noon.');
  t.equal(q.entry.serverProps.get(Var.SERVERTYPE), '2');
});
