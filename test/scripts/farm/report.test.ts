import t from 'tap';
import { Collector, phaseOf, timeline } from '../../../scripts/farm/collect.js';
import { Histogram } from '../../../scripts/farm/histogram.js';
import { parseFarmArgs } from '../../../scripts/farm/options.js';
import {
  buildSummary,
  formatReport,
  noisy,
  progressLine,
  serverFigures,
  type MachineSeries,
  type RunInfo,
  type ServerSeries,
} from '../../../scripts/farm/report.js';
import { zeroCounts, type Sample } from '../../../scripts/farm/stats.js';

/** One second of one worker with `online` bots, each receiving 5 LONGLOC and sending 1. */
function sample(worker: number, second: number, online: number, extra: Partial<Sample> = {}): Sample {
  const echo = new Histogram();
  for (let i = 1; i <= 100; i++) echo.record(i);
  return {
    worker,
    second,
    dtS: 1,
    online,
    pending: 0,
    botSeconds: online,
    counts: { ...zeroCounts(), movesSent: online, bytesIn: 300 * online, bytesOut: 40 * online },
    received: { LONGLOC: 5 * online, APPRACTR: online / 10 },
    failures: {},
    dropReasons: {},
    noticeTexts: {},
    hist: { echo: echo.toJSON() },
    cpuUs: 250_000,
    kernelUs: 100_000,
    loopDelayMaxMs: 12,
    rampLagMaxMs: 3,
    ...extra,
  };
}

function series(pid: number, seconds: number, ticksPerSecond: number): ServerSeries {
  const samples = new Map();
  for (let s = 0; s <= seconds; s++) {
    samples.set(s, {
      cpuTicks: s * ticksPerSecond,
      kernelTicks: s * ticksPerSecond * 0.25,
      mainTicks: s * ticksPerSecond * 0.9,
      mainWaitNs: s * 0.15e9,
      rssKiB: 100_000 + s * 1024,
      readCalls: s * 3000,
      writeCalls: s * 4500,
    });
  }
  return { pid, label: 'main.js rs-1s.cfg', clk: 100, samples, fileLimit: 20_000, openFilesMax: 2_010 };
}

function run(o = parseFarmArgs(['--bots', '2000', '--rate', '200', '--hold', '20', '--settle', '5'])): RunInfo {
  return {
    options: o,
    login: 'direct',
    serverType: 4,
    workers: 2,
    sourceAddresses: { first: '127.0.0.2', last: '127.0.0.201', count: 200 },
    startedAt: '2025-01-01T00:00:00.000Z',
    command: 'scripts/botfarm --bots 2000 --rate 200 --hold 20',
    machine: { cpus: 2, model: 'AMD EPYC', memoryGiB: 24, node: 'v20.20.2' },
    unfinishedLogins: 0,
    listenQueue: { overflows: 0, drops: 0 },
    loadAverage: { start: 1.5, end: 2.25 },
  };
}

/** A machine whose two cores are `busyPerSecond` ticks busy a second, the farm's parent 2 of them. */
function machine(seconds: number, busyPerSecond: number): MachineSeries {
  const samples = new Map();
  for (let s = 0; s <= seconds; s++) samples.set(s, { busy: s * busyPerSecond, total: s * 200, self: s * 2 });
  return { clk: 100, cores: 2, samples };
}

t.test('the timeline: ramp, settle, hold, drain', async (t) => {
  const tl = timeline(2000, 200, 5, 20);
  t.same(tl, { rampS: 10, rampEndS: 10, holdStartS: 15, endS: 30 });
  t.same(
    [1, 10, 11, 15, 16, 30, 31].map((s) => phaseOf(s, tl)),
    ['ramp', 'ramp', 'settle', 'settle', 'hold', 'hold', 'drain'],
  );
  t.equal(timeline(10, 3, 0, 1).rampEndS, 4, 'a ramp of 3.3 s ends at second 4');
});

