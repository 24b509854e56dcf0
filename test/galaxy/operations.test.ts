// Operating a WorldServer (AG-13, AG-14, AG-19, AG-24, AG-29, AG-37; guide "Deleting an Account",
// "UserServer never says Ready"): administrator SQL while the servers run, write-back that never
// brings back a deleted account, usage counters, restarts of either server, link authentication.
import t from 'tap';
import { LoginRefused } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';
import { RS_PASSWORD, roomServerConfig, startGalaxy, userServerConfig } from '../helpers/galaxy.js';
import { RS_MAIN, US_MAIN, startServer } from '../helpers/servers.js';

t.test('usage counters, a deleted account, write-back and restart (guide "Deleting an Account")', async (t) => {
  const g = await startGalaxy({ rsNames: ['first'] });
  t.teardown(() => g.stop());
  const [s1, s2] = g.serials(2);
  const fred = await g.login({ kind: 'register', name: 'fred', password: 'secret1', serial: s1 as string });
  await fred.enter(fred.roomName('Town', 'Square'), { x: 0, y: 0 });
  await fred.logoff();
  await g.us.waitLog(/fred \(127\.0\.0\.1\)\nactive since/);
  await g.us.waitOut(/usage of fred written: \+1 logons, \+0 minutes/);
  t.equal(
    g.sql("select timesOn, totalMinutes from userregistration where username = 'fred';").trim(),
    '1|0',
    'AG-14 one logon, under a minute',
  );
  const again = await g.login({ kind: 'authenticate', name: 'fred', password: 'secret1', firstConnection: true });
  t.equal(again.name, 'fred');
  // The administrator deletes the account while fred is online, following the guide.
  g.sql("update userregistration set accountstatus = 0 where username = 'fred';");
  g.sql(`update serialnumbers set username = 'none', serialstatus = 0 where serialnumber = '${s1}';`);
  g.sql("delete from userregistration where username = 'fred';");
  g.sql("delete from userproperties where username = 'fred';");
  await again.logoff();
  await g.us.waitLog(/\(fred\) - account no longer exists in the user database; usage not recorded/);
  t.equal(
    g.sql("select count(*) from userregistration where username = 'fred';").trim(),
    '0',
    'logoff write-back did not re-create it',
  );
  await g.restartUserServer();
  await g.rs.get('first')?.waitLog(/connected to UserServer[\s\S]*connected to UserServer/);
  const gone = await g
    .login({ kind: 'authenticate', name: 'fred', password: 'secret1', firstConnection: true })
    .catch((e: unknown) => e);
  t.ok(gone instanceof LoginRefused && gone.code === Nak.NO_SUCH_USER, 'still deleted after a restart');
  const renewed = await g.login({ kind: 'register', name: 'fred', password: 'newpass1', serial: s1 as string });
  t.equal(renewed.name, 'fred', 'the freed serial registers again');
  await renewed.logoff();
  t.ok(s2);
});

t.test('AG-29 UserServer restart: RoomServers close their users, reconnect, serve again', async (t) => {
  const g = await startGalaxy({ database: false });
  t.teardown(() => g.stop());
  const a = await g.login({ kind: 'anonymous', name: 'Ann', firstConnection: true });
  const { conn } = await a.enter(a.roomName('Iota', 'Hall'), { x: 0, y: 0 });
  await g.restartUserServer();
  await conn.closed;
  t.pass('users of the RoomServer were disconnected when the UserServer went away');
  for (const rs of g.rs.values()) {
    await rs.waitLog(/\(UserServer\) - link lost: [\s\S]*connected to UserServer/);
  }
  const again = await g.login({ kind: 'anonymous', name: 'Ann', firstConnection: true });
  const r = await again.enter(again.roomName('Iota', 'Hall'), { x: 0, y: 0 });
  t.notOk(r.conn.isClosed, 'the galaxy works again after the RoomServers reconnected');
  await again.logoff();
});

