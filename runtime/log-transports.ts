// The winston transports behind ServerLog (runtime/log.ts). winston's own file transport writes
// through an asynchronous stream: lines can still be in flight when the file is rotated or the
// process exits. These transports keep the servers' guarantees instead: text written during one
// event-loop turn is appended with one synchronous write when the turn ends (thousands of trace
// lines cost one system call), a rotation or reopen first writes what is pending to the old file,
// and an exit writes everything before the process goes.

import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import type { Logger } from 'winston';
import TransportStream from 'winston-transport';

/** One log event as every transport sees it. */
export interface LogRecord {
  /** syslog level name (error, alert, info, debug…), so that operators' syslog transports work. */
  level: string;
  /** The text exactly as the file holds it, timestamp included, without the final newline. */
  message: string;
  /** `log` for the .log file, `out` for the .out debugging file, `note` for the structured outputs only. */
  channel: 'log' | 'out' | 'note';
  time: Date;
  server: string;
  pid: number;
  user: string | null;
  address: string | null;
  /** Stable name of what happened (login-refused, session, logoff, boot, broadcast, link-up, report…). */
  event: string;
  /** The .log text after its timestamp (several lines for records and reports). */
  detail: string;
}

export interface LogSink {
  write(text: string): void;
  flush(): void;
  close(): void;
}

/** Writes a whole buffer (a regular file may accept part of it). */
function writeAll(fd: number, data: string): void {
  const buf = Buffer.from(data, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** Collects text during one event-loop turn and hands it on in one piece at its end. */
abstract class TurnBuffer implements LogSink {
  private pending: string[] = [];
  private scheduled = false;

  protected abstract emit(data: string): void;

  write(text: string): void {
    this.pending.push(text);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const data = this.pending.join('');
    this.pending = [];
    this.emit(data);
  }

  abstract close(): void;
}

/** Appends to a file; can reopen it (after an external rename) or save it under another name. */
export class FileSink extends TurnBuffer {
  private fd: number | null;
  private failed = false;

  constructor(
    readonly path: string,
    /** A write or open failed (disk full, permissions); called once until writing works again. */
    private readonly onError: (message: string) => void,
  ) {
    super();
    this.fd = openSync(path, 'a');
  }

  protected emit(data: string): void {
    if (this.fd === null) return;
    try {
      writeAll(this.fd, data);
      this.failed = false;
    } catch (err) {
      this.report(`cannot write ${this.path}: ${(err as Error).message}`);
    }
  }

  private report(message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.onError(message);
  }

  /**
   * Continues in a fresh file at `path` (SIGHUP after an external logrotate renamed it). What was
   * written before goes to the old file, everything after to the new one.
   */
  reopen(): void {
    this.flush();
    let fd: number;
    try {
      fd = openSync(this.path, 'a');
    } catch (err) {
      this.report(`cannot reopen ${this.path}: ${(err as Error).message}; still writing to the old file`);
      return;
    }
    if (this.fd !== null) closeSync(this.fd);
    this.fd = fd;
  }

  /** AG-35: the file so far is saved as `saved` and a fresh one started. */
  rotateTo(saved: string): void {
    this.flush();
    try {
      renameSync(this.path, saved);
    } catch (err) {
      this.report(`cannot save ${this.path} as ${saved}: ${(err as Error).message}`);
    }
    this.reopen();
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Standard output (`--stdout`, LogFormat json). On Linux its writes are synchronous. */
export class StdoutSink extends TurnBuffer {
  constructor(private readonly out: (data: string) => void = (data) => void process.stdout.write(data)) {
    super();
  }

  protected emit(data: string): void {
    this.out(data);
  }

  close(): void {
    this.flush();
  }
}

/** The .log or .out text, byte for byte, into a sink. */
export class TextTransport extends TransportStream {
  constructor(
    private readonly channel: LogRecord['channel'],
    readonly sink: LogSink,
  ) {
    super({ level: 'debug' });
  }

  override log(info: LogRecord, next: () => void): void {
    if (info.channel === this.channel) this.sink.write(`${info.message}\n`);
    next();
  }
}

/** `LogFormat json`: one JSON object per .log event (and note), one line each, with stable field names. */
export class JsonLinesTransport extends TransportStream {
  constructor(readonly sink: LogSink) {
    super({ level: 'debug' });
  }

  override log(info: LogRecord, next: () => void): void {
    if (info.channel !== 'out') this.sink.write(`${JSON.stringify(jsonRecord(info))}\n`);
    next();
  }
}

export function jsonRecord(r: LogRecord): Record<string, string | number | null> {
  return {
    time: r.time.toISOString(),
    server: r.server,
    pid: r.pid,
    user: r.user,
    address: r.address,
    event: r.event,
    detail: r.detail,
  };
}

/**
 * Hands events to the operators' own transports (LogTransport), which live on a logger of their
 * own: one that cannot keep up (a syslog server far away) never delays the .log file. Events
 * beyond `maxWaiting` unsent ones are dropped and counted.
 */
export class PluginForwarder extends TransportStream {
  dropped = 0;

  constructor(
    readonly target: Logger,
    private readonly maxWaiting = 10_000,
  ) {
    super({ level: 'debug' });
  }

  override log(info: LogRecord, next: () => void): void {
    if (this.target.writableLength >= this.maxWaiting) this.dropped++;
    else this.target.log({ ...info });
    next();
  }
}
