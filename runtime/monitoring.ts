// Everything that shows a server's statistics (AG-41, AG-42), around its one StatsRegistry: the
// sampling timer, the process's own stats, the status page's history, `stats record`, and the
// StatusHttp endpoint with its routes. Each server registers its own stats first (roomserver/stats,
// userserver/stats), then builds one Monitoring; the endpoint is open for others to mount more
// (`monitoring.http?.mount('/admin', handler)`).

import type { Server } from 'node:http';
import { HttpEndpoint, type HttpLimits } from './http/endpoint.js';
import { MetricsExporter } from './http/metrics.js';
import { statusRoutes, type HealthState } from './http/status-routes.js';
import { describe } from './lifecycle.js';
import type { ServerLog } from './log.js';
import { registerProcessStats, type ProcessStats } from './process-stats.js';
import { StatsRecorder, type RecordSettings } from './stats-record.js';
import type { StatsRegistry } from './stats.js';
import { History, type StatusSpec } from './status-history.js';

/** What the configuration says about statistics (runtime/stats-config.ts). */
export interface MonitoringSettings {
  statsSampleMs: number;
  statsRecord: RecordSettings | null;
  httpLimits: HttpLimits;
}

export interface MonitoringOptions {
  registry: StatsRegistry;
  log: ServerLog;
  spec: StatusSpec;
  /** The server's current configuration (read when used, so that a reload reaches it). */
  settings: () => Readonly<MonitoringSettings>;
  health: () => HealthState;
  galaxy?: (sinceSeconds: number) => unknown;
  /** Where an administrator's `stats record start` writes when no file is named. */
  recordFile: string;
}

/** A failing handler is logged at most once a minute per message. */
const ERROR_LOG_INTERVAL_MS = 60_000;

export class Monitoring {
  readonly registry: StatsRegistry;
  readonly history: History;
  readonly recorder: StatsRecorder;
  readonly startedAt = new Date();
  private readonly processStats: ProcessStats;
  private endpoint: HttpEndpoint | null = null;
  private readonly sampleMs: number;
  private readonly errorsLogged = new Map<string, number>();
  /** The StatsRecord line as the configuration last said it. */
  private configuredRecord: RecordSettings | null = null;

  constructor(private readonly opts: MonitoringOptions) {
    this.registry = opts.registry;
    this.processStats = registerProcessStats(opts.registry);
    this.sampleMs = opts.settings().statsSampleMs;
    this.history = new History(opts.registry, opts.spec.series, this.sampleMs);
    this.recorder = new StatsRecorder(opts.registry, opts.log, opts.recordFile);
  }

  /** The StatusHttp endpoint, when configured: others mount their pages on it. */
  get http(): HttpEndpoint | null {
    return this.endpoint;
  }

  start(): void {
    this.registry.start(this.sampleMs);
    const record = this.opts.settings().statsRecord;
    this.configuredRecord = record;
    if (record) this.recorder.start(record);
  }

  /**
   * The configuration was read again (a reload): when its StatsRecord line changed, recording
   * starts, stops or changes as the file now says; an unchanged line leaves alone what an
   * administrator started or stopped meanwhile (`stats-record`). HealthCheck and StatusHttpLimits
   * are read where they are used and need nothing here; StatusHttp and StatsSample take effect at
   * the next start.
   */
  reconfigured(): void {
    const want = this.opts.settings().statsRecord;
    if (JSON.stringify(want) === JSON.stringify(this.configuredRecord)) return;
    this.configuredRecord = want;
    const now = this.recorder.status();
    if (!want) {
      if (now.recording) this.recorder.stop();
      return;
    }
    if (!now.recording || now.intervalMs !== want.intervalMs || this.recorder.settings?.file !== want.file)
      this.recorder.start(want);
  }

  /** Serves the status routes on a listening StatusHttp server. */
  serve(server: Server): HttpEndpoint {
    const o = this.opts;
    const endpoint = new HttpEndpoint(server, () => o.settings().httpLimits, {
      onHandlerError: (path, err) => this.handlerFailed(path, err),
    });
    const exporter = new MetricsExporter(o.registry);
    endpoint.mount(
      '/',
      statusRoutes(
        {
          registry: o.registry,
          history: this.history,
          spec: o.spec,
          sampleMs: this.sampleMs,
          startedAt: this.startedAt,
          health: o.health,
          ...(o.galaxy ? { galaxy: o.galaxy } : {}),
        },
        exporter,
      ),
    );
    this.endpoint = endpoint;
    return endpoint;
  }

  private handlerFailed(path: string, err: unknown): void {
    const key = `${path}: ${describe(err)}`;
    const now = Date.now();
    if ((this.errorsLogged.get(key) ?? 0) > now - ERROR_LOG_INTERVAL_MS) return;
    this.errorsLogged.set(key, now);
    if (this.errorsLogged.size > 100) this.errorsLogged.clear();
    this.opts.log.error('StatusHttp', `internal error serving ${key}`);
    if (err instanceof Error && err.stack) this.opts.log.debug(err.stack);
  }

  async stop(): Promise<void> {
    this.registry.stop();
    this.processStats.stop();
    if (this.recorder.status().recording) this.recorder.stop();
    await this.recorder.flushed();
    await this.endpoint?.close();
  }
}
