// The parent's side of the measurements: worker samples sorted into report intervals, the overall
// (steady-state) window, the whole run, and the last complete second for the live display.
//
// Timeline, in whole seconds from the start: the ramp ends at ceil(bots / rate), the overall window
// starts `settle` seconds later and ends with the hold; the final samples, taken while the workers
// wait for the last echoes, form the drain.

import { Window, type Sample } from './stats.js';

export interface Timeline {
  rampS: number;
  rampEndS: number;
  holdStartS: number;
  endS: number;
}

export function timeline(bots: number, rate: number, settleS: number, holdS: number): Timeline {
  const rampS = bots / rate;
  const rampEndS = Math.ceil(rampS);
  return { rampS, rampEndS, holdStartS: rampEndS + Math.ceil(settleS), endS: rampEndS + Math.ceil(holdS) };
}

export type Phase = 'ramp' | 'settle' | 'hold' | 'drain';

/** Phase of the second ending at `s` (a sample taken at s covers (s − 1, s]). */
export function phaseOf(s: number, t: Timeline): Phase {
  if (s <= t.rampEndS) return 'ramp';
  if (s <= t.holdStartS) return 'settle';
  if (s <= t.endS) return 'hold';
  return 'drain';
}

export class Collector {
  readonly whole = new Window();
  readonly overall = new Window();
  readonly drain = new Window();
  readonly intervals = new Map<number, Window>();
  private readonly seconds = new Map<number, Window>();
  private readonly latest = new Map<number, number>();
  private readonly finished = new Set<number>();

  constructor(
    readonly t: Timeline,
    readonly intervalS: number,
    private readonly workers: number,
  ) {}

  intervalOf(s: number): number {
    return Math.max(0, Math.ceil(s / this.intervalS) - 1);
  }

  /** Seconds covered by interval k: (from, to]. */
  intervalSpan(k: number): { fromS: number; toS: number } {
    return { fromS: k * this.intervalS, toS: Math.min((k + 1) * this.intervalS, this.t.endS) };
  }

  add(s: Sample, final = false): void {
    this.whole.add(s);
    if (final || s.second > this.t.endS) {
      this.drain.add(s);
      this.finished.add(s.worker);
      return;
    }
    this.latest.set(s.worker, s.second);
    const k = this.intervalOf(s.second);
    let w = this.intervals.get(k);
    if (!w) this.intervals.set(k, (w = new Window()));
    w.add(s);
    if (s.second > this.t.holdStartS) this.overall.add(s);
    let sec = this.seconds.get(s.second);
    if (!sec) this.seconds.set(s.second, (sec = new Window()));
    sec.add(s);
    // The display needs only the most recent seconds.
    for (const old of this.seconds.keys()) if (old < s.second - 5) this.seconds.delete(old);
  }

  /** A worker that died reports no more; the others' seconds still complete. */
  gone(worker: number): void {
    this.finished.add(worker);
  }

  /** The last second every running worker has reported. */
  get completeSecond(): number {
    let min = Infinity;
    for (let w = 0; w < this.workers; w++) {
      if (this.finished.has(w)) continue;
      min = Math.min(min, this.latest.get(w) ?? 0);
    }
    return min === Infinity ? Math.max(0, ...this.latest.values()) : min;
  }

  second(s: number): Window | undefined {
    return this.seconds.get(s);
  }
}
