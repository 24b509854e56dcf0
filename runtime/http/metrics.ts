// `/metrics` (AG-42): the server's statistics registry in Prometheus exposition format, beside
// prom-client's default process metrics. Every stat becomes one series:
//
//   roomserver.first.users                    → worldserver_roomserver_users{server="first"}
//   roomserver.first.bytes_sent (change)      → worldserver_roomserver_sent_bytes_total{server="first"}
//   roomserver.first.tick_ms_p99 (ms)         → worldserver_roomserver_tick_p99_seconds{server="first"}
//   userserver.P.login_failure_ratio (%)      → worldserver_userserver_login_failure_ratio{server="P"}  (0..1)
//   userserver.P.logins_refused_bad_password  → worldserver_userserver_logins_refused_total{server="P",nak="13",reason="bad_password"}
//
// Numbers are gauges, changes counters (`_total`), percentages ratios; milliseconds become seconds
// and units stand last in the name, as Prometheus' naming rules ask. The container (the server's
// name) is a label, so every RoomServer of a galaxy shares the metric names.

import { createRequire } from 'node:module';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { StatReading, StatsRegistry } from '../stats.js';

export const METRIC_PREFIX = 'worldserver';

/**
 * prom-client's default process metrics, less two that cost the server while nobody scrapes: the
 * event-loop gauges (a timer waking the process 100 times a second; the registry's own
 * `event_loop_delay_*` stats measure the same) and the garbage-collection histogram (a callback
 * at every collection, about 5% more CPU for an allocating server). prom-client has no switch for
 * either, so its other default collectors are registered one by one.
 */
const DEFAULT_COLLECTORS = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
];

type Collector = (registry: Registry, config: object) => void;

function registerDefaultMetrics(prom: Registry): void {
  const load = createRequire(import.meta.url);
  let collectors: Collector[];
  try {
    collectors = DEFAULT_COLLECTORS.map((name) => load(`prom-client/lib/metrics/${name}`) as Collector);
  } catch {
    // A prom-client that moved its collectors: all of its defaults, costs included.
    collectDefaultMetrics({ register: prom });
    return;
  }
  for (const c of collectors) c(prom, {});
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface MetricMapping {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  labels: Readonly<Record<string, string>>;
  /** Multiplies the stat's value (ms → s, % → ratio). */
  scale: number;
}

/** Removes `token` as a whole `_`-separated word of `name`. */
function without(name: string, token: string): string {
  return name
    .split('_')
    .filter((w) => w !== token)
    .join('_');
}

/** The Prometheus series of one stat of a registry of category `category`. */
export function metricFor(category: string, r: StatReading): MetricMapping {
  let base = r.family?.name ?? r.name;
  let scale = 1;
  let suffix = '';
  if (r.kind === 'percentage') {
    base = without(without(base, 'ratio'), 'percent');
    suffix = '_ratio';
    scale = 0.01;
  } else if (r.unit === 'ms') {
    base = without(base, 'ms');
    suffix = '_seconds';
    scale = 0.001;
  } else if (r.unit === 'seconds' || r.unit === 'bytes') {
    base = without(base, r.unit);
    suffix = `_${r.unit}`;
  }
  if (r.kind === 'change') suffix += '_total';
  const name = `${METRIC_PREFIX}_${category}_${without(base, 'total')}${suffix}`;
  if (!METRIC_NAME.test(name)) throw new Error(`stat ${r.fullName} maps to the invalid metric name ${name}`);
  const labels = r.family?.labels ?? {};
  for (const l of Object.keys(labels))
    if (!LABEL_NAME.test(l) || l.startsWith('__') || l === 'server')
      throw new Error(`stat ${r.fullName} has the invalid label name ${l}`);
  const help = r.family ? r.family.help : r.description;
  return {
    name,
    type: r.kind === 'change' ? 'counter' : 'gauge',
    help: `${help} (${unitText(r, scale)})`,
    labels,
    scale,
  };
}

function unitText(r: StatReading, scale: number): string {
  if (r.kind === 'percentage') return 'ratio 0..1';
  if (scale === 0.001) return 'seconds';
  return r.unit || 'number';
}

interface Series {
  stat: string;
  labels: Readonly<Record<string, string>>;
  scale: number;
}

/**
 * A prom-client registry that shows the stats registry: the default process metrics once, and one
 * gauge or counter per metric name, rebuilt whenever stats were added or removed. Each scrape reads
 * every stat once.
 */
export class MetricsExporter {
  readonly prom = new Registry();
  private synced = -1;
  private ours: string[] = [];
  private snapshot = new Map<string, StatReading>();

  constructor(private readonly stats: StatsRegistry) {
    this.prom.setDefaultLabels({ server: stats.container });
    registerDefaultMetrics(this.prom);
  }

  get contentType(): string {
    return this.prom.contentType;
  }

  async metrics(): Promise<string> {
    const readings = this.stats.readings();
    this.snapshot = new Map(readings.map((r) => [r.name, r]));
    if (this.stats.generation !== this.synced) this.rebuild(readings);
    // prom-client 15 writes a missing value as `Nan`; the format's spelling is `NaN`.
    return (await this.prom.metrics()).replace(/ Nan$/gm, ' NaN');
  }

  private rebuild(readings: readonly StatReading[]): void {
    for (const name of this.ours) this.prom.removeSingleMetric(name);
    this.ours = [];
    const groups = new Map<string, { m: MetricMapping; series: Series[] }>();
    for (const r of readings) {
      const m = metricFor(this.stats.category, r);
      const g = groups.get(m.name);
      if (!g) groups.set(m.name, { m, series: [{ stat: r.name, labels: m.labels, scale: m.scale }] });
      // Members of one family share name, type and label names; anything else is a naming slip
      // that would make the exposition invalid, so the later stat is left out of /metrics.
      else if (g.m.type === m.type && sameKeys(g.m.labels, m.labels))
        g.series.push({ stat: r.name, labels: m.labels, scale: m.scale });
    }
    const value = (s: Series): number => (this.snapshot.get(s.stat)?.value ?? 0) * s.scale;
    // A running total never goes down; a counter that did would read as a restart to Prometheus.
    const total = (s: Series): number => Math.max(0, value(s));
    for (const { m, series } of groups.values()) {
      const labelNames = Object.keys(m.labels);
      if (m.type === 'gauge') {
        new Gauge({
          name: m.name,
          help: m.help,
          labelNames,
          registers: [this.prom],
          collect() {
            for (const s of series) this.set(s.labels, value(s));
          },
        });
      } else {
        new Counter({
          name: m.name,
          help: m.help,
          labelNames,
          registers: [this.prom],
          collect() {
            this.reset();
            for (const s of series) this.inc(s.labels, total(s));
          },
        });
      }
      this.ours.push(m.name);
    }
    this.synced = this.stats.generation;
  }
}

function sameKeys(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}
