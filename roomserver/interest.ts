// Crowd control (AG-27, spec §6.6 "Project decision"): which avatars a viewer is shown. Each room
// keeps its members in a uniform grid over x/y; a viewer's N nearest are found by searching rings
// of cells outward from its position (or from the portal point of a room seen through a portal)
// and stopping as soon as no unsearched cell can hold anyone nearer than the N-th best so far.
// Cost per viewer grows with N and local density, not with the population of the room.

/** What the grid and selector need to know about an avatar. */
export interface Placed {
  x: number;
  y: number;
  z: number;
  /** Grid bookkeeping, owned by Grid. */
  cellKey: number;
  cellIndex: number;
}

/** Cell edge in world units. Rooms span a few thousand units; avatars are 189 tall. */
export const CELL = 512;
const CELL_SHIFT = 9;
/** s16 coordinates give cell indices in -64..63; keys pack (cx, cy) into one integer. */
const OFFSET = 64;
const cellIndexOf = (v: number) => (v >> CELL_SHIFT) + OFFSET;
const keyOf = (cx: number, cy: number) => cx * 256 + cy;

export class Grid<T extends Placed> {
  private readonly cells = new Map<number, T[]>();
  private minCx = Infinity;
  private maxCx = -Infinity;
  private minCy = Infinity;
  private maxCy = -Infinity;
  size = 0;

  insert(a: T): void {
    const cx = cellIndexOf(a.x);
    const cy = cellIndexOf(a.y);
    const key = keyOf(cx, cy);
    let cell = this.cells.get(key);
    if (!cell) {
      cell = [];
      this.cells.set(key, cell);
    }
    a.cellKey = key;
    a.cellIndex = cell.length;
    cell.push(a);
    this.size++;
    if (cx < this.minCx) this.minCx = cx;
    if (cx > this.maxCx) this.maxCx = cx;
    if (cy < this.minCy) this.minCy = cy;
    if (cy > this.maxCy) this.maxCy = cy;
  }

  remove(a: T): void {
    const cell = this.cells.get(a.cellKey);
    if (!cell || cell[a.cellIndex] !== a) return;
    const last = cell.pop() as T;
    if (last !== a) {
      cell[a.cellIndex] = last;
      last.cellIndex = a.cellIndex;
    }
    if (cell.length === 0) this.cells.delete(a.cellKey);
    a.cellKey = -1;
    a.cellIndex = -1;
    this.size--;
  }

  /** Call after a's coordinates changed; O(1), and free when it stayed in its cell. */
  moved(a: T): void {
    if (keyOf(cellIndexOf(a.x), cellIndexOf(a.y)) === a.cellKey) return;
    this.remove(a);
    this.insert(a);
  }

  /**
   * Offers to `best` every member that could be among its nearest to (ox, oy, oz), each at its
   * distance plus `offset`, searching rings of cells until no nearer one can remain.
   */
  scan(ox: number, oy: number, oz: number, offset: number, best: NearestSet<T>, self: T | null): void {
    if (this.size === 0) return;
    const cx0 = cellIndexOf(ox);
    const cy0 = cellIndexOf(oy);
    const maxR = Math.max(cx0 - this.minCx, this.maxCx - cx0, cy0 - this.minCy, this.maxCy - cy0);
    for (let r = 0; r <= maxR; r++) {
      // Every point in ring r is at least (r - 1) cells away from the origin's cell edge.
      if (r > 0 && best.full && best.worst <= offset + (r - 1) * CELL) return;
      const xLo = Math.max(cx0 - r, this.minCx);
      const xHi = Math.min(cx0 + r, this.maxCx);
      const yLo = Math.max(cy0 - r, this.minCy);
      const yHi = Math.min(cy0 + r, this.maxCy);
      for (let cx = xLo; cx <= xHi; cx++) {
        const edgeX = cx === cx0 - r || cx === cx0 + r;
        for (let cy = yLo; cy <= yHi; cy++) {
          // Interior cells were searched in earlier rings.
          if (!edgeX && cy !== cy0 - r && cy !== cy0 + r) {
            cy = cy0 + r - 1;
            continue;
          }
          const cell = this.cells.get(keyOf(cx, cy));
          if (cell) offerAll(cell, ox, oy, oz, offset, best, self);
        }
      }
    }
  }

  /** Every member, for small rooms where a linear pass beats the ring search. */
  scanAll(ox: number, oy: number, oz: number, offset: number, best: NearestSet<T>, self: T | null): void {
    for (const cell of this.cells.values()) offerAll(cell, ox, oy, oz, offset, best, self);
  }
}

function offerAll<T extends Placed>(
  cell: readonly T[],
  ox: number,
  oy: number,
  oz: number,
  offset: number,
  best: NearestSet<T>,
  self: T | null,
): void {
  for (let i = 0; i < cell.length; i++) {
    const a = cell[i] as T;
    if (a === self) continue;
    const dx = a.x - ox;
    const dy = a.y - oy;
    const dz = a.z - oz;
    best.offer(Math.sqrt(dx * dx + dy * dy + dz * dz) + offset, a);
  }
}

/** The N smallest distances offered so far: a bounded max-heap over parallel arrays. */
export class NearestSet<T> {
  private dist: number[] = [];
  private items: T[] = [];
  private cap = 0;

  reset(capacity: number): void {
    this.cap = capacity;
    this.dist.length = 0;
    this.items.length = 0;
  }

  get size(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.items.length >= this.cap;
  }

  /** Largest distance held (meaningful when full). */
  get worst(): number {
    return this.dist[0] ?? Infinity;
  }

  offer(d: number, item: T): void {
    const n = this.items.length;
    if (n < this.cap) {
      this.dist.push(d);
      this.items.push(item);
      this.siftUp(n);
    } else if (this.cap > 0 && d < (this.dist[0] as number)) {
      this.dist[0] = d;
      this.items[0] = item;
      this.siftDown(0);
    }
  }

  /** Items held, in no particular order. */
  get members(): readonly T[] {
    return this.items;
  }

  /** The distance of each item in `members`, index for index. */
  get distances(): readonly number[] {
    return this.dist;
  }

  private siftUp(i: number): void {
    const d = this.dist;
    const it = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((d[p] as number) >= (d[i] as number)) break;
      [d[p], d[i]] = [d[i] as number, d[p] as number];
      [it[p], it[i]] = [it[i] as T, it[p] as T];
      i = p;
    }
  }

  private siftDown(i: number): void {
    const d = this.dist;
    const it = this.items;
    const n = it.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && (d[l] as number) > (d[m] as number)) m = l;
      if (r < n && (d[r] as number) > (d[m] as number)) m = r;
      if (m === i) return;
      [d[m], d[i]] = [d[i] as number, d[m] as number];
      [it[m], it[i]] = [it[i] as T, it[m] as T];
      i = m;
    }
  }
}
