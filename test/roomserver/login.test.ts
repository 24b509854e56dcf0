// §6.1-§6.4 on a stand-alone RS_v11: handshake, anonymous login and every refusal code, Access
// priority users (AG-28), Connections limits (AG-22), channels (AG-16) and the message of the hour.
import t from 'tap';
import { ClientConnection, LoginRefused } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';
import { RS_MAIN, standaloneConfig, startServer } from '../helpers/servers.js';
import { joinStandalone } from '../helpers/clients.js';
import { toHex } from '../protocol/vectors.js';

const cfg = standaloneConfig(
  [
    'Connections 3 1',
    'Access !@#',
    'MaxChannelPopulation 2',
    'ScriptServer http://example.test/cgi-bin',
    'ExternalHttpServer http://static.example.test',
    'SmtpServer mail.example.test:25',
    'MailDomain example.test',
  ].join('\n'),
);
const rs = await startServer(RS_MAIN, 'RS', cfg, { files: { moth: 'Welcome to Testworld.\n\nBe nice.\n' } });
t.teardown(() => rs.stop());

async function refusedWith(name: string, code: number, opts: { avatars?: number; from?: string } = {}) {
  const c = await ClientConnection.connect('127.0.0.1', rs.port, opts.from ? { localAddress: opts.from } : {});
  await c.handshake();
  try {
    await c.login({ kind: 'roomserver-anon', name, avatars: opts.avatars ?? 24 });
    c.close();
    return false;
  } catch (err) {
    await c.closed;
    return err instanceof LoginRefused && err.code === code;
  }
}

t.test('§6.2 PROPUPD(255): server type 4, interval, protocol, web settings, in the real order', async (t) => {
  const c = await ClientConnection.connect('127.0.0.1', rs.port);
  t.teardown(() => c.close());
  c.send({ cmd: 'PROPREQ', objId: 255, ids: [] });
  const up = await c.expectCmd('PROPUPD', (p) => p.objId === 255);
  t.same(
    up.props.map((p) => [p.id, p.value]),
    [
      [8, '50000'],
      [27, 'example.test'],
      [26, 'mail.example.test:25'],
      [25, 'http://example.test/cgi-bin'],
      [24, 'http://static.example.test'],
      [15, '4'],
      [3, '24'],
      [1, 'WORLDSMASTER'],
    ],
  );
  t.ok(
    up.props.every((p) => p.flags === 0x80 && p.access === 1),
    'flags 80, access 01 as the real servers',
  );
  c.send({ cmd: 'PROPREQ', objId: 255, ids: [15] });
  const only = await c.expectCmd('PROPUPD', (p) => p.objId === 255);
  t.same(
    only.props.map((p) => p.id),
    [15],
    'a PROPREQ naming ids gets just those',
  );
});

t.test('§5.2 successful anonymous login: reply 4, 15, 8, 3, 5 and the message of the hour', async (t) => {
  const c = await ClientConnection.connect('127.0.0.1', rs.port);
  t.teardown(() => c.close());
  await c.handshake();
  c.send({
    cmd: 'SESSIONINIT',
    objId: 1,
    props: [
      { id: 3, value: '24' },
      { id: 9, value: '2004080500' },
      { id: 7, value: '24' },
      { id: 2, value: 'Alice' },
    ],
  });
  const reply = await c.expectCmd('SESSIONINIT');
  t.same(reply.props, [
    { id: 4, value: '0' },
    { id: 15, value: '4' },
    { id: 8, value: '50000' },
    { id: 3, value: '24' },
    { id: 5, value: 'dimension-1' },
  ]);
  const m1 = await c.expectCmd('TEXT');
  const m2 = await c.expectCmd('TEXT');
  const m3 = await c.expectCmd('TEXT');
  t.same([m1.sender, m1.text, m2.text, m3.text], ['WORLDSMASTER', 'Welcome to Testworld.', ' ', 'Be nice.']);
  await c.logoff();
});

t.test('refusal codes the client shows (§4.2; never 4 or 8)', async (t) => {
  const alice = await joinStandalone(rs.port, 'Alice');
  t.teardown(() => alice.close());
  t.ok(await refusedWith('Alice', Nak.TAKEN_USER), 'taken name: 11');
  t.ok(await refusedWith('aLiCe', Nak.TAKEN_USER), 'names are unique regardless of case');
  t.ok(await refusedWith('A', Nak.BAD_USER), 'one character: 1');
  t.ok(await refusedWith('x'.repeat(17), Nak.BAD_USER), 'seventeen characters: 1');
  t.ok(await refusedWith('bad name', Nak.BAD_USER), 'space: 1');
  t.ok(await refusedWith('Zoë', Nak.BAD_USER), 'non-ASCII without UnicodeNames: 1');
  await rs.waitLog(/\(Zoë\) - login refused: name "Zoë" is not 2-16 ASCII letters.*\(NAK 1\)/);
  const c = await ClientConnection.connect('127.0.0.1', rs.port);
  await c.handshake();
  c.send({
    cmd: 'SESSIONINIT',
    objId: 1,
    props: [
      { id: 3, value: '23' },
      { id: 2, value: 'Oldie' },
    ],
  });
  const r = await c.expectCmd('SESSIONINIT');
  t.equal(
    toHex(Buffer.from(JSON.stringify(r.props))),
    toHex(Buffer.from(JSON.stringify([{ id: 4, value: '6' }]))),
    'wrong protocol: 6',
  );
  await c.closed;
});

