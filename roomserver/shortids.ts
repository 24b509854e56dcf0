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
  private readonly idOf = new Map<T, number>();
  /** Mapped objects no longer in sight, oldest first (Map keeps insertion order). */
  private readonly idle = new Map<T, number>();
  /** Ids given back by forget(); ids from `next` up were never used. Both count as free. */
  private readonly free: number[] = [];
  private next: number = ObjIds.FIRST_SHORT;
  /** Whether the last acquire() created a mapping the client must be told about (REGOBJID). */
  fresh = false;

  /** Short id for `obj` (marking it in sight), or 0 when the long form must be used. */
  acquire(obj: T): number {
    const known = this.idOf.get(obj);
    if (known !== undefined) {
      this.idle.delete(obj);
      this.fresh = false;
      return known;
    }
    let id = this.free.pop() ?? (this.next <= ObjIds.LAST_SHORT ? this.next++ : undefined);
    if (id === undefined) {
      const oldest = this.idle.entries().next();
      if (oldest.done) {
        this.fresh = false;
        return 0;
      }
      const [old, oldId] = oldest.value;
      this.idle.delete(old);
      this.idOf.delete(old);
      id = oldId;
    }
    this.byId[id] = obj;
    this.idOf.set(obj, id);
    this.fresh = true;
    return id;
  }

  /** `obj` left the viewer's sight; its id stays mapped until needed for another object. */
  release(obj: T): void {
    const id = this.idOf.get(obj);
    if (id !== undefined) this.idle.set(obj, id);
  }

  /** `obj` is gone for good (logged off): its id becomes free. */
  forget(obj: T): void {
    const id = this.idOf.get(obj);
    if (id === undefined) return;
    this.idOf.delete(obj);
    this.idle.delete(obj);
    this.byId[id] = null;
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
