// Log lines a client can cause again and again (refused avatars, whispers to absent users, refused
// connections, failed logins…) are written once per offender and event per window (AG-45,
// TEAM-NOTES "an offender is logged once per window"). What was held back is counted and said:
// with the next line of that kind, or by the sweep when the window ends,
//   (Mallory) - avatar property refused (not text of at most 220 characters) (37 more suppressed in the last 60 s)
// so an operator still sees that it went on and for how long, while a flood cannot fill the disk.

import type { LogMeta } from './log.js';

export interface ErrorLog {
  error(who: string | null, text: string, meta?: LogMeta): void;
}

interface Entry {
  /** When the line that opened this window was written. */
  since: number;
  suppressed: number;
  /** The last suppressed line, written by the sweep when nothing else reports the count. */
  who: string | null;
  text: string;
  meta: LogMeta | undefined;
}

/** Offenders tracked at once; beyond it, new ones share one entry (bounded memory under a flood). */
export const MAX_TRACKED = 10_000;
const OVERFLOW_KEY = '\u0000*';
/**
 * The offender for what is the server's state rather than anyone's doing (a full or overloaded
 * server refusing logins): one line per window for everyone, with the count, however many ask.
 */
export const SERVER_STATE = '\u0000server';

export class LogLimiter {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  /** Lines held back since start (a statistic: what the limit saved). */
  suppressedTotal = 0;

  constructor(
    private readonly log: ErrorLog,
    /** Read at every use, so a configuration reload reaches it. */
    private readonly windowMs: () => number,
    private readonly now: () => number = Date.now,
    private readonly maxTracked = MAX_TRACKED,
  ) {}

  /**
   * Writes `(who) - text` unless `offender` already caused `event` within the window. The offender
   * is what the limit is about (an address, a user); `who` is what the line names; `meta` goes to
   * the structured outputs (LogFormat json).
   */
  error(who: string | null, event: string, text: string, offender: string = who ?? '', meta?: LogMeta): void {
    const now = this.now();
    const windowMs = this.windowMs();
    let key = `${offender}\u0000${event}`;
    let e = this.entries.get(key);
    if (!e && this.entries.size >= this.maxTracked) {
      key = OVERFLOW_KEY;
      e = this.entries.get(key);
    }
    if (e && now - e.since < windowMs) {
      e.suppressed++;
      e.who = who;
      e.text = text;
      e.meta = meta;
      this.suppressedTotal++;
      return;
    }
    const held = e?.suppressed ?? 0;
    this.log.error(
      who,
      held > 0 ? `${text} (${held} more suppressed in the last ${seconds(now - (e as Entry).since)})` : text,
      meta,
    );
    this.entries.set(key, { since: now, suppressed: 0, who, text, meta });
  }

  /**
   * Ends the windows that are over: a count nobody reported yet is written with the last line
   * held back, and the entry is forgotten (memory stays bounded by the offenders of one window).
   */
  sweep(): void {
    const now = this.now();
    const windowMs = this.windowMs();
    for (const [key, e] of this.entries) {
      if (now - e.since < windowMs) continue;
      this.entries.delete(key);
      if (e.suppressed > 0) this.report(e, now);
    }
  }

  /** Shutdown: every count still held is written. */
  flush(): void {
    const now = this.now();
    for (const e of this.entries.values()) if (e.suppressed > 0) this.report(e, now);
    this.entries.clear();
  }

  private report(e: Entry, now: number): void {
    const others = e.suppressed - 1;
    this.log.error(
      e.who,
      `${e.text} (${others > 0 ? `last of ${e.suppressed}` : 'one more'} suppressed in the last ${seconds(now - e.since)})`,
      e.meta,
    );
  }

  /** Sweeps every window length (at least every second) until stop(). */
  start(): void {
    this.stop();
    const tick = () => {
      this.sweep();
      this.timer = setTimeout(tick, Math.max(1_000, this.windowMs()));
      this.timer.unref();
    };
    this.timer = setTimeout(tick, Math.max(1_000, this.windowMs()));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get tracked(): number {
    return this.entries.size;
  }
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(1))} s`;
}
