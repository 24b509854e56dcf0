// Per-viewer short ObjID table (§3.3). Ids 2..127 only: the client reads REGOBJID's id as a signed
// byte, so 128..252 could never be looked up again. A mapping stays cached after its object leaves
// the viewer's sight, so an avatar flickering at the edge of the nearest-N set costs no REGOBJID; a
// cached mapping is reused for another object only when no id is free, least recently used first.
// Reuse is safe because the client processes frames in order: the DISAPPR that used the old mapping
// always precedes the REGOBJID that changes it. With 126 objects in sight, the long form is used.

import { ObjIds } from '../protocol/constants.js';

export class ShortIdTable<T extends object> {
  // Every user has one, so it starts empty and grows with use (issue 9: memory per user).
  private readonly byId: (T | null)[] = [];
  /**
   * For each mapped id, when its object left sight (a counter: the oldest is the smallest), 0 while
   * in sight. An array beside byId rather than a second Map: 400 bytes less per user.
   */
  private readonly leftAt: number[] = [];
  private readonly idOf = new Map<T, number>();
  /** Ids given back by forget(); ids from `next` up were never used. Both count as free. */
  private readonly free: number[] = [];
  private next: number = ObjIds.FIRST_SHORT;
  private clock = 0;
  /** Whether the last acquire() created a mapping the client must be told about (REGOBJID). */
  fresh = false;

  /** Short id for `obj` (marking it in sight), or 0 when the long form must be used. */
  acquire(obj: T): number {
    const known = this.idOf.get(obj);
    if (known !== undefined) {
      this.leftAt[known] = 0;
      this.fresh = false;
      return known;
    }
    const id = this.free.pop() ?? (this.next <= ObjIds.LAST_SHORT ? this.next++ : this.longestGone());
    if (id === 0) {
      this.fresh = false;
      return 0;
    }
    const old = this.byId[id];
    if (old) this.idOf.delete(old);
    this.byId[id] = obj;
    this.leftAt[id] = 0;
    this.idOf.set(obj, id);
    this.fresh = true;
    return id;
  }

  /** The id whose object left sight longest ago, or 0 when every mapped object is in sight. */
  private longestGone(): number {
    let best = 0;
    let bestAt = Infinity;
    for (let id = ObjIds.FIRST_SHORT; id <= ObjIds.LAST_SHORT; id++) {
      const at = this.leftAt[id] ?? 0;
      if (at > 0 && at < bestAt) {
        best = id;
        bestAt = at;
      }
    }
    return best;
  }

  /** `obj` left the viewer's sight; its id stays mapped until needed for another object. */
  release(obj: T): void {
    const id = this.idOf.get(obj);
    if (id !== undefined && this.leftAt[id] === 0) this.leftAt[id] = ++this.clock;
  }

  /** `obj` is gone for good (logged off): its id becomes free. */
  forget(obj: T): void {
    const id = this.idOf.get(obj);
    if (id === undefined) return;
    this.idOf.delete(obj);
    this.byId[id] = null;
    this.leftAt[id] = 0;
    this.free.push(id);
  }

  idFor(obj: T): number {
    return this.idOf.get(obj) ?? 0;
  }

  lookup(id: number): T | null {
    return this.byId[id] ?? null;
  }

  get mapped(): number {
    return this.idOf.size;
  }
}
