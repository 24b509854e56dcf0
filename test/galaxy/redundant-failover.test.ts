// No single point of failure (issue 11, AG-23): `kill -9` of one UserServer. Both logs say the
// backup link broke; the other side shows its users offline; its RoomServer closes its users
// (AG-29), whose clients log in again through the two-host galaxy URL (the first host that answers
// wins, spec §1) and carry on on the other side. Restarted, it links again and the lists of users
// are exchanged anew: friends-list notices are right again.
import t from 'tap';
import type { Player } from '../../protocol/player.js';
import { startPair } from '../helpers/redundant.js';

const p = await startPair({ usExtra: 'Guests 20 guest 30' });
t.teardown(() => p.stop());
const serials = p.serials(4, 'failover-seed');

const open: Player[] = [];
t.teardown(async () => {
  for (const x of open.splice(0)) await x.logoff().catch(() => x.crash());
});

t.test('kill -9 of East: its users log in again through West; restarted, it links again', async (t) => {
  const ann = await p.east.login({ kind: 'register', name: 'Ann', password: 'secret1', serial: serials[0] as string });
  const bob = await p.west.login({ kind: 'register', name: 'Bob', password: 'secret1', serial: serials[1] as string });
  open.push(bob);
  const ra = await ann.enter(ann.roomName('Plaza', 'Hall'), { x: 0, y: 0 });
  const rb = await bob.enter(bob.roomName('Plaza', 'Hall'), { x: 0, y: 0 });
  bob.buddy('Ann');
  const notice = async () => rb.conn.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]);
  t.same(await notice(), ['Ann', 1]);

  p.east.us.kill('SIGKILL');
  t.equal(await p.east.us.exited, 'SIGKILL');
  await p.west.us.waitLog(
    /\(BackupServer East\) - backup link lost: .+; its 1 users are shown offline here; reconnecting every 0\.2 s/,
  );
  t.same(await notice(), ['Ann', 0], 'her friend on West sees her offline');
  await ra.conn.closed;
  t.pass("East's RoomServer closed her connection (AG-29)");

  // Her client logs in again with worldserver://127.0.0.1;127.0.0.2:port/: only West answers.
  const ann2 = await p.login({ kind: 'authenticate', name: 'Ann', password: 'secret1', firstConnection: true });
  open.push(ann2);
  t.equal(ann2.entry.socket.remoteAddress, '127.0.0.2', 'logged in on West');
  t.equal(ann2.channel, 'dimension-1;1', "in West's channels");
  t.same(await notice(), ['Ann', 1], 'online again for her friend');
  const again = await ann2.enter(ann2.roomName('Plaza', 'Hall'), { x: 10, y: 0 });
  await again.conn.expectCmd('APPRACTR', (x) => again.conn.nameOf(x.objId) === 'Bob');
  t.pass('and carries on next to Bob');

  await p.east.restart();
  await p.east.us.waitLog(/backup link up: BackupClient West at 127\.0\.0\.\d \(channel suffix 1\)/);
  await p.west.us.waitLog(/backup link up: BackupServer East at 127\.0\.0\.1 \(channel suffix 2, restarted since/);
  await p.east.us.waitLog(/RoomServer east connected/);
  // The lists were exchanged: an East user sees West's users online, and their logoff.
  const cid = await p.east.login({ kind: 'guest', firstConnection: true });
  open.push(cid);
  cid.buddy('Ann');
  cid.buddy('Bob');
  const seen = new Map<string, number>();
  for (let i = 0; i < 2; i++) {
    const n = await cid.entry.expectCmd('BUDDYLISTNOTIFY');
    seen.set(n.buddy, n.state);
  }
  t.same(Object.fromEntries(seen), { Ann: 1, Bob: 1 }, "West's users online on East after the restart");
  open.splice(open.indexOf(ann2), 1);
  await ann2.logoff();
  t.same(await cid.entry.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), ['Ann', 0]);
});

t.test('kill -9 of West (the BackupClient): East waits for it; restarted, it connects again', async (t) => {
  const dee = await p.east.login({ kind: 'register', name: 'Dee', password: 'secret1', serial: serials[2] as string });
  open.push(dee);
  const eve = await p.west.login({ kind: 'guest', firstConnection: true });
  dee.buddy(eve.name);
  t.same(await dee.entry.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), [eve.name, 1]);
  p.west.us.kill('SIGKILL');
  await p.west.us.exited;
  await p.east.us.waitLog(
    /\(BackupClient West\) - backup link lost: .+; its \d+ users are shown offline here; waiting for it to connect again/,
  );
  t.same(await dee.entry.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), [eve.name, 0]);
  eve.crash();
  await p.west.restart();
  await p.east.us.waitLog(/backup link up: BackupClient West .*restarted since the last link/);
  await p.west.us.waitLog(/backup link up: BackupServer East/);
  const fay = await p.west.login({ kind: 'guest', firstConnection: true });
  open.push(fay);
  fay.buddy('Dee');
  t.same(await fay.entry.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), ['Dee', 1]);
});

t.test('a clean shutdown (kill): the other side says why it lost the link', async (t) => {
  await p.west.stop();
  await p.east.us.waitLog(
    /\(BackupClient West\) - backup link lost: West is shutting down; its \d+ users are shown offline here/,
  );
  await p.west.restart();
  await p.east.us.waitLog(/backup link up: BackupClient West .*restarted since the last link/);
  t.pass();
});
