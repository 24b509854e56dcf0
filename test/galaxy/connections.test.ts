// Issue 6 finding 3 on a real US_v11: `Connections` is exact (sockets past it are only told "server
// full"), AddressLimit and FirstRequestTimeout apply as on the RoomServer.
import t from 'tap';
import { ClientConnection, LoginRefused } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';
import { startGalaxy } from '../helpers/galaxy.js';

const settings = 'Connections 2 100\nAddressLimit 4 3\nFirstRequestTimeout 0.5';
const g = await startGalaxy({ database: false, rsNames: [], usExtra: settings });
t.teardown(() => g.stop());
const fresh = await startGalaxy({ database: false, rsNames: [], usExtra: settings });
t.teardown(() => fresh.stop());

const open: ClientConnection[] = [];
t.teardown(() => open.forEach((c) => c.close()));
async function from(localAddress: string, port = g.usPort): Promise<ClientConnection> {
  const c = await ClientConnection.connect('127.0.0.1', port, { localAddress });
  open.push(c);
  return c;
}
async function login(c: ClientConnection, name: string): Promise<number> {
  await c.handshake();
  return c.login({ kind: 'anonymous', name, firstConnection: true }).then(
    () => 0,
    (err: unknown) => (err instanceof LoginRefused ? err.code : Promise.reject(err)),
  );
}

t.test('Connections 2: a third socket is told "server full" (NAK 2); past 16 such, sockets close', async (t) => {
  const a = await from('127.10.0.1');
  const b = await from('127.10.0.2');
  t.equal(await login(a, 'Anna'), 0);
  t.equal(await login(b, 'Ben'), 0);
  const c = await from('127.10.0.3');
  t.equal(await login(c, 'Carl'), Nak.MAX_ORDINARY, 'never a third session, logged in or waiting');
  await g.us.waitLog(/\(Carl\) - login refused: server full \(Connections 2 connections\) \(NAK 2\)/);
  const waiting: ClientConnection[] = [];
  for (let i = 1; i <= 16; i++) {
    const w = await from(`127.11.0.${i}`);
    await w.handshake();
    waiting.push(w);
  }
  const past = await from('127.11.1.1');
  t.equal(await past.closed, 'closed by server', 'the 17th socket past the limit is closed at once');
  await g.us.waitLog(/connection refused: 2 connections open \(Connections 2\) and 16 more being told so/);
  t.equal(await login(waiting[0] as ClientConnection, 'Dora'), Nak.MAX_ORDINARY);
  await a.logoff();
  // Anna's logoff record comes after Dora's refusal in the log: by then that line would be there.
  await g.us.waitLog(/ Anna \(127\.10\.0\.1\)\s+active since/);
  t.equal(
    g.us.log().match(/login refused: server full \(Connections 2 connections\)/g)?.length,
    1,
    "a full server is the server's state: one line per LogLimitWindow for Carl and Dora (other addresses)",
  );
  const e = await from('127.10.0.4');
  t.equal(await login(e, 'Emil'), 0, 'a closed connection makes room for a new one');
});

t.test('AddressLimit and FirstRequestTimeout on the UserServer', async (t) => {
  const same = await Promise.all([1, 2, 3].map(() => from('127.12.0.1', fresh.usPort)));
  await Promise.all(same.map((c) => c.handshake()));
  const fourth = await from('127.12.0.1', fresh.usPort);
  await fourth.closed;
  await fresh.us.waitLog(
    /\(127\.12\.0\.1\) - connection refused: 3 connections from 127\.12\.0\.1 not logged in yet \(AddressLimit unauthenticated 3\)/,
  );
  const silent = await from('127.12.0.2', fresh.usPort);
  await silent.closed;
  await fresh.us.waitLog(/\(127\.12\.0\.2\) - no request within 0\.5 s of connecting/);
  t.notOk(same[0]?.isClosed, 'a socket that had its PROPUPD waits for the login dialog');
});
