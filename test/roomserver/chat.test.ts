// Chat, whispers, broadcast and boot, shared room state and friends lists (§5.2, AG-18, AG-20,
// AG-27) on a real stand-alone RS_v11.
import t from 'tap';
import { ClientConnection, LoginRefused } from '../../protocol/client.js';
import { RS_MAIN, standaloneConfig, startServer } from '../helpers/servers.js';
import { enterRoom, joinStandalone, say, waitAppear } from '../helpers/clients.js';

const rs = await startServer(RS_MAIN, 'RS', standaloneConfig('Access !@#\nChatLimit 5 60'));
t.teardown(() => rs.stop());

const open: ClientConnection[] = [];
async function user(name: string, avatars = 24): Promise<ClientConnection> {
  const c = await joinStandalone(rs.port, name, avatars);
  open.push(c);
  return c;
}
t.afterEach(async () => {
  for (const c of open.splice(0)) if (!c.isClosed) await c.logoff();
});

/** Whisper a marker to `to`: once it arrives, everything sent to `to` before it has arrived. */
async function barrier(from: ClientConnection, to: ClientConnection, toName: string, marker: string) {
  from.send({ cmd: 'WHISPER', objId: toName, sender: '', text: marker });
  await to.expectCmd('WHISPER', (w) => w.text === marker);
}

t.test('TEXT is echoed to the speaker and heard only by those who see the speaker', async (t) => {
  const alice = await user('Alice');
  const bob = await user('Bob');
  const far = await user('Far', 1);
  const other = await user('Other');
  const r = 'World#Square<dimension-1>';
  await enterRoom(alice, r, { x: 0, y: 0 });
  await enterRoom(bob, r, { x: 100, y: 0 });
  await enterRoom(far, r, { x: 5000, y: 0 });
  await enterRoom(other, 'World#Elsewhere<dimension-1>', { x: 0, y: 0 });
  const near = await user('Near');
  await enterRoom(near, r, { x: 4990, y: 0 });
  await waitAppear(bob, 'Alice');
  await waitAppear(far, 'Near');
  await waitAppear(alice, 'Near');
  say(alice, 'hi all');
  const echo = await alice.expectCmd('TEXT', (x) => x.text === 'hi all');
  t.same([echo.objId, echo.sender], [1, 'Alice'], '§5.2 echo with the long-form sender');
  const heard = await bob.expectCmd('TEXT', (x) => x.text === 'hi all');
  t.equal(heard.sender, 'Alice');
  await barrier(bob, far, 'Far', 'm1');
  await barrier(bob, other, 'Other', 'm2');
  t.equal(
    far.peek().filter((c) => c.cmd === 'TEXT').length,
    0,
    'Far sees only its 1 nearest (Near): does not hear Alice',
  );
  t.equal(other.peek().filter((c) => c.cmd === 'TEXT').length, 0, 'another room does not hear');
  // The longest line a client can send (249 bytes) no longer fits once the sender's name is added.
  const longest = `${'long '.repeat(49)}end!`;
  t.equal(longest.length, 249);
  say(alice, longest);
  const parts = [await bob.expectCmd('TEXT'), await bob.expectCmd('TEXT')];
  t.equal(parts.map((p) => p.text).join(''), longest, 'arrives whole over two frames of at most 255 bytes');
});

t.test('WHISPER by long and short id; undeliverable ones get a notice and a log line', async (t) => {
  const alice = await user('Alice');
  const bob = await user('Bob');
  alice.send({ cmd: 'WHISPER', objId: 'bob', sender: '', text: 'psst' });
  const w = await bob.expectCmd('WHISPER');
  t.same([w.objId, w.sender, w.text], [1, 'Alice', 'psst']);
  const r = 'World#Nook<dimension-1>';
  await enterRoom(alice, r, { x: 0, y: 0 });
  await enterRoom(bob, r, { x: 10, y: 0 });
  const bobId = await waitAppear(alice, 'Bob');
  alice.send({ cmd: 'WHISPER', objId: bobId, sender: '', text: 'by short id' });
  t.equal((await bob.expectCmd('WHISPER')).text, 'by short id');
  alice.send({ cmd: 'WHISPER', objId: 'Nobody', sender: '', text: 'hello?' });
  const n = await alice.expectCmd('TEXT', (x) => x.sender === 'WORLDSMASTER');
  t.equal(n.text, 'Nobody is not logged on.');
  await rs.waitLog(/\(Alice\) - undeliverable whisper dropped - Nobody is not logged on/);
});

t.test('AG-45 chat flood: lines over the limit are dropped with one notice', async (t) => {
  const chatty = await user('Chatty');
  for (let i = 0; i < 8; i++) say(chatty, `line ${i}`);
  const notice = await chatty.expectCmd('TEXT', (x) => x.sender === 'WORLDSMASTER');
  t.match(notice.text, /too fast/);
  await chatty.sync();
  const echoed = chatty.peek().filter((c) => c.cmd === 'TEXT' && c.sender === 'Chatty');
  t.equal(echoed.length, 5, 'five lines per window (ChatLimit 5 60)');
  await rs.waitLog(/\(Chatty\) - chat flood/);
});