t.test('samples become intervals and the overall window; rates are per bot-second', async (t) => {
  const o = parseFarmArgs(['--bots', '2000', '--rate', '200', '--hold', '20', '--settle', '5']);
  const c = new Collector(timeline(o.bots, o.rate, o.settleS, o.holdS), 10, 2);
  for (let s = 1; s <= 30; s++) {
    const online = Math.min(1000, s * 100);
    const failed = {
      counts: { ...sample(0, s, online).counts, loginsFailed: 4 },
      failures: { 'NAK 2 MAX_ORDINARY': 4 },
    };
    c.add(sample(0, s, online, s === 3 ? failed : {}));
    const counts = sample(1, s, online).counts;
    c.add(sample(1, s, online, { counts: { ...counts, loginsOk: s <= 10 ? 100 : 0 } }));
  }
  c.add(sample(0, 31, 1000, { counts: { ...zeroCounts(), chatsSent: 3, echoes: 3 } }), true);
  t.equal(c.completeSecond, 30);
  const summary = buildSummary(run(o), c, [series(4242, 31, 80)], machine(31, 180));

  t.same(
    summary.intervals.map((r) => [r.fromS, r.toS, r.phase]),
    [
      [0, 10, 'ramp'],
      [10, 20, 'settle'],
      [20, 30, 'hold'],
    ],
  );
  const hold = summary.overall;
  t.equal(hold.fromS, 15);
  t.equal(hold.toS, 30);
  t.equal(hold.online, 2000);
  t.equal(hold.receivedPerUserS.LONGLOC, 5, 'LONGLOC per user per second');
  t.equal(hold.receivedPerUserS.APPRACTR, 0.1);
  t.equal(hold.bytesInPerUserS, 300);
  t.equal(hold.bytesOutPerUserS, 40);
  t.equal(hold.sentPerUserS.moves, 1);
  t.ok(Math.abs((hold.echo.p50 ?? 0) - 50) <= 0.5, 'echo p50 within the histogram’s 1%');
  t.equal(hold.farmCpuPct, 50, 'two workers at 25% each');
  t.equal(hold.farmKernelPct, 20, 'of which 10% each in the kernel');
  t.equal(summary.logins.ok, 1000);
  t.same(summary.logins.byReason, { 'NAK 2 MAX_ORDINARY': 4 });
  t.equal(summary.logins.failed, 4);
  t.equal(summary.logins.attempted, 1004);
  t.equal(summary.logins.rampLagMaxMs, 3);
  t.equal(summary.logins.notStarted, 996, 'the samples account for 1,004 of the 2,000 bots');
  t.equal(summary.chat.sent, 3, 'the drain counts in the run totals');
  const server = summary.overall.servers[0];
  t.equal(server?.cpuPct, 80, '80 ticks a second at 100 Hz');
  t.equal(server?.mainThreadPct, 72);
  t.equal(server?.kernelPct, 20, 'a quarter of its ticks were the kernel’s');
  t.equal(server?.readsPerUserS, 1.5, '3,000 reads a second over 2,000 bots');
  t.equal(server?.writesPerUserS, 2.25);
  t.equal(server?.mainWaitPct, 15, 'the main thread waited 0.15 s a second for a CPU');
  t.equal(server?.rssMiB, Math.round(((100_000 + 30 * 1024) / 1024) * 10) / 10);
  t.equal(server?.rssAddedKiBPerBot, Math.round(((31 * 1024 - 1024) / 2000) * 10) / 10);
  t.equal(summary.intervals[0]?.servers[0]?.cpuPct, 80);
  t.same(
    summary.overall.machine,
    { cores: 2, busyPct: 180, serversPct: 80, farmPct: 52, othersPct: 48 },
    'what neither the servers nor the farm used was someone else’s',
  );

  const text = formatReport(summary);
  t.match(text, /Bot farm: 2000 bots → stand-alone RoomServer 127\.0\.0\.1:5100/);
  t.match(text, /^ +secs +phase +online/m);
  t.match(text, /^ +20-30 +hold +2000 /m);
  t.match(text, /received per user per second: APPRACTR 0\.10, LONGLOC 5\.00/);
  t.match(text, /chat echo: p50 50\.\d ms, p99 9\d\.\d ms/);
  t.match(text, /logins: 1000 ok of 1004, 4 failed \(4 NAK 2 MAX_ORDINARY\), 996 never started/);
  t.match(
    text,
    /server pid 4242 \(main\.js rs-1s\.cfg\): CPU 80\.0% of one core \(in the kernel 20\.0%; main thread 72\.0%, waiting for a CPU 15\.0% of the time\)/,
  );
  t.match(text, /server pid 4242 system calls per user per second: 1\.50 reads, 2\.25 writes/);
  t.match(text, /farm: 50% of one core \(in the kernel 20%\) over 2 worker/);
  t.match(text, /open files max 2010 of 20000/);
  t.match(text, /server pid 4242 during the ramp \(0-10 s\): CPU 80\.0% of one core \(main thread 72\.0%, waiting/);
  t.match(text, /kernel listen queues: 0 overflows/);
  t.match(text, /machine: 180% of 200% busy: servers 80%, farm 52%, other processes 48%; load average 1\.50 .*NOISY/);
  t.notMatch(text, /NaN|undefined/);
  const json = JSON.parse(JSON.stringify(summary)) as typeof summary;
  t.equal(json.overall.receivedPerUserS.LONGLOC, 5, 'the JSON summary carries the same figures');
});

t.test('other work is noise only when the machine had no idle core to give it', async (t) => {
  t.ok(noisy({ cores: 2, busyPct: 180, serversPct: 80, farmPct: 52, othersPct: 48 }));
  t.notOk(noisy({ cores: 2, busyPct: 91, serversPct: 22, farmPct: 20, othersPct: 49 }), 'cores left idle');
  t.notOk(noisy({ cores: 2, busyPct: 190, serversPct: 100, farmPct: 80, othersPct: 10 }), 'others ran little');
});

t.test('a window with nobody online, and a server with too few samples, print dashes', async (t) => {
  const o = parseFarmArgs(['--bots', '10', '--hold', '5', '--settle', '1']);
  const c = new Collector(timeline(o.bots, o.rate, o.settleS, o.holdS), 10, 1);
  c.add(sample(0, 1, 0, { hist: {} }));
  const lonely = series(1, 0, 0);
  t.same(serverFigures(lonely, 0, 5), {
    pid: 1,
    label: lonely.label,
    cpuPct: null,
    mainThreadPct: null,
    kernelPct: null,
    mainWaitPct: null,
    rssMiB: null,
  });
  const text = formatReport(buildSummary(run(o), c, [lonely], null));
  t.match(text, /chat echo: none measured/);
  t.notMatch(text, /system calls per user/, 'no calls line without two samples to compare');
  t.notMatch(text, /NaN|undefined/);
  const line = progressLine({
    phase: 'ramp',
    second: 1,
    endS: 6,
    bots: 10,
    w: c.second(1),
    servers: [],
    failed: 0,
    drops: 0,
  });
  t.match(line, /^\[ramp +1\/6 s\] \| online 0\/10/);
});
