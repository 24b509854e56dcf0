#!/usr/bin/env node
// Room-and-state churn (issue 6, findings 1 and 2): does a RoomServer give its memory back?
//
//   node scripts/bench-room-churn.mjs                  # 50 clients, 10 minutes
//   node scripts/bench-room-churn.mjs --seconds 60     # a shorter run
//   node scripts/bench-room-churn.mjs --no-database    # state only in memory (bounded by SharedState)
//
// Starts its own stand-alone RS_v11 (temporary directory, 127.0.0.1, ephemeral port). N protocol
// clients each, about once a second, ask for a room they never used, enter it, fill it with shared
// state (PROPSET 253, one property per frame), and leave it; after --seconds they log off. Prints
// the RoomServer's RSS (from /proc/<pid>/status) at the start, at its peak and once everyone left
// and the rooms' ids are back in the pool, with the server's own count of rooms in memory and ids
// in use (its debug census line). The target: RSS after leaving within 20% of the start.
// Bounded in time (--seconds plus at most --settle) and size (--clients ≤ 500); loopback only.
import { existsSync, readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ClientConnection } from '../dist/protocol/client.js';
import { spawnServer } from '../dist/scripts/bench/spawn-server.js';
import { sampleProcess } from '../dist/scripts/farm/procstat.js';

const argv = yargs(hideBin(process.argv))
  .option('clients', { type: 'number', default: 50 })
  .option('seconds', { type: 'number', default: 600, describe: 'churn time' })
  .option('rooms-per-second', { type: 'number', default: 1, describe: 'new rooms per client per second' })
  .option('props', { type: 'number', default: 16, describe: 'shared properties per room' })
  .option('value-bytes', { type: 'number', default: 200, describe: 'bytes per property value' })
  .option('quiet', { type: 'number', default: 10, describe: 'RoomIds quiet period, seconds' })
  .option('database', { type: 'boolean', default: true, describe: 'RoomDatabase (sqlite) written every 3 s' })
  .option('settle', { type: 'number', default: 120, describe: 'longest wait for the rooms to go, seconds' })
  .option('idle', { type: 'number', default: 60, describe: 'RSS watched this long once they are gone, seconds' })
  .option('server-node-options', {
    type: 'string',
    default: '',
    describe: 'NODE_OPTIONS for the RoomServer only, e.g. --max-semi-space-size=2',
  })
  .strict()
  .parseSync();

const CLIENTS = Math.min(Math.max(1, argv.clients), 500);
const VALUE = 'v'.repeat(Math.min(argv['value-bytes'], 220));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const rssMiB = (pid) => (sampleProcess(pid)?.rssKiB ?? NaN) / 1024;

function startServer() {
  const cfg = [
    'Server Churn',
    'Users 0',
    'BindAddr 127.0.0.1',
    'ClientUpdates 6 1000000',
    `Connections ${CLIENTS + 50} 10`,
    `RoomIds 65535 ${argv.quiet}`,
    argv.database ? 'RoomDatabase churn pw sqlite:rooms.db 0.05' : '',
  ].join('\n');
  return spawnServer({
    kind: 'RS',
    config: { text: cfg },
    dirPrefix: 'ws-churn-',
    env: { ...process.env, NODE_OPTIONS: argv['server-node-options'] },
  });
}

/** The RoomServer's last census line (rooms in memory, ids), from its debug output. */
function census(server) {
  if (!existsSync(server.debugOut)) return '(no census yet)';
  const lines = readFileSync(server.debugOut, 'utf8').match(/rooms: .*$/gm);
  return lines ? lines[lines.length - 1] : '(no census yet)';
}

const server = await startServer();
await sleep(1000);
const rssStart = rssMiB(server.pid);
console.log(
  `RoomServer pid ${server.pid} on 127.0.0.1:${server.port}: ${CLIENTS} clients, ${argv.seconds} s, ` +
    `${argv.props} shared properties of ${VALUE.length} bytes per room, ${argv['rooms-per-second']} new room/s per client, ` +
    `RoomIds quiet ${argv.quiet} s, ${argv.database ? 'room database sqlite written every 3 s' : 'no room database'}`,
);
console.log(`RSS at start: ${rssStart.toFixed(1)} MiB`);

let peak = rssStart;
let peakCensus = census(server);
let rooms = 0;
let refused = 0;
let failures = 0;
const sampler = setInterval(() => {
  const r = rssMiB(server.pid);
  if (r > peak) {
    peak = r;
    peakCensus = census(server);
  }
}, 500);

