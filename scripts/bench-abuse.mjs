#!/usr/bin/env node
// Replays the attacks of issue 6 against real servers and prints what they achieve:
//
//   node scripts/bench-abuse.mjs [--only connections,logs,logins,rooms] [--root <checkout>]
//
//   connections  (finding 3) sockets one address can hold on a RoomServer (Connections 1000 10)
//                and on a UserServer, idle and after PROPREQ, and whether a user from another
//                address still logs in
//   logs         (finding 4) log bytes per second while one logged-in client sends, just under the
//                default FloodLimit, frames each of which the server has something to say about
//   logins       (finding 5) an honest login's latency (p50/p99) while 1,000 wrong-password logins
//                arrive at once, from one address and from 100 addresses (PasswordCost 14)
//   rooms        (finding 1) 36 clients requesting fresh room names just under FloodLimit: how
//                many requests are answered, and whether a user asking afterwards still gets a room
//
// Each part starts its own servers (temporary directory, 127.0.0.1, ephemeral ports) with only the
// keywords the original servers know, so `--root` may name another checkout (built) to compare,
// e.g. main. Clients use this checkout's protocol client and sources in 127.0.0.0/8 only. Every
// part is bounded in time (about two and a half minutes in all) and in sockets (under 2,500).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ClientConnection, LoginRefused } from '../dist/protocol/client.js';
import { encodeCommand } from '../dist/protocol/codec.js';
import { spawnServer } from '../dist/scripts/bench/spawn-server.js';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = yargs(hideBin(process.argv))
  .option('only', { type: 'string', default: 'connections,logs,logins,rooms' })
  .option('root', { type: 'string', default: here, describe: 'checkout whose dist/ servers are attacked' })
  .option('log-seconds', { type: 'number', default: 10 })
  .option('room-seconds', { type: 'number', default: 45 })
  .strict()
  .parseSync();
const parts = new Set(argv.only.split(','));
const root = resolve(argv.root);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One server process in its own directory, once its log says Ready to serve. */
async function server(kind, lines) {
  const s = await spawnServer({
    kind,
    config: { text: lines.join('\n') },
    dirPrefix: 'ws-abuse-',
    main: join(root, 'dist', kind === 'US' ? 'userserver' : 'roomserver', 'main.js'),
  });
  return {
    ...s,
    logBytes: () => statSync(s.log).size,
    logText: () => readFileSync(s.log, 'utf8'),
  };
}

function connect(port, localAddress, opts = {}) {
  return ClientConnection.connect('127.0.0.1', port, { localAddress, maxInbox: 1000, ...opts });
}

const ms = (v) => (v === undefined ? null : Number.isFinite(v) ? Math.round(v) : 'no answer in 60 s');

function pct(sorted, p) {
  return sorted.length ? ms(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]) : null;
}

const results = {};

// ------------------------------------------------------------------------------ finding 3
async function connectionsPart(kind, lines, honestLogin) {
  const s = await server(kind, lines);
  const held = async (withRequest) => {
    const sockets = [];
    for (let i = 0; i < 1200; i += 50) {
      const batch = await Promise.allSettled(Array.from({ length: 50 }, () => connect(s.port, '127.30.0.1')));
      for (const b of batch) if (b.status === 'fulfilled') sockets.push(b.value);
    }
    if (withRequest) for (const c of sockets) if (!c.isClosed) c.sendRaw(Buffer.from([3, 0xff, 0x0a]));
    await sleep(1500);
    const open = sockets.filter((c) => !c.isClosed).length;
    let honest;
    try {
      const c = await connect(s.port, '127.30.0.2');
      await c.handshake();
      await honestLogin(c);
      honest = 'logged in';
      c.close();
    } catch (err) {
      honest = err instanceof LoginRefused ? `refused, NAK ${err.code}` : `failed: ${err.message}`;
    }
    for (const c of sockets) c.close();
    await sleep(500);
    return { opened: sockets.length, heldAfter1500ms: open, userFromAnotherAddress: honest };
  };
  const r = { idle: await held(false), afterPropreq: await held(true) };
  await s.stop();
  return r;
}

if (parts.has('connections')) {
  results.connections = {
    roomServer: await connectionsPart(
      'RS',
      ['Server Abuse', 'Users 0', 'BindAddr 127.0.0.1', 'Connections 1000 10'],
      (c) => c.login({ kind: 'roomserver-anon', name: `Honest${Date.now() % 100000}`, avatars: 24 }),
    ),
    userServer: await connectionsPart(
      'US',
      ['Server Abuse', 'Users 0 0', 'RoomServers 0 pw', 'BindAddr 127.0.0.1', 'Connections 1000 10000'],
      (c) => c.login({ kind: 'anonymous', name: `Honest${Date.now() % 100000}`, firstConnection: true }),
    ),
  };
  console.log(JSON.stringify({ connections: results.connections }));
}

