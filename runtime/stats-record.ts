// OpenSimulator's "stats record" (AG-41, seed 000): every stat appended to a file every N seconds
// (5 by default), here as CSV that a spreadsheet or a plotting tool opens as it is: a header row
// (`time`, then one column per stat, named `category.container.name`) and one row per period.
// Numbers are values, change stats their running totals (a rate is the difference between two
// rows over their time difference), percentages 0..100.
//
// A CSV file has one header, so a file only ever holds rows of one set of stats. When the set
// changes (a RoomServer joins the galaxy, say) or the file already holds a different header (an
// older version, another server), recording continues in `<name>.1.csv`, `<name>.2.csv`, … and
// the log says so. A file removed or rotated away while recording is started afresh with its header.
//
// Started by the `StatsRecord seconds file` keyword or by an administrator (start/stop/status).
// Writing is asynchronous and ordered; a write that fails stops recording with one log line.

import { createReadStream } from 'node:fs';
import { access, appendFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { describe } from './lifecycle.js';
import type { StatReading, StatsRegistry } from './stats.js';

export const DEFAULT_RECORD_SECONDS = 5;

export interface RecordSettings {
  intervalMs: number;
  /** Relative to the server's working directory. */
  file: string;
}

export interface RecordStatus {
  recording: boolean;
  /** The file rows go to now (null when not recording). */
  file: string | null;
  intervalMs: number;
  /** Rows written since recording started. */
  rows: number;
  since: Date | null;
}

export interface RecorderLog {
  event(text: string): void;
  error(who: string | null, text: string): void;
}

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvNumber(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (Number.isInteger(v)) return String(v);
  return String(Math.round(v * 1e6) / 1e6);
}

export function csvHeader(readings: readonly StatReading[]): string {
  return ['time', ...readings.map((r) => r.fullName)].map(csvField).join(',') + '\n';
}

export function csvRow(at: Date, readings: readonly StatReading[]): string {
  return [at.toISOString(), ...readings.map((r) => csvNumber(r.value))].join(',') + '\n';
}

/** `stats.csv` → `stats.2.csv` (n ≥ 1). */
export function numberedFile(file: string, n: number): string {
  const ext = extname(file);
  return ext ? `${file.slice(0, -ext.length)}.${n}${ext}` : `${file}.${n}`;
}

const MAX_ALTERNATIVES = 1000;
/** A header longer than this is not one of ours. */
const MAX_HEADER_BYTES = 1 << 20;

async function firstLine(path: string): Promise<string | null> {
  try {
    await access(path);
  } catch {
    return null;
  }
  const stream = createReadStream(path, { encoding: 'utf8', end: MAX_HEADER_BYTES });
  let text = '';
  for await (const chunk of stream) {
    text += chunk as string;
    const nl = text.indexOf('\n');
    if (nl >= 0) {
      stream.destroy();
      return text.slice(0, nl + 1);
    }
  }
  return text;
}

export class StatsRecorder {
  private timer: NodeJS.Timeout | null = null;
  private current: RecordSettings | null = null;
  private header = '';
  private path: string | null = null;
  private generation = -1;
  private rows = 0;
  private since: Date | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** Bumped by start/stop so that writes queued for an earlier recording are dropped. */
  private epoch = 0;

  constructor(
    private readonly reg: StatsRegistry,
    private readonly log: RecorderLog,
    /** Used when an administrator starts recording without naming a file. */
    readonly defaultFile: string,
  ) {}

  /** Starts (or restarts with new settings) recording; returns what to tell the operator. */
  start(settings: Partial<RecordSettings> = {}): string {
    this.stopTimer();
    this.epoch++;
    const s: RecordSettings = {
      intervalMs: settings.intervalMs ?? DEFAULT_RECORD_SECONDS * 1000,
      file: settings.file ?? this.defaultFile,
    };
    this.current = s;
    this.path = null;
    // Chosen afresh: a write of the recording before may still be choosing its own file.
    this.header = '';
    this.generation = -1;
    this.rows = 0;
    this.since = new Date();
    this.record();
    this.timer = setInterval(() => this.record(), s.intervalMs);
    this.timer.unref();
    const text = `Now recording all stats to ${s.file} every ${s.intervalMs / 1000} s (stats record)`;
    this.log.event(text);
    return text;
  }

  stop(): string {
    if (!this.current) return 'Stats are not being recorded';
    this.stopTimer();
    this.epoch++;
    const text = `Stopped recording stats to ${this.path ?? this.current.file} after ${this.rows} rows`;
    this.current = null;
    this.log.event(text);
    return text;
  }

  /** What recording was started with (null when not recording). */
  get settings(): Readonly<RecordSettings> | null {
    return this.current;
  }

  status(): RecordStatus {
    return {
      recording: this.current !== null,
      file: this.current ? (this.path ?? this.current.file) : null,
      intervalMs: this.current?.intervalMs ?? DEFAULT_RECORD_SECONDS * 1000,
      rows: this.rows,
      since: this.current ? this.since : null,
    };
  }

  /** Resolves once every row taken so far is on disk (shutdown, tests). */
  flushed(): Promise<void> {
    return this.chain;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private record(): void {
    const s = this.current;
    if (!s) return;
    const readings = this.reg.readings();
    const at = new Date();
    const changed = this.reg.generation !== this.generation;
    this.generation = this.reg.generation;
    const header = changed ? csvHeader(readings) : this.header;
    const reopen = header !== this.header;
    this.header = header;
    const row = csvRow(at, readings);
    const epoch = this.epoch;
    this.chain = this.chain
      .then(async () => {
        if (epoch !== this.epoch) return;
        if (reopen || this.path === null) await this.choosePath(s.file, header);
        if (epoch !== this.epoch) return;
        const path = this.path as string;
        // Removed or rotated away while recording: the new file starts with its header.
        const present = await stat(path).then(
          (st) => st.size > 0,
          () => false,
        );
        await appendFile(path, present ? row : header + row);
        if (epoch === this.epoch) this.rows++;
      })
      .catch((err: unknown) => {
        if (epoch !== this.epoch) return;
        this.stopTimer();
        this.epoch++;
        this.current = null;
        this.log.error('StatsRecord', `cannot write ${this.path ?? s.file}: ${describe(err)}; stats recording stopped`);
      });
  }

  /** The file whose header is `header`, or the first free alternative. */
  private async choosePath(file: string, header: string): Promise<void> {
    const previous = this.path;
    for (let n = 0; n <= MAX_ALTERNATIVES; n++) {
      const candidate = n === 0 ? file : numberedFile(file, n);
      const first = await firstLine(candidate);
      if (first === null || first === '' || first === header) {
        this.path = candidate;
        if (previous !== null && previous !== candidate)
          this.log.event(`The set of stats changed; stats record continues in ${candidate}`);
        else if (candidate !== file)
          this.log.event(`${file} holds other stats; stats record writes to ${candidate} instead`);
        return;
      }
    }
    throw new Error(`${file} and ${MAX_ALTERNATIVES} numbered alternatives all hold other stats`);
  }
}
