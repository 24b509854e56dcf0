// The ClientUpdates loop (AG-27, AG-31): every interval each client gets one batch of position
// changes. Work is split into slices of a few milliseconds with an event-loop turn between them, so
// sockets keep being served during a long tick: what the turn read (chat, whispers, logins) is
// written before the next slice starts, not after it. Each viewer is written once per tick. The
// tick never awaits I/O.
//
// Overload (AG-43): the tick may take a share of the interval (keyword TickBudget). When the
// measured cost of updating everyone would exceed it, or a tick overran its interval (the event
// loop is busy with more than the tick), the interval still holds and the work degrades by
// priority: at level L each viewer gets its full update (nearest search, arrivals, departures,
// every move) one tick in L+1, and on the others only the moves of the nearer half of what it
// shows, from level 4 on every other tick; a viewer that shows nothing yet or changed rooms gets
// its full update at once. The level is chosen before each tick from the costs measured in
// earlier ticks and from how long the last one took.

import { flushAll } from '../runtime/connection.js';
import { Distribution } from '../runtime/stats.js';
import type { RoomUser } from './user.js';
import { ViewUpdater, type CrowdPolicy } from './view.js';
import type { World } from './world.js';

export interface TickStats {
  ticks: number;
  lastMs: number;
  maxMs: number;
  totalMs: number;
  /** Ticks that could not deliver within their interval since start. */
  missed: number;
  /** Missed ticks in the current hour (AG-31 counts per hour). */
  missedThisHour: number;
  /** Viewers updated, summed over ticks (avatars sent per viewer per tick = view counters / this). */
  viewerUpdates: number;
  /** Current overload level: 0 = everyone fully updated every tick; L = fully one tick in L+1. */
  level: number;
  /** Ticks run at a level above 0 since start. */
  degradedTicks: number;
  /** Share of the time the event loop was busy over the last interval (0..1; 0 when not measured). */
  loopBusy: number;
}

/** At most one full update in this many ticks (L+1) under overload: 8 s between nearest searches at 1 s. */
export const MAX_LEVEL = 7;
/** From this level on, the near-only updates go out every other tick (writes dominate a tick's cost). */
export const HALF_NEAR_LEVEL = 4;

/** Near-only updates of one viewer: every tick, or every other tick at the higher levels. */
export function nearEvery(level: number): number {
  return level >= HALF_NEAR_LEVEL ? 2 : 1;
}

/**
 * The lowest overload level whose estimated cost fits the budget (MAX_LEVEL when none does).
 * Cost per tick at level L: a full update for 1/(L+1) of the viewers, near-only for the rest
 * (every tick, or every other tick from HALF_NEAR_LEVEL on).
 */
export function overloadLevel(viewers: number, fullMs: number, nearMs: number, budgetMs: number): number {
  for (let level = 0; level < MAX_LEVEL; level++) {
    if (tickCostMs(level, viewers, fullMs, nearMs) <= budgetMs) return level;
  }
  return MAX_LEVEL;
}

/** Estimated ms of one tick at `level`: a full update for 1/(L+1) of the viewers, near-only for the rest. */
export function tickCostMs(level: number, viewers: number, fullMs: number, nearMs: number): number {
  return (viewers * (fullMs + (nearMs * level) / nearEvery(level))) / (level + 1);
}

/**
 * Whether a viewer gets its full update this tick: its turn in the stride, or it shows nothing
 * yet or walked into another room since its last one (a user who just logged in or teleported
 * sees the avatars around it at once, whatever the level).
 */
function fullUpdateDue(u: RoomUser, turn: number, stride: number): boolean {
  return turn % stride === 0 || u.visible.size === 0 || u.viewedRoom !== u.room;
}

/** Moving average of a per-viewer cost: steady enough not to flip levels on one slow tick. */
const COST_SMOOTHING = 0.3;
/** Stepping down needs room to spare, or the level would flap around the budget. */
const STEP_DOWN_SHARE = 0.8;

/** Tick durations are kept for about this long: `tick_ms_p99` is the 99th percentile over it. */
const DURATION_WINDOW_MS = 60_000;

export interface TickerOptions {
  intervalMs: number;
  /** Share of the interval the tick may use before it degrades (TickBudget / 100). @default 0.6 */
  budgetShare?: number;
  /** Share of the time the event loop may be busy before the tick degrades (TickBudget's second number). @default 0.9 */
  loopBusyShare?: number;
  /** The loop's busy share since the last call (runtime/loop-busy.ts); without it the loop counts as idle. */
  loopBusy?(): number;
  /**
   * Connections that arrived since the last call. The loop's busy share matters only while someone
   * is arriving: with nobody waiting to log in, a busy loop is better spent on updates (at 19,000
   * users shedding the tick did not make chat any faster, and cost 40% of the updates).
   */
  arrivals?(): number;
  /** The crowd hysteresis (CrowdHysteresis). @default DEFAULT_CROWD_POLICY */
  crowd?: Readonly<CrowdPolicy>;
  /**
   * How long a slice runs before the tick yields to I/O (ms); 0 yields after every chunk of viewers.
   * @default SLICE_MS
   */
  sliceMs?: number;
  /**
   * How long the writes wait for the I/O thread (IoThread on): the tick's output is late by that
   * much, so a lag past the interval counts as an overrun.
   */
  ioLagMs?(): number;
  /** Called once per hour when more than 5 intervals were missed in it (AG-31). */
  onOverload(missedInHour: number): void;
}

