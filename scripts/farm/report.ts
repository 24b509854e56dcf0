// The farm's results: a summary built from the collected windows and the servers' /proc series,
// printed as tables for an operator or as JSON for a script. Pure: no I/O.

import { phaseOf, type Collector, type Phase, type Timeline } from './collect.js';
import { quantiles, type Quantiles } from './histogram.js';
import type { ResolvedLogin } from './messages.js';
import type { FarmOptions } from './options.js';
import type { ListenCounters, MachineSample, ProcSample } from './procstat.js';
import type { Window } from './stats.js';

export interface ServerSeries {
  pid: number;
  label: string;
  /** Clock ticks per second. */
  clk: number;
  /** /proc samples by second since the start (0 = just before the first login). */
  samples: Map<number, ProcSample>;
  fileLimit: number | null;
  openFilesMax: number | null;
}

/** The whole machine's CPU by second, to tell the load under test from everything else running. */
export interface MachineSeries {
  clk: number;
  cores: number;
  samples: Map<number, MachineSample>;
}

/** CPU over a window in % of one core (the machine's total is cores × 100). */
export interface MachineFigures {
  cores: number;
  busyPct: number;
  serversPct: number;
  /** Workers and the parent. */
  farmPct: number;
  /** Whatever else ran: other people's work on a shared machine. */
  othersPct: number;
}

export interface ServerFigures {
  pid: number;
  label: string;
  /** Whole process, % of one core. */
  cpuPct: number | null;
  /** Main thread (the event loop), % of one core. */
  mainThreadPct: number | null;
  /** The process's time in the kernel, % of one core (included in cpuPct). */
  kernelPct: number | null;
  /** % of the time the main thread was ready to run but waited for a CPU (others had the cores). */
  mainWaitPct: number | null;
  rssMiB: number | null;
}

export interface ServerOverall extends ServerFigures {
  rssMaxMiB: number | null;
  rssStartMiB: number | null;
  /** RSS at the end over the bots online (meaningful when this is the only server they use). */
  rssKiBPerBot: number | null;
  /** (RSS at the end − RSS at the start) over the bots online. */
  rssAddedKiBPerBot: number | null;
  openFilesMax: number | null;
  fileLimit: number | null;
  /** The server's read and write system calls per bot online per second (null when /proc/<pid>/io is unreadable). */
  readsPerUserS: number | null;
  writesPerUserS: number | null;
}

/** What the bots received and sent, per user per second, and how long things took. */
export interface Figures {
  fromS: number;
  toS: number;
  online: number;
  loginsOk: number;
  loginsFailed: number;
  drops: number;
  receivedPerUserS: Record<string, number>;
  sentPerUserS: { moves: number; chats: number; whispers: number; avatars: number; propreqs: number };
  bytesInPerUserS: number;
  bytesOutPerUserS: number;
  login: Quantiles;
  echo: Quantiles;
  heard: Quantiles;
  whisper: Quantiles;
  moveAge: Quantiles;
  updateGap: Quantiles;
  farmCpuPct: number;
  /** The part of farmCpuPct spent in the kernel. */
  farmKernelPct: number;
  farmLoopDelayMaxMs: number;
}

export interface IntervalRow extends Figures {
  phase: Phase;
  servers: ServerFigures[];
  machine: MachineFigures | null;
}

export interface Summary {
  tool: 'botfarm';
  startedAt: string;
  command: string;
  machine: { cpus: number; model: string; memoryGiB: number; node: string };
  target: { host: string; port: number; serverType: number; login: ResolvedLogin };
  bots: number;
  workers: number;
  perAddress: number;
  sourceAddresses: { first: string; last: string; count: number };
  load: Pick<
    FarmOptions,
    | 'rate'
    | 'holdS'
    | 'perRoom'
    | 'areaM'
    | 'speedMps'
    | 'moveEveryS'
    | 'chatEveryS'
    | 'whisperEveryS'
    | 'avatarEveryS'
    | 'avatars'
    | 'worlds'
    | 'propreq'
    | 'nice'
  >;
  timeline: Timeline;
  logins: {
    attempted: number;
    ok: number;
    failed: number;
    unfinished: number;
    /** Bots whose login time had not come when the run ended (the ramp fell behind, or Ctrl-C). */
    notStarted: number;
    byReason: Record<string, number>;
    /** The latest any login started after its planned time: above a few ms the asked rate was not met. */
    rampLagMaxMs: number;
  };
  drops: { count: number; byReason: Record<string, number> };
  notices: Record<string, number>;
  chat: { sent: number; echoed: number; lost: number; heard: number };
  whispers: { sent: number; received: number; lost: number };
  listenQueue: ListenCounters | null;
  /** 1-minute load averages when the run started and ended. */
  loadAverage: { start: number | null; end: number | null };
  intervals: IntervalRow[];
  overall: Figures & { servers: ServerOverall[]; machine: MachineFigures | null };
  /** The servers during the ramp: what logging everyone in cost them. */
  ramp: { fromS: number; toS: number; servers: ServerFigures[] };
}