// ------------------------------------------------------------------------------ finding 4
if (parts.has('logs')) {
  const s = await server('RS', ['Server Abuse', 'Users 0', 'BindAddr 127.0.0.1']);
  const c = await connect(s.port, '127.31.0.1');
  await c.handshake();
  await c.login({ kind: 'roomserver-anon', name: 'Flooder', avatars: 24 });
  const rooms = [];
  for (let i = 0; i < 70; i++) rooms.push((await c.roomId(`Flood#Room${i}<dimension-1>`)).id);
  for (const id of rooms.slice(0, 64)) c.send({ cmd: 'SUBSCRIB', objId: 1, room: id, x: 0, y: 0, z: 0, distance: 0 });
  await c.sync();
  await sleep(2000);
  const frames = [
    encodeCommand({
      cmd: 'PROPSET',
      objId: 1,
      fromUser: '',
      props: [{ id: 5, flags: 0x40, access: 1, value: `avatar:${'x'.repeat(230)}` }],
    }),
    encodeCommand({ cmd: 'WHISPER', objId: 'NobodyHere', sender: '', text: 'are you there?' }),
    encodeCommand({ cmd: 'SUBSCRIB', objId: 1, room: rooms[68], x: 0, y: 0, z: 0, distance: 0 }),
  ];
  const before = s.logBytes();
  const t0 = performance.now();
  let sent = 0;
  // 55 frames per second, under the default FloodLimit of 60.
  while (performance.now() - t0 < argv['log-seconds'] * 1000 && !c.isClosed) {
    c.sendRaw(frames[sent++ % frames.length]);
    await sleep(1000 / 55);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (!c.isClosed) await c.sync();
  await sleep(300);
  const bytes = s.logBytes() - before;
  results.logs = {
    framesSent: sent,
    seconds: Number(seconds.toFixed(1)),
    clientDropped: c.isClosed,
    logBytes: bytes,
    logBytesPerSecond: Math.round(bytes / seconds),
    perHourAt1000Connections: `${((bytes / seconds) * 3600 * 1000) / 1e9 < 0.01 ? '<0.01' : (((bytes / seconds) * 3600 * 1000) / 1e9).toFixed(2)} GB`,
  };
  c.close();
  await s.stop();
  console.log(JSON.stringify({ logs: results.logs }));
}

// ------------------------------------------------------------------------------ finding 5
async function register(port, name, serial, localAddress) {
  const c = await connect(port, localAddress);
  await c.handshake();
  await c.login({ kind: 'register', name, password: 'right-password', serial });
  await c.logoff();
}

async function wrongLogin(port, name, localAddress) {
  let c;
  try {
    c = await connect(port, localAddress, { timeoutMs: 60_000 });
    await c.handshake();
    await c.login({ kind: 'authenticate', name, password: 'wrong-guess', firstConnection: true });
    c.close();
    return 'accepted?!';
  } catch (err) {
    c?.close();
    return err instanceof LoginRefused ? `NAK ${err.code}` : 'connection refused or closed';
  }
}

async function floodPart(s, victims, addresses) {
  const flood = Array.from({ length: 1000 }, (_, i) =>
    wrongLogin(s.port, victims[i % victims.length], addresses[i % addresses.length]),
  );
  let settled = false;
  const floodDone = Promise.all(flood).then((codes) => {
    settled = true;
    return codes;
  });
  const times = [];
  const t0 = performance.now();
  for (let i = 0; (!settled || i < 8) && performance.now() - t0 < 40_000; i++) {
    await sleep(i === 0 ? 100 : 250);
    const start = performance.now();
    try {
      const c = await connect(s.port, `127.60.${Math.floor(i / 250)}.${(i % 250) + 1}`, { timeoutMs: 60_000 });
      await c.handshake();
      await c.login({ kind: 'authenticate', name: 'honest', password: 'right-password', firstConnection: true });
      times.push(performance.now() - start);
      c.close();
    } catch (err) {
      times.push(Infinity);
      console.error(`honest login failed: ${err.message}`);
    }
  }
  const first = times[0];
  const codes = await floodDone;
  const floodSeconds = (performance.now() - t0) / 1000;
  const outcome = {};
  for (const c of codes) outcome[c] = (outcome[c] ?? 0) + 1;
  times.sort((a, b) => a - b);
  return {
    honestLogins: times.length,
    // The first one starts 100 ms into the flood, while the server is still taking its connections on.
    honestFirstMs: ms(first),
    honestP50Ms: pct(times, 0.5),
    honestP99Ms: pct(times, 0.99),
    honestMaxMs: ms(times.at(-1)),
    floodAnsweredInSeconds: Number(floodSeconds.toFixed(1)),
    floodOutcome: outcome,
  };
}

if (parts.has('logins')) {
  const s = await server('US', [
    'Server Abuse',
    'Users 0 0',
    'RoomServers 0 pw',
    'BindAddr 127.0.0.1',
    'UserDatabase us pw sqlite:abuse.db 60',
    'Connections 3000 10000',
  ]);
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(s.dir, 'abuse.db'));
  const insert = db.prepare("INSERT INTO SerialNumbers (serialNumber, userName, serialStatus) VALUES (?, 'none', '0')");
  for (let i = 0; i < 101; i++) insert.run(`ABUS${String(i).padStart(12, '0')}`);
  db.close();
  // Accounts registered through the protocol (one scrypt hash each, cost 14), each from its own address.
  const names = ['honest', ...Array.from({ length: 100 }, (_, i) => `victim${i}`)];
  for (const [i, name] of names.entries())
    await register(
      s.port,
      name,
      `ABUS${String(i).padStart(12, '0')}`,
      `127.40.${Math.floor(i / 200)}.${(i % 200) + 1}`,
    );
  const baseline = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const c = await connect(s.port, `127.61.0.${i + 1}`);
    await c.handshake();
    await c.login({ kind: 'authenticate', name: 'honest', password: 'right-password', firstConnection: true });
    baseline.push(performance.now() - start);
    c.close();
  }
  baseline.sort((a, b) => a - b);
  results.logins = {
    passwordCost: 14,
    honestAloneP50Ms: pct(baseline, 0.5),
    fromOneAddress: await floodPart(s, names.slice(1, 51), ['127.50.0.1']),
    from100Addresses: await floodPart(
      s,
      names.slice(51),
      Array.from({ length: 100 }, (_, i) => `127.51.0.${i + 1}`),
    ),
  };
  await s.stop();
  console.log(JSON.stringify({ logins: results.logins }));
}

