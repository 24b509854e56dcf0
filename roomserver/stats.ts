// Every stat of a RoomServer (AG-41), `roomserver.<name>.*`, and what its status page shows. The
// hot paths bump plain fields (RoomServerCounts here, connectionTotals, the ticker's and the view
// updater's counters); this file only says how to read them, on the registry's timer.
//
// Behind a UserServer, the RoomServer also reports its load over the link at every sample
// (RS_STATS, protocol/LINK.md), for the UserServer's panel of the whole galaxy.

import { serverWorldOf } from '../protocol/names.js';
import { DbMeter, registerDbStats } from '../runtime/db/metered.js';
import type { HealthState } from '../runtime/http/status-routes.js';
import { Monitoring } from '../runtime/monitoring.js';
import {
  LoginCounts,
  SESSION_STATES,
  perTurn,
  registerConnectionStats,
  registerLoginStats,
} from '../runtime/server-stats.js';
import { linkTotals } from '../runtime/link-channel.js';
import { registerProtectionStats } from '../runtime/protection-stats.js';
import { PROCESS_STATUS, type StatusSpec } from '../runtime/status-history.js';
import { roomServerLogName } from './config.js';
import { LinkedGalaxy } from './link.js';
import type { RoomServer } from './server.js';

/** Events the RoomServer's handlers count: one addition each, read when sampled. */
export class RoomServerCounts extends LoginCounts {
  chatLines = 0;
  /** Lines over ChatLimit, not delivered. */
  chatDropped = 0;
  /** Whispers delivered to a user on this server. */
  whispersLocal = 0;
  /** Whispers handed to the UserServer for a user elsewhere. */
  whispersOut = 0;
  /** Whispers from elsewhere delivered here. */
  whispersIn = 0;
  /** Whispers nobody could receive (the sender was told). */
  whispersUndeliverable = 0;
  readonly db = new DbMeter();
}