const round = (v: number, digits = 2): number => (Number.isFinite(v) ? Number(v.toFixed(digits)) : NaN);

export function figures(w: Window, fromS: number, toS: number): Figures {
  const per = (n: number) => round(w.perBotSecond(n), 3);
  const received: Record<string, number> = {};
  for (const [k, v] of Object.entries(w.received).sort(([a], [b]) => a.localeCompare(b))) received[k] = per(v);
  const c = w.counts;
  return {
    fromS,
    toS,
    online: w.online,
    loginsOk: c.loginsOk,
    loginsFailed: c.loginsFailed,
    drops: c.drops,
    receivedPerUserS: received,
    sentPerUserS: {
      moves: per(c.movesSent),
      chats: per(c.chatsSent),
      whispers: per(c.whispersSent),
      avatars: per(c.avatarsSent),
      propreqs: per(c.propreqsSent),
    },
    bytesInPerUserS: round(w.perBotSecond(c.bytesIn), 1),
    bytesOutPerUserS: round(w.perBotSecond(c.bytesOut), 1),
    login: quantiles(w.hist.login),
    echo: quantiles(w.hist.echo),
    heard: quantiles(w.hist.heard),
    whisper: quantiles(w.hist.whisper),
    moveAge: quantiles(w.hist.moveAge),
    updateGap: quantiles(w.hist.updateGap),
    farmCpuPct: w.seconds > 0 ? round((w.cpuUs / 1e6 / w.seconds) * 100, 1) : NaN,
    farmKernelPct: w.seconds > 0 ? round((w.kernelUs / 1e6 / w.seconds) * 100, 1) : NaN,
    farmLoopDelayMaxMs: round(w.loopDelayMaxMs, 1),
  };
}

/** The samples nearest inside [fromS, toS]: the first at or after fromS and the last at or before toS. */
function span<T>(samples: ReadonlyMap<number, T>, fromS: number, toS: number): { a: T; b: T; dt: number } | null {
  let aS = Infinity;
  let bS = -Infinity;
  for (const sec of samples.keys()) {
    if (sec >= fromS && sec < aS) aS = sec;
    if (sec <= toS && sec > bS) bS = sec;
  }
  if (!(bS > aS)) return null;
  return { a: samples.get(aS) as T, b: samples.get(bS) as T, dt: bS - aS };
}

export function serverFigures(s: ServerSeries, fromS: number, toS: number): ServerFigures {
  const sp = span(s.samples, fromS, toS);
  const pct = (ticks: number) => (sp ? round((ticks / s.clk / sp.dt) * 100, 1) : null);
  return {
    pid: s.pid,
    label: s.label,
    cpuPct: sp ? pct(sp.b.cpuTicks - sp.a.cpuTicks) : null,
    mainThreadPct: sp ? pct(sp.b.mainTicks - sp.a.mainTicks) : null,
    kernelPct: sp ? pct(sp.b.kernelTicks - sp.a.kernelTicks) : null,
    mainWaitPct:
      sp && Number.isFinite(sp.b.mainWaitNs - sp.a.mainWaitNs)
        ? round(((sp.b.mainWaitNs - sp.a.mainWaitNs) / 1e9 / sp.dt) * 100, 1)
        : null,
    rssMiB: sp ? round(sp.b.rssKiB / 1024, 1) : null,
  };
}

