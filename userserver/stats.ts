// Every stat of the UserServer (AG-41), `userserver.<Server>.*`, its health and what its status page
// shows, including the panel of the whole galaxy (userserver/galaxy-load.ts). The hot paths bump
// plain fields (UserServerCounts here, connectionTotals, linkTotals); this file says how to read them.

import { DatabaseHealth } from '../runtime/db-health.js';
import { DbMeter, registerDbStats } from '../runtime/db/metered.js';
import type { Database } from '../runtime/db/types.js';
import type { HealthState } from '../runtime/http/status-routes.js';
import { linkTotals } from '../runtime/link-channel.js';
import { Monitoring } from '../runtime/monitoring.js';
import { registerProtectionStats } from '../runtime/protection-stats.js';
import {
  LoginCounts,
  SESSION_STATES,
  perTurn,
  registerConnectionStats,
  registerLoginStats,
} from '../runtime/server-stats.js';
import { PROCESS_STATUS, type StatusSpec } from '../runtime/status-history.js';
import { ConsoleCounts, registerConsoleStats } from './admin/web/counts.js';
import { GalaxyLoad } from './galaxy-load.js';
import { registerLoginLimitStats, registerSignupStats } from './protection-stats.js';
import { SignupCounters } from './signup/signup.js';
import type { UserServer } from './server.js';

/** Events the UserServer counts: one addition each, read when sampled. */
export class UserServerCounts extends LoginCounts {
  registrations = 0;
  guestLogins = 0;
  /** Logins RoomServers asked the UserServer to check (clients logging in to a RoomServer). */
  roomServerLogins = 0;
  roomServerLoginsRefused = 0;
  /** Whispers delivered to their recipient's RoomServer or UserServer connection. */
  whispersRouted = 0;
  whispersUndeliverable = 0;
  readonly db = new DbMeter();
  readonly console = new ConsoleCounts();
  readonly signup = new SignupCounters();
}

/** The UserServer's statistics: registry filled, galaxy panel, database health, Monitoring. */
export class UserServerMonitor {
  readonly galaxy: GalaxyLoad;
  readonly monitoring: Monitoring;
  private dbHealth: DatabaseHealth | null = null;

  constructor(private readonly us: UserServer) {
    const reg = us.stats;
    const c = us.counts;
    const kinds = perTurn(() => {
      const n = { registered: 0, guest: 0, anonymous: 0 };
      for (const u of us.users.all()) n[u.kind]++;
      return n;
    });
    reg.number(
      'users',
      'users',
      'Users logged in to the galaxy (present on this UserServer or any RoomServer)',
      () => us.users.size,
    );
    const byKind = { name: 'users_by_kind', help: 'Users logged in to the galaxy, by kind of account' };
    for (const kind of ['registered', 'guest', 'anonymous'] as const) {
      reg.number(`users_${kind}`, 'users', `Users logged in with a ${kind} account`, () => kinds()[kind], {
        family: { ...byKind, labels: { kind } },
      });
    }
    registerConnectionStats(reg, SESSION_STATES, () => us.sessions);
    reg.number('channels', 'channels', 'Channels (dimension-N) with users', () => us.users.channels.size);
    reg.number('roomservers', 'servers', 'RoomServers connected', () => us.links.size);
    reg.number('rooms', 'rooms', 'Rooms with a galaxy-wide id', () => us.directory.roomCount);
    reg.number('server_worlds', 'worlds', 'Server worlds assigned to a RoomServer', () => {
      let n = 0;
      for (const l of us.links) n += us.directory.worldsOf(l);
      return n;
    });

    registerLoginStats(reg, c, 'on the UserServer');
    reg.changeOf('registrations', 'accounts', 'New accounts registered with a serial number', () => c.registrations);
    reg.changeOf('guest_logins', 'logins', 'Guest logins (also counted in logins)', () => c.guestLogins);
    reg.changeOf(
      'roomserver_logins',
      'logins',
      'Logins on RoomServers checked here (name, password, account status)',
      () => c.roomServerLogins,
    );
    reg.changeOf(
      'roomserver_logins_refused',
      'logins',
      'Logins on RoomServers refused here',
      () => c.roomServerLoginsRefused,
    );
    reg.changeOf(
      'whispers_routed',
      'whispers',
      'Whispers routed to the recipient wherever it is',
      () => c.whispersRouted,
    );
    reg.changeOf(
      'whispers_undeliverable',
      'whispers',
      'Whispers whose recipient was not logged on (the sender was told)',
      () => c.whispersUndeliverable,
    );
    reg.changeOf(
      'link_messages_received',
      'messages',
      'Messages received from RoomServers',
      () => linkTotals.messagesIn,
    );
    registerConsoleStats(reg, c.console);
    registerProtectionStats(reg, {
      addresses: us.addresses,
      logLimit: us.logLimit,
      roomRequests: us.rooms.gate,
      roomIds: us.directory,
    });
    registerLoginLimitStats(reg, us);
    registerSignupStats(reg, c.signup);
    reg.changeOf('link_messages_sent', 'messages', 'Messages sent to RoomServers', () => linkTotals.messagesOut);
    reg.number('link_rtt_ms_max', 'ms', 'Slowest round trip of the last ping among the RoomServer links', () => {
      let max = 0;
      for (const l of us.links) max = Math.max(max, l.rttMs);
      return max;
    });
    if (us.cfg.userDatabase) {
      registerDbStats(reg, c.db, 'user_db', 'user database');
      reg.number(
        'user_db_up',
        'databases',
        '1 while the user database accepts writes (HealthCheck), 0 while it does not',
        () => (us.accounts !== null && (this.dbHealth?.ok ?? true) ? 1 : 0),
      );
    }

    let galaxy: GalaxyLoad | null = null;
    this.monitoring = new Monitoring({
      registry: reg,
      log: us.log,
      spec: statusSpec(us.cfg.serverName, us.backup !== null),
      settings: () => us.cfg,
      health: () => this.health(),
      // The galaxy panel, with a line about the other WorldServer of a redundant pair.
      galaxy: (since) => {
        const v = galaxy?.view(since) ?? null;
        const peer = us.backup?.view();
        return v !== null && peer ? { ...(v as object), peer } : v;
      },
      recordFile: `${us.cfg.serverName}US.stats.csv`,
    });
    this.galaxy = galaxy = new GalaxyLoad(reg, this.monitoring.history.capacity);
  }