/** Registers every stat of `rs` with its registry and builds its Monitoring. */
export function roomServerMonitoring(rs: RoomServer): Monitoring {
  const reg = rs.stats;
  const w = rs.world;
  const c = rs.counts;
  const ticker = rs.ticker;

  reg.number('users', 'users', 'Users logged in to this RoomServer', () => w.users.size);
  reg.number(
    'users_priority',
    'users',
    'Users logged in with the Access prefix (priority users)',
    () => w.priorityUsers,
  );
  registerConnectionStats(reg, SESSION_STATES, () => rs.sessions);
  const places = perTurn(() => {
    let occupied = 0;
    const worlds = new Set<string>();
    for (const room of w.rooms.all()) {
      if (room.population > 0) occupied++;
      if (room.parsed) worlds.add(serverWorldOf(room.parsed));
    }
    return { occupied, worlds: worlds.size };
  });
  reg.number('rooms', 'rooms', 'Rooms this RoomServer knows (each has a galaxy-wide id)', () => w.rooms.size);
  reg.number('rooms_occupied', 'rooms', 'Rooms with at least one avatar in them', () => places().occupied);
  reg.number(
    'server_worlds',
    'worlds',
    'Server worlds (World<channel>) this RoomServer serves: every room of one lives on one RoomServer',
    () => places().worlds,
  );
  reg.number('channels', 'channels', 'Channels (dimension-N) with users on this server', () => w.channels.size);

  registerLoginStats(reg, c, 'on this RoomServer');
  reg.changeOf(
    'chat_lines',
    'lines',
    'Chat lines spoken (TEXT) and delivered to those who see the speaker',
    () => c.chatLines,
  );
  reg.changeOf('chat_lines_dropped', 'lines', 'Chat lines dropped for exceeding ChatLimit', () => c.chatDropped);
  reg.changeOf('whispers_local', 'whispers', 'Whispers delivered between users of this server', () => c.whispersLocal);
  reg.changeOf(
    'whispers_routed_out',
    'whispers',
    'Whispers sent through the UserServer to users elsewhere',
    () => c.whispersOut,
  );
  reg.changeOf('whispers_routed_in', 'whispers', 'Whispers from users elsewhere delivered here', () => c.whispersIn);
  reg.changeOf(
    'whispers_undeliverable',
    'whispers',
    'Whispers whose recipient was not logged on (the sender was told)',
    () => c.whispersUndeliverable,
  );

  reg.changeOf(
    'ticks',
    'ticks',
    'ClientUpdates intervals run (position updates to every client)',
    () => ticker.stats.ticks,
  );
  reg.distribution(
    'tick_ms',
    'ms',
    'Time one ClientUpdates tick took, over about the last minute; near the interval means overload',
    ticker.durations,
  );
  const io = rs.ioThread;
  if (io) {
    reg.number(
      'io_thread_lag',
      'ms',
      'How long the oldest batch of writes has waited for the I/O thread (IoThread on); past the interval the tick degrades',
      () => Math.round(io.lagMs()),
    );
    reg.changeOf(
      'io_thread_messages',
      'messages',
      'Messages between the main thread and the I/O thread, both ways (each carries a turn of socket data)',
      () => io.counters.batchesIn + io.counters.batchesOut,
    );
    reg.changeOf(
      'io_thread_bytes_in',
      'bytes',
      'Client bytes the I/O thread read and passed on',
      () => io.counters.bytesIn,
    );
    reg.changeOf(
      'io_thread_bytes_out',
      'bytes',
      'Client bytes handed to the I/O thread to write',
      () => io.counters.bytesOut,
    );
  }
  reg.changeOf(
    'missed_intervals',
    'intervals',
    "Update intervals whose positions reached clients after the next was due (the guide's ALERT counts these per hour)",
    () => ticker.stats.missed,
  );
  reg.number(
    'missed_intervals_this_hour',
    'intervals',
    'Missed update intervals in the current hour; more than 5 logs the ALERT line',
    () => ticker.stats.missedThisHour,
  );
  reg.number(
    'overload_level',
    'level',
    'Overload level of the update tick (TickBudget): 0 = every viewer fully updated every interval; L = fully one interval in L+1, the nearer half of what it shows every interval',
    () => ticker.stats.level,
  );
  reg.number(
    'loop_busy',
    'percent',
    "Share of the last update interval the event loop spent running (TickBudget's second number): past it the tick degrades so that logins and chat are served",
    () => Math.round(ticker.stats.loopBusy * 100),
  );
  reg.changeOf(
    'degraded_ticks',
    'ticks',
    'Ticks run at an overload level above 0 (the interval held by updating far avatars less often)',
    () => ticker.stats.degradedTicks,
  );
  const view = ticker.updater.counters;
  const sent = () => view.arrivals + view.moves + view.roomChanges;
  reg.changeOf('avatar_updates', 'avatars', 'Avatars sent to viewers: appearances, moves and room changes', sent);
  reg.changeOf(
    'avatars_kept',
    'avatars',
    'Avatars a viewer went on showing instead of a nearer newcomer (CrowdHysteresis: margin, minimum time, rate)',
    () => view.kept,
  );
  let perViewer = 0;
  let last = { sent: 0, viewers: 0 };
  reg.beforeSample.push(() => {
    const now = { sent: sent(), viewers: ticker.stats.viewerUpdates };
    const viewers = now.viewers - last.viewers;
    perViewer = viewers > 0 ? (now.sent - last.sent) / viewers : 0;
    last = now;
  });
  reg.number(
    'avatars_per_viewer_tick',
    'avatars',
    'Avatars sent per viewer per tick over the last sample period (at most ClientUpdates avatars; the cost of a tick grows with it)',
    () => perViewer,
  );

  const galaxy = rs.galaxy instanceof LinkedGalaxy ? rs.galaxy : null;
  if (galaxy) {
    reg.number('link_up', 'links', '1 while the link to the UserServer is up, 0 while it is down', () =>
      galaxy.isUp ? 1 : 0,
    );
    reg.changeOf(
      'link_messages_received',
      'messages',
      'Messages received from the UserServer',
      () => linkTotals.messagesIn,
    );
    reg.changeOf('link_messages_sent', 'messages', 'Messages sent to the UserServer', () => linkTotals.messagesOut);
    reg.number(
      'link_rtt_ms',
      'ms',
      'Round trip of the last ping to the UserServer (its load shows here too)',
      () => galaxy.rttMs,
    );
  }
  if (rs.cfg.roomDatabase) registerDbStats(reg, c.db, 'room_db', 'room database');

  // Stand-alone the RoomServer owns the room ids; behind a UserServer the UserServer does.
  registerProtectionStats(reg, {
    addresses: rs.addresses,
    logLimit: rs.logLimit,
    roomRequests: rs.roomRequests,
    roomIds: galaxy ? null : rs.keeper,
  });
  const ledger = rs.sharedLedger;
  reg.number(
    'shared_state_bytes',
    'bytes',
    'Shared room state held, as SharedState counts it (serverMegabytes caps it)',
    () => ledger.bytes,
  );
  reg.number('rooms_with_shared_state', 'rooms', 'Rooms holding shared state', () => ledger.roomsWithState);
  reg.changeOf(
    'shared_state_refused',
    'properties',
    'Shared properties refused by the SharedState caps or for not fitting a frame',
    () => ledger.refused,
  );
  reg.changeOf(
    'rooms_dropped',
    'rooms',
    'Idle rooms that left memory (their state is none or stored)',
    () => rs.keeper.roomsDropped,
  );
  reg.changeOf(
    'memory_compactions',
    'collections',
    'Full garbage collections asked for while nobody was connected, after many rooms were freed',
    () => rs.compaction.compactions,
  );

  const monitoring = new Monitoring({
    registry: reg,
    log: rs.log,
    spec: statusSpec(roomServerLogName(rs.cfg)),
    settings: () => rs.cfg,
    health: () => health(rs, galaxy),
    recordFile: `${roomServerLogName(rs.cfg)}RS.stats.csv`,
  });
  if (galaxy) reg.onSample.push(() => galaxy.report(load(rs)));
  return monitoring;
}

