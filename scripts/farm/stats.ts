// What the farm measures, as plain counters and distributions that add up: every worker sends one
// Sample per second (the change since its previous one); the parent adds samples into report
// intervals and into the overall window. Rates "per user per second" divide by bot-seconds (the
// integral of bots online over time), so they stay honest while bots arrive or drop.

import { Histogram, type HistogramJSON } from './histogram.js';

/** Distributions kept per sample, all in milliseconds. */
export const HISTOGRAMS = ['login', 'echo', 'heard', 'whisper', 'moveAge', 'updateGap'] as const;
export type HistName = (typeof HISTOGRAMS)[number];

/** Counters every sample carries (additive). Received commands are counted separately by kind. */
export interface Counts {
  loginsOk: number;
  loginsFailed: number;
  drops: number;
  bytesIn: number;
  bytesOut: number;
  movesSent: number;
  chatsSent: number;
  echoes: number;
  whispersSent: number;
  whispersIn: number;
  avatarsSent: number;
  propreqsSent: number;
  /** Chat lines of other bots received (each viewer that hears a line counts it). */
  heard: number;
  notices: number;
}

export function zeroCounts(): Counts {
  return {
    loginsOk: 0,
    loginsFailed: 0,
    drops: 0,
    bytesIn: 0,
    bytesOut: 0,
    movesSent: 0,
    chatsSent: 0,
    echoes: 0,
    whispersSent: 0,
    whispersIn: 0,
    avatarsSent: 0,
    propreqsSent: 0,
    heard: 0,
    notices: 0,
  };
}

export interface Sample {
  worker: number;
  /** Seconds since the farm's start at which the sample was taken (1, 2, …; the last may be later). */
  second: number;
  /** Seconds this sample covers. */
  dtS: number;
  /** Bots standing in their rooms when the sample was taken. */
  online: number;
  /** Logins under way. */
  pending: number;
  botSeconds: number;
  counts: Counts;
  /** Commands received by kind (CO records count one each). */
  received: Record<string, number>;
  /** Failed logins by reason; drops by reason; server notices (WORLDSMASTER text) by text. */
  failures: Record<string, number>;
  dropReasons: Record<string, number>;
  noticeTexts: Record<string, number>;
  hist: Partial<Record<HistName, HistogramJSON>>;
  /** Worker process CPU time in this sample, microseconds. */
  cpuUs: number;
  /** The part of cpuUs spent in the kernel (socket reads and writes, for the most part). */
  kernelUs: number;
  /** Worst event-loop delay of the worker in this sample: a busy farm inflates every latency. */
  loopDelayMaxMs: number;
  /** Latest a login of this sample started after its time in the ramp (pending cap, busy farm). */
  rampLagMaxMs: number;
}

function addInto(to: Record<string, number>, from: Readonly<Record<string, number>>, cap = Infinity): void {
  for (const [k, v] of Object.entries(from)) {
    if (k in to) to[k] = (to[k] as number) + v;
    else if (Object.keys(to).length < cap) to[k] = v;
  }
}

/** Distinct notice texts kept (a server that says something new to every bot must not grow this). */
const MAX_NOTICE_TEXTS = 20;

/** The sum of any number of samples. */
export class Window {
  samples = 0;
  botSeconds = 0;
  /** Wall-clock seconds covered (the longest any worker covered). */
  seconds = 0;
  counts: Counts = zeroCounts();
  received: Record<string, number> = {};
  failures: Record<string, number> = {};
  dropReasons: Record<string, number> = {};
  noticeTexts: Record<string, number> = {};
  hist: Record<HistName, Histogram>;
  cpuUs = 0;
  kernelUs = 0;
  loopDelayMaxMs = 0;
  rampLagMaxMs = 0;
  /** Latest online and pending count per worker. */
  private readonly onlineBy = new Map<number, number>();
  private readonly pendingBy = new Map<number, number>();
  private readonly secondsBy = new Map<number, number>();

  constructor() {
    this.hist = Object.fromEntries(HISTOGRAMS.map((h) => [h, new Histogram()])) as Record<HistName, Histogram>;
  }

  add(s: Sample): void {
    this.samples++;
    this.botSeconds += s.botSeconds;
    const c = this.counts as unknown as Record<string, number>;
    addInto(c, s.counts as unknown as Record<string, number>);
    addInto(this.received, s.received);
    addInto(this.failures, s.failures);
    addInto(this.dropReasons, s.dropReasons);
    addInto(this.noticeTexts, s.noticeTexts, MAX_NOTICE_TEXTS);
    for (const name of HISTOGRAMS) {
      const h = s.hist[name];
      if (h) this.hist[name].mergeJSON(h);
    }
    this.cpuUs += s.cpuUs;
    this.kernelUs += s.kernelUs;
    if (s.loopDelayMaxMs > this.loopDelayMaxMs) this.loopDelayMaxMs = s.loopDelayMaxMs;
    if (s.rampLagMaxMs > this.rampLagMaxMs) this.rampLagMaxMs = s.rampLagMaxMs;
    this.onlineBy.set(s.worker, s.online);
    this.pendingBy.set(s.worker, s.pending);
    const covered = (this.secondsBy.get(s.worker) ?? 0) + s.dtS;
    this.secondsBy.set(s.worker, covered);
    if (covered > this.seconds) this.seconds = covered;
  }

  get online(): number {
    let n = 0;
    for (const v of this.onlineBy.values()) n += v;
    return n;
  }

  get pending(): number {
    let n = 0;
    for (const v of this.pendingBy.values()) n += v;
    return n;
  }

  /** Count per bot per second over this window; NaN without bots. */
  perBotSecond(count: number): number {
    return this.botSeconds > 0 ? count / this.botSeconds : NaN;
  }
}

/** A worker's running totals since its last sample; bots bump plain fields. */
export class Tally {
  counts: Counts = zeroCounts();
  received: Record<string, number> = {};
  failures: Record<string, number> = {};
  dropReasons: Record<string, number> = {};
  noticeTexts: Record<string, number> = {};
  readonly hist: Record<HistName, Histogram>;

  constructor() {
    this.hist = Object.fromEntries(HISTOGRAMS.map((h) => [h, new Histogram()])) as Record<HistName, Histogram>;
  }

  static bump(map: Record<string, number>, key: string, by = 1): void {
    map[key] = (map[key] ?? 0) + by;
  }

  notice(text: string): void {
    this.counts.notices++;
    const key = text.slice(0, 100);
    if (key in this.noticeTexts || Object.keys(this.noticeTexts).length < MAX_NOTICE_TEXTS) {
      Tally.bump(this.noticeTexts, key);
    }
  }

  /** Everything since the last call, as the additive part of a Sample; starts again from zero. */
  take(): Pick<Sample, 'counts' | 'received' | 'failures' | 'dropReasons' | 'noticeTexts' | 'hist'> {
    const hist: Partial<Record<HistName, HistogramJSON>> = {};
    for (const name of HISTOGRAMS) {
      const h = this.hist[name];
      if (h.count > 0) hist[name] = h.toJSON();
      h.reset();
    }
    const out = {
      counts: this.counts,
      received: this.received,
      failures: this.failures,
      dropReasons: this.dropReasons,
      noticeTexts: this.noticeTexts,
      hist,
    };
    this.counts = zeroCounts();
    this.received = {};
    this.failures = {};
    this.dropReasons = {};
    this.noticeTexts = {};
    return out;
  }
}