t.test('AG-29 a RoomServer re-reads its configuration file before each reconnection attempt', async (t) => {
  const g = await startGalaxy({ database: false, rsNames: [] });
  t.teardown(() => g.stop());
  const { createServer } = await import('node:net');
  const spare = createServer();
  await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
  const wrongPort = (spare.address() as { port: number }).port;
  await new Promise<void>((r) => spare.close(() => r()));
  const rs = await startServer(RS_MAIN, 'RS', roomServerConfig('late', wrongPort), {
    dir: g.dir,
    cfgName: 'lateRS.cfg',
    waitReady: false,
  });
  t.teardown(() => rs.stop());
  await rs.waitLog(/\(UserServer\) - no link: cannot connect to UserServer 127\.0\.0\.1:\d+: .*retrying in 0\.3 s/);
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  writeFileSync(join(g.dir, 'lateRS.cfg'), roomServerConfig('late', g.linkPort));
  await rs.waitLog(
    new RegExp(`UserServer line changed: now 127\\.0\\.0\\.1:${g.linkPort} as late[\\s\\S]*Ready to serve`),
  );
  await g.us.waitLog(/RoomServer late connected/);
  t.pass('connected with the corrected file, without a restart');
});

t.test('a RoomServer that dies loses its worlds; they go to another on next use', async (t) => {
  const g = await startGalaxy({ database: false });
  t.teardown(() => g.stop());
  const a = await g.login({ kind: 'anonymous', name: 'Ann', firstConnection: true });
  const room = a.roomName('Kappa', 'Hall');
  const first = await a.enter(room, { x: 0, y: 0 });
  const port = first.conn.socket.remotePort;
  const victim = [...g.rs.entries()].find(([, p]) => p.port === port);
  t.ok(victim, 'found the RoomServer serving Kappa');
  const [name, proc] = victim as [string, typeof g.rs extends Map<string, infer P> ? P : never];
  proc.kill('SIGKILL');
  await first.conn.closed;
  await g.us.waitLog(new RegExp(`\\(RoomServer ${name}\\) - link lost: .*1 server worlds will be assigned again`));
  const b = await g.login({ kind: 'anonymous', name: 'Ben', firstConnection: true });
  const moved = await b.enter(b.roomName('Kappa', 'Hall'), { x: 0, y: 0 });
  t.not(moved.conn.socket.remotePort, port, 'served by the surviving RoomServer');
  t.equal(moved.id, first.id, 'with the same room id');
  await b.logoff();
  g.rs.delete(name);
});

t.test('AG-19 link authentication: wrong password and duplicate names are refused on both sides', async (t) => {
  const g = await startGalaxy({ database: false, rsNames: ['first'] });
  t.teardown(() => g.stop());
  const bad = await startServer(
    RS_MAIN,
    'RS',
    roomServerConfig('intruder', g.linkPort).replace(RS_PASSWORD, 'guessed'),
    {
      dir: g.dir,
      cfgName: 'intruderRS.cfg',
      waitReady: false,
    },
  );
  t.teardown(() => bad.stop());
  await bad.waitLog(
    /\(UserServer\) - no link: .*does not know the password|\(UserServer\) - no link: UserServer refused this RoomServer: wrong RoomServers password/,
  );
  await g.us.waitLog(/\(RoomServer intruder from 127\.0\.0\.1\) - refused: wrong RoomServers password/);
  t.notMatch(bad.log(), /Ready to serve/, 'never ready without its UserServer');
  const dup = await startServer(RS_MAIN, 'RS', roomServerConfig('first', g.linkPort), {
    dir: g.dir,
    cfgName: 'dupRS.cfg',
    waitReady: false,
  });
  t.teardown(() => dup.stop());
  await dup.waitLog(/UserServer refused this RoomServer: a RoomServer named first is already connected/);
  await g.us.waitLog(/refused: a RoomServer named first is already connected/);
});

