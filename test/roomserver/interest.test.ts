import t from 'tap';
import { Grid, NearestSet, type Placed } from '../../roomserver/interest.js';

interface A extends Placed {
  name: string;
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function make(n: number, rand: () => number, spread: number): A[] {
  const out: A[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      name: `u${i}`,
      x: Math.round((rand() - 0.5) * spread),
      y: Math.round((rand() - 0.5) * spread),
      z: Math.round(rand() * 200),
      cellKey: -1,
      cellIndex: -1,
    });
  }
  return out;
}

function bruteForce(
  all: A[],
  o: { x: number; y: number; z: number },
  offset: number,
  n: number,
  self: A | null,
): number[] {
  return all
    .filter((a) => a !== self)
    .map((a) => Math.hypot(a.x - o.x, a.y - o.y, a.z - o.z) + offset)
    .sort((p, q) => p - q)
    .slice(0, n);
}

t.test('grid ring search finds exactly the N nearest (distances equal brute force)', async (t) => {
  const rand = rng(42);
  for (const [count, spread] of [
    [10, 2000],
    [500, 4000],
    [2000, 60000],
    [3000, 800],
  ] as const) {
    const all = make(count, rand, spread);
    const grid = new Grid<A>();
    for (const a of all) grid.insert(a);
    t.equal(grid.size, count);
    const best = new NearestSet<A>();
    for (let q = 0; q < 40; q++) {
      const self = all[Math.floor(rand() * all.length)] as A;
      const n = 1 + Math.floor(rand() * 40);
      const offset = q % 3 === 0 ? Math.round(rand() * 3000) : 0;
      const origin = q % 2 === 0 ? self : { x: Math.round((rand() - 0.5) * spread), y: 0, z: 0 };
      best.reset(n);
      grid.scan(origin.x, origin.y, origin.z, offset, best, self);
      const got = best.members
        .map((a) => Math.hypot(a.x - origin.x, a.y - origin.y, a.z - origin.z) + offset)
        .sort((p, q2) => p - q2);
      const want = bruteForce(all, origin, offset, n, self);
      if (!t.same(got, want, `${count} avatars over ${spread}, N=${n}, query ${q}`)) return;
      best.reset(n);
      grid.scanAll(origin.x, origin.y, origin.z, offset, best, self);
      t.equal(best.size, want.length, 'linear pass agrees on size');
    }
  }
});

t.test('moving and removing keeps the grid consistent', async (t) => {
  const rand = rng(7);
  const all = make(300, rand, 10000);
  const grid = new Grid<A>();
  for (const a of all) grid.insert(a);
  for (let i = 0; i < 2000; i++) {
    const a = all[Math.floor(rand() * all.length)] as A;
    a.x = Math.max(-32768, Math.min(32767, a.x + Math.round((rand() - 0.5) * 3000)));
    a.y = Math.max(-32768, Math.min(32767, a.y + Math.round((rand() - 0.5) * 3000)));
    grid.moved(a);
  }
  const removed = all.splice(0, 100);
  for (const a of removed) grid.remove(a);
  grid.remove(removed[0] as A);
  t.equal(grid.size, 200, 'double remove is a no-op');
  const best = new NearestSet<A>();
  best.reset(1000);
  grid.scan(0, 0, 0, 0, best, null);
  t.equal(best.size, 200, 'every remaining avatar is found exactly once');
  t.equal(new Set(best.members).size, 200);
  t.ok(removed.every((a) => a.cellKey === -1));
});

t.test('extreme coordinates', async (t) => {
  const grid = new Grid<A>();
  const corners: A[] = [
    [-32768, -32768],
    [32767, 32767],
    [-32768, 32767],
    [32767, -32768],
  ].map(([x, y], i) => ({ name: `c${i}`, x: x as number, y: y as number, z: 0, cellKey: -1, cellIndex: -1 }));
  for (const c of corners) grid.insert(c);
  const best = new NearestSet<A>();
  best.reset(4);
  grid.scan(0, 0, 0, 0, best, null);
  t.equal(best.size, 4);
  best.reset(1);
  grid.scan(32000, 32000, 0, 0, best, null);
  t.equal(best.members[0]?.name, 'c1');
});

t.test('NearestSet keeps the smallest distances', async (t) => {
  const s = new NearestSet<number>();
  s.reset(3);
  for (const d of [9, 1, 8, 2, 7, 3, 6]) s.offer(d, d);
  t.same([...s.members].sort(), [1, 2, 3]);
  t.equal(s.worst, 3);
  s.reset(0);
  s.offer(1, 1);
  t.equal(s.size, 0, 'capacity 0 holds nothing');
});