t.test('AG-22/AG-28 Connections 3 1 with Access !@#: server-full codes and hidden prefix', async (t) => {
  const users = [
    await joinStandalone(rs.port, 'One'),
    await joinStandalone(rs.port, 'Two'),
    await joinStandalone(rs.port, 'Three'),
  ];
  t.teardown(() => users.forEach((u) => u.close()));
  t.ok(await refusedWith('Four', Nak.MAX_ORDINARY), 'fourth ordinary user: 2');
  t.ok(await refusedWith('Five', Nak.MAX_ORDINARY, { from: '127.4.0.5' }), 'and a fifth, from elsewhere');
  t.equal(
    rs.log().match(/login refused: server full \(3 users\)/g)?.length,
    1,
    'a full server is logged once per LogLimitWindow, however many addresses ask (the count follows)',
  );
  const boss = await joinStandalone(rs.port, '!@#Boss');
  t.teardown(() => boss.close());
  t.ok(await refusedWith('!@#Deputy', Nak.MAX_PRIORITY), 'second priority user: 3');
  await (users[0] as ClientConnection).logoff();
  t.ok(await refusedWith('Boss', Nak.TAKEN_USER), 'the prefix is not part of the name');
  // The prefix is hidden when the name is shown: Two hears "Boss".
  const room = 'Hall#Main<dimension-1>';
  for (const c of [boss, users[1] as ClientConnection]) {
    const { id } = await c.roomId(room);
    c.send({ cmd: 'SUBSCRIB', objId: 1, room: id, x: 0, y: 0, z: 0, distance: -100 });
    c.send({ cmd: 'TELEPORT', objId: 1, room: id, exitType: 0, entryType: 1, x: 10, y: 10, z: 0, dir: 0 });
  }
  const reg = await (users[1] as ClientConnection).expectCmd('REGOBJID', (r) => r.longId === 'Boss');
  t.equal(reg.longId, 'Boss');
});

t.test('AG-16 MaxChannelPopulation 2: the first channel below the limit', async (t) => {
  const names = ['Ch1', 'Ch2', 'Ch3'];
  const channels: string[] = [];
  const clients: ClientConnection[] = [];
  for (const name of names) {
    const c = await ClientConnection.connect('127.0.0.1', rs.port);
    await c.handshake();
    const reply = await c.login({ kind: 'roomserver-anon', name, avatars: 24 });
    channels.push(reply.get(5) ?? '');
    clients.push(c);
  }
  t.same(channels, ['dimension-1', 'dimension-1', 'dimension-2']);
  await (clients[0] as ClientConnection).logoff();
  const c = await ClientConnection.connect('127.0.0.1', rs.port);
  await c.handshake();
  const reply = await c.login({ kind: 'roomserver-anon', name: 'Ch4', avatars: 24 });
  t.equal(reply.get(5), 'dimension-1', 'a freed place on dimension-1 is used again');
  for (const x of [...clients.slice(1), c]) await x.logoff();
});

t.test('§8.1 SESSIONINIT before PROPREQ ends the connection with one log line', async (t) => {
  const c = await ClientConnection.connect('127.0.0.1', rs.port);
  c.send({
    cmd: 'SESSIONINIT',
    objId: 1,
    props: [
      { id: 3, value: '24' },
      { id: 2, value: 'Hasty' },
    ],
  });
  t.equal(await c.closed, 'closed by server');
  await rs.waitLog(/\(127\.0\.0\.1\) - protocol violation: SESSIONINIT before PROPREQ/);
});

t.test('§5.2 SESSIONEXIT gets 06 01 07 04 01 30, then the server closes', async (t) => {
  const c = await joinStandalone(rs.port, 'Leaver');
  c.drain();
  c.send({ cmd: 'SESSIONEXIT', objId: 1, props: [] });
  const reply = await c.expectCmd('SESSIONEXIT');
  t.same(reply.props, [{ id: 4, value: '0' }]);
  await c.closed;
  await rs.waitLog(/Leaver \(127\.0\.0\.1\)\non since/);
  t.notMatch(rs.log(), /\(Leaver\) -/, 'a clean exit is not an error');
});
