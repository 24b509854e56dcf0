#!/usr/bin/env node
// Micro-benchmark of one RoomServer tick (roomserver/tick.ts, view.ts, interest.ts): a World of
// N users on fake connections, every user moving between ticks as in the guide's load model, and
// the time of Ticker.runOnce() (every viewer's nearest-N search, diff and frames, batched per
// connection) and of the nearest-N search alone (ViewUpdater.select). Connections are the real
// runtime/connection.ts over a socket that only counts bytes, so what is measured is the server's
// own work per tick without the kernel's write.
//
//   node --expose-gc dist/scripts/bench/tick.js [--users 19000] [--scenario rooms|crowd|both]
//        [--per-room 50] [--area 40] [--avatars 6] [--ticks 10] [--crowd percent,metres,seconds] [--json]
//
// Scenarios: "rooms" puts users in rooms of 50 walking in 40 m squares (the issue's baseline);
// "crowd" puts them in rooms of 2,000 in 20 m squares (the dense crowd).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Connection } from '../../runtime/connection.js';
import { DEFAULT_LIMITS } from '../../runtime/config-common.js';
import { ChannelPopulation } from '../../runtime/channels.js';
import { Ticker } from '../../roomserver/tick.js';
import { RoomUser } from '../../roomserver/user.js';
import { DEFAULT_CROWD_POLICY, type CrowdPolicy } from '../../roomserver/view.js';
import { World } from '../../roomserver/world.js';
import { CountingSocket } from './counting-socket.js';
import { fmt, median, table } from './timing.js';

const argv = yargs(hideBin(process.argv))
  .option('users', { type: 'number', default: 19_000 })
  .option('scenario', { choices: ['rooms', 'crowd', 'both'] as const, default: 'both' as const })
  .option('per-room', { type: 'number', describe: 'users per room (default: 50 for rooms, 2000 for crowd)' })
  .option('area', { type: 'number', describe: 'edge of each room’s square in metres (default: 40 rooms, 20 crowd)' })
  .option('avatars', { type: 'number', default: 6, describe: 'nearest N each viewer sees' })
  .option('ticks', { type: 'number', default: 10, describe: 'steady-state ticks measured' })
  .option('step', { type: 'number', default: 1, describe: 'metres each user walks between ticks' })
  .option('crowd', {
    type: 'string',
    describe:
      'CrowdHysteresis as "percent,metres,seconds[,swapsPerMinute]" (default: the server default; 0,0,0,0: strict nearest N)',
  })
  .option('json', { type: 'boolean', default: false })
  .strict()
  .parseSync();
const USERS = Math.min(40_000, Math.max(1, Math.floor(argv.users)));
const TICKS = Math.min(200, Math.max(1, Math.floor(argv.ticks)));
const CROWD: CrowdPolicy = argv.crowd
  ? (() => {
      const [percent, metres, seconds, perMinute] = argv.crowd.split(',').map(Number);
      return {
        marginRatio: (percent ?? 0) / 100,
        marginUnits: (metres ?? 0) * 100,
        minShownMs: (seconds ?? 0) * 1000,
        swapIntervalMs:
          perMinute === undefined ? DEFAULT_CROWD_POLICY.swapIntervalMs : perMinute === 0 ? 0 : 60_000 / perMinute,
      };
    })()
  : DEFAULT_CROWD_POLICY;

interface Walker {
  u: RoomUser;
  x: number;
  y: number;
  heading: number;
  half: number;
}

interface Scenario {
  name: string;
  perRoom: number;
  areaM: number;
}

