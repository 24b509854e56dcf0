// The running galaxy as administration sees it: the UserServer's active users, its router's boot
// (AG-20, the same path as `!boot` from a client) and broadcast (AG-18); on a redundant pair also
// the users of the other WorldServer, which boot and broadcast reach too (AG-23).

import type { PeerUser } from '../backup/roster.js';
import type { UserServer } from '../server.js';
import type { ActiveUser } from '../users.js';
import type { LiveGalaxy, OnlineUser } from './types.js';

function viewThere(u: PeerUser, worldServer: string): OnlineUser {
  return {
    name: u.name,
    kind: u.kind,
    address: u.address,
    loginAt: new Date(u.loginAt),
    privileges: u.privileges,
    roomServers: [],
    worldServer,
  };
}

function view(u: ActiveUser): OnlineUser {
  return {
    name: u.name,
    kind: u.kind,
    address: u.address,
    loginAt: u.loginAt,
    privileges: u.privileges,
    roomServers: [...u.servers].map((s) => s.name),
  };
}

export function liveGalaxy(us: UserServer): LiveGalaxy {
  return {
    online(name) {
      const u = us.users.get(name.toLowerCase());
      if (u) return view(u);
      const there = us.backup?.roster.get(name.toLowerCase());
      return there ? viewThere(there, us.backup?.peerName ?? '?') : null;
    },
    onlineUsers: () => [
      ...[...us.users.all()].map(view),
      ...(us.backup?.onlineThere().map((u) => viewThere(u, us.backup?.peerName ?? '?')) ?? []),
    ],
    // Awaited: the boot may become a database write (bans that survive a restart).
    boot: async (by, name) => await us.router.boot(by, name),
    broadcast(from, text) {
      let directUsers = 0;
      for (const u of us.users.all()) if (u.servers.size === 0 && u.client) directUsers++;
      const across = us.router.broadcast(from, text);
      const other = across ? us.backup?.peerName : null;
      return { roomServers: us.links.size, directUsers, ...(other ? { otherWorldServer: other } : {}) };
    },
  };
}
