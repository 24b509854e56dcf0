// One statistics registry per server process, in the style of OpenSimulator's StatsManager (AG-41,
// seeds 000 and 004): every stat is named `category.container.name` (roomserver.firstRS.users) and
// is of one of three kinds:
//   number      a value with a unit                        roomserver.firstRS.users : 12 users
//   change      a running total, its last change per       roomserver.firstRS.chat_lines : 98, 1.2/s, 1.7/s
//               second and the moving average of those
//   percentage  a ratio with its two terms                 userserver.PrivateUS.login_failure_ratio : 37.91% (116/306)
//
// Hot paths never call into the registry: they bump a plain field (`counter.value++`, or a field of
// their own that a stat reads). Everything derived (deltas, averages, quantiles) is computed when
// the registry is sampled, on a timer, every SAMPLE_MS (5 s, as OpenSimulator). Everything that
// shows figures (the hourly report, `show stats`, StatsRecord, /metrics, the status page) reads
// the same readings, so no figure is computed twice.

export type StatKind = 'number' | 'change' | 'percentage';

/** OpenSimulator samples every 5 s and averages changes over the last 20 samples. */
export const SAMPLE_MS = 5_000;
export const AVERAGE_SAMPLES = 20;

export interface StatReading {
  /** `category.container.name` */
  readonly fullName: string;
  readonly name: string;
  readonly kind: StatKind;
  readonly unit: string;
  readonly description: string;
  /** number: the value; change: the running total; percentage: 0..100. */
  readonly value: number;
  /** change: units per second between the last two samples. */
  readonly rate?: number;
  /** change: moving average of `rate` over the last AVERAGE_SAMPLES samples. */
  readonly averageRate?: number;
  /** percentage: the two terms. */
  readonly numerator?: number;
  readonly denominator?: number;
  /** Set when the stat is one member of a labelled family (for exporters such as /metrics). */
  readonly family?: StatFamily;
}

/**
 * Several stats that are one quantity split by a label (logins refused by NAK code, users per
 * RoomServer). `show stats` lists each member as its own stat; exporters with labels (Prometheus)
 * show one metric with a label per member.
 */
export interface StatFamily {
  /** snake_case, shared by every member. */
  readonly name: string;
  /** Describes the family as a whole ("Logins refused, by NAK code"). */
  readonly help: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface StatOptions {
  family?: StatFamily;
}

/** A running total the hot path increments directly. */
export class Counter {
  value = 0;

  inc(n = 1): void {
    this.value += n;
  }
}

/**
 * Recent values of a duration (tick time, query latency): the hot path records each one; the
 * sampler reads the last, median and 99th percentile of the values recorded in the window.
 */
export class Distribution {
  private readonly ring: Float64Array;
  private next = 0;
  private filled = 0;
  last = 0;
  count = 0;

  constructor(capacity = 1024) {
    this.ring = new Float64Array(capacity);
  }

  record(v: number): void {
    this.last = v;
    this.count++;
    this.ring[this.next] = v;
    this.next = (this.next + 1) % this.ring.length;
    if (this.filled < this.ring.length) this.filled++;
  }

  /** q in 0..1 over the retained values (nearest rank); 0 when nothing was recorded. */
  quantile(q: number): number {
    if (this.filled === 0) return 0;
    const sorted = Array.from(this.ring.subarray(0, this.filled)).sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[rank] as number;
  }

  /** Forget the retained values (the window moved on); `last` and `count` stay. */
  clear(): void {
    this.next = 0;
    this.filled = 0;
  }
}

interface Entry {
  name: string;
  kind: StatKind;
  unit: string;
  description: string;
  family?: StatFamily;
  read(): number;
  readTerms?: () => readonly [number, number];
  /** change: previous total and when it was taken; rates of the recent samples. */
  prevTotal?: number;
  prevAt?: number;
  rate?: number;
  rates?: number[];
}

const NAME = /^[a-z][a-z0-9_]*$/;

export class StatsRegistry {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  /** Called at the start of every sample, before rates move on (snapshots of resettable sources). */
  readonly beforeSample: ((at: number) => void)[] = [];
  /** Called after every sample (StatsRecord, the status page's history). */
  readonly onSample: ((at: number) => void)[] = [];
  /** When the last sample was taken (0 before the first). */
  lastSampleAt = 0;
  /** Changes whenever a stat is added or removed, so that readers can tell the set changed. */
  generation = 0;

