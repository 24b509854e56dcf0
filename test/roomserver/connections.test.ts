// Issue 6 findings 3 and 10 on a real RS_v11: what one address may hold (AddressLimit), the short
// wait for a new socket's first request and the long one after it (§6.3), a line for every close,
// one address format in the log, and running out of file descriptors (EMFILE) survived.
import t from 'tap';
import { ClientConnection } from '../../protocol/client.js';
import { RS_MAIN, standaloneConfig, startServer } from '../helpers/servers.js';
import { joinStandalone } from '../helpers/clients.js';

const rs = await startServer(RS_MAIN, 'RS', standaloneConfig('AddressLimit 4 2\nFirstRequestTimeout 0.5'));
t.teardown(() => rs.stop());

const from = (localAddress: string) => ClientConnection.connect('127.0.0.1', rs.port, { localAddress });

t.test('AddressLimit 4 2: two sockets before login and four in all per address; others unaffected', async (t) => {
  const a = await from('127.3.0.1');
  const b = await from('127.3.0.1');
  await Promise.all([a.handshake(), b.handshake()]);
  const c = await from('127.3.0.1');
  t.equal(await c.closed, 'closed by server', 'a third socket before login is closed at once');
  await rs.waitLog(
    /\(127\.3\.0\.1\) - connection refused: 2 connections from 127\.3\.0\.1 not logged in yet \(AddressLimit unauthenticated 2\)/,
  );
  const other = await joinStandalone(rs.port, 'Neighbour');
  t.teardown(() => other.close());
  t.pass('another address logs in as before');

  await a.login({ kind: 'roomserver-anon', name: 'First', avatars: 24 });
  await b.login({ kind: 'roomserver-anon', name: 'Second', avatars: 24 });
  const d = await from('127.3.0.1');
  const e = await from('127.3.0.1');
  await Promise.all([d.handshake(), e.handshake()]);
  t.pass('logged-in sockets no longer count as waiting: two more may wait');
  const f = await from('127.3.0.1');
  await f.closed;
  await rs.waitLog(/\(127\.3\.0\.1\) - connection refused: 4 connections open from 127\.3\.0\.1 \(AddressLimit 4\)/);
  await d.login({ kind: 'roomserver-anon', name: 'Third', avatars: 24 });
  await a.logoff();
  const g = await from('127.3.0.1');
  await g.handshake();
  t.pass('a closed socket gives its place back');
  for (const x of [b, d, e, g]) x.close();
});

t.test('§6.3: a socket that sends no request is closed after FirstRequestTimeout', async (t) => {
  const patient = await from('127.3.0.2');
  await patient.handshake();
  const silent = await from('127.3.0.3');
  const trickle = await from('127.3.0.4');
  // A length byte, then one byte at a time: never a whole frame.
  trickle.sendRaw(Buffer.from([200]));
  const drip = setInterval(() => trickle.isClosed || trickle.sendRaw(Buffer.from([0])), 100);
  t.teardown(() => clearInterval(drip));
  t.equal(await silent.closed, 'closed by server');
  await trickle.closed;
  await rs.waitLog(/\(127\.3\.0\.3\) - no request within 0\.5 s of connecting/);
  await rs.waitLog(/\(127\.3\.0\.4\) - no request within 0\.5 s of connecting/);
  t.notOk(patient.isClosed, 'one that had its PROPUPD keeps the long login wait (the login dialog)');
  await patient.login({ kind: 'roomserver-anon', name: 'Patient', avatars: 24 });
  await patient.logoff();
});

t.test('finding 10: a socket closed before login leaves a line', async (t) => {
  const c = await from('127.3.0.5');
  await c.handshake();
  c.socket.end();
  await c.closed;
  const [line] = await rs.waitLog(/\(127\.3\.0\.5\) - left before logging in: connection closed by client/);
  t.ok(line);
});

t.test('finding 10: addresses are logged as plain IPv4 by a server listening on every interface', async (t) => {
  const own = await startServer(
    RS_MAIN,
    'RS',
    ['Server Dual', 'Users 0', 'ClientUpdates 24 50000', 'Connections 1 0'].join('\n'),
  );
  t.teardown(() => own.stop());
  t.match(own.stdout(), /Listening for users on (::|0\.0\.0\.0):/);
  const sockets: ClientConnection[] = [];
  t.teardown(() => sockets.forEach((s) => s.close()));
  const refused = own.waitLog(/connection refused/);
  for (let i = 0; i < 70 && !(await Promise.race([refused.then(() => true), Promise.resolve(false)])); i++)
    sockets.push(await ClientConnection.connect('127.0.0.1', own.port));
  const [line] = await refused;
  t.notMatch(own.log(), /::ffff:/, 'never ::ffff:127.0.0.1');
  t.match(own.log(), /\(127\.0\.0\.1\) - connection refused/, line);
});

t.test(
  'finding 10: at the open-file limit the server refuses with one line and goes on (no silent EMFILE)',
  async (t) => {
    // 71: the server's own descriptors (seven of them AcceptSlots' copies) and the 32 kept free
    // leave room for about eight client sockets.
    const own = await startServer(RS_MAIN, 'RS', standaloneConfig(), { fileLimit: 71 });
    t.teardown(() => own.stop());
    const sockets: ClientConnection[] = [];
    const logged = own.waitLog(
      /connection refused: the process's open-file limit is nearly reached \(ulimit -n 71, \d+ client sockets open\)/,
    );
    let seen = false;
    void logged.then(() => (seen = true));
    for (let i = 0; i < 150 && !seen; i++) {
      sockets.push(await ClientConnection.connect('127.0.0.1', own.port));
      await new Promise((r) => setImmediate(r));
    }
    await logged;
    t.equal(
      own.log().match(/open-file limit is nearly reached/g)?.length,
      1,
      'one line for the window, not one per socket',
    );
    await Promise.all(sockets.map((s) => (s.socket.end(), s.closed)));
    // The server lets a socket go when both sides have closed it: the first tries may come too soon.
    let after: ClientConnection | null = null;
    for (let i = 0; i < 100 && !after; i++) {
      after = await joinStandalone(own.port, 'Survivor').catch(() => null);
      if (!after) await new Promise((r) => setTimeout(r, 20));
    }
    if (!after) throw new Error('nobody could log in after the sockets closed');
    t.pass('once sockets closed, a client logs in: nothing crashed or stalled');
    await after.logoff();
    t.equal(own.proc.exitCode, null);
  },
);
