// Bad input and resource caps (§2.2, §2.4, §8.1; ENGINEERING.md practices 3, 8, 9) on a real
// RS_v11: one bad connection is closed with one log line, and nobody else notices. Run as it is
// (test/roomserver/robustness.test.ts) and with the sockets on the I/O thread (io-thread.test.ts).
import t, { type Test } from 'tap';
import { ClientConnection } from '../../protocol/client.js';
import { encodeCommand } from '../../protocol/codec.js';
import { sessionInitProps } from '../../protocol/client.js';
import { KEEPALIVE } from '../../protocol/messages.js';
import { RS_MAIN, standaloneConfig, startServer } from './servers.js';
import { enterRoom, joinStandalone, say, waitAppear } from './clients.js';
import { hex } from '../protocol/vectors.js';

/** Registers the suite on tap's root test; `extra` is added to every configuration it starts. */
export async function robustnessSuite(extra: string): Promise<void> {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig(`FloodLimit 200 600\n${extra}`));
  t.teardown(() => rs.stop());

  // Two users chat throughout; every misbehaving connection below must leave them untouched.
  const alice = await joinStandalone(rs.port, 'Alice');
  const bob = await joinStandalone(rs.port, 'Bob');
  await enterRoom(alice, 'World#Safe<dimension-1>', { x: 0, y: 0 });
  await enterRoom(bob, 'World#Safe<dimension-1>', { x: 10, y: 0 });
  await waitAppear(bob, 'Alice');
  let round = 0;
  async function stillChatting(t: Test) {
    const text = `still here ${++round}`;
    say(alice, text);
    t.equal((await bob.expectCmd('TEXT', (x) => x.text === text)).sender, 'Alice', 'others keep chatting');
  }
  t.teardown(() => {
    alice.close();
    bob.close();
  });

  async function raw(): Promise<ClientConnection> {
    return ClientConnection.connect('127.0.0.1', rs.port);
  }

  t.test('§2.2 a login split into single bytes, and many frames in one write', async (t) => {
    const c = await raw();
    const frames = Buffer.concat([
      hex('03 FF 0A'),
      encodeCommand({
        cmd: 'SESSIONINIT',
        objId: 1,
        props: sessionInitProps({ kind: 'roomserver-anon', name: 'Slow', avatars: 24 }),
      }),
    ]);
    for (const b of frames) {
      c.sendRaw(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    const reply = await c.expectCmd('SESSIONINIT');
    t.equal(reply.props[0]?.value, '0');
    const many = Buffer.concat(Array.from({ length: 50 }, () => hex('05 FF 0A 03 0F')));
    c.sendRaw(many);
    for (let i = 0; i < 50; i++) await c.expectCmd('PROPUPD', (p) => p.objId === 255);
    t.pass('50 merged requests, 50 answers');
    await c.logoff();
  });

  const closes: [string, Buffer, RegExp][] = [
    ['a length byte of 0', hex('00'), /WC_ERR_FRAME_TOO_SHORT/],
    ['trailing bytes after a body (§2.4)', hex('0C 01 01 04 D8 09 A6 00 00 01 2C 00'), /WC_ERR_TRAILING_BYTES/],
    ['a string running past the frame', hex('06 01 14 09 41 42'), /WC_ERR_TRUNCATED/],
    ['4-byte UTF-8 in a string (§3.2)', hex('08 01 14 04 F0 9F 98 80'), /WC_ERR_BAD_STRING/],
    ['a CO frame from a client', hex('0C FE 01 01 00 00 00 00 00 00 00 00'), /CO frame/],
    ['a server-only command (APPRACTR)', hex('0D 01 0C 00 08 03 E8 07 D0 00 00 00 5A'), /APPRACTR is sent by servers/],
    ['a second SESSIONINIT', encodeCommand({ cmd: 'SESSIONINIT', objId: 1, props: [] }), /second SESSIONINIT/],
  ];

  for (const [what, bytes, logged] of closes) {
    t.test(`${what} closes that connection only, with one log line`, async (t) => {
      const c = await joinStandalone(rs.port, 'Mallory');
      c.sendRaw(bytes);
      await c.closed;
      const m = await rs.waitLog(new RegExp(`\\(Mallory\\) - .*${logged.source}.*`));
      t.ok(m, `logged: ${m[0]}`);
      await stillChatting(t);
      await rs.waitLog(/Mallory \(127\.0\.0\.1\)\non since/);
    });
  }

  t.test('regression: a room name whose answer would not fit 255 bytes is ignored, nothing crashes', async (t) => {
    const c = await joinStandalone(rs.port, 'Longname');
    const name = `W#${'r'.repeat(249)}`;
    c.send({ cmd: 'ROOMIDRQ', objId: 1, name });
    await c.sync();
    t.equal(c.peek().filter((x) => x.cmd === 'ROOMID').length, 0, 'no answer for a 251-byte name');
    const ok = await c.roomId(`W#${'r'.repeat(236)}`);
    t.ok(ok.id > 0, 'a 238-byte name is answered');
    await c.logoff();
    await stillChatting(t);
  });

  t.test('§2.4 an unknown command number is skipped, the connection lives on', async (t) => {
    const c = await joinStandalone(rs.port, 'Curious');
    c.sendRaw(hex('05 01 09 AA BB'));
    await c.sync();
    t.notOk(c.isClosed);
    await c.logoff();
  });

  t.test('garbage before login: closed, logged by address', async (t) => {
    const c = await raw();
    // 'G' (71) reads as a frame length; the frame decodes to objid 'E', unknown command 'T' (84).
    c.sendRaw(Buffer.from(`GET / HTTP/1.1\r\nHost: worlds.example\r\nUser-Agent: ${'x'.repeat(80)}\r\n\r\n`));
    await c.closed;
    await rs.waitLog(/\(127\.0\.0\.1\) - protocol violation: unknown command 84 before login/);
    await stillChatting(t);
  });

  t.test('flood: more frames than FloodLimit allows ends the connection', async (t) => {
    const c = await joinStandalone(rs.port, 'Flooder');
    const loc = encodeCommand({ cmd: 'LONGLOC', objId: 1, x: 1, y: 2, z: 3, dir: 4 });
    c.sendRaw(Buffer.concat(Array.from({ length: 2000 }, () => loc)));
    await c.closed;
    await rs.waitLog(/\(Flooder\) - more than 200 frames per second/);
    await stillChatting(t);
  });

  t.test('slow consumer: a client that stops reading is dropped when its queue passes the cap', async (t) => {
    const own = await startServer(
      RS_MAIN,
      'RS',
      standaloneConfig(`FloodLimit 100000 1000000\nSendQueue 64 1\n${extra}`),
    );
    t.teardown(() => own.stop());
    const watcher = await joinStandalone(own.port, 'Watcher');
    t.teardown(() => watcher.close());
    const c = await joinStandalone(own.port, 'Sleepy');
    c.socket.pause();
    // Each PROPREQ(255) is answered with a PROPUPD; the answers pile up unread.
    const req = hex('03 FF 0A');
    const burst = Buffer.concat(Array.from({ length: 500 }, () => req));
    let sent = 0;
    while (!c.isClosed && sent < 400) {
      c.sendRaw(burst);
      sent++;
      await new Promise((r) => setTimeout(r, 5));
    }
    await own.waitLog(/\(Sleepy\) - send queue (over 65536 bytes|not drained)/);
    await watcher.sync();
    t.notOk(watcher.isClosed, 'the other client on that server is served as before');
    t.ok(sent < 400, `dropped after ${sent} bursts of 500 requests`);
    c.close();
  });

  t.test('keep-alive frames arrive on a quiet connection; an idle client is dropped', async (t) => {
    const timed = await startServer(RS_MAIN, 'RS', standaloneConfig(`Timeouts 1 1.5 0.4\n${extra}`));
    t.teardown(() => timed.stop());
    const c = await joinStandalone(timed.port, 'Quiet');
    const ka = await c.expect((x) => x.cmd === 'PROPSET' && x.objId === 255, 'keep-alive');
    t.same(ka, { cmd: 'PROPSET', objId: 255, fromUser: '', props: [] }, `keep-alive is ${KEEPALIVE.toString('hex')}`);
    await c.closed;
    await timed.waitLog(/\(Quiet\) - timeout/);
    const lazy = await ClientConnection.connect('127.0.0.1', timed.port);
    await lazy.handshake();
    await lazy.closed;
    await timed.waitLog(/\(127\.0\.0\.1\) - login did not arrive in time/);
  });
}
