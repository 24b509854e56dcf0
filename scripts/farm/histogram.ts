// Latency distributions that worker processes can ship to the parent and that merge exactly:
// counts in fixed log-spaced buckets (about 1% wide above 1 ms, 0.01 ms wide below), so a quantile
// read from the merged buckets is within 1% of the exact one however many samples went in, and
// memory stays a few kilobytes whatever the run's size.

/** Below 1 ms, buckets are 0.01 ms wide. */
const FINE = 100;
/** Above 1 ms, each bucket is 1% wider than the one before. */
const GROWTH = Math.log(1.01);
/** Values are clamped here (10 minutes); no run lasts longer. */
const MAX_MS = 600_000;
export const BUCKETS = FINE + Math.ceil(Math.log(MAX_MS) / GROWTH) + 1;

export function bucketOf(ms: number): number {
  if (!(ms > 0)) return 0;
  if (ms < 1) return Math.floor(ms * FINE);
  return Math.min(BUCKETS - 1, FINE + Math.floor(Math.log(Math.min(ms, MAX_MS)) / GROWTH));
}

/** The value a bucket stands for: the middle of its range. */
export function valueOf(bucket: number): number {
  if (bucket < FINE) return (bucket + 0.5) / FINE;
  const lo = Math.exp((bucket - FINE) * GROWTH);
  return lo * Math.sqrt(1.01);
}

/** Bucket index and count pairs, flattened: what crosses the process boundary. */
export type SparseCounts = number[];

export class Histogram {
  private counts = new Uint32Array(BUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  record(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    const b = bucketOf(v);
    this.counts[b] = (this.counts[b] as number) + 1;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /**
   * The smallest recorded value v such that at least a fraction p of all values are ≤ v (nearest
   * rank), as its bucket's middle clamped to the exact min and max; NaN when empty.
   */
  quantile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(p * this.count));
    if (rank >= this.count) return this.max;
    if (rank === 1) return this.min;
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b] as number;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, valueOf(b)));
    }
    return this.max;
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  merge(o: Histogram): void {
    for (let b = 0; b < BUCKETS; b++) this.counts[b] = (this.counts[b] as number) + (o.counts[b] as number);
    this.absorb(o.count, o.sum, o.min, o.max);
  }

  /** The non-empty buckets plus the exact summary, for sending to another process. */
  toJSON(): { buckets: SparseCounts; count: number; sum: number; min: number; max: number } {
    const buckets: SparseCounts = [];
    for (let b = 0; b < BUCKETS; b++) if (this.counts[b]) buckets.push(b, this.counts[b] as number);
    return { buckets, count: this.count, sum: this.sum, min: this.min, max: this.max };
  }

  mergeJSON(j: ReturnType<Histogram['toJSON']>): void {
    for (let i = 0; i + 1 < j.buckets.length; i += 2) {
      const b = j.buckets[i] as number;
      if (b >= 0 && b < BUCKETS) this.counts[b] = (this.counts[b] as number) + (j.buckets[i + 1] as number);
    }
    // JSON turns ±Infinity into null: an empty histogram's min/max come back as null.
    this.absorb(j.count, j.sum, j.min ?? Infinity, j.max ?? -Infinity);
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  private absorb(count: number, sum: number, min: number, max: number): void {
    this.count += count;
    this.sum += sum;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }
}

export type HistogramJSON = ReturnType<Histogram['toJSON']>;

/** p50/p99/max of a distribution in ms, or nulls when nothing was recorded. */
export interface Quantiles {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export function quantiles(h: Histogram): Quantiles {
  if (h.count === 0) return { count: 0, p50: null, p99: null, max: null };
  return { count: h.count, p50: round(h.quantile(0.5)), p99: round(h.quantile(0.99)), max: round(h.max) };
}

function round(ms: number): number {
  return ms >= 100 ? Math.round(ms) : Math.round(ms * 10) / 10;
}
