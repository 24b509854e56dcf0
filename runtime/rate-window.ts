// "At most N per minute" per key (a user, an address): a fixed window per key that starts with
// the key's first event. Pure (the caller passes the time). Keys whose window has passed are
// pruned as the map grows, so memory is bounded by the keys active within one window.

interface Window {
  start: number;
  count: number;
}

export class RateWindow<K> {
  private readonly windows = new Map<K, Window>();
  private lastPrune = 0;

  constructor(private readonly windowMs = 60_000) {}

  get size(): number {
    return this.windows.size;
  }

  /** Counts one event for `key`; false (and not counted) when `limit` events already fell in its window. */
  take(key: K, limit: number, now: number): boolean {
    this.prune(now);
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= limit) return false;
    w.count++;
    return true;
  }

  /** Whether one more event for `key` would be allowed, without counting it. */
  allows(key: K, limit: number, now: number): boolean {
    const w = this.windows.get(key);
    return !w || now - w.start >= this.windowMs || w.count < limit;
  }

  /** Takes back one counted event (it turned out not to count, e.g. the handshake succeeded). */
  refund(key: K): void {
    const w = this.windows.get(key);
    if (w && w.count > 0) w.count--;
  }

  private prune(now: number): void {
    if (now - this.lastPrune < this.windowMs) return;
    this.lastPrune = now;
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}