  /** The user database is open: /health watches it from now on. */
  databaseOpen(db: Database): void {
    this.dbHealth = new DatabaseHealth(db, () => this.us.cfg.healthCheck, this.us.log, 'user database');
    this.dbHealth.start();
  }

  health(): HealthState {
    const us = this.us;
    if (us.stopping) return { ok: false, reason: 'shutting down' };
    if (!us.serving)
      return {
        ok: false,
        reason: us.cfg.userDatabase ? 'starting: the user database is not open yet (see the log)' : 'starting',
      };
    if (this.dbHealth && !this.dbHealth.ok) return { ok: false, reason: this.dbHealth.reason };
    return { ok: true, reason: '' };
  }

  async stop(): Promise<void> {
    this.dbHealth?.stop();
    await this.monitoring.stop();
  }
}

function statusSpec(name: string, redundant: boolean): StatusSpec {
  const peer = redundant
    ? { key: 'peer_users', label: 'Users on the other WorldServer', stat: 'peer_users', field: 'value' as const }
    : null;
  return {
    title: `UserServer ${name}`,
    series: [
      { key: 'users', label: 'Users', stat: 'users', field: 'value' },
      ...(peer ? [peer] : []),
      { key: 'rooms', label: 'Rooms', stat: 'rooms', field: 'value' },
      { key: 'roomservers', label: 'RoomServers', stat: 'roomservers', field: 'value' },
      { key: 'logins', label: 'Logins per minute', stat: 'logins', field: 'averageRate', scale: 60 },
      { key: 'db_p99', label: 'Database p99', stat: 'user_db_query_ms_p99', field: 'value' },
      ...PROCESS_STATUS.series,
    ],
    cards: [
      { series: 'users', unit: 'users', digits: 0 },
      ...(peer ? [{ series: 'peer_users', unit: 'users on the other WorldServer', digits: 0 }] : []),
      { series: 'roomservers', unit: 'RoomServers', digits: 0 },
      { series: 'rooms', unit: 'rooms', digits: 0 },
      { series: 'logins', unit: 'per minute', digits: 1 },
      { series: 'db_p99', unit: 'ms (database p99)', digits: 1 },
      ...PROCESS_STATUS.cards,
    ],
    charts: [
      { title: 'Users and rooms', unit: '', series: peer ? ['users', 'peer_users', 'rooms'] : ['users', 'rooms'] },
      { title: 'Logins', unit: 'per minute', series: ['logins'] },
      { title: 'Latency', unit: 'ms', series: ['db_p99', 'loop_p99'] },
      ...PROCESS_STATUS.charts,
    ],
  };
}