async function client(i, deadline) {
  const c = await ClientConnection.connect('127.0.0.1', server.port, { timeoutMs: 30_000 });
  await c.handshake();
  await c.login({ kind: 'roomserver-anon', name: `Churn${i}`, avatars: 6 });
  const period = 1000 / argv['rooms-per-second'];
  for (let k = 0; Date.now() < deadline; k++) {
    const started = Date.now();
    const name = `Churn#c${i}r${k}<dimension-1>`;
    c.send({ cmd: 'ROOMIDRQ', objId: 1, name });
    const ans = await c.expect(
      (x) => (x.cmd === 'ROOMID' && x.name === name) || (x.cmd === 'TEXT' && x.sender === 'WORLDSMASTER'),
      `room id of ${name}`,
    );
    if (ans.cmd !== 'ROOMID') {
      refused++;
      await sleep(period);
      continue;
    }
    const id = ans.room;
    c.send({ cmd: 'SUBSCRIB', objId: 1, room: id, x: 0, y: 0, z: 0, distance: -100 });
    c.send({ cmd: 'TELEPORT', objId: 1, room: id, exitType: 0, entryType: 1, x: 0, y: 0, z: 0, dir: 0 });
    for (let p = 0; p < argv.props; p++)
      c.send({
        cmd: 'PROPSET',
        objId: 253,
        fromUser: '',
        props: [{ id: 100 + p, flags: 0, access: 0, value: `${p}${VALUE}`.slice(0, VALUE.length) }],
      });
    await c.sync();
    c.drain();
    c.send({ cmd: 'TELEPORT', objId: 1, room: 0, exitType: 1, entryType: 0, x: 0, y: 0, z: 0, dir: 0 });
    c.send({ cmd: 'UNSUBSCR', objId: 1, room: id });
    rooms++;
    const left = period - (Date.now() - started);
    if (left > 0) await sleep(left);
  }
  await c.logoff();
}

const deadline = Date.now() + argv.seconds * 1000;
const progress = setInterval(() => {
  console.log(
    `  ${Math.round((argv.seconds * 1000 - (deadline - Date.now())) / 1000)} s: ${rooms} rooms entered and filled, ` +
      `RSS ${rssMiB(server.pid).toFixed(1)} MiB; ${census(server)}`,
  );
}, 60_000);
const results = await Promise.allSettled(Array.from({ length: CLIENTS }, (_, i) => client(i, deadline)));
clearInterval(progress);
for (const r of results) if (r.status === 'rejected') failures++;
const leftAt = Date.now();
console.log(
  `Churn over: ${rooms} rooms entered and filled, ${refused} refused with a notice, ${failures} clients failed; ` +
    `RSS ${rssMiB(server.pid).toFixed(1)} MiB; everyone logged off`,
);
console.log(`Peak RSS: ${peak.toFixed(1)} MiB; census near the peak: ${peakCensus}`);

// Everyone left: wait until no room is in memory and no id is held or quiet any more.
const settleDeadline = leftAt + argv.settle * 1000;
let settled = '';
let settledAfter = 0;
while (Date.now() < settleDeadline) {
  await sleep(1000);
  const line = census(server);
  if (/rooms: 0 in memory.*room ids: 0 held by connections, 0 assigned/.test(line)) {
    settled = line;
    settledAfter = Math.round((Date.now() - leftAt) / 1000);
    break;
  }
}
// The server is idle now. V8 gives heap pages back on its own schedule (its memory reducer runs
// some seconds after the last full collection): watch RSS for a while and keep the lowest.
const rssSettled = rssMiB(server.pid);
let lowest = rssSettled;
for (let i = 0; i < argv.idle; i++) {
  await sleep(1000);
  lowest = Math.min(lowest, rssMiB(server.pid));
}
clearInterval(sampler);
const rssAfter = rssMiB(server.pid);
console.log(
  settled
    ? `After leaving: no room in memory and no room id in use ${settledAfter} s after the last client left (${settled})`
    : `After leaving: rooms or ids still there after ${argv.settle} s (${census(server)})`,
);
console.log(
  `RSS then ${rssSettled.toFixed(1)} MiB; ${argv.idle} s later ${rssAfter.toFixed(1)} MiB (lowest ${lowest.toFixed(1)} MiB)`,
);
const delta = ((rssAfter - rssStart) / rssStart) * 100;
console.log(
  `RSS start ${rssStart.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB, after ${rssAfter.toFixed(1)} MiB: ` +
    `${delta >= 0 ? '+' : ''}${delta.toFixed(1)}% of the start (target: within 20%) ${Math.abs(delta) <= 20 ? 'MET' : 'MISSED'}`,
);
await server.stop();