  constructor(
    /** `roomserver` or `userserver`. */
    readonly category: string,
    /** The server's name as in its log file name (firstRS, PrivateUS). */
    readonly container: string,
    opts: { now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  fullName(name: string): string {
    return `${this.category}.${this.container}.${name}`;
  }

  private add(e: Entry, opts: StatOptions): void {
    if (!NAME.test(e.name)) throw new Error(`stat name ${JSON.stringify(e.name)} is not snake_case`);
    if (this.entries.has(e.name)) throw new Error(`stat ${this.fullName(e.name)} registered twice`);
    if (opts.family) {
      if (!NAME.test(opts.family.name))
        throw new Error(`family name ${JSON.stringify(opts.family.name)} is not snake_case`);
      e.family = opts.family;
    }
    this.entries.set(e.name, e);
    this.generation++;
  }

  /** Deregisters a stat (what it counted went away: a RoomServer that left). False when unknown. */
  remove(name: string): boolean {
    const gone = this.entries.delete(name);
    if (gone) this.generation++;
    return gone;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** A number read when sampled or shown (users online, rooms, RSS). */
  number(name: string, unit: string, description: string, read: () => number, opts: StatOptions = {}): void {
    this.add({ name, kind: 'number', unit, description, read }, opts);
  }

  /** A running total the caller increments (`counter.value++`): shown with its rate per second. */
  counter(name: string, unit: string, description: string, opts: StatOptions = {}): Counter {
    const c = new Counter();
    this.changeOf(name, unit, description, () => c.value, opts);
    return c;
  }

  /** A running total kept elsewhere (bytes a socket wrote, CPU microseconds), shown with its rate. */
  changeOf(name: string, unit: string, description: string, readTotal: () => number, opts: StatOptions = {}): void {
    this.add({ name, kind: 'change', unit, description, read: readTotal, rates: [] }, opts);
  }

  /** A ratio: `read` returns [numerator, denominator]. */
  percentage(name: string, description: string, read: () => readonly [number, number], opts: StatOptions = {}): void {
    const readTerms = read;
    this.add(
      {
        name,
        kind: 'percentage',
        unit: '%',
        description,
        readTerms,
        read: () => {
          const [n, d] = readTerms();
          return d === 0 ? 0 : (100 * n) / d;
        },
      },
      opts,
    );
  }

  /** Last, median and 99th percentile of a distribution as three number stats: `<name>`, `<name>_p50`, `<name>_p99`. */
  distribution(name: string, unit: string, description: string, d: Distribution): void {
    this.number(name, unit, `${description} (last)`, () => d.last);
    this.number(`${name}_p50`, unit, `${description} (median over the recent window)`, () => d.quantile(0.5));
    this.number(`${name}_p99`, unit, `${description} (99th percentile over the recent window)`, () => d.quantile(0.99));
  }

  /** Takes a sample now: the rates of change stats move on. */
  sample(): void {
    const at = this.now();
    for (const fn of this.beforeSample) fn(at);
    for (const e of this.entries.values()) {
      if (e.kind !== 'change') continue;
      const total = e.read();
      if (e.prevAt !== undefined && e.prevTotal !== undefined && at > e.prevAt) {
        e.rate = ((total - e.prevTotal) * 1000) / (at - e.prevAt);
        const rates = e.rates as number[];
        rates.push(e.rate);
        if (rates.length > AVERAGE_SAMPLES) rates.shift();
      }
      e.prevTotal = total;
      e.prevAt = at;
    }
    this.lastSampleAt = at;
    for (const fn of this.onSample) fn(at);
  }

  /** Samples every `intervalMs` until stop(). */
  start(intervalMs = SAMPLE_MS): void {
    this.stop();
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  read(name: string): StatReading | undefined {
    const e = this.entries.get(name);
    return e ? this.reading(e) : undefined;
  }

  /** Every stat, in registration order. */
  readings(): StatReading[] {
    return [...this.entries.values()].map((e) => this.reading(e));
  }

  private reading(e: Entry): StatReading {
    const base = {
      fullName: this.fullName(e.name),
      name: e.name,
      kind: e.kind,
      unit: e.unit,
      description: e.description,
      value: e.read(),
      ...(e.family ? { family: e.family } : {}),
    };
    if (e.kind === 'change') {
      const rates = e.rates as number[];
      const averageRate = rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : 0;
      return { ...base, rate: e.rate ?? 0, averageRate };
    }
    if (e.kind === 'percentage' && e.readTerms) {
      const [numerator, denominator] = e.readTerms();
      return { ...base, numerator, denominator };
    }
    return base;
  }
}

/** One `show stats` line, OpenSimulator's format. */
export function formatReading(r: StatReading): string {
  const v = formatNumber(r.value);
  switch (r.kind) {
    case 'number':
      return `${r.fullName} : ${v}${r.unit ? ` ${r.unit}` : ''}`;
    case 'change':
      return `${r.fullName} : ${v}${r.unit ? ` ${r.unit}` : ''}, ${formatNumber(r.rate ?? 0)}/s, ${formatNumber(r.averageRate ?? 0)}/s`;
    case 'percentage':
      return `${r.fullName} : ${r.value.toFixed(2)}% (${formatNumber(r.numerator ?? 0)}/${formatNumber(r.denominator ?? 0)})`;
  }
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(3);
}