/**
 * A slice's length. Chat read during a tick waits for the slice under way to end: at 10,000 users
 * slices of 1,000 viewers took 30-40 ms, and chat waited for two of them (the next slice was queued
 * before the flush of what the turn read).
 */
export const SLICE_MS = 8;
/** Viewers updated between two looks at the clock (a viewer costs some 10-40 µs). */
const SLICE_CHUNK = 64;

const HOUR_MS = 3_600_000;
const ALERT_AFTER = 5;

/**
 * AG-31: counts update intervals that could not be delivered in time, per hour, and says when an
 * hour has seen more than five (once per hour).
 */
export class OverloadMeter {
  missed = 0;
  missedThisHour = 0;
  private hourStart: number;
  private alerted = false;

  constructor(now: number) {
    this.hourStart = now;
  }

  /** A tick finished at `now`; it was late when the next interval was already due. Returns true to alert. */
  record(now: number, due: number, intervalMs: number): boolean {
    if (now - this.hourStart >= HOUR_MS) {
      this.hourStart = now;
      this.missedThisHour = 0;
      this.alerted = false;
    }
    if (now <= due + intervalMs) return false;
    this.missed++;
    this.missedThisHour++;
    if (this.missedThisHour <= ALERT_AFTER || this.alerted) return false;
    this.alerted = true;
    return true;
  }
}

export class Ticker {
  readonly updater: ViewUpdater;
  /** Tick durations since the last hourly report (which reads their quantiles and clears them). */
  readonly periodDurations = new Distribution(8192);
  readonly stats: TickStats = {
    ticks: 0,
    lastMs: 0,
    maxMs: 0,
    totalMs: 0,
    missed: 0,
    missedThisHour: 0,
    viewerUpdates: 0,
    level: 0,
    degradedTicks: 0,
    loopBusy: 0,
  };
  /** Recent tick durations in ms (the statistics registry reads their percentiles). */
  readonly durations: Distribution;
  private timer: NodeJS.Timeout | null = null;
  private due = 0;
  private readonly overload = new OverloadMeter(Date.now());
  private running = false;
  private readonly sliceMs: number;
  /** Measured ms per viewer of a full update and of a near-only one (0 until measured). */
  private fullCost = 0;
  private nearCost = 0;
  private fullMs = 0;
  private fullCount = 0;
  private nearMs = 0;
  private nearCount = 0;

  constructor(
    private readonly world: World,
    private readonly opts: TickerOptions,
  ) {
    this.sliceMs = opts.sliceMs ?? SLICE_MS;
    this.updater = new ViewUpdater(opts.crowd);
    this.durations = new Distribution(Math.min(4096, Math.max(16, Math.ceil(DURATION_WINDOW_MS / opts.intervalMs))));
  }

  start(): void {
    this.running = true;
    this.due = Date.now() + this.opts.intervalMs;
    this.timer = setTimeout(() => this.tick(), this.opts.intervalMs);
  }

