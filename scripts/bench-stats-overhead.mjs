#!/usr/bin/env node
// What do statistics cost a loaded RoomServer? (AG-41: counting must cost nothing measurable.)
//
//   node scripts/bench-stats-overhead.mjs --users 2000 --seconds 20 --rounds 3
//   node scripts/bench-stats-overhead.mjs --baseline /tmp/ws-base   (also a build without statistics)
//
// Runs scripts/load-roomserver.mjs (N moving bots, one stand-alone RS_v11) in alternating rounds:
//   off       the registry samples every 5 s, as always; no StatusHttp
//   on        StatusHttp, StatsRecord every 5 s, /metrics read every --scrape seconds (Prometheus'
//             default is 15) and one status page open (it polls twice per 5 s sample)
//   baseline  (with --baseline <dir>) dist/roomserver/main.js of another compiled tree, e.g. the
//             commit before statistics: `git archive <commit> | tar -x -C <dir>`, link node_modules,
//             `npx tsc -p tsconfig.build.json` there
// and prints the RoomServer's CPU (cores, from /proc) per round and the median per variant.
// Alternating rounds spread the noise of a shared machine over all variants alike.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = yargs(hideBin(process.argv))
  .option('users', { type: 'number', default: 2000 })
  .option('seconds', { type: 'number', default: 20, describe: 'measurement per round' })
  .option('rounds', { type: 'number', default: 3 })
  .option('per-room', { type: 'number', default: 50 })
  .option('baseline', { type: 'string', describe: 'a compiled tree without statistics to compare with' })
  .option('scrape', { type: 'number', default: 15, describe: 'seconds between /metrics reads in the on rounds' })
  .strict()
  .parseSync();

const variants = [
  { name: 'off', args: [] },
  { name: 'on', args: ['--config', 'StatusHttp 0\\nStatsRecord 5 stats.csv', '--scrape', String(argv.scrape)] },
];
if (argv.baseline) {
  variants.push({ name: 'baseline', args: ['--main', join(resolve(argv.baseline), 'dist/roomserver/main.js')] });
}

function runOnce(v) {
  return new Promise((resolveRun, reject) => {
    const args = [
      join(root, 'scripts/load-roomserver.mjs'),
      '--users',
      String(argv.users),
      '--seconds',
      String(argv.seconds),
      '--per-room',
      String(argv['per-room']),
      ...v.args,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const line = out
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      if (code !== 0 || !line) return reject(new Error(`load-roomserver (${v.name}) failed:\n${out}`));
      resolveRun(JSON.parse(line));
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const results = Object.fromEntries(variants.map((v) => [v.name, []]));
for (let round = 1; round <= argv.rounds; round++) {
  // Rotate the order each round so that no variant always runs first (a cold machine) or last.
  const order = variants.map((_, i) => variants[(i + round - 1) % variants.length]);
  for (const v of order) {
    const r = await runOnce(v);
    results[v.name].push(r);
    r.cpuPerUpdateUs = (r.serverCpuCores / r.positionUpdatesReceivedPerSecond) * 1e6;
    console.log(
      `round ${round} ${v.name.padEnd(8)} cpu ${r.serverCpuCores.toFixed(3)} cores, ${r.cpuPerUpdateUs.toFixed(2)} µs/update, ` +
        `rss ${r.serverRssMiB} MiB, p99 ${r.latencyMs.p99} ms, ${r.perViewerPerSecond} updates/viewer/s, ` +
        `${r.statusRequests} status requests${r.requestCpuMs ? ` (${JSON.stringify(r.requestCpuMs)} ms CPU each)` : ''}, ${r.botsDisconnected} dropped`,
    );
  }
}

// The bots share the machine: when they fall behind, the server has less to do. CPU per position
// update delivered compares the variants on the work actually done.
const med = (name, f) => median(results[name].map(f));
const summary = {
  users: argv.users,
  seconds: argv.seconds,
  rounds: argv.rounds,
  scrapeSeconds: argv.scrape,
  medianCpuCores: Object.fromEntries(
    variants.map((v) => [v.name, Number(med(v.name, (r) => r.serverCpuCores).toFixed(3))]),
  ),
  medianCpuPerUpdateUs: Object.fromEntries(
    variants.map((v) => [v.name, Number(med(v.name, (r) => r.cpuPerUpdateUs).toFixed(3))]),
  ),
  medianRequestCpuMs: {
    metrics: med('on', (r) => r.requestCpuMs?.metrics ?? NaN),
    statusPagePoll: med('on', (r) => r.requestCpuMs?.statusPagePoll ?? NaN),
  },
};
const pct = (a, b) => Number((((a - b) / b) * 100).toFixed(1));
summary.onVersusOffPercent = pct(summary.medianCpuPerUpdateUs.on, summary.medianCpuPerUpdateUs.off);
if (argv.baseline)
  summary.onVersusBaselinePercent = pct(summary.medianCpuPerUpdateUs.on, summary.medianCpuPerUpdateUs.baseline);
console.log(JSON.stringify(summary));
