// "Logged once per offender per window, never once per frame" (TEAM-NOTES, issue 6): a guard the
// caller asks before writing a line about an offender. The first line per key in a window goes
// out; the rest are counted, and the next line that goes out says how many were held back.
// Pure (the caller passes the time); keys are bounded (the oldest are forgotten first).
//
// The hardening branch adds a shared limiter (runtime/log-limit.ts); this guard has the same
// shape (key → may I log, and how many did I suppress) so that callers can switch to it by
// replacing `allow` calls.

interface Entry {
  start: number;
  suppressed: number;
}

export class LogThrottle {
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

/** ` (3 similar lines held back in the last minute)` or nothing: the suffix for an allowed line. */
export function heldBack(n: number, windowMs: number): string {
  if (n === 0) return '';
  const window = windowMs === 60_000 ? 'minute' : `${windowMs / 1000} s`;
  return ` (${n} similar line${n === 1 ? '' : 's'} held back in the last ${window})`;
}
