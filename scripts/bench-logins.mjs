#!/usr/bin/env node
// Login throughput and latency of the UserServer with real password hashing:
//
//   node scripts/bench-logins.mjs --accounts 200 --concurrency 8 --seconds 15 [--cost 14]
//
// Starts its own US_v11 (temporary directory, embedded database, 127.0.0.1, ephemeral ports) with
// scrypt at the given cost (log2 N; 14 is the shipped default), registers the accounts through the
// protocol (one hash each), then has `concurrency` clients log in and off again and again with
// the real client's AUTHENTICATE SESSIONINIT (one hash check each) for the given time. Latency is
// measured from connect to the SESSIONINIT reply. Bounded in time and size; loopback only.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Player } from '../dist/protocol/player.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = yargs(hideBin(process.argv))
  .option('accounts', { type: 'number', default: 200 })
  .option('concurrency', { type: 'number', default: 8 })
  .option('seconds', { type: 'number', default: 15 })
  .option('cost', { type: 'number', default: 14, describe: 'scrypt log2(N) (PasswordCost)' })
  .strict()
  .parseSync();
const accounts = Math.min(argv.accounts, 5000);

const dir = mkdtempSync(join(tmpdir(), 'ws-bench-'));
writeFileSync(
  join(dir, 'bench.cfg'),
  [
    'Server Bench',
    'Users 0 0',
    'RoomServers 0 benchpw',
    'BindAddr 127.0.0.1',
    'UserDatabase us pw sqlite:bench.db 60',
    `PasswordCost ${argv.cost}`,
    'FloodLimit 1000 5000',
    `Connections ${accounts + 100} ${accounts + 100}`,
    // Every bot connects from 127.0.0.1: the per-address limits would stop them.
    `AddressLimit ${accounts + 100} ${accounts + 100}`,
    `Registrations ${accounts + 100}`,
  ].join('\n'),
);
const us = spawn(process.execPath, [join(root, 'dist/userserver/main.js'), 'bench.cfg'], {
  cwd: dir,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
await new Promise((res, rej) => {
  us.stdout.setEncoding('utf8').on('data', (d) => {
    out += d;
    if (out.includes('Redirecting')) res();
  });
  us.on('exit', () => rej(new Error(out)));
});
const port = Number(/Listening for users on [^:]+:(\d+)/.exec(out)[1]);
const logName = /Log file: (\S+\.log)/.exec(out)[1];
while (!/^Ready to serve$/m.test(readFileSync(join(dir, logName), 'utf8'))) await new Promise((r) => setTimeout(r, 50));

execFileSync(process.execPath, [
  join(root, 'scripts/SerialGen.mjs'),
  '--seed',
  'bench',
  '--prefix',
  'BNCH',
  '--count',
  String(accounts),
  '--dialect',
  'sqlite',
  '--out',
  dir,
]);
const { default: Database } = await import('better-sqlite3');
const db = new Database(join(dir, 'bench.db'));
db.exec(readFileSync(join(dir, 'NewSerials.sql'), 'utf8'));
db.close();
const serials = readFileSync(join(dir, 'serials-production.txt'), 'utf8').trim().split('\n');

function pct(sorted, p) {
  return sorted.length ? Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(1)) : NaN;
}

async function pool(n, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let i = next++; i < accounts; i = next++) await work(i);
    }),
  );
}

// Registration: one scrypt hash per account.
const regTimes = [];
const r0 = performance.now();
await pool(argv.concurrency, async (i) => {
  const t = performance.now();
  const p = await Player.login({
    host: '127.0.0.1',
    port,
    mode: { kind: 'register', name: `user${i}`, password: `pass-${i}-word`, serial: serials[i] },
  });
  regTimes.push(performance.now() - t);
  await p.logoff();
});
const regSeconds = (performance.now() - r0) / 1000;

// Logins: one scrypt check each; every client loops over the accounts for the measured time.
const times = [];
let failures = 0;
const until = performance.now() + argv.seconds * 1000;
let k = 0;
const l0 = performance.now();
await Promise.all(
  Array.from({ length: argv.concurrency }, async () => {
    while (performance.now() < until) {
      const i = k++ % accounts;
      const t = performance.now();
      try {
        const p = await Player.login({
          host: '127.0.0.1',
          port,
          mode: { kind: 'authenticate', name: `user${i}`, password: `pass-${i}-word`, firstConnection: true },
        });
        times.push(performance.now() - t);
        await p.logoff();
      } catch {
        failures++;
      }
    }
  }),
);
const loginSeconds = (performance.now() - l0) / 1000;
times.sort((a, b) => a - b);
regTimes.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    scryptLog2N: argv.cost,
    concurrency: argv.concurrency,
    registrations: {
      count: accounts,
      perSecond: Number((accounts / regSeconds).toFixed(1)),
      p50Ms: pct(regTimes, 0.5),
      p99Ms: pct(regTimes, 0.99),
    },
    logins: {
      count: times.length,
      perSecond: Number((times.length / loginSeconds).toFixed(1)),
      p50Ms: pct(times, 0.5),
      p99Ms: pct(times, 0.99),
      failures,
    },
  }),
);
us.kill('SIGTERM');
await new Promise((r) => us.on('exit', r));
