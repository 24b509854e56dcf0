// RoomServer configuration reload (AG-29): before every reconnection to a lost UserServer, and on
// `kill -HUP`. Everything the server reads at use applies at once (limits, Connections,
// ClientUpdates, CrowdHysteresis, TickBudget, HeapGrowth (0 keeps the factor last set), Access, MothFile, Logging, the web settings, MaxChannelPopulation, the report and
// rotation keywords…); World, PublicAddress and the UserServer line reach the UserServer with the
// next link handshake (at once when the link is down); the ports, Server, BindAddr, IoThread, AcceptSlots, RoomDatabase,
// LogTransport, StatusHttp and StatsSample need a restart, and so does adding or removing the
// UserServer line.

import { setHeapGrowth } from '../runtime/heap-growth.js';
import { MONITORING_RESTART, logReload, planReload, rereadConfig } from '../runtime/reload.js';
import { loadRoomServerConfig, type RoomServerConfig } from './config.js';
import { LinkedGalaxy } from './link.js';
import type { RoomServer } from './server.js';

const RESTART = [
  'serverName',
  'usersPort',
  'bindAddr',
  'ioThread',
  'acceptSlots',
  'roomDatabase',
  'operations.transports',
  ...MONITORING_RESTART,
];

const KEYWORDS: Record<string, string> = {
  maxAvatars: 'ClientUpdates',
  updateIntervalUs: 'ClientUpdates',
  userServer: 'UserServer',
  worlds: 'World',
  maxOrdinary: 'Connections',
  maxPriority: 'Connections',
  roomDatabase: 'RoomDatabase',
  accessPrefix: 'Access',
  publicAddress: 'PublicAddress',
  linkRetryMs: 'LinkRetry',
  crowd: 'CrowdHysteresis',
  tickBudgetShare: 'TickBudget',
  loopBusyShare: 'TickBudget',
  heapGrowthPercent: 'HeapGrowth',
  ioThread: 'IoThread',
  acceptSlots: 'AcceptSlots',
};

/** What the UserServer only learns in the link handshake. */
const AT_HANDSHAKE = new Set(['UserServer', 'World', 'PublicAddress']);

/** Re-reads the file and applies it; false when the file has a mistake (the old settings stay). */
export function reloadRoomServer(rs: RoomServer, why: string): boolean {
  const fresh = rereadConfig(rs.log, rs.configPath, loadRoomServerConfig);
  if (!fresh) return false;
  const old = rs.cfg;
  // A linked RoomServer cannot become stand-alone (or the reverse) without a restart.
  const restart = (old.userServer === null) !== (fresh.userServer === null) ? [...RESTART, 'userServer'] : RESTART;
  const plan = planReload<RoomServerConfig>(old, fresh, restart, KEYWORDS);
  if (!old.userServer !== !fresh.userServer)
    rs.log.error(
      rs.configPath,
      fresh.userServer
        ? 'a UserServer line was added; restart the RoomServer to join that galaxy'
        : 'the UserServer line is gone; restart the RoomServer to run it stand-alone',
    );
  rs.cfg = plan.next;
  const cfg = plan.next;
  const c = plan.changed;
  const linkUp = rs.galaxy instanceof LinkedGalaxy && rs.galaxy.isUp;
  const later = linkUp ? plan.applied.filter((k) => AT_HANDSHAKE.has(k)) : [];
  const now = plan.applied.filter((k) => !later.includes(k));
  logReload(rs.log, rs.configPath, why, { ...plan, applied: now }, later, why === 'SIGHUP');
  if (c.has('userServer.host') || c.has('userServer.port') || c.has('userServer.name')) {
    const us = cfg.userServer;
    if (us) rs.log.event(`UserServer line changed: now ${us.host}:${us.port} as ${us.name}`);
  }
  if (c.has('updateIntervalUs')) rs.ticker.setIntervalMs(cfg.updateIntervalUs / 1000);
  if (c.has('tickBudgetShare') || c.has('loopBusyShare'))
    rs.ticker.setBudgetShare(cfg.tickBudgetShare, cfg.loopBusyShare);
  rs.ticker.updater.policy = cfg.crowd;
  if (c.has('heapGrowthPercent')) setHeapGrowth(cfg.heapGrowthPercent);
  rs.refreshServerProps();
  rs.world.channels.limit = rs.channelLimit();
  if (c.has('logging') && cfg.logging !== rs.log.tracing) rs.toggleTracing('Logging in the configuration');
  if (c.has('limits.sendQueueBytes') || c.has('limits.drainTimeoutMs')) rs.socketLimitsChanged();
  rs.log.setJson(cfg.operations.json);
  rs.housekeeping.reschedule();
  rs.monitoring.reconfigured();
  if (cfg.mothFile !== rs.moth.path) {
    rs.moth.setPath(cfg.mothFile);
    rs.moth.watch(() => void rs.reloadMoth());
  }
  void rs.reloadMoth();
  return true;
}

/** `kill -HUP`: fresh log files, the configuration, the message of the hour. */
export function hangupRoomServer(rs: RoomServer): void {
  rs.log.reopen();
  rs.log.event('log files reopened (SIGHUP)', { event: 'reopen' });
  if (!reloadRoomServer(rs, 'SIGHUP')) void rs.reloadMoth();
}
