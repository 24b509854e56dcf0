// The ClientUpdates loop (AG-27, AG-31): every interval each client gets one batch of position
// changes. Work is split into slices with an event-loop turn between them, so sockets keep being
// served during a long tick; each slice ends with one write per client. The tick never awaits I/O.

import { flushAll } from '../runtime/connection.js';
import { Distribution } from '../runtime/stats.js';
import type { RoomUser } from './user.js';
import { ViewUpdater } from './view.js';
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
}

/** Tick durations are kept for about this long: `tick_ms_p99` is the 99th percentile over it. */
const DURATION_WINDOW_MS = 60_000;

export interface TickerOptions {
  intervalMs: number;
  /** Viewers handled per slice before yielding to I/O. */
  sliceSize?: number;
  /** Called once per hour when more than 5 intervals were missed in it (AG-31). */
  onOverload(missedInHour: number): void;
}

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
  readonly updater = new ViewUpdater();
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
  };
  /** Recent tick durations in ms (the statistics registry reads their percentiles). */
  readonly durations: Distribution;
  private timer: NodeJS.Timeout | null = null;
  private due = 0;
  private readonly overload = new OverloadMeter(Date.now());
  private running = false;
  private readonly sliceSize: number;

  constructor(
    private readonly world: World,
    private readonly opts: TickerOptions,
  ) {
    this.sliceSize = opts.sliceSize ?? 2000;
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

  /** Runs one complete tick synchronously (tests and benchmarks). */
  runOnce(): void {
    const users = [...this.world.users.values()];
    for (const u of users) if (!u.conn.isClosed) this.updater.update(u);
    flushAll();
  }

  private tick(): void {
    if (!this.running) return;
    const started = performance.now();
    const users = [...this.world.users.values()];
    this.stats.viewerUpdates += users.length;
    this.slice(users, 0, started);
  }

  private slice(users: RoomUser[], from: number, started: number): void {
    if (!this.running) return;
    const to = Math.min(users.length, from + this.sliceSize);
    for (let i = from; i < to; i++) {
      const u = users[i] as RoomUser;
      if (!u.conn.isClosed) this.updater.update(u);
    }
    flushAll();
    if (to < users.length) {
      setImmediate(() => this.slice(users, to, started));
      return;
    }
    this.finish(performance.now() - started);
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