t.test(
  '§5.2 shared state: PROPSET 253 reaches every subscriber by the room long id, sender included; replayed on subscribe',
  async (t) => {
    const alice = await user('Alice');
    const bob = await user('Bob');
    const r = 'World#Lab<dimension-1>';
    await enterRoom(alice, r, { x: 0, y: 0 });
    await enterRoom(bob, r, { x: 3000, y: 0 });
    await alice.sync();
    await bob.sync();
    const door = { id: 100, flags: 0xd0, access: 1, value: Buffer.from([1, 2, 3]) };
    alice.send({ cmd: 'PROPSET', objId: 253, fromUser: '', props: [door] });
    for (const c of [alice, bob]) {
      const up = await c.expectCmd('PROPUPD', (p) => p.objId === r);
      t.same(up.props, [door], 'addressed to the room long id, never 253');
    }
    bob.send({ cmd: 'PROPSET', objId: r, fromUser: '', props: [{ id: 101, flags: 0x40, access: 0, value: 'lit' }] });
    await alice.expectCmd('PROPUPD', (p) => p.objId === r && p.props[0]?.id === 101);
    const carol = await user('Carol');
    await enterRoom(carol, r, { x: 0, y: 50 });
    const replay = await carol.expectCmd('PROPUPD', (p) => p.objId === r);
    t.same(
      replay.props.map((p) => p.id),
      [100, 101],
      'current state replayed to a new subscriber',
    );
    carol.send({ cmd: 'PROPREQ', objId: r, ids: [] });
    t.equal(
      (await carol.expectCmd('PROPUPD', (p) => p.objId === r)).props.length,
      2,
      'PROPREQ on a room answers its state',
    );
  },
);

t.test('friends lists: online now, later logon and logoff, spelling echoed', async (t) => {
  const alice = await user('Alice');
  const bob = await user('Bob');
  alice.send({ cmd: 'BUDDYLISTUPDATE', objId: 1, buddy: 'BOB', add: 1 });
  alice.send({ cmd: 'BUDDYLISTUPDATE', objId: 1, buddy: 'Carol', add: 1 });
  const n1 = await alice.expectCmd('BUDDYLISTNOTIFY');
  t.same([n1.buddy, n1.state], ['BOB', 1], "online friend, in the client's spelling");
  await alice.sync();
  t.equal(alice.peek().filter((c) => c.cmd === 'BUDDYLISTNOTIFY').length, 0, 'nothing for an offline friend');
  const carol = await user('Carol');
  t.same(await alice.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), ['Carol', 1]);
  await carol.logoff();
  t.same(await alice.expectCmd('BUDDYLISTNOTIFY').then((n) => [n.buddy, n.state]), ['Carol', 0]);
  alice.send({ cmd: 'BUDDYLISTUPDATE', objId: 1, buddy: 'Bob', add: 0 });
  await alice.sync();
  await bob.logoff();
  await barrier(await user('Dan'), alice, 'Alice', 'after-bob');
  t.equal(alice.peek().filter((c) => c.cmd === 'BUDDYLISTNOTIFY').length, 0, 'removed friend: no notice');
});

t.test('§5.2 CHANNEL: chat and positions stay within a channel', async (t) => {
  const alice = await user('Alice');
  const bob = await user('Bob');
  alice.send({ cmd: 'CHANNEL', objId: 1, channel: 'dimension-2' });
  await enterRoom(alice, 'World#Club<dimension-2>', { x: 0, y: 0 });
  await enterRoom(bob, 'World#Club<dimension-1>', { x: 0, y: 0 });
  say(alice, 'anyone?');
  await alice.expectCmd('TEXT', (x) => x.text === 'anyone?');
  await barrier(alice, bob, 'Bob', 'sync');
  t.equal(bob.peek().filter((c) => c.cmd === 'APPRACTR' || c.cmd === 'TEXT').length, 0, 'nothing crosses channels');
});

// Last, on its own server: a boot bans the booted user's address (127.0.0.1 here) for 30 minutes.
t.test('broadcast and !boot from a priority user (BROADCAST.md, AG-20)', async (t) => {
  const own = await startServer(RS_MAIN, 'RS', standaloneConfig('Access !@#'));
  t.teardown(() => own.stop());
  const user = async (name: string) => {
    const c = await joinStandalone(own.port, name);
    open.push(c);
    return c;
  };
  const boss = await user('!@#Boss');
  const alice = await user('Alice');
  const bob = await user('Bob');
  boss.send({ cmd: 'WHISPER', objId: 'world', sender: '', text: 'server restarts at noon' });
  for (const c of [boss, alice, bob]) {
    const m = await c.expectCmd('TEXT', (x) => x.text === 'server restarts at noon');
    t.equal(m.sender, 'Boss');
  }
  alice.send({ cmd: 'WHISPER', objId: 'world', sender: '', text: 'I am not allowed' });
  t.equal((await alice.expectCmd('TEXT', (x) => x.sender === 'WORLDSMASTER')).text, 'world is not logged on.');
  boss.send({ cmd: 'WHISPER', objId: 'world', sender: '', text: '!boot Bob' });
  const told = await boss.expectCmd('WHISPER');
  t.same([told.sender, told.text], ['WORLDSMASTER', 'Bob has been booted.']);
  await bob.closed;
  await own.waitLog(/\(Bob\) - booted by Boss/);
  const again = await ClientConnection.connect('127.0.0.1', own.port);
  await again.handshake();
  const err = await again.login({ kind: 'roomserver-anon', name: 'bob', avatars: 24 }).catch((e: unknown) => e);
  t.ok(err instanceof LoginRefused && err.code === 16, 'AG-20: "Bad IP address" for 30 minutes');
  boss.send({ cmd: 'WHISPER', objId: 'world', sender: '', text: '!boot Ghost' });
  t.equal((await boss.expectCmd('WHISPER')).text, 'Ghost is not logged on.');
});
