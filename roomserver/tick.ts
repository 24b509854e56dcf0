// The ClientUpdates loop (AG-27, AG-31): every interval each client gets one batch of position
// changes. Work is split into slices with an event-loop turn between them, so sockets keep being
// served during a long tick; each slice ends with one write per client. The tick never awaits I/O.

import { flushAll } from '../runtime/connection.js';
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
}

export interface TickerOptions {
  intervalMs: number;
  /** Viewers handled per slice before yielding to I/O. */
  sliceSize?: number;
  /** Called once per hour when more than 5 intervals were missed in it (AG-31). */
  onOverload(missedInHour: number): void;
}

const HOUR_MS = 3_600_000;
const ALERT_AFTER = 5;

export class Ticker {
  readonly updater = new ViewUpdater();
  readonly stats: TickStats = { ticks: 0, lastMs: 0, maxMs: 0, totalMs: 0, missed: 0, missedThisHour: 0 };
  private timer: NodeJS.Timeout | null = null;
  private due = 0;
  private hourStart = Date.now();
  private alerted = false;
  private running = false;
  private readonly sliceSize: number;

  constructor(
    private readonly world: World,
    private readonly opts: TickerOptions,
  ) {
    this.sliceSize = opts.sliceSize ?? 2000;
  }

  start(): void {
    this.running = true;
    this.due = Date.now() + this.opts.intervalMs;
    this.timer = setTimeout(() => this.tick(), this.opts.intervalMs);
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
    if (ms > s.maxMs) s.maxMs = ms;
    const now = Date.now();
    if (now - this.hourStart >= HOUR_MS) {
      this.hourStart = now;
      s.missedThisHour = 0;
      this.alerted = false;
    }
    // Missed: this interval's updates reached clients after the next one was due.
    if (now > this.due + this.opts.intervalMs) {
      s.missed++;
      s.missedThisHour++;
      if (s.missedThisHour > ALERT_AFTER && !this.alerted) {
        this.alerted = true;
        this.opts.onOverload(s.missedThisHour);
      }
    }
    this.due += this.opts.intervalMs;
    // After an overrun start again from now instead of firing a burst of catch-up ticks.
    if (this.due < now) this.due = now;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.due - now));
  }
}
