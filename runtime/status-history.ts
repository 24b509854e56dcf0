// The status page's memory (AG-42): the figures it charts, one point per registry sample, for the
// last hour (720 points at the 5 s default), kept in fixed rings so that memory never grows. Each
// server says which stats its page shows (cards) and charts (series) in a StatusSpec.

import type { StatReading, StatsRegistry } from './stats.js';

/** Which number of a reading: the value, or a change stat's last rate or moving average of rates. */
export type ReadingField = 'value' | 'rate' | 'averageRate';

export interface SeriesSpec {
  /** Key in the history's JSON. */
  key: string;
  label: string;
  /** Stat name within the registry (`users`, `tick_ms_p99`). */
  stat: string;
  field: ReadingField;
  /** Multiplies the figure (per second → per minute: 60; share of a core → percent: 100). */
  scale?: number;
}

export interface CardSpec {
  /** Series key whose current figure the card shows. */
  series: string;
  unit: string;
  digits: number;
}

export interface ChartSpec {
  title: string;
  unit: string;
  /** Series keys drawn in this chart. */
  series: string[];
}

export interface StatusSpec {
  title: string;
  series: SeriesSpec[];
  cards: CardSpec[];
  charts: ChartSpec[];
}

const MIB = 1 / (1024 * 1024);

/** What every server's page shows of its traffic and its process (keys: bytes_in, bytes_out, cpu, rss, heap, loop_p99). */
export const PROCESS_STATUS: Pick<StatusSpec, 'series' | 'cards' | 'charts'> = {
  series: [
    { key: 'bytes_in', label: 'In', stat: 'bytes_received', field: 'rate', scale: 0.001 },
    { key: 'bytes_out', label: 'Out', stat: 'bytes_sent', field: 'rate', scale: 0.001 },
    { key: 'cpu', label: 'CPU', stat: 'cpu_seconds', field: 'rate', scale: 100 },
    { key: 'rss', label: 'Resident', stat: 'rss_bytes', field: 'value', scale: MIB },
    { key: 'heap', label: 'Heap used', stat: 'heap_used_bytes', field: 'value', scale: MIB },
    { key: 'loop_p99', label: 'Event-loop delay p99', stat: 'event_loop_delay_p99_ms', field: 'value' },
  ],
  cards: [
    { series: 'bytes_in', unit: 'kB/s', digits: 1 },
    { series: 'bytes_out', unit: 'kB/s', digits: 1 },
    { series: 'cpu', unit: '% of a core', digits: 1 },
    { series: 'rss', unit: 'MiB', digits: 1 },
  ],
  charts: [
    { title: 'Traffic', unit: 'kB/s', series: ['bytes_in', 'bytes_out'] },
    { title: 'CPU', unit: '% of a core', series: ['cpu'] },
    { title: 'Memory', unit: 'MiB', series: ['rss', 'heap'] },
  ],
};

export const HISTORY_SECONDS = 3600;
/** Points kept whatever the sample period (a short StatsSample keeps less than an hour). */
const MAX_POINTS = 3600;

/** A figure of a reading as a spec asks for it; null when the stat does not exist (any more). */
export function figure(r: StatReading | undefined, s: Pick<SeriesSpec, 'field' | 'scale'>): number | null {
  if (!r) return null;
  const raw = s.field === 'value' ? r.value : s.field === 'rate' ? (r.rate ?? 0) : (r.averageRate ?? 0);
  return raw * (s.scale ?? 1);
}

export interface HistoryPoints {
  /** Seconds since the epoch (uPlot's x axis). */
  t: number[];
  series: Record<string, (number | null)[]>;
}

export class History {
  readonly capacity: number;
  private readonly times: Float64Array;
  private readonly values: Map<string, Float64Array>;
  private next = 0;
  private filled = 0;

  constructor(
    private readonly reg: StatsRegistry,
    private readonly series: readonly SeriesSpec[],
    sampleMs: number,
  ) {
    this.capacity = Math.min(MAX_POINTS, Math.max(2, Math.ceil((HISTORY_SECONDS * 1000) / sampleMs)));
    this.times = new Float64Array(this.capacity);
    this.values = new Map(series.map((s) => [s.key, new Float64Array(this.capacity)]));
    reg.onSample.push((at) => this.record(at));
  }

  get size(): number {
    return this.filled;
  }

  private record(at: number): void {
    const i = this.next;
    this.times[i] = at / 1000;
    for (const s of this.series) {
      const v = figure(this.reg.read(s.stat), s);
      (this.values.get(s.key) as Float64Array)[i] = v === null ? NaN : v;
    }
    this.next = (i + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  /** Points taken after `sinceSeconds` (all when 0), oldest first. */
  since(sinceSeconds = 0): HistoryPoints {
    const out: HistoryPoints = { t: [], series: {} };
    for (const s of this.series) out.series[s.key] = [];
    const start = (this.next - this.filled + this.capacity) % this.capacity;
    for (let k = 0; k < this.filled; k++) {
      const i = (start + k) % this.capacity;
      const t = this.times[i] as number;
      if (t <= sinceSeconds) continue;
      out.t.push(t);
      for (const s of this.series) {
        const v = (this.values.get(s.key) as Float64Array)[i] as number;
        (out.series[s.key] as (number | null)[]).push(Number.isNaN(v) ? null : v);
      }
    }
    return out;
  }
}
