// Friends lists and channels on the RoomServer. The client sends BUDDYLISTUPDATE and CHANNEL to its
// most recent connection, which is normally the RoomServer (§1), so both are handled here.

import type { CommandOf } from '../../protocol/commands.js';
import { encodeCommand } from '../../protocol/codec.js';
import { ObjIds } from '../../protocol/constants.js';
import type { LiveSession } from '../session.js';
import type { RoomServer } from '../server.js';
import type { RoomUser } from '../user.js';

/** Friends a client may watch: 30 normally, 100 with broadcast privilege (§5.2), plus slack. */
export const MAX_BUDDIES = 200;

export function buddyNotify(name: string, state: 0 | 1 | 2): Buffer {
  return encodeCommand({ cmd: 'BUDDYLISTNOTIFY', objId: ObjIds.CLIENT, buddy: name, state });
}

/** Tells everyone watching `u` that it came online (1) or went offline (0). */
export function notifyWatchers(rs: RoomServer, u: RoomUser, state: 0 | 1): void {
  const watchers = rs.world.watchers.get(u.key);
  if (!watchers) return;
  for (const w of watchers) {
    if (w === u) continue;
    w.conn.send(buddyNotify(w.buddies.get(u.key) ?? u.name, state));
  }
}

export function handleBuddy(s: LiveSession, c: CommandOf<'BUDDYLISTUPDATE'>): void {
  const u = s.user;
  const name = c.buddy;
  if (name === '') return;
  const key = name.toLowerCase();
  if (c.add) {
    if (!u.buddies.has(key) && u.buddies.size >= MAX_BUDDIES) {
      s.rs.log.trace(`${u.name}: friends list full, ${name} not watched`);
      return;
    }
    s.rs.world.watch(u, name);
    // The real US answered only for friends online (§5.2 BUDDYLISTNOTIFY).
    if (s.rs.world.byName(name)) u.conn.send(buddyNotify(name, 1));
  } else {
    s.rs.world.unwatch(u, key);
  }
  s.rs.galaxy.buddyChanged(u, name, c.add !== 0);
}

/** §5.2 CHANNEL: the client then re-requests its rooms under the new channel's names. */
export function handleChannel(s: LiveSession, c: CommandOf<'CHANNEL'>): void {
  const u = s.user;
  const next = c.channel;
  if (next === u.channel) return;
  if (next.length === 0 || next.length > 64 || /[<>#]/.test(next)) {
    s.rs.log.trace(`${u.name}: ignored CHANNEL ${JSON.stringify(next)}`);
    return;
  }
  const from = u.channel;
  s.rs.world.channels.leave(from);
  s.rs.world.channels.join(next);
  u.channel = next;
  s.rs.galaxy.channelChanged(u, from);
}