export function machineFigures(
  m: MachineSeries | null,
  fromS: number,
  toS: number,
  farmWorkersPct: number,
  servers: readonly ServerFigures[],
): MachineFigures | null {
  const sp = m ? span(m.samples, fromS, toS) : null;
  if (!m || !sp) return null;
  const pct = (ticks: number) => round((ticks / m.clk / sp.dt) * 100, 1);
  const busyPct = pct(sp.b.busy - sp.a.busy);
  const serversPct = round(
    servers.reduce((n, s) => n + (s.cpuPct ?? 0), 0),
    1,
  );
  const farmPct = round((Number.isFinite(farmWorkersPct) ? farmWorkersPct : 0) + pct(sp.b.self - sp.a.self), 1);
  return {
    cores: m.cores,
    busyPct,
    serversPct,
    farmPct,
    othersPct: round(Math.max(0, busyPct - serversPct - farmPct), 1),
  };
}

export function serverOverall(s: ServerSeries, fromS: number, toS: number, online: number): ServerOverall {
  const f = serverFigures(s, fromS, toS);
  let max = -Infinity;
  let first: ProcSample | undefined;
  let last: ProcSample | undefined;
  for (const [sec, p] of [...s.samples].sort(([a], [b]) => a - b)) {
    if (sec <= toS && p.rssKiB > max) max = p.rssKiB;
    first ??= p;
    if (sec <= toS) last = p;
  }
  const perBot = (kib: number) => (online > 0 ? round(kib / online, 1) : null);
  const sp = span(s.samples, fromS, toS);
  const callsPerUserS = (calls: number) =>
    sp && online > 0 && Number.isFinite(calls) ? round(calls / sp.dt / online, 2) : null;
  return {
    ...f,
    rssMaxMiB: Number.isFinite(max) ? round(max / 1024, 1) : null,
    rssStartMiB: first ? round(first.rssKiB / 1024, 1) : null,
    rssKiBPerBot: last ? perBot(last.rssKiB) : null,
    rssAddedKiBPerBot: first && last ? perBot(last.rssKiB - first.rssKiB) : null,
    openFilesMax: s.openFilesMax,
    fileLimit: s.fileLimit,
    readsPerUserS: sp ? callsPerUserS(sp.b.readCalls - sp.a.readCalls) : null,
    writesPerUserS: sp ? callsPerUserS(sp.b.writeCalls - sp.a.writeCalls) : null,
  };
}

export interface RunInfo {
  options: FarmOptions;
  login: ResolvedLogin;
  serverType: number;
  workers: number;
  sourceAddresses: { first: string; last: string; count: number };
  startedAt: string;
  command: string;
  machine: Summary['machine'];
  unfinishedLogins: number;
  listenQueue: ListenCounters | null;
  loadAverage: { start: number | null; end: number | null };
}

export function buildSummary(
  run: RunInfo,
  c: Collector,
  servers: readonly ServerSeries[],
  machine: MachineSeries | null,
): Summary {
  const o = run.options;
  const t = c.t;
  const intervals: IntervalRow[] = [...c.intervals.keys()]
    .sort((a, b) => a - b)
    .map((k) => {
      const { fromS, toS } = c.intervalSpan(k);
      return intervalRow(c.intervals.get(k) as Window, fromS, toS, t, servers, machine);
    });
  const overall = figures(c.overall, t.holdStartS, t.endS);
  const overallServers = servers.map((s) => serverOverall(s, t.holdStartS, t.endS, c.overall.online));
  const w = c.whole.counts;
  return {
    tool: 'botfarm',
    startedAt: run.startedAt,
    command: run.command,
    machine: run.machine,
    target: { host: o.host, port: o.port, serverType: run.serverType, login: run.login },
    bots: o.bots,
    workers: run.workers,
    perAddress: o.perAddress,
    sourceAddresses: run.sourceAddresses,
    load: {
      rate: o.rate,
      holdS: o.holdS,
      perRoom: o.perRoom === 0 ? o.bots : o.perRoom,
      areaM: o.areaM,
      speedMps: o.speedMps,
      moveEveryS: o.moveEveryS,
      chatEveryS: o.chatEveryS,
      whisperEveryS: o.whisperEveryS,
      avatarEveryS: o.avatarEveryS,
      avatars: o.avatars,
      worlds: o.worlds,
      propreq: o.propreq,
      nice: o.nice,
    },
    timeline: t,
    logins: {
      attempted: w.loginsOk + w.loginsFailed + run.unfinishedLogins,
      ok: w.loginsOk,
      failed: w.loginsFailed,
      unfinished: run.unfinishedLogins,
      notStarted: o.bots - (w.loginsOk + w.loginsFailed + run.unfinishedLogins),
      byReason: c.whole.failures,
      rampLagMaxMs: round(c.whole.rampLagMaxMs, 0),
    },
    drops: { count: w.drops, byReason: c.whole.dropReasons },
    notices: c.whole.noticeTexts,
    chat: { sent: w.chatsSent, echoed: w.echoes, lost: w.chatsSent - w.echoes, heard: w.heard },
    whispers: { sent: w.whispersSent, received: w.whispersIn, lost: w.whispersSent - w.whispersIn },
    listenQueue: run.listenQueue,
    loadAverage: run.loadAverage,
    intervals,
    ramp: { fromS: 0, toS: t.rampEndS, servers: servers.map((s) => serverFigures(s, 0, t.rampEndS)) },
    overall: {
      ...overall,
      // Logins are counted over the whole run: the overall window starts after the ramp.
      loginsOk: w.loginsOk,
      loginsFailed: w.loginsFailed,
      login: quantiles(c.whole.hist.login),
      servers: overallServers,
      machine: machineFigures(machine, t.holdStartS, t.endS, overall.farmCpuPct, overallServers),
    },
  };
}

