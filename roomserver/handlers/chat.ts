// Chat (§5.2 TEXT, WHISPER; AG-18, AG-20, AG-27). TEXT is heard by everyone whose client shows the
// speaker, and echoed to the speaker (the client prints only what comes back). A WHISPER goes to
// one user here or, through the galaxy, elsewhere. A whisper to the long id `world` or `room` from a
// user with broadcast privilege is the client's Broadcast menu; `!boot Name` sent that way boots
// (protocol/BROADCAST.md).

import type { CommandOf } from '../../protocol/commands.js';
import { BROADCAST_TARGET, Priv, SERVER_PSEUDO_USER } from '../../protocol/constants.js';
import { textFrames, whisperFrames } from '../../protocol/messages.js';
import { describe } from '../../runtime/lifecycle.js';
import type { LiveSession } from '../session.js';
import type { RoomServer } from '../server.js';
import type { RoomUser } from '../user.js';

export function notice(u: RoomUser, text: string): void {
  u.conn.sendAll(textFrames(SERVER_PSEUDO_USER, text));
}

/** AG-45 chat flood limit: lines beyond the window's allowance are dropped, with one notice. */
function allowChat(rs: RoomServer, u: RoomUser): boolean {
  const now = Date.now();
  const lim = rs.cfg.limits;
  if (now - u.chatWindowStart >= lim.chatWindowMs) {
    u.chatWindowStart = now;
    u.chatWindowLines = 0;
    u.chatWarned = false;
  }
  if (++u.chatWindowLines <= lim.chatLines) return true;
  rs.counts.chatDropped++;
  if (!u.chatWarned) {
    u.chatWarned = true;
    rs.logLimit.error(
      u.name,
      'chat flood',
      `chat flood: more than ${lim.chatLines} lines in ${lim.chatWindowMs / 1000} s; dropping`,
      u.conn.remoteAddress,
    );
    notice(u, 'You are sending text too fast; some of it was not delivered.');
  }
  return false;
}

export function handleText(s: LiveSession, c: CommandOf<'TEXT'>): void {
  const { rs, user: u } = s;
  if (c.text === '' || !allowChat(rs, u)) return;
  u.textMessages++;
  rs.counts.chatLines++;
  const frames = textFrames(u.name, c.text);
  u.conn.sendAll(frames);
  if (u.specialGuest) {
    // AG-27: special guests are heard by everyone on the server.
    for (const v of rs.world.users.values()) if (v !== u) v.conn.sendAll(frames);
    return;
  }
  for (const v of u.viewers) v.conn.sendAll(frames);
}

export function canBroadcast(u: RoomUser): boolean {
  return (u.privileges & Priv.BROADCAST) !== 0 || u.priority;
}

export function handleWhisper(s: LiveSession, c: CommandOf<'WHISPER'>): void {
  const { rs, user: u } = s;
  if (c.text === '') return;
  let target: string | null = null;
  if (typeof c.objId === 'string') target = c.objId;
  else target = rs.world.byShortId(u, c.objId)?.name ?? null;
  if (target === null || target === '') {
    rs.log.trace(`${u.name}: WHISPER to objid ${String(c.objId)} has no recipient; ignored`);
    return;
  }
  if (!allowChat(rs, u)) return;
  const scope = target.toLowerCase();
  if ((scope === BROADCAST_TARGET.WORLD || scope === BROADCAST_TARGET.ROOM) && canBroadcast(u)) {
    broadcast(rs, u, scope, c.text);
    return;
  }
  const local = rs.world.byName(target);
  if (local) {
    rs.counts.whispersLocal++;
    local.conn.sendAll(whisperFrames(u.name, c.text));
    return;
  }
  const to = target;
  rs.galaxy
    .whisperElsewhere(u, to, c.text)
    .then((r) => {
      if (r.delivered) rs.counts.whispersOut++;
      else rs.counts.whispersUndeliverable++;
      if (r.delivered || u.conn.isClosed) return;
      rs.logLimit.error(
        u.name,
        'undeliverable whisper',
        `undeliverable whisper dropped - ${r.reason ?? `${to} is not logged on`}`,
        u.conn.remoteAddress,
      );
      notice(u, `${to} is not logged on.`);
    })
    .catch((err: unknown) =>
      rs.logLimit.error(u.name, 'whisper failed', `whisper to ${to} failed: ${describe(err)}`, u.conn.remoteAddress),
    );
}

function broadcast(rs: RoomServer, u: RoomUser, scope: string, text: string): void {
  const boot = /^!boot\s+(\S+)\s*$/i.exec(text);
  if (boot) {
    const name = boot[1] as string;
    rs.galaxy
      .boot(u, name)
      .then((r) => {
        rs.log.event(`${u.name} booted ${name}: ${r.message}`, { event: 'boot', user: name });
        if (!u.conn.isClosed) u.conn.sendAll(whisperFrames(SERVER_PSEUDO_USER, r.message));
      })
      .catch((err: unknown) => rs.log.error(u.name, `boot of ${name} failed: ${describe(err)}`));
    return;
  }
  const frames = textFrames(u.name, text);
  if (scope === BROADCAST_TARGET.ROOM) {
    const room = u.room;
    u.conn.sendAll(frames);
    if (room) for (const v of room.subscribers) if (v !== u) v.conn.sendAll(frames);
    return;
  }
  for (const v of rs.world.users.values()) v.conn.sendAll(frames);
  rs.galaxy.broadcastElsewhere(u, text);
  rs.log.event(`broadcast by ${u.name}: ${text}`, { event: 'broadcast', user: u.name, address: u.conn.remoteAddress });
}
