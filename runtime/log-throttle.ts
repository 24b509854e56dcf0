// "Logged once per offender per window, never once per frame" (TEAM-NOTES, issue 6): a guard the
// caller asks before writing a line about an offender. The first line per key in a window goes
// out; the rest are counted, and the next line that goes out says how many were held back.
// Pure (the caller passes the time); keys are bounded (the oldest are forgotten first).
//
// The hardening branch adds a shared limiter (runtime/log-limit.ts, `LogLimiter`). ThrottledLog
// below has the same call, `error(who, event, text, offender)`, so the servers' `logLimit` can be
// either: where both exist, keep LogLimiter and drop ThrottledLog; no call site changes.

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

/** ` (3 more suppressed in the last 60 s)` or nothing: the suffix for an allowed line. */
export function heldBack(n: number, windowMs: number): string {
  return n === 0 ? '' : ` (${n} more suppressed in the last ${windowMs / 1000} s)`;
}

export interface ErrorLine {
  error(who: string | null, text: string): void;
}

/** `(who) - text` at most once per offender and event per window, with the count held back. */
export class ThrottledLog {
  private readonly throttle: LogThrottle;

  constructor(
    private readonly log: ErrorLine,
    windowMs = 60_000,
  ) {
    this.throttle = new LogThrottle(windowMs);
  }

  /** `offender` is what the limit is about (an address, a user); `who` what the line names. */
  error(who: string | null, event: string, text: string, offender: string = who ?? ''): void {
    const held = this.throttle.allow(`${offender}\u0000${event}`, Date.now());
    if (held !== null) this.log.error(who, `${text}${heldBack(held, this.throttle.windowMs)}`);
  }
}
