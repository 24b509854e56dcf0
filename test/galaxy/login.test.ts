// The full WorldServer (issue: UserServer, RoomServer link, redirection, user database): one
// US_v11 and two RS_v11 processes on an embedded database, driven by protocol clients.
// Registration with serials and every refusal code (AG-9 … AG-12, AG-20, AG-22, §5.2, §6.3, §6.4).
import t from 'tap';
import { ClientConnection, LoginRefused } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';
import { Player } from '../../protocol/player.js';
import { startGalaxy, userServerConfig } from '../helpers/galaxy.js';
import { startServer, US_MAIN } from '../helpers/servers.js';

const g = await startGalaxy({ usExtra: 'Guests 2 guest 45' });
t.teardown(() => g.stop());
const serials = g.serials(6);

async function refused(mode: Parameters<typeof g.login>[0]): Promise<number> {
  try {
    const p = await g.login(mode);
    p.crash();
    return 0;
  } catch (err) {
    if (err instanceof LoginRefused) return err.code;
    throw err;
  }
}

t.test('§6.2 the UserServer answers 15 = 1 (user database), protocol 24, no update interval', async (t) => {
  const c = await ClientConnection.connect('127.0.0.1', g.usPort);
  t.teardown(() => c.close());
  t.equal(await c.handshake(), 1);
  t.equal(c.serverProps.get(3), '24');
  t.equal(c.serverProps.get(1), 'WORLDSMASTER');
  t.notOk(c.serverProps.has(8));
});

t.test('AG-10 registration with a serial: account row and serial marked used, in one go', async (t) => {
  const alice = await g.login({ kind: 'register', name: 'Alice', password: 'secret1', serial: serials[0] as string });
  t.teardown(() => alice.logoff());
  t.equal(alice.serverType, 1);
  t.equal(alice.name, 'Alice');
  t.equal(alice.channel, 'dimension-1');
  t.equal(alice.privileges, 0);
  const row = g.sql(
    "select userName, userNameLower, serialNumber, accountStatus, timesOn, totalMinutes, userPrivileges from UserRegistration where userNameLower = 'alice';",
  );
  t.equal(row.trim(), `Alice|alice|${serials[0]}|1|0|0|0`);
  t.equal(
    g.sql(`select userName, serialStatus from SerialNumbers where serialNumber = '${serials[0]}';`).trim(),
    'Alice|1',
  );
  t.match(
    g.sql("select password from UserRegistration where userName = 'Alice';"),
    /^scrypt\$10\$8\$1\$/,
    'salted scrypt, never the password',
  );
  t.equal(
    await refused({ kind: 'register', name: 'Alison', password: 'secret1', serial: serials[0] as string }),
    Nak.TAKEN_SERIAL,
    'used serial: 10',
  );
  t.equal(
    await refused({ kind: 'register', name: 'ALICE', password: 'secret1', serial: serials[1] as string }),
    Nak.TAKEN_USER,
    'taken name: 11',
  );
  t.equal(
    await refused({ kind: 'register', name: 'Mallory', password: 'secret1', serial: 'TEST000000000000' }),
    Nak.BAD_SERIAL,
    'unknown serial: 9',
  );
  t.equal(
    g.sql(`select serialStatus from SerialNumbers where serialNumber = '${serials[1]}';`).trim(),
    '0',
    'a refused registration changes nothing',
  );
  t.equal(
    await refused({ kind: 'register', name: 'world', password: 'secret1', serial: serials[1] as string }),
    Nak.TAKEN_USER,
    'the broadcast long ids are not user names',
  );
});

t.test('§5.2 the UserServer success reply has the real order 4, 1, 3, 15, 10, 22, 5', async (t) => {
  const c = await ClientConnection.connect('127.0.0.1', g.usPort);
  t.teardown(() => c.close());
  await c.handshake();
  c.send({
    cmd: 'SESSIONINIT',
    objId: 1,
    props: [
      { id: 3, value: '24' },
      { id: 9, value: '2004080500' },
      { id: 2, value: 'Alice' },
      { id: 6, value: 'secret1' },
      { id: 12, value: '1' },
    ],
  });
  const r = await c.expectCmd('SESSIONINIT');
  t.same(
    r.props.map((p) => p.id),
    [4, 1, 3, 15, 10, 22, 5],
  );
  await c.logoff();
  const lower = await g.login({ kind: 'authenticate', name: 'ALICE', password: 'secret1', firstConnection: false });
  t.equal(lower.name, 'Alice', 'typed in another case: VAR_USERNAME (after 22) gives the registered spelling');
  await lower.logoff();
  t.same(r.props.map((p) => p.value).slice(0, 4), ['0', 'WORLDSMASTER', '24', '1']);
  t.equal(r.props[4]?.value, serials[0], 'the account serial');
});

