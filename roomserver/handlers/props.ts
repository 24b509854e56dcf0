// Properties (§5.2 PROPREQ, PROPSET, PROPUPD; §6.2). PROPREQ is answered with a PROPUPD addressed
// the same way the request was. PROPSET on the user himself is pushed to everyone who shows him;
// PROPSET on the current room (253) or a room's long id becomes shared room state, pushed to every
// subscriber of the room, the sender included, and replayed to later subscribers, within the
// SharedState caps (roomserver/shared-state.ts): what is refused is neither stored nor echoed.

import type { CommandOf } from '../../protocol/commands.js';
import { ObjIds, Priv, PropAccess, SERVER_OWNED_PROPERTIES, Var } from '../../protocol/constants.js';
import { propUpdFrames } from '../../protocol/messages.js';
import type { NewProp } from '../../protocol/props.js';
import type { ObjId } from '../../protocol/wire.js';
import type { Room } from '../room.js';
import { describeSharedRefusal, storeShared, type SharedRefusal } from '../shared-state.js';
import type { LiveSession, Session } from '../session.js';
import type { RoomServer } from '../server.js';
import type { RoomUser } from '../user.js';

const SERVER_OWNED = SERVER_OWNED_PROPERTIES;
/** §5.2 PROPSET: an avatar URL is at most 220 characters. */
const MAX_AVATAR_CHARS = 220;

function only(props: readonly NewProp[], ids: readonly number[]): NewProp[] {
  return ids.length === 0 ? [...props] : props.filter((p) => ids.includes(p.id));
}

function sendProps(rs: RoomServer, to: RoomUser | Session, objId: ObjId, props: readonly NewProp[]): void {
  const { frames, dropped } = propUpdFrames(objId, props);
  for (const p of dropped)
    rs.logLimit.error(
      String(objId),
      'too large to send',
      `property ${p.id} too large to send to ${to.conn.label}; skipped`,
    );
  to.conn.sendAll(frames);
}

/** §6.2: the answer to `03 FF 0A`, addressed to objid 255. */
export function sendServerProps(s: Session, ids: readonly number[]): void {
  sendProps(s.rs, s, ObjIds.PO, only(s.rs.serverProps, ids));
}

export function handlePropReq(s: LiveSession, c: CommandOf<'PROPREQ'>): void {
  const { rs, user: u } = s;
  if (c.objId === ObjIds.PO) return sendServerProps(s, c.ids);
  if (typeof c.objId === 'number') {
    const target = rs.world.byShortId(u, c.objId);
    if (target) sendProps(rs, u, c.objId, only(target.publicProps(), c.ids));
    return;
  }
  const user = rs.world.byName(c.objId);
  if (user) return sendProps(rs, u, c.objId, only(user.publicProps(), c.ids));
  const room = rs.world.rooms.byRoomName(c.objId);
  if (room) return sendProps(rs, u, c.objId, only([...room.shared.values()], c.ids));
  rs.log.trace(`${u.name}: PROPREQ for unknown object ${JSON.stringify(c.objId)}`);
}

export function handlePropSet(s: LiveSession, c: CommandOf<'PROPSET'>): void {
  const { rs, user: u } = s;
  if (c.props.length === 0) return;
  if (c.objId === ObjIds.CLIENT) return setOwnProps(rs, u, c.props);
  if (c.objId === ObjIds.CURRENT_ROOM) {
    if (u.room) setShared(rs, u, u.room, c.props);
    else rs.log.trace(`${u.name}: PROPSET on current room while in no room ignored`);
    return;
  }
  if (typeof c.objId === 'number') {
    rs.log.trace(`${u.name}: PROPSET on objid ${c.objId} ignored`);
    return;
  }
  const room = rs.world.rooms.byRoomName(c.objId);
  // Only a room this connection was given (its id) can be one the client shows (§6.6).
  if (room && rs.keeper.holds(s, room.id)) return setShared(rs, u, room, c.props);
  if (room) {
    rs.log.trace(`${u.name}: PROPSET on ${room.name}, which this connection does not hold, ignored`);
    return;
  }
  const other = rs.world.byName(c.objId);
  if (other && other !== u) return setOthersProps(rs, u, other, c.props);
  if (other === u) return setOwnProps(rs, u, c.props);
  rs.log.trace(`${u.name}: PROPSET on unknown object ${JSON.stringify(c.objId)} ignored`);
}

