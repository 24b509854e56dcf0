#!/usr/bin/env node
// scripts/botfarm: the bot farm's parent process (AG-44). It checks the arguments, asks the entry
// server what it is, prepares serials, starts the worker processes that run the bots, samples the
// servers' /proc figures every second, shows progress, and prints the report when the hold ends
// (or at the first Ctrl-C; a second one quits at once).

import { fork, type ChildProcess } from 'node:child_process';
import { cpus, setPriority, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ClientConnection } from '../../protocol/client.js';
import { sourceAddress } from './addresses.js';
import { Collector, phaseOf, timeline, type Timeline } from './collect.js';
import type { FromWorker, ResolvedLogin, ToWorker, WorkerSetup } from './messages.js';
import { helpText, parseFarmArgs, UsageError, type FarmOptions } from './options.js';
import { connectionsPerBot, openFileLimit, planWorkers, resolveLogin } from './plan.js';
import {
  clockTicks,
  listenCounters,
  loadAverage,
  sampleMachine,
  openFiles,
  processLabel,
  readLimits,
  sampleProcess,
  type ListenCounters,
} from './procstat.js';
import {
  buildSummary,
  formatReport,
  intervalRow,
  progressLine,
  serverFigures,
  type IntervalRow,
  type MachineSeries,
  type ServerSeries,
} from './report.js';
import { makeSerials, readSerials } from './serials.js';
import { spawnRoomServer, type SpawnedServer } from './spawn.js';

/** Time given to workers to start before second 0. */
const START_DELAY_MS = 1_500;
/** How long the parent waits for workers to report and leave after the hold. */
const FINISH_MS = 30_000;
/** Past the planned end, the run is cut short whatever happens. */
const WATCHDOG_SLACK_MS = 90_000;

const err = (line: string) => process.stderr.write(`${line}\n`);

class ServerWatch {
  readonly series: ServerSeries[];
  readonly machine: MachineSeries;

  constructor(pids: readonly number[]) {
    const clk = clockTicks();
    this.machine = { clk, cores: cpus().length, samples: new Map() };
    this.series = pids.map((pid) => ({
      pid,
      label: processLabel(pid),
      clk,
      samples: new Map(),
      fileLimit: openFileLimit(readLimits(pid)),
      openFilesMax: null,
    }));
  }

  sample(second: number, countFiles: boolean): void {
    const m = sampleMachine();
    if (m) this.machine.samples.set(second, m);
    for (const s of this.series) {
      const p = sampleProcess(s.pid);
      if (p) s.samples.set(second, p);
      if (countFiles) {
        const n = openFiles(s.pid);
        if (n !== null && (s.openFilesMax === null || n > s.openFilesMax)) s.openFilesMax = n;
      }
    }
  }
}

async function probe(o: FarmOptions): Promise<number> {
  const c = await ClientConnection.connect(o.host, o.port, {
    timeoutMs: o.loginTimeoutS * 1000,
    localAddress: o.sourceFrom,
  });
  try {
    return await c.handshake();
  } finally {
    c.close();
  }
}

function serialsFor(o: FarmOptions, login: ResolvedLogin): string[] {
  if (login !== 'register') return [];
  const list = o.serials ? readSerials(o.serials) : o.makeSerials ? makeSerials(o.makeSerials, o.bots) : [];
  if (list.length < o.bots) {
    throw new UsageError(`registering ${o.bots} bots needs ${o.bots} free serials; ${list.length} given`);
  }
  return list;
}