t.test('AG-11 authentication refusals: 12, 13, 14, and 14 lifted again by SQL', async (t) => {
  const bob = await g.login({ kind: 'register', name: 'Bob', password: 'hunter22', serial: serials[2] as string });
  await bob.logoff();
  t.equal(
    await refused({ kind: 'authenticate', name: 'Nobody', password: 'whatever', firstConnection: true }),
    Nak.NO_SUCH_USER,
  );
  t.equal(
    await refused({ kind: 'authenticate', name: 'Bob', password: 'wrong-one', firstConnection: true }),
    Nak.BAD_PASSWORD,
  );
  g.sql("update userregistration set accountstatus = 0 where username = 'Bob';");
  t.equal(
    await refused({ kind: 'authenticate', name: 'Bob', password: 'hunter22', firstConnection: true }),
    Nak.BAD_ACCOUNT,
    'deactivated by an administrator: 14',
  );
  g.sql("update userregistration set accountstatus = 1 where username = 'Bob';");
  const again = await g.login({ kind: 'authenticate', name: 'bob', password: 'hunter22', firstConnection: true });
  t.equal(again.name, 'Bob', 'reactivated: logs in, with the name as registered');
  await again.logoff();
  await g.us.waitLog(/\(Bob\) - login refused: account Bob is inactive \(NAK 14\)/);
});

t.test('AG-38 a plain-text password from an imported database is accepted once and rehashed', async (t) => {
  g.sql(
    'insert into UserRegistration (userNameLower, userName, serialNumber, password, clientVersion, accountStatus, registrationDate, timesOn, totalMinutes, userPrivileges) ' +
      "values ('legacy', 'Legacy', 'OLDS000000000001', 'plainpass', '96070215', 1, '1999-01-01 00:00:00', 5, 100, 0);",
  );
  const p = await g.login({ kind: 'authenticate', name: 'Legacy', password: 'plainpass', firstConnection: true });
  t.equal(p.name, 'Legacy');
  await p.logoff();
  t.match(
    g.sql("select password from userregistration where username = 'Legacy';"),
    /^scrypt\$10\$/,
    'stored as a hash now',
  );
  const again = await g.login({ kind: 'authenticate', name: 'Legacy', password: 'plainpass', firstConnection: true });
  await again.logoff();
  t.equal(
    await refused({ kind: 'authenticate', name: 'Legacy', password: 'wrongpass', firstConnection: true }),
    Nak.BAD_PASSWORD,
  );
});

t.test('AG-12 privileges come from the database at every login and reach the RoomServer', async (t) => {
  g.sql("update userregistration set userprivileges = 2 where username = 'Bob';");
  const bob = await g.login({ kind: 'authenticate', name: 'Bob', password: 'hunter22', firstConnection: true });
  t.teardown(() => bob.logoff());
  t.equal(bob.privileges, 2);
  const { conn } = await bob.enter(bob.roomName('GroundZero', 'Reception'), { x: 0, y: 0 });
  // A broadcast only works with the privilege as the RoomServer knows it.
  bob.whisper('world', 'privileged hello');
  t.equal((await conn.expectCmd('TEXT', (x) => x.text === 'privileged hello')).sender, 'Bob');
  g.sql("update userregistration set userprivileges = 0 where username = 'Bob';");
});

t.test('§6.4 RoomServer login: type 3 on a redirected connection; a wrong password is refused there', async (t) => {
  const alice = await g.login({ kind: 'authenticate', name: 'Alice', password: 'secret1', firstConnection: true });
  t.teardown(() => alice.logoff());
  const room = alice.roomName('GroundZero', 'Reception');
  const ans = await alice.entry.roomId(room);
  t.ok(ans.ip === '127.0.0.1' && ans.port && ans.id > 0, 'REDIRID to a RoomServer');
  const direct = await ClientConnection.connect('127.0.0.1', ans.port as number);
  t.teardown(() => direct.close());
  t.equal(await direct.handshake(), 3, 'PROPUPD(255) says 3 on a RoomServer behind a UserServer');
  const err = await direct
    .login({ kind: 'roomserver', name: 'Alice', password: 'not-hers', avatars: 24 })
    .catch((e: unknown) => e);
  t.ok(err instanceof LoginRefused && err.code === Nak.BAD_PASSWORD, 'wrong password: 13 from the RoomServer');
  const rs = await alice.server(ans.ip as string, ans.port as number);
  t.notOk(rs.isClosed, 'the right password works');
});