/** The user's own properties changed: here (PROPSET objid 1) or on the UserServer connection. */
export function setOwnProps(rs: RoomServer, u: RoomUser, props: readonly NewProp[], fromUserServer = false): void {
  const accepted: NewProp[] = [];
  for (const p of props) {
    if (SERVER_OWNED.has(p.id)) {
      rs.log.trace(`${u.name}: PROPSET of server-owned property ${p.id} ignored`);
      continue;
    }
    if (p.id === Var.BITMAP && (typeof p.value !== 'string' || p.value.length > MAX_AVATAR_CHARS)) {
      rs.logLimit.error(
        u.name,
        'avatar refused',
        `avatar property refused (not text of at most ${MAX_AVATAR_CHARS} characters)`,
        u.conn.remoteAddress,
      );
      continue;
    }
    u.setProp(p);
    accepted.push(p);
  }
  if (accepted.length === 0) return;
  for (const v of u.viewers) sendProps(rs, v, viewerObjId(u, v), accepted);
  if (!fromUserServer) rs.galaxy.propsChanged(u, accepted);
}

/** Shared attributes of another user's avatar: only unowned ones, unless the setter may set any. */
function setOthersProps(rs: RoomServer, u: RoomUser, other: RoomUser, props: readonly NewProp[]): void {
  const mayAll = (u.privileges & Priv.PROPERTY) !== 0;
  const accepted = props.filter((p) => {
    if (SERVER_OWNED.has(p.id)) return false;
    if (mayAll) return true;
    if (p.id === Var.BITMAP || p.id === Var.ASLEEP) return false;
    const current = other.props.get(p.id);
    return !current || (current.access & PropAccess.POSSESS) === 0;
  });
  if (accepted.length === 0) {
    rs.log.trace(`${u.name}: PROPSET on ${other.name} refused`);
    return;
  }
  for (const p of accepted) other.setProp(p);
  for (const v of other.viewers) sendProps(rs, v, viewerObjId(other, v), accepted);
}

function setShared(rs: RoomServer, u: RoomUser, room: Room, props: readonly NewProp[]): void {
  const stored: NewProp[] = [];
  let refused: { p: NewProp; why: SharedRefusal } | null = null;
  for (const p of props) {
    const why = storeShared(room, p, rs.cfg.sharedState, rs.sharedLedger);
    if (why) refused ??= { p, why };
    else stored.push(p);
  }
  if (refused) logRefusal(rs, u, room, refused.p, refused.why);
  if (stored.length === 0) return;
  room.sharedDirty = true;
  // Addressed by the room's long id, never 253 (§3.3); the sender gets its echo too.
  const { frames } = propUpdFrames(room.name, stored);
  for (const v of room.subscribers) v.conn.sendAll(frames);
  if (!room.subscribers.has(u)) u.conn.sendAll(frames);
}

/** Once per minute per user and cap. */
function logRefusal(rs: RoomServer, u: RoomUser, room: Room, p: NewProp, why: SharedRefusal): void {
  rs.logLimit.error(
    u.name,
    `shared state ${why}`,
    `shared property ${p.id} of ${room.name} refused, not stored: ${describeSharedRefusal(why, rs.cfg.sharedState)} (SharedState)`,
    u.conn.remoteAddress,
  );
}

function viewerObjId(u: RoomUser, v: RoomUser): ObjId {
  return v.visible.get(u)?.id || u.name;
}
