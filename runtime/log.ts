// The servers' two output files (AG-2, AG-36): `<name>.<pid>.log` for what operators read (startup
// particulars, session records, errors, hourly reports) and `<name>.<pid>.out` for debugging output,
// including the per-command trace that `Logging` or `kill -USR1` switches on.
//
// Lines are collected during one turn of the event loop and appended with one synchronous write at
// its end: a trace of thousands of commands costs one system call per turn, nothing is lost when
// tracing is toggled or the file is rotated, and a crash loses at most the current turn.

import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (v: number, w = 2) => String(v).padStart(w, '0');

/** `Thu Jun 27 13:26:12 1996`, the C ctime() form the guide's log examples use (local time). */
export function ctime(d: Date): string {
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
}

function clock(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export interface LogSink {
  write(text: string): void;
  flush(): void;
  close(): void;
}

/** Appends to a file; lines of one event-loop turn go out in one write. */
export class AppendFile implements LogSink {
  private fd: number | null;
  private pending: string[] = [];
  private scheduled = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  write(text: string): void {
    if (this.fd === null) return;
    this.pending.push(text);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.fd === null || this.pending.length === 0) return;
    const data = this.pending.join('');
    this.pending = [];
    writeSync(this.fd, data);
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

class StdoutSink implements LogSink {
  write(text: string): void {
    process.stdout.write(text);
  }
  flush(): void {}
  close(): void {}
}

export interface ServerLogOptions {
  /** `<name>RS.<pid>` or `<name>US.<pid>`. */
  baseName: string;
  dir: string;
  /** AG-3: keep the .log stream on stdout for service managers. */
  toStdout: boolean;
  tracing: boolean;
}

export class ServerLog {
  readonly logPath: string;
  readonly outPath: string;
  private readonly log: LogSink;
  private readonly out: AppendFile;
  private tracingOn: boolean;

  constructor(opts: ServerLogOptions) {
    this.logPath = join(opts.dir, `${opts.baseName}.log`);
    this.outPath = join(opts.dir, `${opts.baseName}.out`);
    this.log = opts.toStdout ? new StdoutSink() : new AppendFile(this.logPath);
    this.out = new AppendFile(this.outPath);
    this.tracingOn = opts.tracing;
  }

  /** A line exactly as given (startup particulars, `Ready to serve`). */
  line(text: string): void {
    this.log.write(text + '\n');
  }

  /** A timestamped event. */
  event(text: string, now = new Date()): void {
    this.log.write(`${ctime(now)} ${text}\n`);
  }

  /** A timestamped error naming the user or object concerned (AG-34): `(SomeGuy) - timeout`. */
  error(who: string | null, text: string, now = new Date()): void {
    this.log.write(`${ctime(now)} ${who === null ? '' : `(${who}) - `}${text}\n`);
  }

  /** Several lines written together (session records, hourly reports). */
  block(lines: readonly string[]): void {
    this.log.write(lines.join('\n') + '\n');
  }

  get tracing(): boolean {
    return this.tracingOn;
  }

  setTracing(on: boolean): void {
    this.debug(`command logging ${on ? 'enabled' : 'disabled'}`);
    this.tracingOn = on;
  }

  /** Debugging output to the .out file, always written. */
  debug(text: string, now = new Date()): void {
    this.out.write(`${clock(now)} ${text}\n`);
  }

  /** Command trace to the .out file, only while tracing is on. */
  trace(text: string): void {
    if (this.tracingOn) this.out.write(`${clock(new Date())} ${text}\n`);
  }

  flush(): void {
    this.log.flush();
    this.out.flush();
  }

  close(): void {
    this.log.close();
    this.out.close();
  }
}
