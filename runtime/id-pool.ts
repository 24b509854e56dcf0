// Room ids as a managed resource (issue 6, spec §5.2 ROOMIDRQ): the same name keeps its id while it
// is in use, an id nobody refers to goes back to the pool only after a quiet period, and ids are
// never 0. Pure: the caller says what time it is and when an id stops or starts being used; the
// caller's reference tracking (runtime/ref-tracker.ts) decides that.
//
// A fresh id starts unused (its quiet period running from its allocation) until the caller marks it
// used, so an id that was allocated but never handed to anyone cannot leak. Recycled ids are handed out oldest
// first, so a recycled id has been out of use as long as possible before it names another room.

export interface Reclaimed {
  id: number;
  name: string;
}

export class IdPool {
  private readonly ids = new Map<string, number>();
  private readonly names = new Map<number, string>();
  /** Ids nobody uses, with the time they became unused; insertion order is time order. */
  private readonly unusedSince = new Map<number, number>();
  /** Reclaimed ids, oldest first (a queue: `head` is the next one out). */
  private free: number[] = [];
  private head = 0;
  private nextFresh: number;

  constructor(first = 1) {
    this.nextFresh = first;
  }

  /** Ids that name a room (in use or in their quiet period). */
  get size(): number {
    return this.names.size;
  }

  /** Ids in their quiet period. */
  get quiet(): number {
    return this.unusedSince.size;
  }

  idOf(name: string): number | undefined {
    return this.ids.get(name);
  }

  nameOf(id: number): string | undefined {
    return this.names.get(id);
  }

  /**
   * Ids left for new names right now (fresh or reclaimed), out of `maxId`; an upper bound after
   * the maximum was lowered (recycled ids above it are skipped when taken).
   */
  available(maxId: number): number {
    return Math.max(0, maxId - this.nextFresh + 1) + this.free.length - this.head;
  }

  /**
   * The id of `name`: its current one, or a new one (`fresh`); null when every id up to `maxId`
   * names a room. A known id in its quiet period stays unused until `markUsed`.
   */
  assign(name: string, maxId: number, now: number): { id: number; fresh: boolean } | null {
    const known = this.ids.get(name);
    if (known !== undefined) return { id: known, fresh: false };
    const id = this.take(maxId);
    if (id === null) return null;
    this.ids.set(name, id);
    this.names.set(id, name);
    this.unusedSince.set(id, now);
    return { id, fresh: true };
  }

  private take(maxId: number): number | null {
    while (this.head < this.free.length) {
      const id = this.free[this.head++] as number;
      if (this.head > 1024 && this.head * 2 > this.free.length) {
        this.free = this.free.slice(this.head);
        this.head = 0;
      }
      // A reload may have lowered the maximum: ids above it are not handed out again; a claimed
      // id names its room already.
      if (id <= maxId && !this.names.has(id)) return id;
    }
    while (this.nextFresh <= maxId && this.names.has(this.nextFresh)) this.nextFresh++;
    if (this.nextFresh > maxId) return null;
    return this.nextFresh++;
  }

  /**
   * Gives `name` the id `id` that another server handed out for it, when neither names anything
   * else here: 'claimed' (unused until `markUsed`, like a fresh id), 'known' when they already
   * belong together, 'conflict' when either is taken otherwise.
   */
  claim(name: string, id: number, now: number): 'claimed' | 'known' | 'conflict' {
    const known = this.ids.get(name);
    if (known === id) return 'known';
    if (known !== undefined || this.names.has(id)) return 'conflict';
    this.ids.set(name, id);
    this.names.set(id, name);
    this.unusedSince.set(id, now);
    return 'claimed';
  }

  /** Someone refers to the id (again): its quiet period, if any, is cancelled. */
  markUsed(id: number): void {
    this.unusedSince.delete(id);
  }

  /** Nobody refers to the id any more and its room holds nothing: its quiet period starts now. */
  markUnused(id: number, now: number): void {
    if (!this.names.has(id)) return;
    this.unusedSince.delete(id);
    this.unusedSince.set(id, now);
  }

  isUnused(id: number): boolean {
    return this.unusedSince.has(id);
  }

  /**
   * Returns to the pool every id unused for at least `quietMs` and for which `canFree` agrees
   * (an id it refuses is marked used again: its owner still needs it). Stops after `max` ids.
   */
  reclaim(now: number, quietMs: number, canFree: (id: number) => boolean = () => true, max = 4096): Reclaimed[] {
    const out: Reclaimed[] = [];
    for (const [id, since] of this.unusedSince) {
      if (out.length >= max || now - since < quietMs) break;
      this.unusedSince.delete(id);
      if (!canFree(id)) continue;
      const name = this.names.get(id) as string;
      this.names.delete(id);
      this.ids.delete(name);
      this.free.push(id);
      out.push({ id, name });
    }
    return out;
  }
}
