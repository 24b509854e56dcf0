// Tasks on the running galaxy: broadcast text (the guide's "Broadcasting", without needing a
// privileged client), boot with the 30-minute ban (AG-20), and who is online. They act at once;
// with the UserServer down they say so.

import { SERVER_PSEUDO_USER } from '../../protocol/constants.js';
import { task } from './task.js';
import { done, fail, type AdminResult, type OnlineUser } from './types.js';
import { UsageError, fields, optionalText, text, userName } from './validate.js';

/** Longer text reaches clients in several 200-character lines (protocol/messages.ts). */
export const MAX_BROADCAST_CHARS = 1000;

export interface BroadcastValue {
  text: string;
  roomServers: number;
  directUsers: number;
  otherWorldServer?: string;
}

export const broadcast = task({
  live: 'required',
  parse: (input) => {
    const t = text(fields(input), 'text', MAX_BROADCAST_CHARS).trim();
    if (t === '' || /\p{Cc}/u.test(t)) throw new UsageError('text must be one line of visible characters');
    return { text: t };
  },
  target: (i) => JSON.stringify(i.text),
  async run(ctx, i): Promise<AdminResult<BroadcastValue>> {
    if (!ctx.galaxy) return fail('not-running', 'the UserServer is not running');
    const r = ctx.galaxy.broadcast(SERVER_PSEUDO_USER, i.text);
    const across = r.otherWorldServer ? ` and forwarded to WorldServer ${r.otherWorldServer}` : '';
    return done(
      { text: i.text, ...r },
      `broadcast to ${r.roomServers} RoomServer${r.roomServers === 1 ? '' : 's'} and ${r.directUsers} user${r.directUsers === 1 ? '' : 's'} on the UserServer only${across}`,
    );
  },
});

export const boot = task({
  live: 'required',
  parse: (input) => ({ user: userName(fields(input)) }),
  target: (i) => i.user,
  async run(ctx, i): Promise<AdminResult<{ userName: string; address: string }>> {
    if (!ctx.galaxy) return fail('not-running', 'the UserServer is not running');
    const u = ctx.galaxy.online(i.user);
    if (!u) return fail('not-found', `${i.user} is not logged on`);
    const r = await ctx.galaxy.boot(ctx.by, u.name);
    if (!r.ok) return fail('not-found', r.message);
    return done(
      { userName: u.name, address: u.address },
      `${r.message} Logins as ${u.name} or from ${u.address} are refused for 30 minutes`,
    );
  },
});

export const online = task({
  live: 'required',
  parse: (input) => ({ user: optionalText(fields(input), 'user', 50) }),
  target: (i) => i.user ?? 'everyone',
  async run(ctx, i): Promise<AdminResult<{ users: OnlineUser[] }>> {
    if (!ctx.galaxy) return fail('not-running', 'the UserServer is not running');
    if (i.user === null) {
      const users = ctx.galaxy.onlineUsers().sort((a, b) => a.name.localeCompare(b.name));
      return done({ users }, `${users.length} user${users.length === 1 ? '' : 's'} online`);
    }
    const u = ctx.galaxy.online(i.user);
    if (!u) return fail('not-found', `${i.user} is not logged on`);
    const where = u.worldServer
      ? `on WorldServer ${u.worldServer}`
      : u.roomServers.length
        ? `on RoomServer ${u.roomServers.join(', ')}`
        : 'on the UserServer';
    return done({ users: [u] }, `${u.name} is online from ${u.address} ${where}`);
  },
});
