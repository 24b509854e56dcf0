// Something said about one key (a client connection and kind of refusal) at most once per window:
// the first time in a window goes out, the rest are counted, and the next one that goes out learns
// how many were held back. Pure (the caller passes the time); keys are bounded (the oldest are
// forgotten first). Log lines use runtime/log-limit.ts; this is for notices sent to clients.

interface Entry {
  start: number;
  suppressed: number;
}

export class NoticeThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /**
   * null: stay quiet (already logged for this key in this window); otherwise log, and the number
   * is how many lines for this key were held back since the last one (0 for none).
   */
  allow(key: string, now: number): number | null {
    const e = this.entries.get(key);
    if (e && now - e.start < this.windowMs) {
      e.suppressed++;
      return null;
    }
    const held = e?.suppressed ?? 0;
    this.entries.delete(key);
    if (this.entries.size >= this.maxKeys) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { start: now, suppressed: 0 });
    return held;
  }
}