t.test('AG-36 command logging covers the link too, with passwords redacted', async (t) => {
  const g = await startGalaxy({ database: false, rsNames: ['first'] });
  t.teardown(() => g.stop());
  const rs = g.rs.get('first');
  g.us.kill('SIGUSR1');
  rs?.kill('SIGUSR1');
  await g.us.waitLog(/Logging enabled/);
  await rs?.waitLog(/Logging enabled/);
  const p = await g.login({ kind: 'anonymous', name: 'Traced', firstConnection: true });
  await p.enter(p.roomName('Omicron', 'Hall'), { x: 0, y: 0 });
  await g.us.waitOut(/<= RoomServer first LOGIN_REQ reqId=\d+ loginName="Traced" password=<redacted>/);
  await rs?.waitOut(/=> UserServer LOGIN_REQ .*password=<redacted>/);
  await rs?.waitOut(/<= UserServer LOGIN_ANS reqId=\d+ nak=0/);
  t.notMatch(g.us.out() + (rs?.out() ?? ''), new RegExp(p.password), 'the session password never appears');
  await p.logoff();
});

t.test('AG-24 a UserServer without RoomServers: login and the message of the hour, no rooms', async (t) => {
  const us = await startServer(US_MAIN, 'US', userServerConfig({ database: false }), {
    files: { moth: 'Closed for maintenance until noon.\n' },
  });
  t.teardown(() => us.stop());
  const { Player } = await import('../../protocol/player.js');
  const p = await Player.login({
    host: '127.0.0.1',
    port: us.ports.get('users') as number,
    mode: { kind: 'anonymous', name: 'Early', firstConnection: true },
  });
  t.equal((await p.entry.expectCmd('TEXT')).text, 'Closed for maintenance until noon.');
  p.entry.send({ cmd: 'ROOMIDRQ', objId: 1, name: 'GroundZero#Reception<dimension-1>' });
  await p.entry.sync();
  t.equal(p.entry.peek().filter((c) => c.cmd === 'REDIRID' || c.cmd === 'ROOMID').length, 0, 'no room is served');
  await p.logoff();
});

t.test('"UserServer never says Ready": an unreachable database is logged and retried', async (t) => {
  const us = await startServer(
    US_MAIN,
    'US',
    userServerConfig({ database: false, extra: 'UserDatabase us abc123 127.0.0.1:1/XEPDB1 60\nDatabaseRetry 0.2' }),
    {
      waitReady: false,
    },
  );
  t.teardown(() => us.stop());
  const m = await us.waitLog(
    /\(UserDatabase\) - cannot open user database us@127\.0\.0\.1:1\/XEPDB1 \(attempt 2\): .*retrying in 0\.2 s/,
  );
  t.ok(m);
  t.notMatch(us.log(), /Ready to serve/);
});