export function intervalRow(
  w: Window,
  fromS: number,
  toS: number,
  t: Timeline,
  servers: readonly ServerSeries[],
  machine: MachineSeries | null,
): IntervalRow {
  const f = figures(w, fromS, toS);
  const sv = servers.map((s) => serverFigures(s, fromS, toS));
  return {
    ...f,
    phase: phaseOfInterval(fromS, t),
    servers: sv,
    machine: machineFigures(machine, fromS, toS, f.farmCpuPct, sv),
  };
}

/** An interval is named after its first second: one that holds any of the ramp is a ramp interval. */
export function phaseOfInterval(fromS: number, t: Timeline): Phase {
  return phaseOf(fromS + 1, t);
}

// ---- text ----

const KINDS = ['LONGLOC', 'APPRACTR', 'DISAPPR', 'TEXT'] as const;
/** Other processes using more than this (% of one core) make a run's figures doubtful. */
export const NOISY_OTHERS_PCT = 20;
/** Other processes took a share of a machine that had none to spare: the run's figures are doubtful. */
export function noisy(m: MachineFigures): boolean {
  return m.othersPct > NOISY_OTHERS_PCT && m.busyPct > m.cores * 100 * SATURATED;
}
/** Busier than this fraction of all cores, the machine had no room for anyone else's work. */
const SATURATED = 0.8;
/** A login starting this late means the asked ramp rate was not kept. */
const RAMP_LAG_NOTE_MS = 250;

function num(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return v.toFixed(digits);
}

function ms(q: Quantiles): string {
  return q.count === 0
    ? '-'
    : `${num(q.p50, q.p50 !== null && q.p50 >= 100 ? 0 : 1)}/${num(q.p99, q.p99 !== null && q.p99 >= 100 ? 0 : 1)}`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  return [line(head), ...rows.map(line)];
}

function serverCell(s: ServerFigures): string {
  return `${num(s.cpuPct, 0)}%/${num(s.mainWaitPct, 0)}%/${num(s.rssMiB, 0)}`;
}

export function intervalTable(rows: readonly IntervalRow[]): string[] {
  const head = [
    'secs',
    'phase',
    'online',
    'logins',
    'fail',
    'drop',
    ...KINDS,
    'B in',
    'B out',
    'echo',
    'move age',
    'farm',
    'others',
  ];
  const servers = rows[0]?.servers ?? [];
  for (const s of servers) head.push(`pid ${s.pid}`);
  return table(
    head,
    rows.map((r) => [
      `${r.fromS}-${r.toS}`,
      r.phase,
      String(r.online),
      String(r.loginsOk),
      String(r.loginsFailed),
      String(r.drops),
      ...KINDS.map((k) => num(r.receivedPerUserS[k], 2)),
      num(r.bytesInPerUserS, 0),
      num(r.bytesOutPerUserS, 0),
      ms(r.echo),
      ms(r.moveAge),
      `${num(r.farmCpuPct, 0)}%`,
      r.machine ? `${num(r.machine.othersPct, 0)}%` : '-',
      ...r.servers.map(serverCell),
    ]),
  );
}

function reasons(map: Record<string, number>): string {
  const entries = Object.entries(map).sort(([, a], [, b]) => b - a);
  return entries.length ? entries.map(([k, v]) => `${v} ${k}`).join(', ') : 'none';
}

