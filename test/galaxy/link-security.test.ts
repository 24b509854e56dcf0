// Issue 6, findings 9 and 10: the UserServer ↔ RoomServer link (LINK.md "Transport and threat
// model"). No user password, old or new, crosses it in clear; a peer on the RoomServers port that
// does not know the link password (speaking the old link, garbage, or TLS with a guessed key) gets
// nothing it could test a password guess against; every such close is logged once, naming the
// address; unauthenticated handshakes are limited per address.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { ClientConnection, LoginRefused, sessionInitProps } from '../../protocol/client.js';
import { ObjIds, Var } from '../../protocol/constants.js';
import { decodeLinkBody } from '../../protocol/link.js';
import { roomServerConfig, startGalaxy } from '../helpers/galaxy.js';
import { recordingProxy, tlsRecords } from '../helpers/proxy.js';
import { RS_MAIN, startServer } from '../helpers/servers.js';

const g = await startGalaxy({ rsNames: [], usExtra: 'LinkHandshake 0.5 4 500' });
t.teardown(() => g.stop());

/** A plain TCP peer on the RoomServers port from `from`; resolves with all it received once closed. */
function peer(from: string, send?: Buffer): { socket: Socket; received: Promise<Buffer> } {
  const socket = connect({ host: '127.0.0.1', port: g.linkPort, localAddress: from });
  socket.on('error', () => {});
  if (send) socket.write(send);
  const parts: Buffer[] = [];
  socket.on('data', (d: Buffer) => parts.push(d));
  return { socket, received: new Promise((res) => socket.once('close', () => res(Buffer.concat(parts)))) };
}

/** The first message of the version-1 link: HELLO version 1, a name and a 32-byte nonce. */
function v1Hello(name: string): Buffer {
  const n = Buffer.from(name);
  const body = Buffer.concat([Buffer.from([0, 1, 0, n.length]), n, Buffer.from([0, 32]), randomBytes(32)]);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length + 1);
  head[4] = 1;
  return Buffer.concat([head, body]);
}

t.test('finding 9: a recording proxy on the link never sees a password or a new password', async (t) => {
  const tap = await recordingProxy(g.linkPort);
  t.teardown(() => tap.close());
  const rs = await startServer(RS_MAIN, 'RS', roomServerConfig('taped', tap.port), {
    dir: g.dir,
    cfgName: 'tapedRS.cfg',
  });
  t.teardown(() => rs.stop());
  const [serial] = g.serials(1, 'tape-seed');
  const first = await g.login({ kind: 'register', name: 'Ursula', password: 'Oldpass1x', serial: serial as string });
  await first.enter(first.roomName('Tape', 'Hall'), { x: 0, y: 0 });
  await first.logoff();

  // The password is changed on the UserServer (VAR_NEW_PASSWD), then the RoomServer checks the new one.
  const us = await ClientConnection.connect('127.0.0.1', g.usPort);
  await us.handshake();
  us.send({
    cmd: 'SESSIONINIT',
    objId: ObjIds.CLIENT,
    props: [
      ...sessionInitProps({ kind: 'authenticate', name: 'Ursula', password: 'Oldpass1x', firstConnection: true }),
      { id: Var.NEW_PASSWD, value: 'Newpass2y' },
    ],
  });
  t.equal((await us.expectCmd('SESSIONINIT')).props[0]?.value, '0');
  const room = await us.roomId(`Tape#Hall<${first.channel}>`);
  const login = (password: string) =>
    ClientConnection.connect(room.ip as string, room.port as number).then(async (c) => {
      await c.handshake();
      await c.login({ kind: 'roomserver', name: 'Ursula', password, avatars: 24 });
      return c;
    });
  const err = await login('Oldpass1x').catch((e: unknown) => e);
  t.ok(err instanceof LoginRefused && err.code === 13, 'the old password is refused by the RoomServer');
  const rsConn = await login('Newpass2y');
  t.notOk(rsConn.isClosed, 'the new one is accepted');
  await rsConn.logoff(false);
  await us.logoff();

  const wire = Buffer.concat([tap.fromClient(), tap.fromTarget()]);
  t.ok(wire.length > 1000, `the proxy recorded the link (${wire.length} bytes)`);
  for (const secret of ['Oldpass1x', 'Newpass2y', 'Ursula'])
    t.equal(wire.indexOf(secret), -1, `no ${secret} on the wire`);
  t.equal(tap.fromClient()[0], 0x16, 'the RoomServer opens with a TLS handshake');
  const types = new Set(tlsRecords(tap.fromClient()).map((r) => r.type));
  t.ok(types.has(23), 'its messages travel as encrypted application data');
});

t.test('finding 9: a peer speaking the old link gets one REFUSED, nothing to test a guess against', async (t) => {
  const p = peer('127.0.3.1', v1Hello('oldie'));
  const got = await p.received;
  const len = got.readUInt32BE(0);
  t.equal(got.length, 4 + len, 'exactly one message, then the close');
  const m = decodeLinkBody(got[4] as number, got.subarray(5));
  t.equal(m.kind, 'REFUSED', 'no CHALLENGE, no proof');
  if (m.kind === 'REFUSED') t.match(m.reason, /link version 1 is not supported: this UserServer speaks link version 2/);
  await g.us.waitLog(
    /\(RoomServers port, 127\.0\.3\.1\) - refused: RoomServer speaks link version 1, this UserServer 2/,
  );
});

