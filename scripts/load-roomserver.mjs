#!/usr/bin/env node
// Load test: how many moving users one RoomServer process holds at one update per second.
//
//   node scripts/load-roomserver.mjs --users 2000 --per-room 50 --seconds 20
//   node scripts/load-roomserver.mjs --config 'StatusHttp 0' --scrape   (monitoring on and read)
//
// Starts its own stand-alone RS_v11 (temporary directory, ephemeral port on 127.0.0.1) unless
// --port is given, logs in N protocol-client bots at a bounded rate, puts them in rooms of
// --per-room users, and has each move once per second. Every bot writes the time it moved into
// its z coordinate (tenths of centiseconds), so a viewer knows how old each LONGLOC it receives is
// without sharing clocks. Prints server CPU and memory, tick behaviour as seen by clients, and the
// move-to-viewer latency distribution. Bounded in time and size; loopback only.
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ClientConnection } from '../dist/protocol/client.js';
import { spawnServer } from '../dist/scripts/bench/spawn-server.js';
import { sampleProcess } from '../dist/scripts/farm/procstat.js';

const argv = yargs(hideBin(process.argv))
  .option('users', { type: 'number', default: 1000 })
  .option('per-room', { type: 'number', default: 50, describe: 'users per room' })
  .option('seconds', { type: 'number', default: 20, describe: 'measurement time after everyone is in' })
  .option('avatars', { type: 'number', default: 24, describe: 'VAR_AVATARS each bot asks for' })
  .option('interval-us', { type: 'number', default: 1_000_000, describe: 'ClientUpdates interval' })
  .option('login-rate', { type: 'number', default: 300, describe: 'logins per second' })
  .option('port', { type: 'number', describe: 'use a running RoomServer on 127.0.0.1 instead of starting one' })
  .option('config', {
    type: 'string',
    default: '',
    describe: 'extra lines for the RoomServer configuration (\\n between)',
  })
  .option('main', { type: 'string', describe: 'RoomServer to start (default dist/roomserver/main.js of this tree)' })
  .option('scrape', {
    type: 'number',
    describe:
      'read the StatusHttp endpoint while measuring: /metrics every N seconds (Prometheus: 15), and what one open status page polls; then time 50 reads of each',
  })
  .strict()
  .parseSync();

const N = Math.min(argv.users, 9000); // both ends on one machine: stay far below 20,000 open files
const intervalMs = argv['interval-us'] / 1000;

async function startServer() {
  const s = await spawnServer({
    kind: 'RS',
    config: {
      text: `Server Load\nUsers 0\nBindAddr 127.0.0.1\nClientUpdates ${argv.avatars} ${argv['interval-us']}\nConnections ${N + 100} 10\nFloodLimit 1000 5000\nAddressLimit ${N + 100} ${N + 100}\n${argv.config.replace(/\\n/g, '\n')}\n`,
    },
    dirPrefix: 'ws-load-',
    main: argv.main ? resolve(argv.main) : undefined,
  });
  return { ...s, statusPort: s.ports.status ?? null };
}

const cpuTicks = (pid) => sampleProcess(pid)?.cpuTicks ?? NaN; // utime + stime, in clock ticks (100/s)
const rssMiB = (pid) => (sampleProcess(pid)?.rssKiB ?? NaN) / 1024;

const stamp = () => Math.floor((Date.now() % 10_000) / 10); // 0..999, 10 ms resolution
const latencies = [];
let longlocs = 0;
let measuring = false;

const server = argv.port ? { port: argv.port, pid: null } : await startServer();
console.log(
  `RoomServer on 127.0.0.1:${server.port}${server.pid ? ` (pid ${server.pid})` : ''}; ${N} users, ${argv['per-room']} per room, update interval ${intervalMs} ms`,
);

