// Per-viewer short ObjID table (§3.3). Ids 2..127 only: the client reads REGOBJID's id as a signed
// byte, so 128..252 could never be looked up again. A mapping stays cached after its object leaves
// the viewer's sight, so an avatar flickering at the edge of the nearest-N set costs no REGOBJID; a
// cached mapping is reused for another object only when no id is free, least recently used first.
// Reuse is safe because the client processes frames in order: the DISAPPR that used the old mapping
// always precedes the REGOBJID that changes it. With 126 objects in sight, the long form is used.
//
// The table holds numbers, not objects (issue 9: memory per user). A Map from object to id cost a
// viewer 0.9-1.8 KiB once it had met the others of a room of 50, and it kept users who had logged
// off alive for as long as any viewer's cache still named them. Objects are named by a serial; the
// hot path (an id for every move sent) reads the id from the viewer's entry for what it shows, so
// only arrivals, logoffs and PROPREQs search the table, through at most 126 entries.

import { ObjIds } from '../protocol/constants.js';

const CAPACITY = ObjIds.LAST_SHORT - ObjIds.FIRST_SHORT + 1;
const NO_ENTRIES = new Uint32Array(0);

let lastSerial = 0;

/**
 * A serial for a new object: never 0. It wraps after 2^32 - 1; an old mapping could then name a new
 * object only if one viewer stayed logged in across four billion logins.
 */
export function nextSerial(): number {
  lastSerial = lastSerial === 0xffffffff ? 1 : lastSerial + 1;
  return lastSerial;
}

export class ShortIdTable {
  /**
   * For id FIRST_SHORT + i: [2i] the serial mapped (0: free), [2i + 1] when it left sight (a
   * counter: the oldest is the smallest), 0 while in sight. Every user has one, so it starts empty
   * and grows with the ids handed out.
   */
  private entries = NO_ENTRIES;
  /** Ids FIRST_SHORT up to, not including, FIRST_SHORT + handedOut have been used. */
  private handedOut = 0;
  private clock = 0;
  /** Whether the last acquire() created a mapping the client must be told about (REGOBJID). */
  fresh = false;

  /** Short id for the object with `serial` (marking it in sight), or 0 when the long form must be used. */
  acquire(serial: number): number {
    const e = this.entries;
    let free = -1;
    let oldest = -1;
    let oldestAt = Infinity;
    for (let i = 0; i < this.handedOut; i++) {
      const mapped = e[2 * i] as number;
      if (mapped === serial) {
        e[2 * i + 1] = 0;
        this.fresh = false;
        return ObjIds.FIRST_SHORT + i;
      }
      if (mapped === 0) {
        if (free < 0) free = i;
        continue;
      }
      const leftAt = e[2 * i + 1] as number;
      if (leftAt > 0 && leftAt < oldestAt) {
        oldest = i;
        oldestAt = leftAt;
      }
    }
    // Ids given back by forget() first, then ids never used, then the mapping gone longest.
    const i = free >= 0 ? free : this.handedOut < CAPACITY ? this.handOut() : oldest;
    this.fresh = i >= 0;
    if (i < 0) return 0;
    this.entries[2 * i] = serial;
    this.entries[2 * i + 1] = 0;
    return ObjIds.FIRST_SHORT + i;
  }

  private handOut(): number {
    const i = this.handedOut++;
    if (2 * i >= this.entries.length) {
      const grown = new Uint32Array(2 * Math.min(CAPACITY, Math.max(8, 2 * i)));
      grown.set(this.entries);
      this.entries = grown;
    }
    return i;
  }

  /** The object with `id` left the viewer's sight; the id stays mapped until needed for another. */
  release(id: number): void {
    const i = this.indexOf(id);
    if (i >= 0 && this.entries[2 * i] !== 0 && this.entries[2 * i + 1] === 0) this.entries[2 * i + 1] = ++this.clock;
  }

  /** The object with `id` is gone for good (logged off): the id becomes free. */
  forget(id: number): void {
    const i = this.indexOf(id);
    if (i < 0) return;
    this.entries[2 * i] = 0;
    this.entries[2 * i + 1] = 0;
  }

  /** The id mapped to `serial`, or 0. */
  idOf(serial: number): number {
    for (let i = 0; i < this.handedOut; i++) if (this.entries[2 * i] === serial) return ObjIds.FIRST_SHORT + i;
    return 0;
  }

  /** The serial `id` names, or 0. */
  serialAt(id: number): number {
    const i = this.indexOf(id);
    return i < 0 ? 0 : (this.entries[2 * i] as number);
  }

  get mapped(): number {
    let n = 0;
    for (let i = 0; i < this.handedOut; i++) if (this.entries[2 * i] !== 0) n++;
    return n;
  }

  private indexOf(id: number): number {
    const i = id - ObjIds.FIRST_SHORT;
    return i >= 0 && i < this.handedOut ? i : -1;
  }
}
