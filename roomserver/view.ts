// One viewer's update per tick (spec §6.6): choose the avatars it should see now, compare with what
// its client shows, and queue exactly the frames that close the gap, batched in CO frames:
//   left the set  → DISAPPR
//   entered it    → REGOBJID (new short id only), APPRACTR, PROPUPD (sleep state, avatar)
//   changed room  → ROOMCHNG
//   moved         → LONGLOC (only avatars whose position changed since last sent)

import { CoBatch } from '../protocol/fast.js';
import { encodeRegObjId } from '../protocol/fast.js';
import type { Connection } from '../runtime/connection.js';
import { NearestSet } from './interest.js';
import type { Room } from './room.js';
import type { RoomUser, VisibleEntry } from './user.js';

/** Largest N a client may ask for (VAR_AVATARS); the real client asks for 24. */
export const MAX_AVATARS_CAP = 100;
/** Rooms this small are searched linearly; the grid pays off above it. */
const LINEAR_SCAN_MAX = 48;

export interface ViewCounters {
  arrivals: number;
  departures: number;
  moves: number;
  roomChanges: number;
  /** Avatars a viewer kept showing instead of a slightly nearer newcomer (the crowd hysteresis). */
  kept: number;
  /** Viewer updates that sent only the nearer half's moves (overload, see Ticker). */
  nearOnly: number;
}

/**
 * The crowd hysteresis (keyword CrowdHysteresis): in a crowd that shuffles, the N nearest change
 * every tick although nobody came or went in any way that matters to the viewer, and each change
 * costs an arrival and a departure on the wire. An avatar shown therefore stays while it is still
 * about as near as the newcomer that would take its place, and at least a minimum time.
 *
 * The minimum time alone lets a viewer's set turn over N times per that time, so the cost would
 * still grow with N (the real client asks for 24) and with the crowd's pace. A per-viewer rate of
 * replacements bounds it: half the set may change at once, then one replacement per swapIntervalMs,
 * the newcomers that are nearest compared with what they replace first.
 */
export interface CrowdPolicy {
  /** Kept while its distance ≤ the newcomer's × (1 + marginRatio) + marginUnits. */
  marginRatio: number;
  marginUnits: number;
  /** Never replaced before it was shown this long (ms); only leaving the viewer's rooms ends it sooner. */
  minShownMs: number;
  /** At most one replacement per this many ms once the burst is spent (0: no limit). */
  swapIntervalMs: number;
}

export const DEFAULT_CROWD_POLICY: Readonly<CrowdPolicy> = {
  marginRatio: 0.25,
  marginUnits: 100,
  minShownMs: 5000,
  swapIntervalMs: 2000,
};

/**
 * How many shown avatars `v` may replace now under the rate (a GCRA: `v.swapsDueAt` is when the
 * next replacement would be on schedule), with a burst of half its set.
 */
export function swapAllowance(v: RoomUser, intervalMs: number, now: number): number {
  if (intervalMs <= 0) return Infinity;
  const burst = Math.max(1, Math.ceil(v.maxAvatars / 2));
  const due = Math.max(v.swapsDueAt, now);
  return Math.max(0, Math.floor((now + burst * intervalMs - due) / intervalMs));
}

export class ViewUpdater {
  private readonly best = new NearestSet<RoomUser>();
  private readonly chosen: RoomUser[] = [];
  private readonly chosenDist: number[] = [];
  private readonly arrivals: RoomUser[] = [];
  private readonly arrivalDist: number[] = [];
  private readonly moves: RoomUser[] = [];
  private readonly roomChanges: RoomUser[] = [];
  private readonly departures: RoomUser[] = [];
  // Scratch for the hysteresis and the near-only update (no allocation per viewer).
  private readonly candU: RoomUser[] = [];
  private readonly candScore: number[] = [];
  private readonly order: number[] = [];
  private readonly order2: number[] = [];
  private stamp = 0;
  private conn: Connection | null = null;
  private readonly emit = (frame: Buffer) => this.conn?.send(frame);
  private readonly disappr = new CoBatch('DISAPPR', this.emit);
  private readonly appear = new CoBatch('APPRACTR', this.emit);
  private readonly roomchng = new CoBatch('ROOMCHNG', this.emit);
  private readonly longloc = new CoBatch('LONGLOC', this.emit);
  readonly counters: ViewCounters = { arrivals: 0, departures: 0, moves: 0, roomChanges: 0, kept: 0, nearOnly: 0 };

  constructor(public policy: Readonly<CrowdPolicy> = DEFAULT_CROWD_POLICY) {}