t.test('AG-9 guest slots guest_1..guest_2 with a duration; then full', async (t) => {
  const g1 = await g.login({ kind: 'authenticate', name: 'guest', password: 'anything', firstConnection: true });
  t.teardown(() => g1.logoff());
  t.equal(g1.name, 'guest_1', 'renamed by the reply (VAR_USERNAME)');
  t.ok(g1.password.length >= 8, 'issued a session password (VAR_PASSWORD) for its RoomServer logins');
  const c = await ClientConnection.connect('127.0.0.1', g.usPort);
  await c.handshake();
  const reply = await c.login({ kind: 'guest', firstConnection: true });
  t.equal(reply.get(2), 'guest_2', 'VAR_GUEST login');
  t.equal(reply.get(13), '45', 'VAR_DURATION in minutes');
  t.equal(await refused({ kind: 'guest', firstConnection: true }), Nak.MAX_ORDINARY, 'all slots taken: 2');
  await c.logoff();
  const g3 = await g.login({ kind: 'guest', firstConnection: true });
  t.equal(g3.name, 'guest_2', 'a freed slot is used again');
  const { conn } = await g3.enter(g3.roomName('GroundZero', 'Reception'), { x: 5, y: 5 });
  t.notOk(conn.isClosed, 'a guest reaches a RoomServer with its issued password');
  await g3.logoff();
  await g.us.waitLog(/guest_2 \(127\.0\.0\.1\) 2004080500\nactive since /);
});

t.test('AG-16 MaxChannelPopulation on the UserServer; an anonymous UserServer is type 2', async (t) => {
  const own = await startServer(US_MAIN, 'US', userServerConfig({ database: false, extra: 'MaxChannelPopulation 2' }));
  t.teardown(() => own.stop());
  const port = own.ports.get('users') as number;
  const players: Player[] = [];
  for (const name of ['Carol', 'Dan', 'Erin']) {
    players.push(
      await Player.login({ host: '127.0.0.1', port, mode: { kind: 'anonymous', name, firstConnection: true } }),
    );
  }
  t.same(
    players.map((p) => [p.serverType, p.channel]),
    [
      [2, 'dimension-1'],
      [2, 'dimension-1'],
      [2, 'dimension-2'],
    ],
  );
  t.equal(
    await Player.login({
      host: '127.0.0.1',
      port,
      mode: { kind: 'anonymous', name: 'dan', firstConnection: true },
    }).catch((e: LoginRefused) => e.code),
    Nak.TAKEN_USER,
    'anonymous: any name not in use',
  );
  await (players[0] as Player).logoff();
  const next = await Player.login({
    host: '127.0.0.1',
    port,
    mode: { kind: 'anonymous', name: 'Fay', firstConnection: true },
  });
  t.equal(next.channel, 'dimension-1', 'a place freed on dimension-1 is used again');
  for (const p of [...players.slice(1), next]) await p.logoff();
});

t.test('AG-11 a second login replaces the first session everywhere', async (t) => {
  for (const [i, name] of ['Carol', 'Dan', 'Erin'].entries()) {
    await (await g.login({ kind: 'register', name, password: 'secret9', serial: serials[3 + i] as string })).logoff();
  }
  const first = await g.login({ kind: 'authenticate', name: 'Carol', password: 'secret9', firstConnection: true });
  const { conn: rs } = await first.enter(first.roomName('GroundZero', 'Hall'), { x: 0, y: 0 });
  const second = await g.login({ kind: 'authenticate', name: 'Carol', password: 'secret9', firstConnection: true });
  t.teardown(() => second.logoff());
  const told = await first.entry.expectCmd('TEXT', (x) => x.sender === 'WORLDSMASTER' && /disconnected/.test(x.text));
  t.match(told.text, /logged in again from 127\.0\.0\.1/);
  await first.entry.closed;
  await rs.closed;
  t.pass('the old UserServer and RoomServer connections are closed');
  const { conn } = await second.enter(second.roomName('GroundZero', 'Hall'), { x: 0, y: 0 });
  t.notOk(conn.isClosed);
});

t.test('AG-20 !boot from a privileged user: logged off everywhere, name and address banned', async (t) => {
  g.sql("update userregistration set userprivileges = 2 where username = 'Dan';");
  const dan = await g.login({ kind: 'authenticate', name: 'Dan', password: 'secret9', firstConnection: true });
  t.teardown(() => dan.logoff());
  const erin = await g.login({ kind: 'authenticate', name: 'Erin', password: 'secret9', firstConnection: true });
  const { conn: erinRs } = await erin.enter(erin.roomName('Booth', 'One'), { x: 0, y: 0 });
  const { conn } = await dan.enter(dan.roomName('GroundZero', 'Reception'), { x: 0, y: 0 });
  dan.whisper('world', '!boot erin');
  const w = await conn.expectCmd('WHISPER');
  t.same([w.sender, w.text], ['WORLDSMASTER', 'Erin has been booted.']);
  await erinRs.closed;
  t.equal(
    await refused({ kind: 'authenticate', name: 'Erin', password: 'secret9', firstConnection: true }),
    Nak.BAD_IPADDRESS,
    '16 "Bad IP address"',
  );
  await g.us.waitLog(/Dan booted Erin \(127\.0\.0\.1\)/);
});
