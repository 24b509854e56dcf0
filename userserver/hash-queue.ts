// The password-hashing queue, shared fairly between client addresses (AG-45, issue "fair
// hashing"). Hashes run a few at a time on libuv's pool; what waits is ordered so that no address
// can make an honest login wait behind its own flood:
//   1. by the address's penalty, lowest first: the UserServer ranks addresses with recent failed
//      logins behind clean ones, then by the attempts each made in the window (LoginGuard.rank),
//      so a person's single login goes before a flood's many;
//   2. then the address that started the fewest hashes in the window (one job per address per
//      round);
//   3. among equals, the address that arrived last: a login arriving amid a burst of first
//      attempts from many addresses does not wait for the whole round, and a flood cannot abuse
//      this, since an address that was served drops to a later round.
// Except that a job waiting longer than AGED_MS goes first, before rules 1 (its attempts part) to 3,
// unless its address has recent failed logins (`suspect`); among such jobs, the address that
// started the fewest hashes, then the oldest (an address holds at most its AddressLimit of
// connections, so it cannot fill this lane). Without it, a burst longer than the hashing keeps up
// with (everyone logging in again after a restart; ten people behind one address) left its first
// arrivals waiting until the burst ended: 542 of 10,000 registrations at 300 a second timed out
// after the client's 30 s (BENCHMARKS.md). With it, a login waits at most the queue ahead of it
// once it is a few seconds old.
// Within one address, jobs run in arrival order. The queue is bounded: past `maxQueued`, work is
// refused at once (HashingOverloaded) instead of piling up beyond the client's 30 s patience.

export class HashingOverloaded extends Error {
  constructor(queued: number) {
    super(`${queued} password checks already waiting`);
    this.name = 'HashingOverloaded';
  }
}

interface Waiting {
  start(): void;
  arrived: number;
  /** When it arrived (the clock of FairQueueOptions.now). */
  at: number;
}

/** How long a job may wait before it goes first among its equals in penalty. */
export const AGED_MS = 5_000;

export interface FairQueueOptions {
  maxConcurrent: number;
  maxQueued: number;
  /** Window over which started jobs are counted per key (read at use). */
  windowMs: () => number;
  /** 0 or more; keys with more wait behind keys with less (read when the next job is chosen). */
  penalty: (key: string) => number;
  /** Keys that waiting never lifts ahead of others (addresses with recent failed logins). */
  suspect?: (key: string) => boolean;
  now?: () => number;
}

export class FairQueue {
  private running = 0;
  private queued = 0;
  private arrivals = 0;
  private readonly waiting = new Map<string, Waiting[]>();
  /** Start times of recent jobs per key, oldest first. */
  private readonly started = new Map<string, number[]>();
  private readonly now: () => number;
  /** Jobs started since creation (a statistic). */
  jobs = 0;

  constructor(private readonly opts: FairQueueOptions) {
    this.now = opts.now ?? Date.now;
  }

  get length(): number {
    return this.queued;
  }

  get active(): number {
    return this.running;
  }

  /** Runs `job` for `key` when its turn comes. */
  async run<T>(key: string, job: () => Promise<T>): Promise<T> {
    if (this.running >= this.opts.maxConcurrent || this.queued > 0) {
      if (this.queued >= this.opts.maxQueued) throw new HashingOverloaded(this.queued);
      await new Promise<void>((start) => {
        const list = this.waiting.get(key) ?? [];
        list.push({ start, arrived: this.arrivals++, at: this.now() });
        this.waiting.set(key, list);
        this.queued++;
      });
    } else {
      this.begin(key);
    }
    try {
      return await job();
    } finally {
      this.running--;
      this.next();
    }
  }

  private begin(key: string): void {
    this.running++;
    this.jobs++;
    const list = this.started.get(key) ?? [];
    list.push(this.now());
    this.started.set(key, list);
    if (this.jobs % 1024 === 0) this.prune();
  }

  private next(): void {
    while (this.running < this.opts.maxConcurrent && this.queued > 0) {
      const key = this.choose();
      const list = this.waiting.get(key) as Waiting[];
      const w = list.shift() as Waiting;
      if (list.length === 0) this.waiting.delete(key);
      this.queued--;
      this.begin(key);
      w.start();
    }
  }

  /** The key whose first waiting job runs next (rules 1-3 above). */
  private choose(): string {
    const now = this.now();
    const windowMs = this.opts.windowMs();
    let best = '';
    let bestRank: Rank | null = null;
    for (const [key, list] of this.waiting) {
      const first = list[0] as Waiting;
      const suspect = this.opts.suspect?.(key) ? 1 : 0;
      const recent = this.recent(key, now, windowMs);
      const rank: Rank =
        now - first.at >= AGED_MS
          ? [suspect, 0, 0, recent, first.arrived]
          : [suspect, 1, this.opts.penalty(key), recent, -first.arrived];
      if (bestRank === null || less(rank, bestRank)) {
        best = key;
        bestRank = rank;
      }
    }
    return best;
  }

  private recent(key: string, now: number, windowMs: number): number {
    const list = this.started.get(key);
    if (!list) return 0;
    while (list.length > 0 && now - (list[0] as number) >= windowMs) list.shift();
    if (list.length === 0) this.started.delete(key);
    return list.length;
  }

  /** Forgets start times that left the window (called now and then; memory stays bounded). */
  prune(): void {
    const now = this.now();
    const windowMs = this.opts.windowMs();
    for (const key of [...this.started.keys()]) this.recent(key, now, windowMs);
  }
}

/** Suspect, aged (0) or not, penalty, hashes started in the window, order of arrival. */
type Rank = [number, number, number, number, number];

function less(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) < (b[i] as number);
  }
  return false;
}
