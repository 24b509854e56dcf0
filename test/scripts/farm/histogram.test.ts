import t from 'tap';
import { BUCKETS, Histogram, bucketOf, quantiles, valueOf } from '../../../scripts/farm/histogram.js';

/** Nearest-rank quantile of a sorted list: the smallest value with at least p of all at or below it. */
function exact(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number;
}

/** A deterministic generator, so a failure can be reproduced. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

t.test('quantiles are within 1% of the exact ones', async (t) => {
  const rnd = lcg(7);
  for (const [name, gen] of [
    ['uniform 0-1000 ms', () => rnd() * 1000],
    ['exponential, mean 40 ms', () => -Math.log(1 - rnd()) * 40],
    ['sub-millisecond', () => rnd() * 0.9],
    ['heavy tail', () => 1 / (rnd() + 1e-4)],
  ] as const) {
    const h = new Histogram();
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = gen();
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [0.01, 0.5, 0.9, 0.99, 0.999]) {
      const want = exact(values, p);
      const got = h.quantile(p);
      const tolerance = want < 1 ? 0.01 : want * 0.01;
      t.ok(Math.abs(got - want) <= tolerance, `${name}: p${p * 100} ${got} vs exact ${want}`);
    }
    t.equal(h.quantile(1), values[values.length - 1], `${name}: p100 is the exact max`);
    t.equal(h.count, values.length);
  }
});

t.test('merging, across a JSON round trip, equals recording everything in one', async (t) => {
  const rnd = lcg(3);
  const a = new Histogram();
  const b = new Histogram();
  const all = new Histogram();
  for (let i = 0; i < 5000; i++) {
    const v = rnd() * 300;
    (i % 3 ? a : b).record(v);
    all.record(v);
  }
  const merged = new Histogram();
  merged.mergeJSON(JSON.parse(JSON.stringify(a.toJSON())) as ReturnType<Histogram['toJSON']>);
  merged.mergeJSON(JSON.parse(JSON.stringify(b.toJSON())) as ReturnType<Histogram['toJSON']>);
  for (const p of [0.5, 0.99]) t.equal(merged.quantile(p), all.quantile(p));
  t.equal(merged.count, all.count);
  t.equal(merged.min, all.min);
  t.equal(merged.max, all.max);
  const empty = new Histogram();
  merged.mergeJSON(JSON.parse(JSON.stringify(empty.toJSON())) as ReturnType<Histogram['toJSON']>);
  t.equal(merged.min, all.min, 'an empty histogram (min/max null in JSON) changes nothing');
  const c = new Histogram();
  c.merge(a);
  c.merge(b);
  t.equal(c.quantile(0.5), all.quantile(0.5));
});

t.test('edges: empty, negative, huge, one value', async (t) => {
  const h = new Histogram();
  t.ok(Number.isNaN(h.quantile(0.5)));
  t.same(quantiles(h), { count: 0, p50: null, p99: null, max: null });
  h.record(-5);
  t.equal(h.quantile(0.5), 0, 'negative (clock step) counts as 0');
  h.reset();
  h.record(42);
  t.equal(h.quantile(0.5), 42, 'one value: exactly it');
  t.equal(bucketOf(10_000_000), bucketOf(600_000), 'clamped at 10 minutes');
  t.ok(bucketOf(600_000) < BUCKETS);
  t.ok(valueOf(bucketOf(250)) / 250 < 1.01 && valueOf(bucketOf(250)) / 250 > 0.99);
  h.record(1234.56);
  t.same(quantiles(h), { count: 2, p50: 42, p99: 1235, max: 1235 }, 'rounded: 0.1 ms below 100 ms, 1 ms above');
});