function latency(name: string, q: Quantiles): string {
  if (q.count === 0) return `  ${name}: none measured`;
  return `  ${name}: p50 ${num(q.p50)} ms, p99 ${num(q.p99)} ms, max ${num(q.max)} ms (${q.count} samples)`;
}

export function formatReport(s: Summary): string {
  const o = s.overall;
  const l = s.load;
  const out: string[] = [];
  const login = { 1: 'UserServer (user database)', 2: 'UserServer (anonymous)', 4: 'stand-alone RoomServer' }[
    s.target.serverType
  ];
  out.push(
    `Bot farm: ${s.bots} bots → ${login ?? `server type ${s.target.serverType}`} ${s.target.host}:${s.target.port}, ` +
      `login ${s.target.login}; ${s.workers} worker process(es)${l.nice ? ` at nice ${l.nice}` : ''}; ` +
      `${s.perAddress} per source address ` +
      `(${s.sourceAddresses.first} … ${s.sourceAddresses.last}, ${s.sourceAddresses.count} addresses)`,
    `Load: move every ${l.moveEveryS} s at ${l.speedMps} m/s in rooms of ${l.perRoom} (${l.areaM} m square) over ` +
      `${l.worlds} world(s); chat every ${l.chatEveryS || '-'} s, whisper every ${l.whisperEveryS || '-'} s, avatar ` +
      `every ${l.avatarEveryS || '-'} s; nearest ${l.avatars}; PROPREQ on arrival ${l.propreq ? 'on' : 'off'}`,
    `Timeline: ramp ${num(s.timeline.rampS)} s at ${l.rate}/s, overall window ${s.timeline.holdStartS}-` +
      `${s.timeline.endS} s; machine ${s.machine.cpus} × ${s.machine.model}, ${s.machine.memoryGiB} GiB, node ${s.machine.node}`,
    '',
    'Per interval: received per user per second (commands by kind, bytes in and out), latency p50/p99 in ms, ' +
      'CPU in % of one core (farm: its workers; others: every other process on the machine), servers as ' +
      'CPU / main thread waiting for a CPU / RSS MiB:',
    ...intervalTable(s.intervals).map((x) => `  ${x}`),
    '',
    `Overall (${o.fromS}-${o.toS} s, ${o.online} bots online at the end):`,
    `  logins: ${s.logins.ok} ok of ${s.logins.attempted}, ${s.logins.failed} failed (${reasons(s.logins.byReason)})` +
      (s.logins.unfinished ? `, ${s.logins.unfinished} still under way at the end` : '') +
      (s.logins.notStarted ? `, ${s.logins.notStarted} never started` : '') +
      (s.logins.rampLagMaxMs > RAMP_LAG_NOTE_MS
        ? `; the ramp fell behind: a login started up to ${s.logins.rampLagMaxMs} ms late (logins in flight capped by --max-pending, or the farm was busy)`
        : ''),
    latency('login (connect → standing in the room)', o.login),
    `  drops: ${s.drops.count} (${reasons(s.drops.byReason)})`,
    `  received per user per second: ${
      Object.entries(o.receivedPerUserS)
        .map(([k, v]) => `${k} ${num(v, 2)}`)
        .join(', ') || 'nothing'
    }`,
    `  sent per user per second: LONGLOC ${num(o.sentPerUserS.moves, 2)}, TEXT ${num(o.sentPerUserS.chats, 3)}, ` +
      `WHISPER ${num(o.sentPerUserS.whispers, 3)}, PROPSET ${num(o.sentPerUserS.avatars, 3)}, PROPREQ ${num(o.sentPerUserS.propreqs, 2)}`,
    `  bytes per user per second: in ${num(o.bytesInPerUserS, 0)} (${num((o.bytesInPerUserS * 8) / 1000, 2)} kbit/s), ` +
      `out ${num(o.bytesOutPerUserS, 0)} (${num((o.bytesOutPerUserS * 8) / 1000, 2)} kbit/s)`,
    `  chat: ${s.chat.sent} lines sent, ${s.chat.echoed} echoed, ${s.chat.lost} never came back; ${s.chat.heard} heard by other bots`,
    latency('chat echo', o.echo),
    latency('chat heard by viewers', o.heard),
    `  whispers: ${s.whispers.sent} sent, ${s.whispers.received} received, ${s.whispers.lost} lost`,
    latency('whisper', o.whisper),
    latency('position age at the viewer (move sent → LONGLOC received)', o.moveAge),
    latency('update gap (between batches of avatar updates a bot receives)', o.updateGap),
  );
  if (Object.keys(s.notices).length) out.push(`  server notices: ${reasons(s.notices)}`);
  for (const v of s.ramp.servers) {
    out.push(
      `  server pid ${v.pid} during the ramp (${s.ramp.fromS}-${s.ramp.toS} s): CPU ${num(v.cpuPct)}% of one core ` +
        `(main thread ${num(v.mainThreadPct)}%, waiting for a CPU ${num(v.mainWaitPct)}%)`,
    );
  }
  for (const v of o.servers) {
    out.push(
      `  server pid ${v.pid} (${v.label}): CPU ${num(v.cpuPct)}% of one core (in the kernel ${num(v.kernelPct)}%; ` +
        `main thread ${num(v.mainThreadPct)}%, ` +
        `waiting for a CPU ${num(v.mainWaitPct)}% of the time), ` +
        `RSS ${num(v.rssMiB)} MiB (max ${num(v.rssMaxMiB)}, start ${num(v.rssStartMiB)}; ${num(v.rssKiBPerBot)} KiB per bot, ` +
        `${num(v.rssAddedKiBPerBot)} KiB added per bot), open files max ${v.openFilesMax ?? '-'} of ${v.fileLimit ?? '-'}`,
    );
    if (v.readsPerUserS !== null || v.writesPerUserS !== null)
      out.push(
        `  server pid ${v.pid} system calls per user per second: ${num(v.readsPerUserS, 2)} reads, ` +
          `${num(v.writesPerUserS, 2)} writes (a socket write is one client's frames of one event-loop turn; log writes count too)`,
      );
  }
  if (s.listenQueue) {
    out.push(
      `  kernel listen queues: ${s.listenQueue.overflows} overflows, ${s.listenQueue.drops} drops during the run ` +
        '(whole machine: any listener)',
    );
  }
  out.push(
    `  farm: ${num(o.farmCpuPct, 0)}% of one core (in the kernel ${num(o.farmKernelPct, 0)}%) over ${s.workers} worker(s), worst event-loop delay ${num(o.farmLoopDelayMaxMs)} ms` +
      (o.farmLoopDelayMaxMs > 100 ? ' (the farm itself was late: latencies include its delay)' : ''),
  );
  const m = o.machine;
  if (m) {
    out.push(
      `  machine: ${num(m.busyPct, 0)}% of ${m.cores * 100}% busy: servers ${num(m.serversPct, 0)}%, farm ${num(m.farmPct, 0)}%, ` +
        `other processes ${num(m.othersPct, 0)}%; load average ${num(s.loadAverage.start, 2)} at the start, ` +
        `${num(s.loadAverage.end, 2)} at the end` +
        (noisy(m)
          ? ' (NOISY: other work competed for the cores; repeat when the machine is quiet)'
          : m.othersPct > NOISY_OTHERS_PCT
            ? ' (other work ran, but cores were left idle)'
            : ''),
    );
  }
  return `${out.join('\n')}\n`;
}

/** One line for the live display. */
export function progressLine(p: {
  phase: Phase;
  second: number;
  endS: number;
  bots: number;
  w: Window | undefined;
  servers: readonly ServerFigures[];
  failed: number;
  drops: number;
}): string {
  const w = p.w;
  const parts = [`[${p.phase.padEnd(6)} ${String(p.second).padStart(4)}/${p.endS} s]`];
  if (w) {
    const f = figures(w, p.second - 1, p.second);
    parts.push(
      `online ${w.online}/${p.bots}`,
      `pending ${w.pending}`,
      `failed ${p.failed}`,
      `drops ${p.drops}`,
      `LONGLOC ${num(f.receivedPerUserS.LONGLOC ?? 0, 2)}/u/s`,
      `in ${num(f.bytesInPerUserS, 0)} B/u/s`,
      `echo p99 ${num(f.echo.p99, 0)} ms`,
      `farm ${num(f.farmCpuPct, 0)}%`,
    );
  }
  for (const s of p.servers) parts.push(`pid ${s.pid} ${num(s.cpuPct, 0)}% ${num(s.rssMiB, 0)} MiB`);
  return parts.join(' | ');
}
