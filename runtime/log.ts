// The servers' two output files (AG-2, AG-36): `<name>.<pid>.log` for what operators read (startup
// particulars, session records, errors, hourly reports) and `<name>.<pid>.out` for debugging output,
// including the per-command trace that `Logging` or `kill -USR1` switches on.
//
// ServerLog is a winston logger. Its files are written by this project's transports
// (runtime/log-transports.ts), which keep the guide's formats byte for byte and append the lines of
// one event-loop turn with one synchronous write: nothing is lost when tracing is toggled, when the
// file is rotated (AG-35) or reopened (SIGHUP), or when the process exits. `LogFormat json` adds a
// JSON line per .log event on stdout; operators add their own transports with `LogTransport`
// (runtime/log-plugins.ts), e.g. syslog.

import { join } from 'node:path';
import winston from 'winston';
import { clockTime, ctime } from './ctime.js';
import { savedStem } from './log-rotation.js';
import {
  FileSink,
  JsonLinesTransport,
  PluginForwarder,
  StdoutSink,
  TextTransport,
  type LogRecord,
} from './log-transports.js';

export { ctime } from './ctime.js';

const MESSAGE = Symbol.for('message');

/** syslog's levels (winston.config.syslog), so that syslog transports map them as they are. */
export type LogLevel = 'emerg' | 'alert' | 'crit' | 'error' | 'warning' | 'notice' | 'info' | 'debug';

/** What a call site knows about an event beyond its text: for the JSON stream and plug-ins. */
export interface LogMeta {
  /** Stable name of the event (login-refused, session, logoff, boot, broadcast, link-up…). */
  event?: string;
  /** The user concerned. */
  user?: string | null;
  /** The client's (or peer server's) IP address. */
  address?: string | null;
  level?: LogLevel;
}

export interface ServerLogOptions {
  /** `<name>RS.<pid>` or `<name>US.<pid>`. */
  baseName: string;
  dir: string;
  /** AG-3: keep the .log stream on stdout for service managers. */
  toStdout: boolean;
  tracing: boolean;
  /** The server's name in JSON records (firstRS, PrivateUS); defaults to baseName. */
  server?: string;
  /** LogFormat json. */
  json?: boolean;
  /** Clock (tests). */
  now?: () => Date;
  /** Where stdout output goes (tests). */
  stdout?: (data: string) => void;
}

export class ServerLog {
  /** Add transports here to receive every event (operators use LogTransport). */
  readonly logger: winston.Logger;
  readonly logPath: string;
  readonly outPath: string;
  readonly toStdout: boolean;
  readonly dir: string;
  readonly baseName: string;
  readonly now: () => Date;
  private readonly server: string;
  private readonly logFile: FileSink | null;
  private readonly outFile: FileSink;
  private readonly stdout: StdoutSink;
  private readonly text: TextTransport | null;
  private json: JsonLinesTransport | null = null;
  private plugins: PluginForwarder | null = null;
  private tracingOn: boolean;
  private closed = false;

  constructor(opts: ServerLogOptions) {
    this.baseName = opts.baseName;
    this.dir = opts.dir;
    this.toStdout = opts.toStdout;
    this.now = opts.now ?? (() => new Date());
    this.server = opts.server ?? opts.baseName;
    this.logPath = join(opts.dir, `${opts.baseName}.log`);
    this.outPath = join(opts.dir, `${opts.baseName}.out`);
    this.stdout = new StdoutSink(opts.stdout);
    const failed = (message: string) => process.stderr.write(`${this.baseName}: ${message}\n`);
    this.logFile = opts.toStdout ? null : new FileSink(this.logPath, failed);
    this.outFile = new FileSink(this.outPath, failed);
    this.text = new TextTransport('log', this.logFile ?? this.stdout);
    this.logger = winston.createLogger({
      levels: winston.config.syslog.levels,
      level: 'debug',
      exitOnError: false,
      format: winston.format((info) => {
        (info as unknown as Record<symbol, unknown>)[MESSAGE] = info.message;
        return info;
      })(),
      transports: [this.text, new TextTransport('out', this.outFile)],
    });
    this.logger.on('error', (err: unknown) => failed(`log transport failed: ${String(err)}`));
    this.tracingOn = opts.tracing;
    if (opts.json) this.setJson(true);
  }

  /** The .log file is written (not on stdout). */
  get writesLogFile(): boolean {
    return this.logFile !== null;
  }

