// ROOMIDRQ on a UserServer connection (§5.2, AG-15): the galaxy-wide id and the RoomServer that
// serves the room's world, answered with REDIRID; within the RoomRequests limits (issue 6). The
// connection holds every id it was sent until it closes (the client keeps the mapping). A request
// that cannot be answered with an id is answered with a WORLDSMASTER notice (runtime/room-requests).

import { encodeCommand } from '../protocol/codec.js';
import { ObjIds, SERVER_PSEUDO_USER } from '../protocol/constants.js';
import { textFrames } from '../protocol/messages.js';
import { describeRefusal, roomRefusalNotice, RoomRequestGate, type RoomRefusal } from '../runtime/room-requests.js';
import type { Connection } from '../runtime/connection.js';
import type { NoRoomClient } from '../runtime/no-room.js';
import type { UserServer } from './server.js';
import type { ActiveUser } from './users.js';

export class UserServerRooms {
  readonly gate = new RoomRequestGate();

  constructor(private readonly us: UserServer) {}

  /** Answers one room request; true when the client was redirected. */
  request(holder: NoRoomClient, conn: Connection, u: ActiveUser, name: string): boolean {
    const { us } = this;
    const now = Date.now();
    const dir = us.directory;
    const known = dir.idOf(name);
    const refusal = this.gate.admit(
      u.key,
      { isNew: known === undefined, alreadyHeld: dir.holds(holder, known), held: dir.heldBy(holder) },
      us.cfg.rooms,
      now,
    );
    if (refusal) {
      this.refuse(conn, u.name, refusal, now);
      return false;
    }
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
