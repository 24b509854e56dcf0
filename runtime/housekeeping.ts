// The timers an operator relies on, for either server: the "hourly" report every ReportInterval
// minutes counted from launch (AG-33), and log rotation on the LogRotate schedule (AG-35). Both
// read their settings when they reschedule, so a configuration reload (SIGHUP, AG-29) reaches them.

import { ctime } from './ctime.js';
import { describePeriod, nextRotation, type RotationPeriod } from './log-rotation.js';
import type { ServerLog } from './log.js';
import { resourceUsageLines } from './resource-usage.js';

/** setTimeout's longest delay; longer waits are taken in steps. */
const MAX_DELAY = 2 ** 31 - 1;

export interface HousekeepingHooks {
  log: ServerLog;
  reportMinutes(): number;
  rotation(): RotationPeriod;
  /** The report's own lines (header first); the Resource usage block follows them. */
  report(now: Date): string[];
  /** Lines of this project's own after the guide's (RoomServer tick statistics). */
  reportExtra?(now: Date): string[];
}

export class Housekeeping {
  private readonly launchedAt: number;
  private reportTimer: NodeJS.Timeout | null = null;
  private rotateTimer: NodeJS.Timeout | null = null;
  private lastRotation: number;
  private scheduled: { minutes: number; rotation: string } | null = null;

  constructor(private readonly h: HousekeepingHooks) {
    this.launchedAt = h.log.now().getTime();
    this.lastRotation = this.launchedAt;
  }

  start(): void {
    this.reschedule();
  }

  /** After a reload: timers follow the new settings (reports stay aligned on launch). */
  reschedule(): void {
    const minutes = this.h.reportMinutes();
    const rotation = JSON.stringify(this.h.rotation());
    if (this.scheduled && this.scheduled.minutes === minutes && this.scheduled.rotation === rotation) return;
    this.scheduled = { minutes, rotation };
    this.scheduleReport();
    this.scheduleRotation();
  }

  stop(): void {
    if (this.reportTimer) clearTimeout(this.reportTimer);
    if (this.rotateTimer) clearTimeout(this.rotateTimer);
    this.reportTimer = this.rotateTimer = null;
    this.scheduled = null;
  }

  /** The hourly report, now. */
  report(now = this.h.log.now()): string[] {
    const lines = [...this.h.report(now), ...resourceUsageLines(), ...(this.h.reportExtra?.(now) ?? [])];
    this.h.log.block(lines, { event: 'report' });
    return lines;
  }

  /** Saves the current log files and starts fresh ones, saying so at the top of the new .log. */
  rotate(now = this.h.log.now()): string {
    const stem = this.h.log.rotate(now);
    this.lastRotation = now.getTime();
    const saved = this.h.log.writesLogFile ? `${stem}.log and ${stem}.out` : `${stem}.out`;
    this.h.log.event(`log rotated (${describePeriod(this.h.rotation())}); previous part saved as ${saved}`, {
      event: 'rotate',
    });
    return stem;
  }

  private scheduleReport(): void {
    if (this.reportTimer) clearTimeout(this.reportTimer);
    const period = this.h.reportMinutes() * 60_000;
    const now = this.h.log.now().getTime();
    const due = this.launchedAt + Math.max(1, Math.ceil((now - this.launchedAt + 1) / period)) * period;
    // Longer than setTimeout can wait: wake up on the way and schedule again.
    if (due - now > MAX_DELAY) {
      this.reportTimer = after(MAX_DELAY, () => this.scheduleReport());
      return;
    }
    this.reportTimer = after(due - now, () => {
      this.report();
      this.scheduleReport();
    });
  }

  private scheduleRotation(): void {
    if (this.rotateTimer) clearTimeout(this.rotateTimer);
    const due = nextRotation(this.h.rotation(), this.lastRotation);
    const wait = due - this.h.log.now().getTime();
    this.rotateTimer = after(Math.min(wait, MAX_DELAY), () => {
      const now = this.h.log.now();
      if (now.getTime() >= due) {
        this.rotate(now);
        // A period in minutes counts from when the rotation was due, so that it does not drift
        // (unless a whole period went by meanwhile: a suspended machine gets one rotation, not many).
        const p = this.h.rotation();
        if (p.kind === 'minutes' && due + p.minutes * 60_000 > now.getTime()) this.lastRotation = due;
      }
      this.scheduleRotation();
    });
  }
}

function after(ms: number, fn: () => void): NodeJS.Timeout {
  const t = setTimeout(fn, Math.max(0, ms));
  t.unref();
  return t;
}

/** `<ctime> - <name>`, the first line of both servers' reports. */
export function reportHeader(now: Date, name: string, suffix = ''): string {
  return `${ctime(now)} - ${name}${suffix}`;
}