const bots = [];
const t0 = Date.now();
for (let i = 0; i < N; i++) {
  const room = `Load#Room${Math.floor(i / argv['per-room'])}<dimension-1>`;
  const c = await ClientConnection.connect('127.0.0.1', server.port, {
    onCommand: (cmd) => {
      if (cmd.cmd !== 'LONGLOC' || !measuring) return;
      longlocs++;
      if (latencies.length < 2_000_000) latencies.push((stamp() - cmd.z + 1000) % 1000);
    },
  });
  await c.handshake();
  await c.login({ kind: 'roomserver-anon', name: `bot${i}`, avatars: argv.avatars });
  const { id } = await c.roomId(room);
  const bot = { c, x: Math.floor(Math.random() * 4000) - 2000, y: Math.floor(Math.random() * 4000) - 2000, dir: 0 };
  c.send({ cmd: 'SUBSCRIB', objId: 1, room: id, x: 0, y: 0, z: 0, distance: -100 });
  c.send({ cmd: 'TELEPORT', objId: 1, room: id, exitType: 0, entryType: 1, x: bot.x, y: bot.y, z: stamp(), dir: 0 });
  bots.push(bot);
  const due = t0 + ((i + 1) * 1000) / argv['login-rate'];
  if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
}
console.log(`${N} users logged in and placed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// Everyone moves once per interval, spread evenly over it.
let moveTimer = null;
let k = 0;
const perSlot = Math.max(1, Math.ceil(N / 50));
moveTimer = setInterval(() => {
  for (let j = 0; j < perSlot; j++) {
    const b = bots[k++ % N];
    b.x = Math.max(-30000, Math.min(30000, b.x + Math.floor(Math.random() * 200) - 100));
    b.y = Math.max(-30000, Math.min(30000, b.y + Math.floor(Math.random() * 200) - 100));
    b.dir = (b.dir + 7) % 360;
    b.c.send({ cmd: 'LONGLOC', objId: 1, x: b.x, y: b.y, z: stamp(), dir: b.dir });
  }
}, intervalMs / 50);

// What Prometheus and one open status page ask for (the page polls twice per 5 s sample).
let scraped = 0;
const scrapers = [];
const base = server.statusPort ? `http://127.0.0.1:${server.statusPort}` : null;
const read = async (path) => {
  const r = await fetch(`${base}${path}`).catch(() => null);
  if (!r?.ok) return;
  await r.arrayBuffer();
  scraped++;
};
if (argv.scrape && base) {
  // Each kind once before measuring: the first use of a code path compiles it, a cost a running
  // server pays once, not per scrape.
  await read('/metrics');
  await read('/status.json');
  await read('/stats?format=json');
  const every = (ms, fn) => setInterval(fn, ms);
  scrapers.push(every(argv.scrape * 1000, () => read('/metrics')));
  let since = Date.now() / 1000;
  scrapers.push(
    every(2500, async () => {
      await read(`/status.json?since=${since}`);
      since = Date.now() / 1000;
      await read('/stats?format=json');
    }),
  );
}
await new Promise((r) => setTimeout(r, 3 * intervalMs)); // settle: initial arrivals
measuring = true;
const cpu0 = server.pid ? cpuTicks(server.pid) : 0;
const w0 = Date.now();
await new Promise((r) => setTimeout(r, argv.seconds * 1000));
measuring = false;
for (const s of scrapers) clearInterval(s);
const wall = (Date.now() - w0) / 1000;
const cpu = server.pid ? (cpuTicks(server.pid) - cpu0) / 100 / wall : NaN;

/** Server CPU milliseconds one request costs: 50 in a row, less what the load took meanwhile. */
async function costOf(paths) {
  const c0 = cpuTicks(server.pid);
  const t0 = Date.now();
  for (let i = 0; i < 50; i++) for (const p of paths) await read(p);
  const seconds = (Date.now() - t0) / 1000;
  return Number((((cpuTicks(server.pid) - c0) / 100 - cpu * seconds) * 20).toFixed(2));
}
const requestCpuMs =
  argv.scrape && base && server.pid
    ? {
        metrics: await costOf(['/metrics']),
        statusPagePoll: await costOf(['/status.json?since=0', '/stats?format=json']),
      }
    : null;
clearInterval(moveTimer);

latencies.sort((a, b) => a - b);
const q = (p) =>
  latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 10 : NaN;
const closed = bots.filter((b) => b.c.isClosed).length;
console.log(
  JSON.stringify({
    users: N,
    perRoom: argv['per-room'],
    avatarsPerViewer: argv.avatars,
    intervalMs,
    seconds: Number(wall.toFixed(1)),
    serverCpuCores: Number(cpu.toFixed(3)),
    serverRssMiB: server.pid ? Number(rssMiB(server.pid).toFixed(1)) : null,
    positionUpdatesReceivedPerSecond: Math.round(longlocs / wall),
    perViewerPerSecond: Number((longlocs / wall / N).toFixed(2)),
    latencyMs: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) },
    botsDisconnected: closed,
    statusRequests: scraped,
    requestCpuMs,
  }),
);
for (const b of bots) b.c.close();
if (server.proc) {
  await server.stop();
}
process.exit(0);
