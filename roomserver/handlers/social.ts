// Friends lists and channels on the RoomServer. The client sends BUDDYLISTUPDATE and CHANNEL to its
// most recent connection, which is normally the RoomServer (§1), so both are handled here.

import type { CommandOf } from '../../protocol/commands.js';
import type { LiveSession } from '../session.js';

/** Friends a client may watch: 30 normally, 100 with broadcast privilege (§5.2), plus slack. */
export const MAX_BUDDIES = 200;

export function handleBuddy(s: LiveSession, c: CommandOf<'BUDDYLISTUPDATE'>): void {
  const u = s.user;
  const name = c.buddy;
  if (name === '') return;
  if (c.add && !u.buddies.has(name.toLowerCase()) && u.buddies.size >= MAX_BUDDIES) {
    s.rs.log.trace(`${u.name}: friends list full, ${name} not watched`);
    return;
  }
  // Stand-alone the RoomServer keeps friends lists; behind a UserServer the UserServer does.
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