function health(rs: RoomServer, galaxy: LinkedGalaxy | null): HealthState {
  if (rs.shuttingDown) return { ok: false, reason: 'shutting down' };
  if (galaxy && !galaxy.isUp) return { ok: false, reason: galaxy.downReason };
  return { ok: true, reason: '' };
}

const u32 = (v: number): number => Math.min(0xffffffff, Math.max(0, Math.round(Number.isFinite(v) ? v : 0)));

/** The RS_STATS message: what the UserServer's galaxy panel shows of this RoomServer. */
function load(rs: RoomServer) {
  const r = (name: string) => rs.stats.read(name);
  return {
    users: u32(rs.world.users.size),
    connections: u32(rs.sessions.size),
    rooms: u32(rs.world.rooms.size),
    serverWorlds: u32(r('server_worlds')?.value ?? 0),
    tickP99Us: u32((r('tick_ms_p99')?.value ?? 0) * 1000),
    missedIntervals: u32(rs.ticker.stats.missed),
    cpuPermille: u32((r('cpu_seconds')?.rate ?? 0) * 1000),
    rssKiB: u32((r('rss_bytes')?.value ?? 0) / 1024),
    bytesInPerSecond: u32(r('bytes_received')?.rate ?? 0),
    bytesOutPerSecond: u32(r('bytes_sent')?.rate ?? 0),
    eventLoopP99Us: u32((r('event_loop_delay_p99_ms')?.value ?? 0) * 1000),
  };
}

function statusSpec(name: string): StatusSpec {
  return {
    title: `RoomServer ${name}`,
    series: [
      { key: 'users', label: 'Users', stat: 'users', field: 'value' },
      { key: 'rooms', label: 'Occupied rooms', stat: 'rooms_occupied', field: 'value' },
      { key: 'logins', label: 'Logins per minute', stat: 'logins', field: 'averageRate', scale: 60 },
      { key: 'tick_p50', label: 'Tick p50', stat: 'tick_ms_p50', field: 'value' },
      { key: 'tick_p99', label: 'Tick p99', stat: 'tick_ms_p99', field: 'value' },
      { key: 'missed', label: 'Missed intervals', stat: 'missed_intervals', field: 'value' },
      { key: 'missed_rate', label: 'Missed per minute', stat: 'missed_intervals', field: 'rate', scale: 60 },
      { key: 'chat', label: 'Chat lines per minute', stat: 'chat_lines', field: 'rate', scale: 60 },
      ...PROCESS_STATUS.series,
    ],
    cards: [
      { series: 'users', unit: 'users', digits: 0 },
      { series: 'rooms', unit: 'rooms', digits: 0 },
      { series: 'logins', unit: 'per minute', digits: 1 },
      { series: 'tick_p99', unit: 'ms', digits: 1 },
      { series: 'missed', unit: 'intervals', digits: 0 },
      ...PROCESS_STATUS.cards,
    ],
    charts: [
      { title: 'Users and occupied rooms', unit: '', series: ['users', 'rooms'] },
      { title: 'Tick time', unit: 'ms', series: ['tick_p50', 'tick_p99', 'loop_p99'] },
      { title: 'Logins, chat and missed intervals', unit: 'per minute', series: ['logins', 'chat', 'missed_rate'] },
      ...PROCESS_STATUS.charts,
    ],
  };
}
