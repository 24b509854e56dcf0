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
import type { RoomUser } from './user.js';

/** Largest N a client may ask for (VAR_AVATARS); the real client asks for 24. */
export const MAX_AVATARS_CAP = 100;
/** Rooms this small are searched linearly; the grid pays off above it. */
const LINEAR_SCAN_MAX = 48;

export interface ViewCounters {
  arrivals: number;
  departures: number;
  moves: number;
  roomChanges: number;
}

export class ViewUpdater {
  private readonly best = new NearestSet<RoomUser>();
  private readonly chosen: RoomUser[] = [];
  private readonly arrivals: RoomUser[] = [];
  private readonly moves: RoomUser[] = [];
  private readonly roomChanges: RoomUser[] = [];
  private readonly departures: RoomUser[] = [];
  private stamp = 0;
  private conn: Connection | null = null;
  private readonly emit = (frame: Buffer) => this.conn?.send(frame);
  private readonly disappr = new CoBatch('DISAPPR', this.emit);
  private readonly appear = new CoBatch('APPRACTR', this.emit);
  private readonly roomchng = new CoBatch('ROOMCHNG', this.emit);
  private readonly longloc = new CoBatch('LONGLOC', this.emit);
  readonly counters: ViewCounters = { arrivals: 0, departures: 0, moves: 0, roomChanges: 0 };

  /** Fills `chosen` with the avatars `v` should see now. */
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
    chosen.length = 0;
    for (const u of best.members) chosen.push(u);
    if (guests) addSpecialGuests(v, chosen);
    return chosen;
  }

  update(v: RoomUser): void {
    const chosen = this.select(v);
    const stamp = ++this.stamp;
    const { arrivals, moves, roomChanges, departures } = this;
    arrivals.length = moves.length = roomChanges.length = departures.length = 0;

    for (const u of chosen) {
      const seen = v.visible.get(u);
      if (!seen) {
        arrivals.push(u);
        continue;
      }
      seen.stamp = stamp;
      if (seen.room !== u.room) roomChanges.push(u);
      else if (seen.posVersion !== u.posVersion) moves.push(u);
    }
    if (v.visible.size + arrivals.length > chosen.length) {
      for (const [u, seen] of v.visible) if (seen.stamp !== stamp) departures.push(u);
    }
    if (arrivals.length + moves.length + roomChanges.length + departures.length === 0) return;

    this.conn = v.conn;
    for (const u of departures) {
      this.disappr.empty(u.wireIdIn(v));
      v.visible.delete(u);
      u.viewers.delete(v);
      v.ids.release(u);
    }
    // Departures first: a short id they free may be given to an arrival just below (§3.3).
    this.disappr.flush();

    for (const u of arrivals) {
      const id = v.ids.acquire(u);
      if (v.ids.fresh) v.conn.send(encodeRegObjId(u.name, id));
      v.visible.set(u, { stamp, room: u.room as Room, posVersion: u.posVersion });
      u.viewers.add(v);
    }
    for (const u of arrivals) this.appear.roomPos(u.wireIdIn(v), (u.room as Room).id, u.x, u.y, u.z, u.dir);
    this.appear.flush();
    for (const u of arrivals) v.conn.sendAll(u.arrivalFrames(u.wireIdIn(v)));

    for (const u of roomChanges) {
      const seen = v.visible.get(u) as { room: Room; posVersion: number };
      seen.room = u.room as Room;
      seen.posVersion = u.posVersion;
      this.roomchng.roomPos(u.wireIdIn(v), (u.room as Room).id, u.x, u.y, u.z, u.dir);
    }
    this.roomchng.flush();

    for (const u of moves) {
      (v.visible.get(u) as { posVersion: number }).posVersion = u.posVersion;
      this.longloc.pos(u.wireIdIn(v), u.x, u.y, u.z, u.dir);
    }
    this.longloc.flush();
    this.conn = null;

    const c = this.counters;
    c.arrivals += arrivals.length;
    c.departures += departures.length;
    c.moves += moves.length;
    c.roomChanges += roomChanges.length;
  }

  /** Tells every viewer of `u` at once that it is gone (logoff), freeing its short ids. */
  static departNow(u: RoomUser, viewers: readonly RoomUser[]): void {
    for (const v of viewers) {
      const frames: Buffer[] = [];
      const batch = new CoBatch('DISAPPR', (f) => frames.push(f));
      batch.empty(u.wireIdIn(v));
      batch.flush();
      v.conn.sendAll(frames);
      v.ids.forget(u);
    }
  }
}

/** Special guests are seen by everyone subscribed to their room, beyond the N nearest (AG-27). */
function addSpecialGuests(v: RoomUser, chosen: RoomUser[]): void {
  const have = new Set(chosen);
  for (const sub of v.subscriptions.values()) {
    for (const g of sub.room.specialGuests) if (g !== v && !have.has(g)) chosen.push(g);
  }
}