t.test('AG-13 the periodic write-back counts active users and never re-creates a deleted account', async (t) => {
  const g = await startGalaxy({ rsNames: [], usExtra: '' });
  t.teardown(() => g.stop());
  // Write back every 0.02 minutes (1.2 s) instead of the sample's 60.
  await g.us.stop();
  const { writeFileSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const cfgPath = join(g.dir, 'galaxyUS.cfg');
  writeFileSync(cfgPath, readFileSync(cfgPath, 'utf8').replace('sqlite:world.db 60', 'sqlite:world.db 0.02'));
  const us = await startServer(US_MAIN, 'US', readFileSync(cfgPath, 'utf8'), { dir: g.dir, cfgName: 'galaxyUS.cfg' });
  t.teardown(() => us.stop());
  const port = us.ports.get('users') as number;
  const [s1, s2] = g.serials(2);
  const { Player } = await import('../../protocol/player.js');
  const reg = async (name: string, serial: string) =>
    Player.login({ host: '127.0.0.1', port, mode: { kind: 'register', name, password: 'secret1', serial } });
  const kept = await reg('Keeper', s1 as string);
  const doomed = await reg('Doomed', s2 as string);
  await us.waitOut(/usage of Keeper written: \+1 logons/);
  await us.waitOut(/usage of Doomed written: \+1 logons/);
  t.equal(
    g.sql("select timesOn from userregistration where username = 'Keeper';").trim(),
    '1',
    'an active user is counted by the write-back',
  );
  g.sql("delete from userregistration where username = 'Doomed';");
  // A persistent (DBSTORE) property is now owed to the database: the next write-back tries to store it.
  doomed.entry.send({
    cmd: 'PROPSET',
    objId: 1,
    fromUser: '',
    props: [{ id: 11, flags: 0x80, access: 1, value: 'doomed@example.test' }],
  });
  await us.waitLog(/\(Doomed\) - account no longer exists in the user database; usage not recorded/);
  t.equal(
    g.sql("select count(*) from userregistration where username = 'Doomed';").trim(),
    '0',
    'the account is not re-created',
  );
  t.equal(g.sql("select count(*) from userproperties where username = 'Doomed';").trim(), '0', 'nor its properties');
  await kept.logoff();
  doomed.crash();
});

t.test('AG-22 Connections on the UserServer: "server full" (2) beyond the active users allowed', async (t) => {
  const us = await startServer(US_MAIN, 'US', userServerConfig({ database: false, extra: 'Connections 10 1' }));
  t.teardown(() => us.stop());
  const { Player } = await import('../../protocol/player.js');
  const port = us.ports.get('users') as number;
  const one = await Player.login({
    host: '127.0.0.1',
    port,
    mode: { kind: 'anonymous', name: 'One', firstConnection: true },
  });
  const err = await Player.login({
    host: '127.0.0.1',
    port,
    mode: { kind: 'anonymous', name: 'Two', firstConnection: true },
  }).catch((e: unknown) => e);
  t.ok(err instanceof LoginRefused && err.code === Nak.MAX_ORDINARY);
  await one.logoff();
});

t.test('AG-30 room state is stored and comes back after a RoomServer restart', async (t) => {
  const { joinStandalone, enterRoom } = await import('../helpers/clients.js');
  const { standaloneConfig, tempDir } = await import('../helpers/servers.js');
  const dir = tempDir();
  const cfg = standaloneConfig('RoomDatabase rs1 abc123 sqlite:rooms.db 60 Dynamic');
  const rs = await startServer(RS_MAIN, 'RS', cfg, { dir });
  const room = 'Lab#Bench<dimension-1>';
  const a = await joinStandalone(rs.port, 'Tinker');
  await enterRoom(a, room, { x: 0, y: 0 });
  const lever = { id: 120, flags: 0xd0, access: 0, value: Buffer.from('on') };
  a.send({ cmd: 'PROPSET', objId: 253, fromUser: '', props: [lever] });
  await a.expectCmd('PROPUPD', (p) => p.objId === room);
  await a.logoff();
  t.equal(await rs.stop(), 0, 'shutdown stores the room state');
  const { execFileSync } = await import('node:child_process');
  const { join } = await import('node:path');
  const db = join(dir, 'rooms.db');
  t.match(
    execFileSync(
      'sqlite3',
      [db, 'select roomName, propertyId, propertyFlags, hex(propertyBinaryValue) from RoomProperties;'],
      { encoding: 'utf8' },
    ),
    /Lab#Bench<dimension-1>\|120\|208\|6F6E/,
  );
  t.match(
    execFileSync('sqlite3', [db, 'select roomName, serverName from RoomRegistration;'], { encoding: 'utf8' }),
    /Lab#Bench<dimension-1>\|Testworld/,
    'Dynamic: the room is registered',
  );
  const again = await startServer(RS_MAIN, 'RS', cfg, { dir });
  t.teardown(() => again.stop());
  await again.waitLog(/room database sqlite:rooms\.db open/);
  const b = await joinStandalone(again.port, 'Visitor');
  t.teardown(() => b.close());
  await enterRoom(b, room, { x: 0, y: 0 });
  const replay = await b.expectCmd('PROPUPD', (p) => p.objId === room);
  t.same(replay.props, [lever], 'the stored state reaches the new subscriber');
});