  /** Fills `chosen` with the avatars `v` should see now (and `chosenDist` with their distances). */
  select(v: RoomUser): readonly RoomUser[] {
    const best = this.best;
    best.reset(v.maxAvatars);
    let guests = false;
    for (const sub of v.subscriptions.values()) {
      const room = sub.room;
      if (room.specialGuests.size > 0) guests = true;
      if (room.population === 0) continue;
      let ox: number, oy: number, oz: number, offset: number;
      if (room === v.room) {
        ox = v.x;
        oy = v.y;
        oz = v.z;
        offset = 0;
      } else {
        // §5.2 SUBSCRIB: |object − reference point| + field + 100.
        ox = sub.x;
        oy = sub.y;
        oz = sub.z;
        offset = sub.distance + 100;
      }
      if (room.population <= LINEAR_SCAN_MAX) room.grid.scanAll(ox, oy, oz, offset, best, v);
      else room.grid.scan(ox, oy, oz, offset, best, v);
    }
    const chosen = this.chosen;
    const chosenDist = this.chosenDist;
    chosen.length = chosenDist.length = 0;
    const members = best.members;
    const dist = best.distances;
    for (let i = 0; i < members.length; i++) {
      chosen.push(members[i] as RoomUser);
      chosenDist.push(dist[i] as number);
    }
    if (guests) addSpecialGuests(v, chosen, chosenDist);
    return chosen;
  }

  update(v: RoomUser, now = Date.now()): void {
    v.viewedRoom = v.room;
    const chosen = this.select(v);
    const chosenDist = this.chosenDist;
    const stamp = ++this.stamp;
    const { arrivals, arrivalDist, moves, roomChanges, departures } = this;
    arrivals.length = arrivalDist.length = moves.length = roomChanges.length = departures.length = 0;

    for (let k = 0; k < chosen.length; k++) {
      const u = chosen[k] as RoomUser;
      const seen = v.visible.get(u);
      if (!seen) {
        arrivals.push(u);
        arrivalDist.push(chosenDist[k] as number);
        continue;
      }
      seen.stamp = stamp;
      this.noteChange(u, seen);
    }
    if (v.visible.size + arrivals.length > chosen.length) {
      for (const [u, seen] of v.visible) if (seen.stamp !== stamp) departures.push(u);
      if (arrivals.length > 0 && departures.length > 0) this.keepShown(v, now, stamp);
    }
    if (arrivals.length + moves.length + roomChanges.length + departures.length === 0) return;

    this.conn = v.conn;
    for (const u of departures) {
      const { id } = v.visible.get(u) as VisibleEntry;
      this.disappr.empty(id || u.longId);
      v.visible.delete(u);
      u.viewers.delete(v);
      v.ids.release(id);
    }
    // Departures first: a short id they free may be given to an arrival just below (§3.3).
    this.disappr.flush();

    for (const u of arrivals) {
      const id = v.ids.acquire(u.serial);
      if (v.ids.fresh) v.conn.send(encodeRegObjId(u.name, id));
      v.visible.set(u, { id, stamp, room: u.room as Room, posVersion: u.posVersion, shownAt: now });
      u.viewers.add(v);
    }
    for (const u of arrivals) this.appear.roomPos(u.wireIdIn(v), (u.room as Room).id, u.x, u.y, u.z, u.dir);
    this.appear.flush();
    for (const u of arrivals) v.conn.sendAll(u.arrivalFrames(u.wireIdIn(v)));
    this.sendChanges(v);

    const c = this.counters;
    c.arrivals += arrivals.length;
    c.departures += departures.length;
  }

  /**
   * Overload (roomserver/tick.ts): between two full updates a viewer is sent only what matters most,
   * the moves and room changes of the nearer half of the avatars it shows. Nobody arrives or
   * leaves until its next full update (a logoff still leaves at once, see departNow).
   */
  updateNearest(v: RoomUser): void {
    const shown = v.visible.size;
    if (shown === 0) return;
    const { candU, candScore, order, moves, roomChanges } = this;
    candU.length = candScore.length = order.length = moves.length = roomChanges.length = 0;
    for (const u of v.visible.keys()) {
      const d = distanceFrom(v, u);
      if (d === null) continue;
      order.push(candU.length);
      candU.push(u);
      candScore.push(d);
    }
    const near = Math.min(order.length, Math.ceil(shown / 2));
    if (near < order.length) order.sort((a, b) => (candScore[a] as number) - (candScore[b] as number));
    for (let i = 0; i < near; i++) {
      const u = candU[order[i] as number] as RoomUser;
      this.noteChange(u, v.visible.get(u) as VisibleEntry);
    }
    this.counters.nearOnly++;
    if (moves.length + roomChanges.length === 0) return;
    this.conn = v.conn;
    this.sendChanges(v);
  }

  private noteChange(u: RoomUser, seen: VisibleEntry): void {
    if (seen.room !== u.room) this.roomChanges.push(u);
    else if (seen.posVersion !== u.posVersion) this.moves.push(u);
  }

  /** ROOMCHNG and LONGLOC for what `noteChange` collected; ends the viewer's update. */
  private sendChanges(v: RoomUser): void {
    const { moves, roomChanges } = this;
    for (const u of roomChanges) {
      const seen = v.visible.get(u) as VisibleEntry;
      seen.room = u.room as Room;
      seen.posVersion = u.posVersion;
      this.roomchng.roomPos(seen.id || u.longId, (u.room as Room).id, u.x, u.y, u.z, u.dir);
    }
    this.roomchng.flush();
    for (const u of moves) {
      const seen = v.visible.get(u) as VisibleEntry;
      seen.posVersion = u.posVersion;
      this.longloc.pos(seen.id || u.longId, u.x, u.y, u.z, u.dir);
    }
    this.longloc.flush();
    this.conn = null;
    this.counters.moves += moves.length;
    this.counters.roomChanges += roomChanges.length;
  }