  private emit(
    channel: LogRecord['channel'],
    level: LogLevel,
    message: string,
    detail: string,
    event: string,
    meta?: LogMeta,
    time = this.now(),
  ): void {
    if (this.closed) return;
    const record: LogRecord = {
      level: meta?.level ?? level,
      message,
      channel,
      time,
      server: this.server,
      pid: process.pid,
      user: meta?.user ?? null,
      address: meta?.address ?? null,
      event: meta?.event ?? event,
      detail,
    };
    this.logger.log(record);
  }

  /** A line exactly as given (startup particulars, `Ready to serve`). */
  line(text: string, meta?: LogMeta): void {
    this.emit('log', 'info', text, text, 'line', meta);
  }

  /** A timestamped event. */
  event(text: string, meta?: LogMeta): void {
    const now = this.now();
    this.emit('log', 'info', `${ctime(now)} ${text}`, text, 'event', meta, now);
  }

  /** A timestamped error naming the user or object concerned (AG-34): `(SomeGuy) - timeout`. */
  error(who: string | null, text: string, meta?: LogMeta): void {
    const now = this.now();
    const detail = `${who === null ? '' : `(${who}) - `}${text}`;
    this.emit('log', 'error', `${ctime(now)} ${detail}`, detail, 'error', meta, now);
  }

  /**
   * An event for the structured outputs only (LogFormat json, LogTransport): logins, which the
   * guide's .log does not list one by one, still reach a log shipper with user and address.
   */
  note(text: string, meta: LogMeta): void {
    this.emit('note', 'info', text, text, 'note', meta);
  }

  /** Several lines written together (session records, hourly reports). */
  block(lines: readonly string[], meta?: LogMeta): void {
    const text = lines.join('\n');
    this.emit('log', 'info', text, text, 'record', meta);
  }

  get tracing(): boolean {
    return this.tracingOn;
  }

  setTracing(on: boolean): void {
    this.debug(`command logging ${on ? 'enabled' : 'disabled'}`);
    this.tracingOn = on;
  }

  /** Debugging output to the .out file, always written. */
  debug(text: string): void {
    const now = this.now();
    this.emit('out', 'debug', `${clockTime(now)} ${text}`, text, 'debug', undefined, now);
  }

  /** Command trace to the .out file, only while tracing is on. */
  trace(text: string): void {
    if (this.tracingOn) this.debug(text);
  }

  /** LogFormat json: JSON lines on stdout (in `--stdout` mode they replace the text lines there). */
  setJson(on: boolean): void {
    if (on === (this.json !== null)) return;
    if (on) {
      this.json = new JsonLinesTransport(this.stdout);
      if (this.toStdout && this.text) this.logger.remove(this.text);
      this.logger.add(this.json);
    } else if (this.json) {
      this.logger.remove(this.json);
      this.json = null;
      if (this.toStdout && this.text) this.logger.add(this.text);
    }
  }

  get jsonOn(): boolean {
    return this.json !== null;
  }

  /** The logger the operators' transports (LogTransport) live on; created on first use. */
  pluginLogger(): winston.Logger {
    if (!this.plugins) {
      const target = winston.createLogger({ levels: winston.config.syslog.levels, level: 'info', exitOnError: false });
      target.on('error', (err: unknown) => this.error(null, `LogTransport failed: ${String(err)}`));
      this.plugins = new PluginForwarder(target);
      this.logger.add(this.plugins);
    }
    return this.plugins.target;
  }

  /** Events the operators' transports could not take in time. */
  get droppedForPlugins(): number {
    return this.plugins?.dropped ?? 0;
  }

  /** SIGHUP: continue in fresh files at the same paths (an external logrotate renamed them). */
  reopen(): void {
    this.logFile?.reopen();
    this.outFile.reopen();
  }

  /**
   * AG-35: saves the .log (and .out) as `<base>.MM-DD-YY.log` (`.out`) and starts fresh ones.
   * Returns the saved stem, e.g. `firstRS.1234.06-27-96`.
   */
  rotate(at = this.now()): string {
    const stem = savedStem(this.dir, this.baseName, at);
    this.logFile?.rotateTo(join(this.dir, `${stem}.log`));
    this.outFile.rotateTo(join(this.dir, `${stem}.out`));
    return stem;
  }

  flush(): void {
    this.logFile?.flush();
    this.outFile.flush();
    this.stdout.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.logFile?.close();
    this.outFile.close();
    this.stdout.close();
    this.plugins?.target.close();
  }
}
