// The backup link's security (issue 11; protocol/BACKUP.md, threat model as in LINK.md): TLS-PSK
// with a key of its own role, so no password crosses it (neither the link's nor a user's, even
// when a session moves across), a peer without the password gets nothing it could test a guess
// against offline, and every refusal (wrong password, wrong suffix, garbage) is logged, on both
// sides where there are two.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import t from 'tap';
import { RS_PASSWORD } from '../helpers/galaxy.js';
import { recordingProxy, tlsRecords, type RecordingProxy } from '../helpers/proxy.js';
import { BACKUP_PASSWORD, startPair } from '../helpers/redundant.js';
import { US_MAIN, startServer, withTestLimits } from '../helpers/servers.js';

let tap: RecordingProxy | null = null;
const p = await startPair({
  usExtra: 'Guests 20 guest 30\nLinkHandshake 0.5 6 500',
  backupVia: async (port) => {
    tap = await recordingProxy(port);
    return tap.port;
  },
});
t.teardown(async () => {
  await p.stop();
  await tap?.close();
});

/** Another UserServer in the pair's directory, on its own address, linking to East. */
function intruder(name: string, lines: string) {
  const cfg = [
    `Server ${name}`,
    'Users 0',
    `RoomServers 0 ${RS_PASSWORD}`,
    'BindAddr 127.0.0.3',
    lines,
    withTestLimits(''),
  ];
  return startServer(US_MAIN, 'US', cfg.join('\n'), { dir: p.dir, cfgName: `${name}US.cfg` });
}

function peer(from: string, send?: Buffer): { socket: Socket; received: Promise<Buffer> } {
  const socket = connect({ host: '127.0.0.1', port: p.backupPort, localAddress: from });
  socket.on('error', () => {});
  if (send) socket.write(send);
  const parts: Buffer[] = [];
  socket.on('data', (d: Buffer) => parts.push(d));
  return { socket, received: new Promise((res) => socket.once('close', () => res(Buffer.concat(parts)))) };
}

/** A TLS-PSK handshake with a random key under `identity`; resolves with the error that ends it. */
function guess(port: number, identity: string, from = '127.0.0.1'): Promise<Error> {
  return new Promise<Error>((res) => {
    const s = tlsConnect({
      socket: connect({ host: '127.0.0.1', port, localAddress: from }),
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-PSK-CHACHA20-POLY1305',
      checkServerIdentity: () => undefined,
      pskCallback: () => ({ psk: randomBytes(32), identity }),
    });
    s.once('secureConnect', () => res(new Error('handshake completed with a guessed key')));
    s.once('error', res);
  });
}

t.test('nothing secret on the link, even while a session moves across', async (t) => {
  const [serial] = [p.serials(1, 'secure-seed')[0] as string];
  const ann = await p.east.login({ kind: 'register', name: 'Ann', password: 'Sesame-42', serial });
  const bob = await p.west.login({ kind: 'guest', firstConnection: true });
  const hall = bob.roomName('Plaza', 'Hall');
  await bob.enter(hall, { x: 0, y: 0 });
  ann.channel = bob.channel;
  await ann.enter(hall, { x: 5, y: 0 });
  await p.east.us.waitLog(/Ann moved to WorldServer West/);
  ann.whisper(bob.name, 'psst');
  await ann.logoff();
  await bob.logoff();
  const proxy = tap as unknown as RecordingProxy;
  const wire = Buffer.concat([proxy.fromClient(), proxy.fromTarget()]);
  t.ok(wire.length > 500, `the proxy recorded the link (${wire.length} bytes)`);
  for (const secret of [BACKUP_PASSWORD, 'Sesame-42', bob.password, 'Ann', 'psst'])
    t.equal(wire.indexOf(secret), -1, `no ${secret} on the wire`);
  t.equal(proxy.fromClient()[0], 0x16, 'West opens with a TLS handshake');
  t.ok(
    tlsRecords(proxy.fromClient()).some((r) => r.type === 23),
    'then only encrypted application data',
  );
});

t.test('a BackupClient with a wrong password is refused; both sides log it', async (t) => {
  const spy = await intruder('Spy', `BackupClient 127.0.0.1 ${p.backupPort} not-the-password\nBackupRetry 30`);
  t.teardown(() => spy.stop());
  await spy.waitLog(
    /\(BackupServer 127\.0\.0\.1:\d+\) - no backup link: BackupServer 127\.0\.0\.1:\d+: the BackupServer does not know the password we use \(TLS-PSK handshake failed: the two passwords differ\); retrying every 30 s/,
  );
  await p.east.us.waitLog(/\(BackupClient Spy from 127\.0\.0\.\d\) - refused: wrong BackupServer password/);
  t.pass('refused and logged on both sides');
});

t.test('a BackupClient with the same channel suffix is refused; both sides say why', async (t) => {
  const twin = await intruder(
    'Twin',
    `BackupClient 127.0.0.1 ${p.backupPort} ${BACKUP_PASSWORD}\nChannelSuffix 2\nBackupRetry 30`,
  );
  t.teardown(() => twin.stop());
  await twin.waitLog(/no backup link: the BackupServer refused: both UserServers use the channel suffix 2/);
  await p.east.us.waitLog(
    /\(BackupClient Twin from 127\.0\.0\.\d\) - refused: both UserServers use the channel suffix 2/,
  );
  t.match(p.west.us.log(), /backup link up/);
  t.notMatch(p.east.us.log(), /backup link lost/, 'the linked BackupClient is not disturbed');
});

t.test('TLS with a guessed key gets only plaintext handshake records and an alert', async (t) => {
  const guessProxy = await recordingProxy(p.backupPort, '127.0.5.9');
  t.teardown(() => guessProxy.close());
  const err = await guess(guessProxy.port, 'backup Mallory');
  t.match((err as NodeJS.ErrnoException).code, /ALERT/, 'refused');
  await p.east.us.waitLog(/\(BackupClient Mallory from 127\.0\.5\.9\) - refused: wrong BackupServer password/);
  const records = tlsRecords(guessProxy.fromTarget());
  t.ok(records.length >= 2, 'ServerHello … ServerHelloDone, then the alert');
  for (const r of records) t.ok(r.type === 22 || r.type === 21, `record type ${r.type}: handshake or alert only`);
  t.notOk(
    records.some((r) => r.type === 20 || r.type === 23),
    'no ChangeCipherSpec, no Finished, no data: nothing an offline guess could be checked against',
  );
});

t.test('garbage and a RoomServer identity are refused and logged; handshakes are limited per address', async (t) => {
  const junk = peer('127.0.5.1', Buffer.from('GET / HTTP/1.0\r\n\r\n'));
  t.equal((await junk.received).length, 0, 'not a byte back');
  await p.east.us.waitLog(
    /\(BackupServer port, 127\.0\.5\.1\) - refused: not a backup link handshake \(first bytes 474554202f204854\)/,
  );
  const rs = await guess(p.backupPort, 'roomserver first', '127.0.5.2');
  t.match((rs as NodeJS.ErrnoException).code, /ALERT/);
  await p.east.us.waitLog(/refused: unknown link identity "roomserver first" \(not a BackupClient/);
  for (let i = 0; i < 10; i++) await peer('127.0.5.3', Buffer.from('garbage!')).received;
  await p.east.us.waitLog(
    /\(BackupServer port, 127\.0\.5\.3\) - refused: more than 6 unauthenticated link handshakes from 127\.0\.5\.3 in a minute; closed at once/,
  );
  t.match(p.west.us.log(), /backup link up/);
  t.notMatch(p.east.us.log(), /backup link lost/, 'the linked BackupClient is not held up');
});
