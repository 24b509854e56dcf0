// Subscriptions and movement (§5.2, §6.5). Nothing is relayed from here: handlers only update the
// world, and the next tick tells each viewer what changed (ARCHITECTURE.md "A position").

import type { CommandOf } from '../../protocol/commands.js';
import { propUpdFrames } from '../../protocol/messages.js';
import type { Room } from '../room.js';
import type { LiveSession } from '../session.js';

/** Rooms one client may subscribe to at once (the real client used 9 in GroundZero). */
export const MAX_SUBSCRIPTIONS = 64;

/**
 * Runs `use` with the room of this id. A room the UserServer redirected the client to may be
 * unknown here yet: the client's commands wait (in order) while the UserServer is asked.
 */
function withRoom(s: LiveSession, id: number, what: string, use: (room: Room) => void): void {
  // A room that left memory while its id stayed comes back (with its stored state).
  const room = s.rs.world.rooms.byRoomId(id) ?? s.rs.keeper.recall(id);
  if (room) return held(s, room, use);
  const lookup = s.rs.galaxy.lookupRoom(id);
  if (!lookup) {
    s.rs.log.trace(`${s.user.name}: ${what} for unknown room ${id} ignored`);
    return;
  }
  s.conn.hold();
  lookup
    .then((found) => {
      if (s.conn.isClosed || !s.isLive()) return;
      if (found) held(s, found, use);
      else s.rs.log.trace(`${s.user.name}: ${what} for room ${id}, which this RoomServer does not serve; ignored`);
    })
    .catch((err: unknown) =>
      s.conn.close({ kind: 'protocol', detail: `${what} for room ${id} failed: ${String(err)}` }),
    )
    .finally(() => s.conn.release());
}

/** A room a connection uses is one its client refers to: the connection holds its id (room-keeper). */
function held(s: LiveSession, room: Room, use: (room: Room) => void): void {
  s.rs.keeper.hold(s, room.id);
  use(room);
}

export function handleSubscribe(s: LiveSession, c: CommandOf<'SUBSCRIB'>): void {
  withRoom(s, c.room, 'SUBSCRIB', (room) => subscribe(s, c, room));
}

function subscribe(s: LiveSession, c: CommandOf<'SUBSCRIB'>, room: Room): void {
  const u = s.user;
  const known = u.subscriptions.get(c.room);
  if (!known && u.subscriptions.size >= MAX_SUBSCRIPTIONS) {
    s.rs.logLimit.error(
      u.name,
      'subscriptions',
      `more than ${MAX_SUBSCRIPTIONS} rooms subscribed; ${room.name} ignored`,
      s.conn.remoteAddress,
    );
    return;
  }
  u.subscriptions.set(c.room, { room, x: c.x, y: c.y, z: c.z, distance: c.distance });
  if (known) return;
  room.subscribers.add(u);
  // §6.6: replay the room's shared-object state to a new subscriber.
  if (room.shared.size > 0) {
    const { frames } = propUpdFrames(room.name, [...room.shared.values()]);
    u.conn.sendAll(frames);
  }
}

export function handleUnsubscribe(s: LiveSession, c: CommandOf<'UNSUBSCR'>): void {
  const sub = s.user.subscriptions.get(c.room);
  if (!sub) return;
  s.user.subscriptions.delete(c.room);
  sub.room.subscribers.delete(s.user);
}

export function handleSubDist(s: LiveSession, c: CommandOf<'SUBDIST'>): void {
  const sub = s.user.subscriptions.get(c.room);
  if (sub) sub.distance = c.distance;
}

/** Room 0 = leaving this server's rooms (§5.2 TELEPORT); otherwise entering room `c.room`. */
export function handleTeleport(s: LiveSession, c: CommandOf<'TELEPORT'>): void {
  const w = s.rs.world;
  if (c.room === 0) {
    w.unplace(s.user);
    return;
  }
  withRoom(s, c.room, 'TELEPORT', (room) => w.place(s.user, room, c.x, c.y, c.z, c.dir));
}

export function handleRoomChange(s: LiveSession, c: CommandOf<'ROOMCHNG'>): void {
  withRoom(s, c.room, 'ROOMCHNG', (room) => s.rs.world.place(s.user, room, c.x, c.y, c.z, c.dir));
}

export function handleLongLoc(s: LiveSession, c: CommandOf<'LONGLOC'>): void {
  s.rs.world.move(s.user, c.x, c.y, c.z, c.dir);
}
