// What users and operators are told: AG-24 no RoomServer for a room, AG-37 the UserServer shutting
// down, AG-4 the Users delay (the port does not even listen until it is over).
import { connect, createServer, type Server } from 'node:net';
import t from 'tap';
import { Player } from '../../protocol/player.js';
import { SERVER_PSEUDO_USER } from '../../protocol/constants.js';
import { startGalaxy, userServerConfig } from '../helpers/galaxy.js';
import { US_MAIN, startServer } from '../helpers/servers.js';

const TRY_LATER = /^Sorry, no room can be served right now \(no RoomServer is connected\)\. Please try again later\.$/;

t.test('AG-24 a room request no RoomServer can serve: the client is told once, the log says so once', async (t) => {
  const us = await startServer(US_MAIN, 'US', userServerConfig({ database: false }));
  t.teardown(() => us.stop());
  const p = await Player.login({
    host: '127.0.0.1',
    port: us.port,
    mode: { kind: 'anonymous', name: 'Early', firstConnection: true },
  });
  t.teardown(() => p.crash());
  for (const room of ['GroundZero#Reception', 'GroundZero#Lobby', 'Mars#Crater'])
    p.entry.send({ cmd: 'ROOMIDRQ', objId: 1, name: `${room}<${p.channel}>` });
  const notice = await p.entry.expectCmd('TEXT', (c) => c.sender === SERVER_PSEUDO_USER);
  t.match(notice.text, TRY_LATER);
  await p.entry.sync();
  t.equal(p.entry.drain((c) => c.cmd === 'TEXT').length, 0, 'one notice, not one per request');
  await us.waitLog(
    /\(Early\) - room GroundZero#Reception<dimension-1> cannot be served: no RoomServer is connected; start a RoomServer/,
  );
  t.equal(us.log().match(/cannot be served/g)?.length, 1, 'one log line per window');
});

t.test('AG-37 a UserServer shutting down tells its users and reports what it wrote', async (t) => {
  const g = await startGalaxy({ rsNames: ['first'] });
  t.teardown(() => g.stop());
  const [serial] = g.serials(1);
  const p = await g.login({ kind: 'register', name: 'stayer', password: 'secret1', serial: serial as string });
  const { conn } = await p.enter(p.roomName('Town', 'Square'), { x: 0, y: 0 });
  t.equal(await g.us.stop(), 0);
  const told = await conn.expectCmd('TEXT', (c) => c.sender === SERVER_PSEUDO_USER);
  t.match(told.text, /shutting down/, 'users on a RoomServer hear it there');
  t.match(g.us.log(), /shutdown: 1 users told and logged off, 1 usage rows written to the user database\n/);
  t.match(g.us.log(), /Shutdown complete/);
  t.equal(g.sql("select timesOn from userregistration where username = 'stayer';").trim(), '1');
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function tryConnect(port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** A UserServer on a known free port with `Users <port> <minutes>` (fractions: the guide uses whole minutes). */
async function delayedUserServer(minutes: number) {
  const port = await freePort();
  const cfg = userServerConfig({ database: false, usersPort: port }).replace(
    `Users ${port} 0`,
    `Users ${port} ${minutes}`,
  );
  return { port, us: await startServer(US_MAIN, 'US', cfg) };
}

t.test('AG-4 during the Users delay the port does not listen; then it does', async (t) => {
  // 0.05 minutes are 3 s.
  const { port, us } = await delayedUserServer(0.05);
  t.teardown(() => us.stop());
  t.match(us.stdout(), new RegExp(`Users port 127\\.0\\.0\\.1:${port} listens after a delay of 0\\.05 minutes`));
  t.equal(await tryConnect(port), 'ECONNREFUSED', 'nothing listens during the delay');
  await us.waitLog(new RegExp(`accepting clients on port ${port}`), 10_000);
  t.equal(await tryConnect(port), 'connected', 'the port listens once the delay is over');
});

t.test('AG-4 a port that cannot listen when the delay ends is logged and fatal', async (t) => {
  const { port, us } = await delayedUserServer(0.02);
  t.teardown(() => us.stop());
  const squatter: Server = createServer();
  await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
  t.teardown(() => squatter.close());
  t.equal(await us.exited, 1, 'the UserServer exits non-zero');
  t.match(us.log(), new RegExp(`cannot listen for users on 127\\.0\\.0\\.1:${port}: address already in use; exiting`));
});
