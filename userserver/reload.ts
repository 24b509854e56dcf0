// UserServer configuration reload (`kill -HUP`, AG-29): everything read at use applies at once
// (Connections, the limits, MothFile, Logging, RedirectGrace, LogoffDelay, PasswordCost, the web
// settings, which RoomServers are sent again, the write-back minutes…); the ports, Server,
// BindAddr, the user database itself, Guests, the Users delay and the redundancy keywords need a
// restart.

import { logReload, planReload, rereadConfig } from '../runtime/reload.js';
import { loadUserServerConfig, type UserServerConfig } from './config.js';
import type { UserServer } from './server.js';

const RESTART = [
  'serverName',
  'usersPort',
  'delayMinutes',
  'bindAddr',
  'roomServersPort',
  'userDatabase.user',
  'userDatabase.password',
  'userDatabase.service',
  'guests',
  'backup',
  'channelSuffix',
  'operations.transports',
];

const KEYWORDS: Record<string, string> = {
  delayMinutes: 'Users',
  roomServersPort: 'RoomServers',
  roomServersPassword: 'RoomServers',
  userDatabase: 'UserDatabase',
  guests: 'Guests',
  maxConnections: 'Connections',
  maxActiveUsers: 'Connections',
  backup: 'BackupServer/BackupClient',
  channelSuffix: 'ChannelSuffix',
  redirectGraceMs: 'RedirectGrace',
  passwordCost: 'PasswordCost',
  logoffDelayMs: 'LogoffDelay',
  databaseRetryMs: 'DatabaseRetry',
};

/** Re-reads the file and applies it; false when the file has a mistake (the old settings stay). */
export function reloadUserServer(us: UserServer, why: string): boolean {
  const fresh = rereadConfig(us.log, us.configPath, loadUserServerConfig);
  if (!fresh) return false;
  const plan = planReload<UserServerConfig>(us.cfg, fresh, RESTART, KEYWORDS);
  us.cfg = plan.next;
  logReload(us.log, us.configPath, why, plan);
  us.applyConfig(plan.changed);
  return true;
}
