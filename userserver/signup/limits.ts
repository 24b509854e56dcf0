// Counting events per key (a client address) in fixed windows, in a bounded map: the oldest keys
// are forgotten first when it is full, so a flood of addresses costs memory up to the cap only.

import type { Window } from './config.js';

const MAX_KEYS = 50_000;

export class WindowCounter {
  private readonly entries = new Map<string, { start: number; count: number }>();

  constructor(private readonly maxKeys = MAX_KEYS) {}

  /** Events counted for `key` in its current window. */
  count(key: string, w: Window, now: number): number {
    const e = this.entries.get(key);
    if (!e || now - e.start >= w.ms) return 0;
    return e.count;
  }

  /** Counts one event; false when the window already holds `w.count` of them (not counted then). */
  take(key: string, w: Window, now: number): boolean {
    let e = this.entries.get(key);
    if (!e || now - e.start >= w.ms) {
      this.entries.delete(key);
      e = { start: now, count: 0 };
      this.entries.set(key, e);
      while (this.entries.size > this.maxKeys) {
        const oldest = this.entries.keys().next();
        if (oldest.done) break;
        this.entries.delete(oldest.value);
      }
    }
    if (e.count >= w.count) return false;
    e.count++;
    return true;
  }

  /** Minutes, rounded up, until `key` may try again. */
  minutesLeft(key: string, w: Window, now: number): number {
    const e = this.entries.get(key);
    return e ? Math.max(1, Math.ceil((e.start + w.ms - now) / 60_000)) : 0;
  }

  /** Forgets windows that have ended. */
  sweep(longestMs: number, now: number): void {
    for (const [k, e] of this.entries) if (now - e.start >= longestMs) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}