function quote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`;
}

interface Run {
  o: FarmOptions;
  login: ResolvedLogin;
  serverType: number;
  workers: number;
  serials: string[];
  watch: ServerWatch;
  spawned: SpawnedServer | null;
}

function intervalLine(r: IntervalRow): string {
  const f = (v: number | null | undefined, d = 0) =>
    v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d);
  const parts = [
    `[${r.phase.padEnd(6)} ${r.fromS}-${r.toS} s]`,
    `online ${r.online}`,
    `logins ${r.loginsOk}`,
    `failed ${r.loginsFailed}`,
    `drops ${r.drops}`,
    `LONGLOC ${f(r.receivedPerUserS.LONGLOC ?? 0, 2)}/u/s`,
    `in ${f(r.bytesInPerUserS)} out ${f(r.bytesOutPerUserS)} B/u/s`,
    `echo ${f(r.echo.p50, 1)}/${f(r.echo.p99, 1)} ms`,
    `move age p99 ${f(r.moveAge.p99)} ms`,
    `farm ${f(r.farmCpuPct)}%`,
  ];
  if (r.machine) parts.push(`others ${f(r.machine.othersPct)}%`);
  for (const s of r.servers)
    parts.push(`pid ${s.pid} ${f(s.cpuPct)}% (waiting ${f(s.mainWaitPct)}%) ${f(s.rssMiB)} MiB`);
  return parts.join(' | ');
}

async function run(r: Run, argv: readonly string[]): Promise<number> {
  const { o, watch } = r;
  const t: Timeline = timeline(o.bots, o.rate, o.settleS, o.holdS);
  const collector = new Collector(t, o.intervalS, r.workers);
  const tty = process.stderr.isTTY && !o.quiet;
  let progressShown = false;
  const show = (line: string, keep: boolean) => {
    if (o.quiet) return;
    if (tty) {
      process.stderr.write(`\r\x1b[K${line}${keep ? '\n' : ''}`);
      progressShown = !keep;
    } else if (keep) err(line);
  };

  const listenBefore = listenCounters();
  const loadStart = loadAverage();
  const workerMain = fileURLToPath(new URL('./worker.js', import.meta.url));
  const procs: ChildProcess[] = [];
  const finals = new Set<number>();
  const done = new Set<number>();
  let unfinishedLogins = 0;
  let fatal = false;
  let finished: () => void = () => {};
  const allFinished = new Promise<void>((res) => (finished = res));
  const check = () => {
    if (procs.every((p, i) => done.has(i) || p.exitCode !== null || p.signalCode !== null)) finished();
  };

  let stopping = false;
  const startAt = Date.now() + START_DELAY_MS;
  for (let w = 0; w < r.workers; w++) {
    const p = fork(workerMain, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    procs.push(p);
    if (o.nice > 0 && p.pid !== undefined) setPriority(p.pid, o.nice);
    const setup: WorkerSetup = {
      worker: w,
      workers: r.workers,
      options: o,
      login: r.login,
      serials: {},
      startAt,
    };
    for (let i = w; i < r.serials.length && i < o.bots; i += r.workers) setup.serials[i] = r.serials[i] as string;
    p.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'ready':
          p.send({ type: 'setup', setup } satisfies ToWorker);
          return;
        case 'sample':
          collector.add(m.sample);
          return;
        case 'final':
          finals.add(w);
          unfinishedLogins += m.unfinishedLogins;
          collector.add(m.sample, true);
          return;
        case 'done':
          done.add(w);
          check();
          return;
        case 'fatal':
          fatal = true;
          err(`botfarm: worker ${w} failed: ${m.message}`);
          return;
      }
    });
    p.on('exit', (code, signal) => {
      if (!done.has(w)) {
        collector.gone(w);
        if (!stopping) {
          fatal = true;
          err(`botfarm: worker ${w} exited (${code ?? signal}) before the end of the run`);
        }
      }
      check();
    });
  }

  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const p of procs) if (p.connected) p.send({ type: 'stop' } satisfies ToWorker);
  };
  let interrupts = 0;
  const onSignal = () => {
    if (++interrupts > 1) {
      for (const p of procs) p.kill('SIGKILL');
      void r.spawned?.stop();
      process.exit(130);
    }
    err('\nbotfarm: stopping early; the report covers what ran (Ctrl-C again to quit at once)');
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const watchdog = setTimeout(
    () => {
      err('botfarm: the run overran its bound; stopping every worker');
      for (const p of procs) p.kill('SIGKILL');
      finished();
    },
    START_DELAY_MS + t.endS * 1000 + WATCHDOG_SLACK_MS,
  );

  // Every second: the servers' /proc figures, then (once the workers' samples are in) the display.
  const printed = new Set<number>();
  let second = 0;
  const tick = () => {
    if (stopping && second > t.endS) return;
    watch.sample(second, second % o.intervalS === 0 || second === t.endS);
    const s = second;
    setTimeout(() => display(s), 300);
    if (s >= t.endS) {
      setTimeout(stop, 100);
      return;
    }
    second++;
    setTimeout(tick, Math.max(0, startAt + second * 1000 - Date.now()));
  };
  const display = (s: number) => {
    const complete = Math.min(collector.completeSecond, s);
    for (const [k, w] of [...collector.intervals].sort(([a], [b]) => a - b)) {
      const span = collector.intervalSpan(k);
      if (printed.has(k) || span.toS > complete) continue;
      printed.add(k);
      show(intervalLine(intervalRow(w, span.fromS, span.toS, t, watch.series, watch.machine)), true);
    }
    if (tty && !stopping) {
      const whole = collector.whole.counts;
      show(
        progressLine({
          phase: phaseOf(complete, t),
          second: complete,
          endS: t.endS,
          bots: o.bots,
          w: collector.second(complete),
          servers: watch.series.map((x) => serverFigures(x, complete - 1, complete)),
          failed: whole.loginsFailed,
          drops: whole.drops,
        }),
        false,
      );
    }
  };
  setTimeout(tick, Math.max(0, startAt - Date.now()));

  await allFinished;
  display(t.endS);
  // Workers that said nothing after the stop are made to go.
  const late = setTimeout(() => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  }, FINISH_MS);
  await Promise.all(
    procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? null : new Promise((res) => p.once('exit', res)))),
  );
  clearTimeout(late);
  clearTimeout(watchdog);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (progressShown) process.stderr.write('\r\x1b[K');

  const listenAfter = listenCounters();
  const listenQueue: ListenCounters | null =
    listenBefore && listenAfter
      ? { overflows: listenAfter.overflows - listenBefore.overflows, drops: listenAfter.drops - listenBefore.drops }
      : null;
  const count = Math.ceil(o.bots / o.perAddress);
  const cpu = cpus();
  const summary = buildSummary(
    {
      options: o,
      login: r.login,
      serverType: r.serverType,
      workers: r.workers,
      sourceAddresses: {
        first: sourceAddress(o.sourceFrom, 0) as string,
        last: sourceAddress(o.sourceFrom, count - 1) as string,
        count,
      },
      startedAt: new Date(startAt).toISOString(),
      command: ['scripts/botfarm', ...argv].map(quote).join(' '),
      machine: {
        cpus: cpu.length,
        model: cpu[0]?.model.trim() ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      unfinishedLogins,
      listenQueue,
      loadAverage: { start: loadStart, end: loadAverage() },
    },
    collector,
    watch.series,
    watch.machine,
  );
  process.stdout.write(o.json ? `${JSON.stringify(summary, null, 2)}\n` : formatReport(summary));
  if (finals.size < r.workers) err(`botfarm: ${r.workers - finals.size} worker(s) sent no final figures`);
  return fatal ? 1 : 0;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${await helpText()}\n`);
    return 0;
  }
  let spawned: SpawnedServer | null = null;
  try {
    const o = parseFarmArgs(argv);
    if (o.spawnRs) {
      spawned = await spawnRoomServer(o.spawnRs);
      o.host = spawned.host;
      o.port = spawned.port;
      if (!o.pids.includes(spawned.pid)) o.pids.push(spawned.pid);
      err(`botfarm: started RS_v11 ${o.spawnRs} (pid ${spawned.pid}, port ${spawned.port}, logs in ${spawned.dir})`);
    }
    for (const pid of o.pids) {
      if (!sampleProcess(pid)) throw new UsageError(`--pid ${pid}: no such process (or /proc is not readable)`);
    }
    let serverType: number;
    try {
      serverType = await probe(o);
    } catch (e) {
      throw new UsageError(
        `cannot reach a WorldServer at ${o.host}:${o.port} from ${o.sourceFrom}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const login = resolveLogin(o.login, serverType, o.serials !== null || o.makeSerials !== null);
    const fileLimit = openFileLimit(readLimits('self')) ?? 1024;
    const workers = planWorkers(o.bots, connectionsPerBot(login), fileLimit, o.workers);
    const watch = new ServerWatch(o.pids);
    for (const s of watch.series) {
      if (s.fileLimit !== null && s.fileLimit < o.bots + 64 && o.pids.length === 1) {
        err(`botfarm: warning: pid ${s.pid} may open at most ${s.fileLimit} files; ${o.bots} users need one each`);
      }
    }
    const serials = serialsFor(o, login);
    return await run({ o, login, serverType, workers, serials, watch, spawned }, argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`botfarm: ${e.message}\n(scripts/botfarm --help for usage)`);
      return 2;
    }
    throw e;
  } finally {
    if (spawned) {
      const code = await spawned.stop();
      err(`botfarm: RS_v11 pid ${spawned.pid} stopped (exit ${code}); its logs are in ${spawned.dir}`);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    err(`botfarm: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