function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function run(sc: Scenario) {
  const heap0 = heapMiB();
  const world = new World(new ChannelPopulation(1_000_000));
  const sockets: CountingSocket[] = [];
  const walkers: Walker[] = [];
  const half = (sc.areaM * 100) / 2;
  for (let i = 0; i < USERS; i++) {
    const socket = new CountingSocket();
    sockets.push(socket);
    const conn = new Connection(socket.asSocket(), DEFAULT_LIMITS);
    const u = new RoomUser(
      {
        name: `user${i}`,
        loginName: `user${i}`,
        priority: false,
        privileges: 0,
        channel: 'dimension-1',
        clientVersion: '2004080500',
        maxAvatars: argv.avatars,
      },
      conn,
    );
    u.setProp({ id: 5, flags: 0x40, access: 1, value: 'avatar:holden.mov' });
    world.add(u);
    // Ids as the room keeper hands them out (one per room name, from 1).
    const roomIndex = Math.floor(i / sc.perRoom);
    const room = world.rooms.adopt(`Bench#Room${roomIndex}<dimension-1>`, roomIndex + 1);
    // What SUBSCRIB (current room, −100) and TELEPORT do (roomserver/handlers/movement.ts).
    u.subscriptions.set(room.id, { room, x: 0, y: 0, z: 0, distance: -100 });
    room.subscribers.add(u);
    const w: Walker = {
      u,
      x: (Math.random() * 2 - 1) * half,
      y: (Math.random() * 2 - 1) * half,
      heading: Math.random() * 2 * Math.PI,
      half,
    };
    world.place(u, room, Math.round(w.x), Math.round(w.y), 0, 0);
    walkers.push(w);
  }
  const heapUsers = heapMiB();
  // The whole budget: this measures a full update of everyone, never the overload policy.
  const ticker = new Ticker(world, { intervalMs: 1000, budgetShare: 1e9, crowd: CROWD, onOverload: () => {} });
  // Ticks run back to back, but the hysteresis' minimum time shown counts in simulated seconds.
  let clock = 0;
  const c = ticker.updater.counters;
  const stepUnits = argv.step * 100;
  const walk = () => {
    for (const w of walkers) {
      w.heading += (Math.random() - 0.5) * 0.8;
      w.x = Math.max(-w.half, Math.min(w.half, w.x + Math.cos(w.heading) * stepUnits));
      w.y = Math.max(-w.half, Math.min(w.half, w.y + Math.sin(w.heading) * stepUnits));
      world.move(w.u, Math.round(w.x), Math.round(w.y), 0, Math.round((w.heading * 180) / Math.PI + 3600) % 360);
    }
  };
  const totals = () => {
    let bytes = 0;
    let writes = 0;
    for (const s of sockets) {
      bytes += s.bytes;
      writes += s.writes;
    }
    return { bytes, writes, arrivals: c.arrivals, departures: c.departures, moves: c.moves };
  };
  const timeTick = () => {
    const before = totals();
    const t0 = performance.now();
    ticker.runOnce(clock);
    clock += 1000;
    const ms = performance.now() - t0;
    const after = totals();
    return {
      ms,
      bytes: after.bytes - before.bytes,
      writes: after.writes - before.writes,
      arrivals: after.arrivals - before.arrivals,
      departures: after.departures - before.departures,
      moves: after.moves - before.moves,
    };
  };

  const first = timeTick();
  const ticks: ReturnType<typeof timeTick>[] = [];
  const selects: number[] = [];
  const users = [...world.users.values()];
  for (let k = 0; k < TICKS; k++) {
    walk();
    ticks.push(timeTick());
    const t0 = performance.now();
    for (const u of users) ticker.updater.select(u);
    selects.push(performance.now() - t0);
  }
  const heapShown = heapMiB();
  const per = (f: (t: (typeof ticks)[number]) => number) => median(ticks.map(f));
  const tickMs = median(ticks.map((t) => t.ms));
  return {
    scenario: sc.name,
    users: USERS,
    perRoom: sc.perRoom,
    areaM: sc.areaM,
    avatars: argv.avatars,
    firstTickMs: Number(first.ms.toFixed(1)),
    firstTickArrivals: first.arrivals,
    tickMs: { p50: Number(tickMs.toFixed(1)), max: Number(Math.max(...ticks.map((t) => t.ms)).toFixed(1)) },
    usPerViewer: Number(((tickMs * 1000) / USERS).toFixed(2)),
    selectMs: Number(median(selects).toFixed(1)),
    selectUsPerViewer: Number(((median(selects) * 1000) / USERS).toFixed(2)),
    perViewerPerTick: {
      arrivals: Number((per((t) => t.arrivals) / USERS).toFixed(3)),
      departures: Number((per((t) => t.departures) / USERS).toFixed(3)),
      moves: Number((per((t) => t.moves) / USERS).toFixed(3)),
      bytes: Number((per((t) => t.bytes) / USERS).toFixed(1)),
      writes: Number((per((t) => t.writes) / USERS).toFixed(3)),
    },
    heapKiBPerUser: {
      placed: Number((((heapUsers - heap0) * 1024) / USERS).toFixed(2)),
      showingNearest: Number((((heapShown - heap0) * 1024) / USERS).toFixed(2)),
    },
  };
}

const scenarios: Scenario[] = [];
if (argv.scenario !== 'crowd')
  scenarios.push({ name: 'rooms', perRoom: argv['per-room'] ?? 50, areaM: argv.area ?? 40 });
if (argv.scenario !== 'rooms')
  scenarios.push({ name: 'crowd', perRoom: argv['per-room'] ?? 2000, areaM: argv.area ?? 20 });
const results = scenarios.map(run);

if (argv.json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, results }, null, 2)}\n`);
} else {
  process.stdout.write(
    `One tick at ${fmt(USERS)} users, nearest ${argv.avatars}, everyone walking ${argv.step} m between ticks; ` +
      `median of ${TICKS} ticks (node ${process.version}${(globalThis as { gc?: unknown }).gc ? '' : '; run with --expose-gc for heap figures'})\n`,
  );
  process.stdout.write(
    `${table(
      [
        'scenario',
        'first tick ms',
        'tick ms',
        'max ms',
        'µs/viewer',
        'nearest-N ms',
        'arr/viewer',
        'dep/viewer',
        'moves/viewer',
        'B/viewer',
        'heap KiB/user',
      ],
      results.map((r) => [
        `${r.scenario} (${r.perRoom}/room, ${r.areaM} m)`,
        fmt(r.firstTickMs, 1),
        fmt(r.tickMs.p50, 1),
        fmt(r.tickMs.max, 1),
        fmt(r.usPerViewer, 2),
        fmt(r.selectMs, 1),
        fmt(r.perViewerPerTick.arrivals, 2),
        fmt(r.perViewerPerTick.departures, 2),
        fmt(r.perViewerPerTick.moves, 2),
        fmt(r.perViewerPerTick.bytes, 0),
        fmt(r.heapKiBPerUser.showingNearest, 1),
      ]),
    )}\n`,
  );
}
process.exit(0);
