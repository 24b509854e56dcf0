// The TLS-PSK transport of server-to-server links (LINK.md): keys differ per role, galaxy and
// password; a peer with the key gets a channel; one without it, one from another galaxy, one that
// does not speak TLS, one that is too slow or too frequent is refused, and the refusal says why.
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import t from 'tap';
import type { TLSSocket } from 'node:tls';
import { DEFAULT_LINK_HANDSHAKE, type LinkHandshakeLimits } from '../../runtime/config-limits.js';
import {
  LinkConnectError,
  SecureLinkGate,
  connectSecure,
  linkKey,
  readyLinkKey,
  type PeerInfo,
  type RefusalKind,
} from '../../runtime/secure-link.js';

const SECRET = { role: 'testlink', galaxy: 'Galaxy', password: 'correct horse' };

t.test('the key depends on role, galaxy and password, and is remembered once derived', async (t) => {
  const k = await linkKey(SECRET);
  t.equal(k.length, 32);
  t.same(await linkKey({ ...SECRET }), k, 'same secret, same key');
  t.same(readyLinkKey(SECRET), k);
  t.notSame(await linkKey({ ...SECRET, role: 'other' }), k, 'another role');
  t.notSame(await linkKey({ ...SECRET, galaxy: 'Other' }), k, 'another galaxy');
  t.notSame(await linkKey({ ...SECRET, password: 'correct horsf' }), k, 'another password');
  t.equal(readyLinkKey({ ...SECRET, password: 'never derived' }), null);
});

interface Harness {
  port: number;
  authenticated: { socket: TLSSocket; peer: PeerInfo }[];
  refusals: { peer: PeerInfo; kind: RefusalKind; reason: string }[];
  plaintext: Buffer[];
  /** Resolves with the next refusal (counted from the moment of the call). */
  nextRefusal(): Promise<{ peer: PeerInfo; kind: RefusalKind; reason: string }>;
  nextAuth(): Promise<{ socket: TLSSocket; peer: PeerInfo }>;
  server: Server;
}

async function harness(limits: Partial<LinkHandshakeLimits> = {}): Promise<Harness> {
  const server = createServer();
  const waiting: ((v: unknown) => void)[] = [];
  const authWaiting: ((v: { socket: TLSSocket; peer: PeerInfo }) => void)[] = [];
  const h: Harness = {
    port: 0,
    authenticated: [],
    refusals: [],
    plaintext: [],
    server,
    nextRefusal: () =>
      new Promise((res) => {
        const seen = h.refusals.length;
        const check = () => (h.refusals.length > seen ? res(h.refusals[seen]!) : waiting.push(check));
        check();
      }),
    nextAuth: () =>
      new Promise((res) => {
        const a = h.authenticated.shift();
        if (a) res(a);
        else authWaiting.push(res);
      }),
  };
  const gate = new SecureLinkGate({
    role: SECRET.role,
    passwordName: 'Test',
    secret: () => ({ galaxy: SECRET.galaxy, password: SECRET.password }),
    limits: () => ({ ...DEFAULT_LINK_HANDSHAKE, ...limits }),
    checkIdentity: (id) => (id.startsWith('ok ') ? null : `identity ${id} not welcome`),
    onAuthenticated: (socket, peer) => {
      const w = authWaiting.shift();
      if (w) w({ socket, peer });
      else h.authenticated.push({ socket, peer });
    },
    onPlaintext: (socket, first) => {
      h.plaintext.push(first);
      socket.write('go away\n');
      return `plain text ${first.length} bytes`;
    },
    onRefused: (peer, kind, reason) => {
      h.refusals.push({ peer, kind, reason });
      for (const w of waiting.splice(0)) w(null);
    },
  });
  gate.listen(server, () => true);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  h.port = (server.address() as { port: number }).port;
  await linkKey(SECRET);
  return h;
}

function client(h: Harness, over: { key?: Buffer; galaxy?: string; identity?: string } = {}) {
  return linkKey(SECRET).then((key) =>
    connectSecure({
      host: '127.0.0.1',
      port: h.port,
      galaxy: over.galaxy ?? SECRET.galaxy,
      identity: over.identity ?? 'ok first',
      key: over.key ?? key,
      timeoutMs: 5_000,
      peerName: 'TestServer',
    }),
  );
}

async function failure(p: Promise<unknown>): Promise<LinkConnectError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LinkConnectError) return err;
    throw err;
  }
  throw new Error('connected, but should have been refused');
}

t.test('the right key: an encrypted channel both ways, identity passed on', async (t) => {
  const h = await harness();
  t.teardown(() => h.server.close());
  const c = await client(h);
  const { socket, peer } = await h.nextAuth();
  t.equal(peer.identity, 'ok first');
  t.equal(peer.address, '127.0.0.1');
  t.match(c.getCipher().name, /PSK/);
  const got = new Promise<string>((res) => socket.once('data', (d: Buffer) => res(d.toString())));
  c.write('hello');
  t.equal(await got, 'hello');
  c.destroy();
});

