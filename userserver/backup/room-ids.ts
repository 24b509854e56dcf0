// Room ids of the other WorldServer's half held on this side (protocol/BACKUP.md "Room ids"). A
// room of a channel the other side serves gets its id there; this UserServer hands it on (REDIRID
// from a client connection, ROOM_ANS to a RoomServer) and, like a RoomServer towards its
// UserServer, holds it for them until none refers to it, then releases it with the count of
// answers it had received (ROOM_RELEASE). After the link broke and formed again, the ids still
// held are announced (ROOM_HOLD), so that the other side, restarted or not, keeps them for their
// rooms. Pure.

import { RefTracker } from '../../runtime/ref-tracker.js';

export interface PeerRelease {
  room: number;
  /** Answers naming the id received from the other side, to be released there. */
  grants: number;
}

export class PeerRoomIds {
  private readonly names = new Map<number, string>();
  private readonly ids = new Map<string, number>();
  /** Holders: client connections and RoomServer links of this side. */
  private readonly refs = new RefTracker<object>();
  /** Answers naming an id sent to each RoomServer and not yet released by it. */
  private readonly grants = new Map<object, Map<number, number>>();
  /** Answers naming each id received from the other side and not yet released to it. */
  private readonly told = new Map<number, number>();

  /** Ids held on this side. */
  get size(): number {
    return this.refs.size;
  }

  idOf(name: string): number | undefined {
    return this.ids.get(name);
  }

  holds(holder: object, id: number | undefined): boolean {
    return id !== undefined && this.refs.holds(holder, id);
  }

  heldBy(holder: object): number {
    return this.refs.heldBy(holder);
  }

  /** The other side answered a room request: `name` has `id` there. */
  answered(id: number, name: string): void {
    const before = this.names.get(id);
    if (before !== undefined && before !== name) this.ids.delete(before);
    this.names.set(id, name);
    this.ids.set(name, id);
    this.told.set(id, (this.told.get(id) ?? 0) + 1);
  }

  /** An answer nobody could be given (the asker left meanwhile): released unless someone holds the id. */
  abandon(id: number): PeerRelease | null {
    return this.refs.count(id) === 0 ? this.free(id) : null;
  }

  /** A RoomServer was sent the id (ROOM_ANS): it holds it until it releases every such answer. */
  grant(server: object, id: number): void {
    let g = this.grants.get(server);
    if (!g) {
      g = new Map();
      this.grants.set(server, g);
    }
    g.set(id, (g.get(id) ?? 0) + 1);
    this.refs.add(server, id);
  }

  /** A client connection was sent the id (REDIRID): it holds it until it closes. */
  hold(holder: object, id: number): void {
    this.refs.add(holder, id);
  }

  /** ROOM_RELEASE from a RoomServer; what to release to the other side, if anything. */
  release(server: object, id: number, seen: number): PeerRelease | null {
    const g = this.grants.get(server);
    const sent = g?.get(id);
    if (!g || sent === undefined) return null;
    if (seen < sent) {
      g.set(id, sent - seen);
      return null;
    }
    g.delete(id);
    return this.refs.drop(server, id) ? this.free(id) : null;
  }

  /** A client connection closed or a RoomServer left: what to release to the other side. */
  dropHolder(holder: object): PeerRelease[] {
    this.grants.delete(holder);
    const out: PeerRelease[] = [];
    for (const id of this.refs.dropHolder(holder)) {
      const r = this.free(id);
      if (r) out.push(r);
    }
    return out;
  }

  private free(id: number): PeerRelease | null {
    const name = this.names.get(id);
    if (name !== undefined) this.ids.delete(name);
    this.names.delete(id);
    const grants = this.told.get(id) ?? 0;
    this.told.delete(id);
    return grants > 0 ? { room: id, grants } : null;
  }

  /** The link broke: answers in flight are lost with it, and the other side forgot what we held. */
  linkLost(): void {
    this.told.clear();
  }

  /** The link formed: every id still held, to announce (each counts as one answer received). */
  stillHeld(): { room: number; name: string }[] {
    const out: { room: number; name: string }[] = [];
    for (const [id, name] of this.names) {
      if (this.refs.count(id) === 0) continue;
      this.told.set(id, 1);
      out.push({ room: id, name });
    }
    return out;
  }
}
