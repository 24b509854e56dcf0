// Timing for the micro-benchmarks: run a function in batches until a time budget is spent, after
// a warm-up, and keep the best of several rounds (the least disturbed by other work on a shared
// machine). Prints nothing itself.

export interface Rate {
  /** Operations per second, best round. */
  perSecond: number;
  /** Nanoseconds per operation, best round. */
  nsPerOp: number;
  /** Every round's operations per second, for judging the noise. */
  rounds: number[];
}

/** Runs `batch()` (which does `opsPerBatch` operations) for `ms` per round, `rounds` times. */
export function measure(batch: () => void, opsPerBatch: number, ms = 1_000, rounds = 5): Rate {
  const warmUntil = performance.now() + Math.min(500, ms);
  while (performance.now() < warmUntil) batch();
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let ops = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      batch();
      ops += opsPerBatch;
      now = performance.now();
    }
    results.push((ops / (now - start)) * 1000);
  }
  const best = Math.max(...results);
  return { perSecond: best, nsPerOp: 1e9 / best, rounds: results.map((x) => Math.round(x)) };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Right-aligned columns, first column left-aligned. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