t.test('a wrong key is refused on both sides, each saying why', async (t) => {
  const h = await harness();
  t.teardown(() => h.server.close());
  const refusal = h.nextRefusal();
  const err = await failure(client(h, { key: Buffer.alloc(32, 1) }));
  t.equal(err.kind, 'key');
  t.match(err.message, /does not know the password/);
  const r = await refusal;
  t.equal(r.kind, 'key');
  t.match(r.reason, /wrong Test password/);
  t.equal(r.peer.identity, 'ok first', 'the refusal names who tried');
});

t.test('another galaxy name: the client stops before using its key', async (t) => {
  const h = await harness();
  t.teardown(() => h.server.close());
  const refusal = h.nextRefusal();
  const err = await failure(client(h, { galaxy: 'Elsewhere' }));
  t.equal(err.kind, 'hint');
  t.match(err.message, /Server name is "Galaxy", ours is "Elsewhere"/);
  t.equal((await refusal).kind, 'tls');
});

t.test('an identity the owner refuses', async (t) => {
  const h = await harness();
  t.teardown(() => h.server.close());
  const refusal = h.nextRefusal();
  const err = await failure(client(h, { identity: 'bad one' }));
  t.equal(err.kind, 'identity');
  const r = await refusal;
  t.equal(r.kind, 'identity');
  t.match(r.reason, /identity bad one not welcome/);
});

/** A plain TCP peer; the gate may close it before or right after it connects. */
function raw(h: Harness, localAddress = '127.0.0.1'): Socket {
  const s = netConnect({ host: '127.0.0.1', port: h.port, localAddress });
  s.on('error', () => {});
  return s;
}

function received(s: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return new Promise((res) => s.once('close', () => res(Buffer.concat(parts))));
}

t.test('a peer that does not speak TLS is handed to the owner, then closed', async (t) => {
  const h = await harness();
  t.teardown(() => h.server.close());
  const s = raw(h);
  const got = received(s);
  const refusal = h.nextRefusal();
  s.write('GET / HTTP/1.0\r\n\r\n');
  t.equal((await got).toString(), 'go away\n');
  const r = await refusal;
  t.equal(r.kind, 'plaintext');
  t.equal(r.reason, 'plain text 18 bytes');
  t.equal(h.plaintext[0]?.toString(), 'GET / HTTP/1.0\r\n\r\n');
});

t.test('silence and early closes are refusals too (one line each, never none)', async (t) => {
  const h = await harness({ timeoutMs: 200 });
  t.teardown(() => h.server.close());
  let refusal = h.nextRefusal();
  const quiet = raw(h);
  const closed = received(quiet);
  let r = await refusal;
  t.equal(r.kind, 'timeout');
  t.match(r.reason, /no link handshake within 0\.2 s \(0 bytes received\)/);
  await closed;
  refusal = h.nextRefusal();
  const early = raw(h);
  early.end('\x16');
  r = await refusal;
  t.ok(r.kind === 'closed' || r.kind === 'tls', `closed during the handshake: ${r.kind} ${r.reason}`);
});

t.test('unauthenticated handshakes are limited per address; an authenticated one is given back', async (t) => {
  const h = await harness({ perAddressPerMinute: 2, totalPerMinute: 1000 });
  t.teardown(() => h.server.close());
  await client(h).then((c) => c.destroy());
  await h.nextAuth();
  for (let i = 0; i < 2; i++) {
    const refusal = h.nextRefusal();
    raw(h, '127.0.0.7').write('garbage!');
    t.equal((await refusal).kind, 'plaintext');
  }
  const refusal = h.nextRefusal();
  const s = raw(h, '127.0.0.7');
  const got = received(s);
  const r = await refusal;
  t.equal(r.kind, 'rate');
  t.match(r.reason, /more than 2 unauthenticated link handshakes from 127\.0\.0\.7 in a minute/);
  t.equal((await got).length, 0, 'closed at once, nothing sent');
  const c = await client(h);
  t.ok(c.encrypted, 'another address, and the earlier good handshake from it, are not counted');
  c.destroy();
});

t.test('and overall', async (t) => {
  const h = await harness({ perAddressPerMinute: 100, totalPerMinute: 1 });
  t.teardown(() => h.server.close());
  const refusal = h.nextRefusal();
  const first = raw(h, '127.0.0.8');
  const second = raw(h, '127.0.0.9');
  const r = await refusal;
  t.equal(r.kind, 'rate');
  t.match(r.reason, /from all addresses/);
  first.destroy();
  second.destroy();
});