// ------------------------------------------------------------------------------ finding 1
if (parts.has('rooms')) {
  const s = await server('RS', ['Server Abuse', 'Users 0', 'BindAddr 127.0.0.1']);
  let answered = 0;
  let sent = 0;
  const clients = [];
  for (let i = 0; i < 36; i++) {
    const c = await connect(s.port, `127.70.0.${i + 1}`, {
      onCommand: (x) => {
        if (x.cmd === 'ROOMID' || x.cmd === 'REDIRID') answered++;
      },
    });
    await c.handshake();
    await c.login({ kind: 'roomserver-anon', name: `Hoarder${i}`, avatars: 24 });
    clients.push(c);
  }
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c, k) => {
      // 50 fresh names per second each, under the default FloodLimit of 60.
      for (let j = 0; performance.now() - t0 < argv['room-seconds'] * 1000 && !c.isClosed; j++) {
        c.send({ cmd: 'ROOMIDRQ', objId: 1, name: `Hoard#R${k}x${j}<dimension-1>` });
        sent++;
        await sleep(20);
      }
    }),
  );
  const dropped = clients.filter((c) => c.isClosed).length;
  await sleep(1000);
  const honest = await connect(s.port, '127.71.0.1', { timeoutMs: 5000 });
  await honest.handshake();
  await honest.login({ kind: 'roomserver-anon', name: 'Latecomer', avatars: 24 });
  let latecomer;
  try {
    latecomer = `got room id ${(await honest.roomId('Fresh#Arrival<dimension-1>')).id}`;
  } catch (err) {
    latecomer = `no answer (${err.message})`;
  }
  results.rooms = {
    clients: 36,
    seconds: argv['room-seconds'],
    requestsSent: sent,
    requestsAnswered: answered,
    floodersDropped: dropped,
    latecomer,
    serverSaid: [...new Set(s.logText().match(/\) - [^\n]*room[^\n]*/g) ?? [])].slice(0, 3),
  };
  for (const c of [...clients, honest]) c.close();
  await s.stop();
  console.log(JSON.stringify({ rooms: results.rooms }));
}

let ref;
try {
  ref = execFileSync('git', ['-C', root, 'describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
} catch {
  ref = 'not a git checkout';
}
console.log(JSON.stringify({ root, ref, results }, null, 2));
