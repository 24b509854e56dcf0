// Keywords of the statistics and the status endpoint (AG-41, AG-42), for both servers. All optional:
//
//   StatusHttp port [bindAddr]                      the local status endpoint; off when absent
//   StatsRecord seconds file                        append every stat to a CSV file every N seconds
//   StatsSample seconds                             the registry's sample period (5, as OpenSimulator)
//   StatusHttpLimits connections bytes seconds      bounds on the endpoint's clients
//   HealthCheck seconds timeoutSeconds              (UserServer) how /health probes the user database

import { int, ipv4, n, num, portOrZero, str, word, type KeywordSpec } from './config.js';
import type { RecordSettings } from './stats-record.js';
import { SAMPLE_MS } from './stats.js';

/** Bounds on StatusHttp's clients (StatusHttpLimits). */
export interface HttpLimits {
  /** Connections served at once; more are closed as they arrive. @default 32 */
  maxConnections: number;
  /** Largest request body accepted (forms of an admin console). @default 64 KiB */
  maxBodyBytes: number;
  /** Time a client has to send a whole request; also how long a quiet connection is kept. @default 10 s */
  requestTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxConnections: 32,
  maxBodyBytes: 64 * 1024,
  requestTimeoutMs: 10_000,
});

export interface StatsSettings {
  /** StatusHttp; null = off. The address defaults to 127.0.0.1 (never public unless asked). */
  statusHttp: { port: number; bindAddr: string } | null;
  /** StatsRecord; null = not recording at start. */
  statsRecord: RecordSettings | null;
  /** StatsSample: ms between samples of the registry. @default 5 s */
  statsSampleMs: number;
  /** StatusHttpLimits. @default 32 connections, 65536-byte bodies, 10 s per request */
  httpLimits: HttpLimits;
}

export function statsDraft(): StatsSettings {
  return { statusHttp: null, statsRecord: null, statsSampleMs: SAMPLE_MS, httpLimits: { ...DEFAULT_HTTP_LIMITS } };
}

export function statsKeywords<D extends StatsSettings>(): KeywordSpec<D>[] {
  return [
    {
      keyword: 'StatusHttp',
      args: [
        { name: 'port', type: portOrZero },
        { name: 'bindAddr', type: ipv4, optional: true },
      ],
      apply(d, v) {
        d.statusHttp = { port: n(v, 0), bindAddr: v[1] === undefined ? '127.0.0.1' : str(v, 1) };
      },
    },
    {
      keyword: 'StatsRecord',
      args: [
        { name: 'seconds', type: num(0.05, 86_400) },
        { name: 'file', type: word },
      ],
      apply(d, v) {
        d.statsRecord = { intervalMs: n(v, 0) * 1000, file: str(v, 1) };
      },
    },
    {
      keyword: 'StatsSample',
      args: [{ name: 'seconds', type: num(0.05, 3600) }],
      apply(d, v) {
        d.statsSampleMs = n(v, 0) * 1000;
      },
    },
    {
      keyword: 'StatusHttpLimits',
      args: [
        { name: 'connections', type: int(1, 10_000) },
        { name: 'bytes', type: int(0, 64 * 1024 * 1024) },
        { name: 'seconds', type: num(0.1, 3600) },
      ],
      apply(d, v) {
        d.httpLimits = { maxConnections: n(v, 0), maxBodyBytes: n(v, 1), requestTimeoutMs: n(v, 2) * 1000 };
      },
    },
  ];
}

export interface HealthCheckSettings {
  /** How often /health checks that the user database accepts a write. @default 2 s */
  intervalMs: number;
  /** A check not answered within this counts as the database being down. @default 1 s */
  timeoutMs: number;
}

export const DEFAULT_HEALTH_CHECK: Readonly<HealthCheckSettings> = Object.freeze({ intervalMs: 2000, timeoutMs: 1000 });

export function healthCheckKeyword<D extends { healthCheck: HealthCheckSettings }>(): KeywordSpec<D> {
  return {
    keyword: 'HealthCheck',
    args: [
      { name: 'seconds', type: num(0.05, 3600) },
      { name: 'timeoutSeconds', type: num(0.05, 600) },
    ],
    apply(d, v) {
      d.healthCheck = { intervalMs: n(v, 0) * 1000, timeoutMs: n(v, 1) * 1000 };
    },
  };
}
