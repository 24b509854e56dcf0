// ROOMIDRQ on a UserServer connection (§5.2, AG-15): the galaxy-wide id and the RoomServer that
// serves the room's world, answered with REDIRID; within the RoomRequests limits (issue 6). The
// connection holds every id it was sent until it closes (the client keeps the mapping). A request
// that cannot be answered with an id is answered with a WORLDSMASTER notice (runtime/room-requests).
// A room of a channel the other WorldServer serves gets its id and RoomServer there (AG-23).

import { encodeCommand } from '../protocol/codec.js';
import { ObjIds, SERVER_PSEUDO_USER } from '../protocol/constants.js';
import { textFrames } from '../protocol/messages.js';
import { describeRefusal, roomRefusalNotice, RoomRequestGate, type RoomRefusal } from '../runtime/room-requests.js';
import type { Connection } from '../runtime/connection.js';
import type { NoRoomClient } from '../runtime/no-room.js';
import type { RoomsAcross } from './backup/rooms-across.js';
import type { UserServer } from './server.js';
import type { ActiveUser } from './users.js';

export class UserServerRooms {
  readonly gate = new RoomRequestGate();

  constructor(private readonly us: UserServer) {}

  /** Answers one room request; true when the client was redirected (later, for a room of the other WorldServer). */
  request(holder: NoRoomClient, conn: Connection, u: ActiveUser, name: string): boolean | Promise<boolean> {
    const { us } = this;
    const now = Date.now();
    const dir = us.directory;
    const peer = us.backup?.rooms.serves(name) ? us.backup.rooms : null;
    const known = peer ? peer.ids.idOf(name) : dir.idOf(name);
    const alreadyHeld = peer ? peer.ids.holds(holder, known) : dir.holds(holder, known);
    const held = dir.heldBy(holder) + (us.backup?.rooms.ids.heldBy(holder) ?? 0);
    const refusal = this.gate.admit(u.key, { isNew: known === undefined, alreadyHeld, held }, us.cfg.rooms, now);
    if (refusal) {
      this.refuse(conn, u.name, refusal, now);
      return false;
    }
    if (peer) return this.requestThere(peer, holder, conn, u, name);
    const r = dir.assign(name, now);
    if (!r.ok) {
      if (r.exhausted) {
        this.gate.count('exhausted');
        this.refuse(conn, u.name, 'exhausted', now);
      } else {
        // AG-24: nothing to redirect to; the client is told rather than left waiting.
        us.roomRefusals.refused(holder, u.name, conn.remoteAddress, name, r.reason);
      }
      return false;
    }
    dir.hold(holder, r.id);
    conn.send(
      encodeCommand({
        cmd: 'REDIRID',
        objId: ObjIds.CLIENT,
        name,
        room: r.id,
        ip: r.server.usersIp,
        port: r.server.usersPort,
      }),
    );
    return true;
  }

  private async requestThere(
    peer: RoomsAcross,
    holder: NoRoomClient,
    conn: Connection,
    u: ActiveUser,
    name: string,
  ): Promise<boolean> {
    const a = await peer.there(name);
    if (!a.ok) {
      if (a.exhausted) {
        this.gate.count('exhausted');
        this.refuse(conn, u.name, 'exhausted', Date.now());
      } else this.us.roomRefusals.refused(holder, u.name, conn.remoteAddress, name, a.reason);
      return false;
    }
    if (conn.isClosed) {
      peer.abandon(a.id);
      return false;
    }
    peer.ids.hold(holder, a.id);
    conn.send(encodeCommand({ cmd: 'REDIRID', objId: ObjIds.CLIENT, name, room: a.id, ip: a.ip, port: a.port }));
    return true;
  }

  /** The client is told; the log says it once per user and kind (and once for the whole galaxy when ids ran out). */
  refuse(conn: Connection, user: string, kind: RoomRefusal, now: number): void {
    const { us } = this;
    if (this.gate.shouldNotify(conn.id, kind, now))
      conn.sendAll(textFrames(SERVER_PSEUDO_USER, roomRefusalNotice(kind)));
    if (kind === 'exhausted') return this.logExhausted();
    us.logLimit.error(
      user,
      `room request ${kind}`,
      `room request refused (${describeRefusal(kind, us.cfg.rooms)})`,
      conn.remoteAddress,
    );
  }

  /** Once per minute for the whole galaxy, whichever connection or RoomServer asked. */
  logExhausted(): void {
    const { us } = this;
    us.logLimit.error(
      'room ids',
      'room ids exhausted',
      `all ${us.cfg.rooms.maxIds} room ids are in use; new rooms are refused with a notice until ids come back ` +
        `(${us.directory.idsInUse} held by connections and RoomServers, ${us.directory.idsQuiet} in their quiet period; see RoomIds and RoomRequests)`,
      'room ids',
    );
  }
}
