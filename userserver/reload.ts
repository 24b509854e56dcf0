// UserServer configuration reload (`kill -HUP`, AG-29): everything read at use applies at once
// (Connections, the limits, MothFile, Logging, RedirectGrace, LogoffDelay, PasswordCost, the web
// settings, which RoomServers are sent again, the write-back minutes…); the ports, Server,
// BindAddr, the user database itself, Guests, the Users delay, StatusHttp, StatsSample and the
// redundancy keywords need a restart. AdminPassword applies at once: the admin console hashes a new
// one and ends its sessions (userserver/admin/web/console.ts).

import { MONITORING_RESTART, logReload, planReload, rereadConfig } from '../runtime/reload.js';
import { buildServerProps } from '../runtime/serverprops.js';
import { takePlainPassword } from './admin/web/config.js';
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
  ...MONITORING_RESTART,
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
  backupRetryMs: 'BackupRetry',
  redirectGraceMs: 'RedirectGrace',
  passwordCost: 'PasswordCost',
  logoffDelayMs: 'LogoffDelay',
  databaseRetryMs: 'DatabaseRetry',
  adminPassword: 'AdminPassword',
  adminSessions: 'AdminSessions',
  adminLoginFailures: 'AdminLoginFailures',
  adminSecureCookie: 'AdminSecureCookie',
  healthCheck: 'HealthCheck',
};

/** `kill -HUP`: fresh log files, the configuration, the message of the hour. */
export function hangupUserServer(us: UserServer): void {
  us.log.reopen();
  us.log.event('log files reopened (SIGHUP)', { event: 'reopen' });
  reloadUserServer(us, 'SIGHUP');
  void us.reloadMoth();
}

/** Re-reads the file and applies it; false when the file has a mistake (the old settings stay). */
export function reloadUserServer(us: UserServer, why: string): boolean {
  const fresh = rereadConfig(us.log, us.configPath, loadUserServerConfig);
  if (!fresh) {
    // A plain AdminPassword read before the mistake is not applied: let it go.
    takePlainPassword();
    return false;
  }
  const plan = planReload<UserServerConfig>(us.cfg, fresh, RESTART, KEYWORDS);
  us.cfg = plan.next;
  logReload(us.log, us.configPath, why, plan);
  apply(us, plan.changed);
  for (const f of us.afterReload) f();
  return true;
}

/** What holds configuration values follows the new ones (`changed`: field paths). */
function apply(us: UserServer, changed: ReadonlySet<string>): void {
  const cfg = us.cfg;
  if ([...changed].some((p) => p.startsWith('http.'))) {
    us.serverProps = buildServerProps(cfg.http, us.serverType, null);
    // RoomServers send the same web settings as the UserServer (§6.2): tell them.
    for (const link of us.links) link.sendWelcome();
  }
  us.users.channels.limit = cfg.maxChannelPopulation ?? cfg.maxActiveUsers;
  us.hasher.logN = cfg.passwordCost;
  if (changed.has('logging') && cfg.logging !== us.log.tracing) us.toggleTracing('Logging in the configuration');
  us.log.setJson(cfg.operations.json);
  us.housekeeping.reschedule();
  if (changed.has('userDatabase.writeBackMinutes') && us.accounts) us.scheduleWriteBack();
  us.monitor.monitoring.reconfigured();
  if (cfg.mothFile !== us.moth.path) {
    us.moth.setPath(cfg.mothFile);
    us.moth.watch(() => void us.reloadMoth());
  }
}
