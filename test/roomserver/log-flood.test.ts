// Issue 6 finding 4 on a real RS_v11: what a client can make the server log again and again is
// logged once per offender per window (LogLimitWindow), and the next line says how much was held
// back, so that one connection at the flood limit cannot fill the disk.
import t from 'tap';
import type { ClientConnection } from '../../protocol/client.js';
import { RS_MAIN, standaloneConfig, startServer } from '../helpers/servers.js';
import { enterRoom, joinStandalone } from '../helpers/clients.js';

const rs = await startServer(
  RS_MAIN,
  'RS',
  standaloneConfig('LogLimitWindow 1\nFloodLimit 10000 10000\nChatLimit 1000 1'),
);
t.teardown(() => rs.stop());

const lines = (re: RegExp) =>
  rs
    .log()
    .split('\n')
    .filter((l) => re.test(l));

async function mallory(name: string): Promise<ClientConnection> {
  const c = await joinStandalone(rs.port, name);
  t.teardown(() => c.close());
  return c;
}

t.test('refused avatars: one line, then the count of those held back', async (t) => {
  const c = await mallory('Avatar');
  const avatar = { id: 5, flags: 0x40, access: 1, value: `avatar:${'x'.repeat(230)}` };
  for (let i = 0; i < 50; i++) c.send({ cmd: 'PROPSET', objId: 1, fromUser: '', props: [avatar] });
  await c.sync();
  await rs.waitLog(/\(Avatar\) - avatar property refused .*\(last of 49 suppressed in the last [\d.]+ s\)/);
  t.equal(lines(/\(Avatar\) - avatar property refused/).length, 2, '50 refusals, 2 lines');
});

t.test('whispers to absent users: one line per window, whoever they were sent to', async (t) => {
  const c = await mallory('Whisperer');
  for (let i = 0; i < 30; i++) c.send({ cmd: 'WHISPER', objId: `Ghost${i}`, sender: '', text: 'psst' });
  for (let i = 0; i < 30; i++) await c.expectCmd('TEXT', (x) => x.text === `Ghost${i} is not logged on.`);
  await rs.waitLog(/\(Whisperer\) - undeliverable whisper dropped - Ghost\d+ is not logged on \(last of 29 suppressed/);
  t.equal(lines(/\(Whisperer\) - undeliverable whisper/).length, 2, 'each sender is still told, every time');
});

t.test('subscriptions past 64 rooms: one line per window', async (t) => {
  const c = await mallory('Subscriber');
  for (let i = 0; i < 80; i++) {
    const { id } = await c.roomId(`World#Room${i}<dimension-1>`);
    c.send({ cmd: 'SUBSCRIB', objId: 1, room: id, x: 0, y: 0, z: 0, distance: 0 });
  }
  await c.sync();
  await rs.waitLog(/\(Subscriber\) - more than 64 rooms subscribed; .* ignored \(last of 15 suppressed/);
  t.equal(lines(/\(Subscriber\) - more than 64 rooms subscribed/).length, 2, '16 ignored, 2 lines');
});

t.test('shared properties too large to send: one line per window', async (t) => {
  const c = await mallory('Sharer');
  await enterRoom(c, 'World#AVeryLongRoomNameIndeed<dimension-1>', { x: 0, y: 0 });
  const big = { id: 30, flags: 0, access: 0, value: 'x'.repeat(240) };
  for (let i = 0; i < 20; i++) c.send({ cmd: 'PROPSET', objId: 253, fromUser: '', props: [big] });
  await c.sync();
  await rs.waitLog(/\(Sharer\) - shared property 30 of .* too large.*\(last of 19 suppressed/);
  t.equal(lines(/\(Sharer\) - shared property 30/).length, 2);
});

t.test('refusals of one address are limited across names (a flood of logins with new names)', async (t) => {
  for (let i = 0; i < 10; i++) {
    const c = await joinStandalone(rs.port, 'world').catch(() => null);
    c?.close();
  }
  await rs.waitLog(/\(world\) - login refused: name world is reserved \(NAK 11\) \(last of 9 suppressed/);
  t.equal(lines(/login refused: name world is reserved/).length, 2);
});