t.test('finding 10: garbage and bad lengths are closed with one log line each, and get no byte', async (t) => {
  const get = peer('127.0.3.2', Buffer.from('GET / HTTP/1.0\r\n\r\n'));
  t.equal((await get.received).length, 0);
  await g.us.waitLog(
    /\(RoomServers port, 127\.0\.3\.2\) - refused: not a link handshake \(first bytes 474554202f204854\)/,
  );
  const zero = peer('127.0.3.3', Buffer.from([0, 0, 0, 0, 1, 0, 0, 0]));
  t.equal((await zero.received).length, 0);
  await g.us.waitLog(
    /\(RoomServers port, 127\.0\.3\.3\) - refused: not a link handshake \(first bytes 0000000001000000\)/,
  );
});

t.test('finding 10: silence and a close before the handshake are logged too', async (t) => {
  const quiet = peer('127.0.3.4');
  t.equal((await quiet.received).length, 0);
  await g.us.waitLog(
    /\(RoomServers port, 127\.0\.3\.4\) - refused: no link handshake within 0\.5 s \(0 bytes received\)/,
  );
  const gone = peer('127.0.3.5');
  gone.socket.once('connect', () => gone.socket.end());
  await gone.received;
  await g.us.waitLog(
    /\(RoomServers port, 127\.0\.3\.5\) - refused: closed before the link handshake \(0 bytes received\)/,
  );
});

t.test('finding 9: TLS with a guessed key gets only plaintext handshake records and an alert', async (t) => {
  const tap = await recordingProxy(g.linkPort);
  t.teardown(() => tap.close());
  const err = await new Promise<Error>((res) => {
    const s = tlsConnect({
      host: '127.0.0.1',
      port: tap.port,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-PSK-CHACHA20-POLY1305',
      checkServerIdentity: () => undefined,
      pskCallback: () => ({ psk: randomBytes(32), identity: 'roomserver spy' }),
    });
    s.once('secureConnect', () => res(new Error('handshake completed with a guessed key')));
    s.once('error', res);
  });
  t.match((err as NodeJS.ErrnoException).code, /ALERT/, `refused: ${err.message.slice(0, 60)}`);
  await g.us.waitLog(/\(RoomServer spy from 127\.0\.0\.1\) - refused: wrong RoomServers password/);
  const records = tlsRecords(tap.fromTarget());
  t.ok(records.length >= 2, 'ServerHello … ServerHelloDone, then the alert');
  for (const r of records) {
    t.ok(r.type === 22 || r.type === 21, `record type ${r.type}: handshake or alert only`);
    if (r.type === 21) t.equal(r.length, 2, 'a plaintext alert: nothing keyed by the password');
  }
  t.notOk(
    records.some((r) => r.type === 20 || r.type === 23),
    'no ChangeCipherSpec, no Finished, no data: nothing an offline guess could be checked against',
  );
});

t.test('finding 9: unauthenticated handshakes are limited per address; the log says so once', async (t) => {
  for (let i = 0; i < 10; i++) await peer('127.0.4.1', Buffer.from('garbage!')).received;
  await g.us.waitLog(
    /\(RoomServers port, 127\.0\.4\.1\) - refused: more than 4 unauthenticated link handshakes from 127\.0\.4\.1 in a minute; closed at once/,
  );
  const late = peer('127.0.4.1', Buffer.from('garbage!'));
  t.equal((await late.received).length, 0, 'closed at once');
  // A RoomServer from another address (and the right password) is not held up.
  const rs = await startServer(RS_MAIN, 'RS', roomServerConfig('after', g.linkPort), {
    dir: g.dir,
    cfgName: 'afterRS.cfg',
  });
  t.teardown(() => rs.stop());
  await g.us.waitLog(/RoomServer after connected/);
  const lines = g.us
    .log()
    .split('\n')
    .filter((l) => l.includes('127.0.4.1'));
  t.equal(lines.filter((l) => /not a link handshake/.test(l)).length, 1, 'garbage: one line per minute');
  t.equal(lines.filter((l) => /more than 4 unauthenticated/.test(l)).length, 1, 'rate: one line per minute');
});

t.test('a RoomServer of another galaxy stops before using its key; both sides log it', async (t) => {
  const cfg = roomServerConfig('stray', g.linkPort)
    .replace('Server Galaxy', 'Server Other')
    .replace('LinkRetry 0.3', 'LinkRetry 30');
  const stray = await startServer(RS_MAIN, 'RS', cfg, { dir: g.dir, cfgName: 'strayRS.cfg', waitReady: false });
  t.teardown(() => stray.stop());
  await stray.waitLog(
    /\(UserServer\) - no link: UserServer 127\.0\.0\.1:\d+: the UserServer's Server name is "Galaxy", ours is "Other": they must be the same; retrying in 30 s/,
  );
  await g.us.waitLog(/\(RoomServers port, 127\.0\.0\.1\) - refused: the peer ended the TLS handshake/);
});