  /** ClientUpdates changed (configuration reload): the next tick is due at the new interval. */
  setIntervalMs(ms: number): void {
    this.opts.intervalMs = ms;
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get intervalMs(): number {
    return this.opts.intervalMs;
  }

  /** TickBudget changed (configuration reload). */
  setBudgetShare(share: number, loopBusyShare = this.opts.loopBusyShare): void {
    this.opts.budgetShare = share;
    this.opts.loopBusyShare = loopBusyShare;
  }

  /** True when even the highest overload level cannot hold the interval: new users are refused. */
  get overloaded(): boolean {
    return this.stats.level === MAX_LEVEL && this.lateMs > this.opts.intervalMs;
  }

  /** How late the last tick's updates reached the sockets: its own duration, or the I/O thread's lag. */
  get lateMs(): number {
    return Math.max(this.stats.lastMs, this.opts.ioLagMs?.() ?? 0);
  }

  /** Runs one complete tick synchronously (tests and benchmarks, which may say what time it is). */
  runOnce(now = Date.now()): void {
    const users = [...this.world.users.values()];
    this.chooseLevel(users.length);
    this.updateSlice(users, 0, users.length, now);
    this.learnCosts();
    this.stats.ticks++;
  }

  private tick(): void {
    if (!this.running) return;
    const started = performance.now();
    const users = [...this.world.users.values()];
    this.stats.viewerUpdates += users.length;
    this.chooseLevel(users.length);
    this.slice(users, 0, started, Date.now());
  }

  private slice(users: RoomUser[], from: number, started: number, now: number): void {
    if (!this.running) return;
    // What the turn before read and answered goes out now: this slice was queued ahead of its flush.
    flushAll();
    const endAt = performance.now() + this.sliceMs;
    let at = from;
    do {
      const to = Math.min(users.length, at + SLICE_CHUNK);
      this.updateSlice(users, at, to, now);
      at = to;
    } while (at < users.length && performance.now() < endAt);
    if (at < users.length) {
      setImmediate(() => this.slice(users, at, started, now));
      return;
    }
    this.learnCosts();
    this.finish(performance.now() - started);
  }

  /** Viewers from..to-1: full updates first, then the near-only ones, each timed with its writes. */
  private updateSlice(users: readonly RoomUser[], from: number, to: number, now: number): void {
    const stride = this.stats.level + 1;
    const phase = this.stats.ticks % stride;
    const updater = this.updater;
    let t0 = performance.now();
    let n = 0;
    for (let i = from; i < to; i++) {
      const u = users[i] as RoomUser;
      if (!fullUpdateDue(u, i + phase, stride) || u.conn.isClosed) continue;
      updater.update(u, now);
      n++;
    }
    flushAll();
    let t1 = performance.now();
    this.fullMs += t1 - t0;
    this.fullCount += n;
    if (stride === 1) return;
    t0 = t1;
    n = 0;
    const every = nearEvery(this.stats.level);
    const nearPhase = this.stats.ticks % every;
    for (let i = from; i < to; i++) {
      const u = users[i] as RoomUser;
      if (fullUpdateDue(u, i + phase, stride) || (i + nearPhase) % every !== 0 || u.conn.isClosed) continue;
      updater.updateNearest(u);
      n++;
    }
    flushAll();
    t1 = performance.now();
    this.nearMs += t1 - t0;
    this.nearCount += n;
  }

  private learnCosts(): void {
    const smooth = (old: number, ms: number, count: number) =>
      count === 0 ? old : old === 0 ? ms / count : old + COST_SMOOTHING * (ms / count - old);
    this.fullCost = smooth(this.fullCost, this.fullMs, this.fullCount);
    this.nearCost = smooth(this.nearCost, this.nearMs, this.nearCount);
    this.fullMs = this.fullCount = this.nearMs = this.nearCount = 0;
  }

  private chooseLevel(viewers: number): void {
    const s = this.stats;
    const budgetMs = this.opts.intervalMs * (this.opts.budgetShare ?? 0.6);
    // Until a near-only update was measured, assume it costs what a full one does (no optimism).
    const near = this.nearCost || this.fullCost;
    let level = overloadLevel(viewers, this.fullCost, near, budgetMs);
    // The loop's busy share since the last tick. Past its limit, what arrives meanwhile (logins,
    // chat) waits behind the tick: the tick gives way even when its own cost fits its budget.
    const busy = this.opts.loopBusy?.() ?? 0;
    const arriving = (this.opts.arrivals?.() ?? 1) > 0;
    const busyLimit = arriving ? (this.opts.loopBusyShare ?? 0.9) : Infinity;
    s.loopBusy = busy;
    const interval = this.opts.intervalMs;
    // The busy share one level lower would bring: what the tick would add at that level.
    const busyOneDown =
      s.level === 0
        ? busy
        : busy +
          (tickCostMs(s.level - 1, viewers, this.fullCost, near) - tickCostMs(s.level, viewers, this.fullCost, near)) /
            interval;
    if (this.lateMs > interval || busy > busyLimit) {
      // The last tick overran whatever its own cost: reads, chat and logins filled the loop too
      // (or the I/O thread could not write as fast as the tick produced).
      level = Math.min(MAX_LEVEL, Math.max(level, s.level + 1));
    } else if (level < s.level) {
      // Down one level a tick at most, and only with room to spare: a level reached because the
      // loop was busy says nothing the cost model knows, and jumping back to 0 would overrun again.
      level =
        this.lateMs > budgetMs || busyOneDown > busyLimit
          ? s.level
          : Math.max(
              s.level - 1,
              Math.min(s.level, overloadLevel(viewers, this.fullCost, near, budgetMs * STEP_DOWN_SHARE)),
            );
    }
    s.level = level;
    if (level > 0) s.degradedTicks++;
  }

  private finish(ms: number): void {
    const s = this.stats;
    s.ticks++;
    s.lastMs = ms;
    s.totalMs += ms;
    this.durations.record(ms);
    if (ms > s.maxMs) s.maxMs = ms;
    this.periodDurations.record(ms);
    const now = Date.now();
    // Missed: this interval's updates reached clients after the next one was due.
    const alert = this.overload.record(now, this.due, this.opts.intervalMs);
    s.missed = this.overload.missed;
    s.missedThisHour = this.overload.missedThisHour;
    if (alert) this.opts.onOverload(s.missedThisHour);
    this.due += this.opts.intervalMs;
    // After an overrun start again from now instead of firing a burst of catch-up ticks.
    if (this.due < now) this.due = now;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.due - now));
  }
}
