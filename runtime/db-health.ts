// Is the database usable right now? (AG-42 `/health`.) A probe every `HealthCheck seconds` asks the
// database to take its write lock (SQLite) or answer a ping (Oracle); one that fails, or does not
// answer within `timeoutSeconds`, marks the database down until a probe succeeds again. Only one
// probe is ever outstanding, so a database that hangs is not piled up with probes. Changes are
// logged once each way, with what /health now answers.

import { describe } from './lifecycle.js';
import type { ServerLog } from './log.js';
import type { HealthCheckSettings } from './stats-config.js';

export interface Probeable {
  readonly description: string;
  probe(): Promise<void>;
}

export class DatabaseHealth {
  private up = true;
  private why = '';
  private timer: NodeJS.Timeout | null = null;
  private pending: NodeJS.Timeout | null = null;
  private outstanding = false;
  private stopped = false;

  constructor(
    private readonly db: Probeable,
    /** Read before every probe, so that a configuration reload reaches it. */
    private readonly settings: () => Readonly<HealthCheckSettings>,
    private readonly log: ServerLog,
    /** How log lines name it: `user database`. */
    private readonly what: string,
  ) {}

  get ok(): boolean {
    return this.up;
  }

  /** Why the database is counted down ('' while up). */
  get reason(): string {
    return this.up ? '' : this.why;
  }

  start(): void {
    this.stopped = false;
    this.check();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.pending) clearTimeout(this.pending);
    this.timer = this.pending = null;
  }

  private check(): void {
    if (this.stopped) return;
    const { intervalMs, timeoutMs } = this.settings();
    this.timer = setTimeout(() => this.check(), intervalMs);
    this.timer.unref();
    if (this.outstanding) return;
    this.outstanding = true;
    this.pending = setTimeout(() => this.set(false, `no answer within ${timeoutMs / 1000} s`), timeoutMs);
    this.pending.unref();
    this.db.probe().then(
      () => this.settle(true, ''),
      (err: unknown) => this.settle(false, describe(err)),
    );
  }

  private settle(ok: boolean, why: string): void {
    this.outstanding = false;
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
    if (!this.stopped) this.set(ok, why);
  }

  private set(ok: boolean, why: string): void {
    if (ok === this.up) {
      if (!ok) this.why = `${this.what} ${this.db.description} cannot be written: ${why}`;
      return;
    }
    this.up = ok;
    this.why = ok ? '' : `${this.what} ${this.db.description} cannot be written: ${why}`;
    if (ok) this.log.event(`${this.what} ${this.db.description} accepts writes again; /health answers 200`);
    else this.log.error(this.what, `${this.why}; /health answers 503 until it recovers`);
  }
}