  /**
   * The hysteresis: pairs the avatars about to leave (nearest first, those shown for less than
   * the minimum time before all) with the newcomers that would take their places (farthest
   * first); while the one shown is about as near as the newcomer, it stays and the newcomer waits.
   */
  private keepShown(v: RoomUser, now: number, stamp: number): void {
    const p = this.policy;
    const { candU, candScore, order, order2, arrivals, arrivalDist, departures } = this;
    candU.length = candScore.length = order.length = order2.length = 0;
    for (const u of departures) {
      const d = distanceFrom(v, u);
      if (d === null) continue; // it left every room this viewer sees: it goes
      const young = now - (v.visible.get(u) as VisibleEntry).shownAt < p.minShownMs;
      order.push(candU.length);
      candU.push(u);
      candScore.push(young ? -Infinity : (d - p.marginUnits) / (1 + p.marginRatio));
    }
    if (order.length === 0) return;
    order.sort((a, b) => (candScore[a] as number) - (candScore[b] as number));
    for (let i = 0; i < arrivals.length; i++) order2.push(i);
    order2.sort((a, b) => (arrivalDist[b] as number) - (arrivalDist[a] as number));
    const pairs = Math.min(order.length, order2.length);
    let kept = 0;
    for (; kept < pairs; kept++) {
      const newcomer = arrivalDist[order2[kept] as number] as number;
      // Special guests (−Infinity) are always shown; they never make way.
      if (newcomer === -Infinity || (candScore[order[kept] as number] as number) > newcomer) break;
    }
    if (kept < pairs && p.swapIntervalMs > 0) {
      // Pairs from `kept` on would swap, the most worthwhile last: over the rate, the first wait.
      let guests = kept;
      while (guests < pairs && (arrivalDist[order2[guests] as number] as number) !== -Infinity) guests++;
      kept = Math.min(guests, Math.max(kept, pairs - swapAllowance(v, p.swapIntervalMs, now)));
      v.swapsDueAt = Math.max(v.swapsDueAt, now) + (guests - kept) * p.swapIntervalMs;
    }
    if (kept === 0) return;
    for (let i = 0; i < kept; i++) {
      const u = candU[order[i] as number] as RoomUser;
      const seen = v.visible.get(u) as VisibleEntry;
      seen.stamp = stamp;
      this.noteChange(u, seen);
      arrivals[order2[i] as number] = null as unknown as RoomUser;
    }
    removeMarked(arrivals, arrivalDist);
    let w = 0;
    for (const u of departures) if ((v.visible.get(u) as VisibleEntry).stamp !== stamp) departures[w++] = u;
    departures.length = w;
    this.counters.kept += kept;
  }

  /** Tells every viewer of `u` at once that it is gone (logoff), freeing its short ids. */
  static departNow(u: RoomUser, viewers: readonly RoomUser[]): void {
    for (const v of viewers) {
      // No longer in v.visible (World.remove): the id is looked up in v's table.
      const id = v.ids.idOf(u.serial);
      const frames: Buffer[] = [];
      const batch = new CoBatch('DISAPPR', (f) => frames.push(f));
      batch.empty(id || u.longId);
      batch.flush();
      v.conn.sendAll(frames);
      v.ids.forget(id);
    }
  }
}

/** Special guests are seen by everyone subscribed to their room, beyond the N nearest (AG-27). */
function addSpecialGuests(v: RoomUser, chosen: RoomUser[], chosenDist: number[]): void {
  const have = new Set(chosen);
  for (const sub of v.subscriptions.values()) {
    for (const g of sub.room.specialGuests) {
      if (g === v || have.has(g)) continue;
      chosen.push(g);
      chosenDist.push(-Infinity);
    }
  }
}

/** How far `u` is from viewer `v` as select() measures it; null when in no room `v` subscribes to. */
export function distanceFrom(v: RoomUser, u: RoomUser): number | null {
  const room = u.room;
  if (!room) return null;
  const sub = v.subscriptions.get(room.id);
  if (!sub || sub.room !== room) return null;
  const here = room === v.room;
  const dx = u.x - (here ? v.x : sub.x);
  const dy = u.y - (here ? v.y : sub.y);
  const dz = u.z - (here ? v.z : sub.z);
  return Math.sqrt(dx * dx + dy * dy + dz * dz) + (here ? 0 : sub.distance + 100);
}

/** Drops the entries set to null from `items`, and the same positions from `dist`. */
function removeMarked(items: RoomUser[], dist: number[]): void {
  let w = 0;
  for (let i = 0; i < items.length; i++) {
    if (items[i] === null) continue;
    items[w] = items[i] as RoomUser;
    dist[w] = dist[i] as number;
    w++;
  }
  items.length = dist.length = w;
}
