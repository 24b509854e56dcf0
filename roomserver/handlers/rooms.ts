// ROOMIDRQ (§5.2): every room request the server can serve gets exactly one answer whose name is
// byte-identical to the request: ROOMID when this server serves the room, REDIRID when another
// RoomServer does; the connection holds the id from then on (roomserver/room-keeper.ts). Within
// the RoomRequests limits (issue 6); a request that cannot get an id (limits, no id left) is
// answered with a WORLDSMASTER notice instead (runtime/room-requests.ts), once per minute and kind.

import type { CommandOf } from '../../protocol/commands.js';
import { encodeCommand } from '../../protocol/codec.js';
import { ObjIds, SERVER_PSEUDO_USER } from '../../protocol/constants.js';
import { textFrames } from '../../protocol/messages.js';
import { parseRoomName } from '../../protocol/names.js';
import { describe } from '../../runtime/lifecycle.js';
import { describeRefusal, roomRefusalNotice, type RoomRefusal } from '../../runtime/room-requests.js';
import type { LiveSession } from '../session.js';

export function handleRoomIdRequest(s: LiveSession, c: CommandOf<'ROOMIDRQ'>): void {
  const { rs, user } = s;
  if (!parseRoomName(c.name)) {
    rs.log.trace(
      `${user.name}: ROOMIDRQ for ${JSON.stringify(c.name)} is not a World#Room name of at most 240 bytes; ignored`,
    );
    return;
  }
  const now = Date.now();
  const keeper = rs.keeper;
  const known = keeper.idOfName(c.name);
  const refusal = rs.roomRequests.admit(
    user.key,
    { isNew: known === undefined, alreadyHeld: keeper.holds(s, known), held: keeper.heldBy(s) },
    rs.cfg.rooms,
    now,
  );
  if (refusal) return refuseRoom(s, refusal, now);
  rs.galaxy
    .resolveRoom(c.name, user)
    .then((answer) => {
      if (user.conn.isClosed) return;
      switch (answer.kind) {
        case 'here':
          keeper.hold(s, answer.room.id);
          user.conn.send(encodeCommand({ cmd: 'ROOMID', objId: ObjIds.CLIENT, name: c.name, room: answer.room.id }));
          return;
        case 'elsewhere':
          keeper.hold(s, answer.id);
          user.conn.send(
            encodeCommand({
              cmd: 'REDIRID',
              objId: ObjIds.CLIENT,
              name: c.name,
              room: answer.id,
              ip: answer.ip,
              port: answer.port,
            }),
          );
          return;
        case 'none':
          rs.roomRequests.count(answer.exhausted ? 'exhausted' : 'unavailable');
          // AG-24: no server can serve it now (runtime/no-room.ts); exhaustion has a notice of its own.
          if (answer.exhausted) refuseRoom(s, 'exhausted', Date.now(), answer.reason);
          else rs.roomRefusals.refused(s, user.name, user.conn.remoteAddress, c.name, answer.reason);
          return;
      }
    })
    .catch((err: unknown) => rs.log.error(user.name, `room request for ${c.name} failed: ${describe(err)}`));
}

/** The client is told (once per minute and kind); the log says it once per minute and user (or server). */
function refuseRoom(s: LiveSession, kind: RoomRefusal, now: number, reason?: string): void {
  const { rs, user } = s;
  if (rs.roomRequests.shouldNotify(user.conn.id, kind, now))
    user.conn.sendAll(textFrames(SERVER_PSEUDO_USER, roomRefusalNotice(kind)));
  if (kind === 'exhausted')
    rs.logLimit.error(
      'room ids',
      'room ids exhausted',
      `${reason ?? 'no room id left'}; new rooms are refused with a notice until ids come back (see RoomIds and RoomRequests)`,
      'room ids',
    );
  else
    rs.logLimit.error(
      user.name,
      `room request ${kind}`,
      `room request refused (${reason ?? describeRefusal(kind, rs.cfg.rooms)})`,
      user.conn.remoteAddress,
    );
}
