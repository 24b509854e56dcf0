// The running galaxy as administration sees it: the UserServer's active users, its router's boot
// (AG-20, the same path as `!boot` from a client) and broadcast (AG-18).

import type { UserServer } from '../server.js';
import type { ActiveUser } from '../users.js';
import type { LiveGalaxy, OnlineUser } from './types.js';

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
      return u ? view(u) : null;
    },
    onlineUsers: () => [...us.users.all()].map(view),
    // Awaited: the boot may become a database write (bans that survive a restart).
    boot: async (by, name) => await us.router.boot(by, name),
    broadcast(from, text) {
      let directUsers = 0;
      for (const u of us.users.all()) if (u.servers.size === 0 && u.client) directUsers++;
      us.router.broadcast(from, text, null);
      return { roomServers: us.links.size, directUsers };
    },
  };
}
