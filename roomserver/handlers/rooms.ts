// ROOMIDRQ (§5.2): every room request gets exactly one answer whose name is byte-identical to the
// request: ROOMID when this server serves the room, REDIRID when another RoomServer does.

import type { CommandOf } from '../../protocol/commands.js';
import { encodeCommand } from '../../protocol/codec.js';
import { ObjIds } from '../../protocol/constants.js';
import { parseRoomName } from '../../protocol/names.js';
import { describe } from '../../runtime/lifecycle.js';
import type { LiveSession } from '../session.js';

/** Distinct room names one connection may ask for; guards the 65535 room ids against a flood. */
export const MAX_ROOM_REQUESTS = 2000;

export function handleRoomIdRequest(s: LiveSession, c: CommandOf<'ROOMIDRQ'>): void {
  const { rs, user } = s;
  if (!parseRoomName(c.name)) {
    rs.log.trace(
      `${user.name}: ROOMIDRQ for ${JSON.stringify(c.name)} is not a World#Room name of at most 240 bytes; ignored`,
    );
    return;
  }
  if (++s.roomRequests > MAX_ROOM_REQUESTS) {
    if (s.roomRequests === MAX_ROOM_REQUESTS + 1)
      rs.logLimit.error(
        user.name,
        'room requests',
        `more than ${MAX_ROOM_REQUESTS} room requests; further ones ignored`,
        user.conn.remoteAddress,
      );
    return;
  }
  rs.galaxy
    .resolveRoom(c.name, user)
    .then((answer) => {
      if (user.conn.isClosed) return;
      switch (answer.kind) {
        case 'here':
          user.conn.send(encodeCommand({ cmd: 'ROOMID', objId: ObjIds.CLIENT, name: c.name, room: answer.room.id }));
          return;
        case 'elsewhere':
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
          rs.roomRefusals.refused(s, user.name, user.conn.remoteAddress, c.name, answer.reason);
          return;
      }
    })
    .catch((err: unknown) => rs.log.error(user.name, `room request for ${c.name} failed: ${describe(err)}`));
}
