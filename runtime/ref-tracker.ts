// Who was given which room id (issue 6): per holder (a client connection, or a RoomServer link on
// the UserServer) the set of ids it was handed, and per id how many holders refer to it. The
// client keeps every name → id mapping it was given for as long as its connection lives (spec
// §5.2 ROOMIDRQ), so an id may only leave use once its count is back to 0. Pure; memory is one
// set entry per (holder, id) pair and one counter per id.

export class RefTracker<H extends object> {
  private readonly byHolder = new Map<H, Set<number>>();
  private readonly counts = new Map<number, number>();

  /** Distinct ids someone refers to. */
  get size(): number {
    return this.counts.size;
  }

  /** (holder, id) pairs: what the bookkeeping costs. */
  get pairs(): number {
    let n = 0;
    for (const set of this.byHolder.values()) n += set.size;
    return n;
  }

  count(id: number): number {
    return this.counts.get(id) ?? 0;
  }

  holds(holder: H, id: number): boolean {
    return this.byHolder.get(holder)?.has(id) ?? false;
  }

  /** Ids this holder refers to. */
  heldBy(holder: H): number {
    return this.byHolder.get(holder)?.size ?? 0;
  }

  /** Records that `holder` was given `id`; true when the id had no holder before. */
  add(holder: H, id: number): boolean {
    let set = this.byHolder.get(holder);
    if (!set) {
      set = new Set();
      this.byHolder.set(holder, set);
    }
    if (set.has(id)) return false;
    set.add(id);
    const n = this.counts.get(id) ?? 0;
    this.counts.set(id, n + 1);
    return n === 0;
  }

  /** One holder no longer refers to one id; true when nobody does any more. */
  drop(holder: H, id: number): boolean {
    const set = this.byHolder.get(holder);
    if (!set?.delete(id)) return false;
    if (set.size === 0) this.byHolder.delete(holder);
    return this.decrement(id);
  }

  /** The holder is gone (its connection closed); returns the ids nobody refers to any more. */
  dropHolder(holder: H): number[] {
    const set = this.byHolder.get(holder);
    if (!set) return [];
    this.byHolder.delete(holder);
    const freed: number[] = [];
    for (const id of set) if (this.decrement(id)) freed.push(id);
    return freed;
  }

  private decrement(id: number): boolean {
    const n = (this.counts.get(id) ?? 0) - 1;
    if (n > 0) {
      this.counts.set(id, n);
      return false;
    }
    this.counts.delete(id);
    return true;
  }

  clear(): void {
    this.byHolder.clear();
    this.counts.clear();
  }
}
