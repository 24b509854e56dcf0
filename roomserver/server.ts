// One RoomServer process: accepts client sockets, owns the world, the tick and the galaxy link, and
// turns connection events into the log lines the guide promises (AG-32, AG-34).

import type { NewProp } from '../protocol/props.js';
import { admitClient, logClose, watchAcceptErrors, type AcceptGate } from '../runtime/accept.js';
import { AddressLimits } from '../runtime/address-limits.js';
import type { ClientListener, ClientSocket } from '../runtime/client-socket.js';
import { IoThread } from '../runtime/io-thread/bridge.js';
import { FileBudget } from '../runtime/file-budget.js';
import { BanList } from '../runtime/bans.js';
import type { CloseReason, TraceHooks } from '../runtime/connection.js';
import { Housekeeping } from '../runtime/housekeeping.js';
import { LogLimiter } from '../runtime/log-limit.js';
import { loopBusySampler } from '../runtime/loop-busy.js';
import { ctime, type ServerLog } from '../runtime/log.js';
import { MessageOfTheHour } from '../runtime/moth.js';
import { RoomRefusals } from '../runtime/no-room.js';
import { buildServerProps } from '../runtime/serverprops.js';
import { commandTrace, toggleCommandTrace } from '../runtime/trace.js';
import type { HttpSettings, Limits } from '../runtime/config-common.js';
import { currentLimits } from '../runtime/reload.js';
import { roomServerLogName, type RoomServerConfig } from './config.js';
import { RoomPersistence } from './roomdb.js';
import { StandaloneGalaxy, type Galaxy } from './galaxy.js';
import { LinkedGalaxy } from './link.js';
import { hangupRoomServer, reloadRoomServer } from './reload.js';
import { TickReport, roomServerReport } from './report.js';
import { Session, type SessionState } from './session.js';
import { Ticker } from './tick.js';
import { ViewUpdater } from './view.js';
import { World } from './world.js';
import { ChannelPopulation } from '../runtime/channels.js';
import { RoomRequestGate } from '../runtime/room-requests.js';
import { SocketSet } from '../runtime/sockets.js';
import type { Monitoring } from '../runtime/monitoring.js';
import { StatsRegistry } from '../runtime/stats.js';
import { RoomServerCounts, roomServerMonitoring } from './stats.js';
import { IdleCompaction } from '../runtime/idle-compaction.js';
import { RoomKeeper } from './room-keeper.js';
import { forgetShared, SharedLedger } from './shared-state.js';

/** Sockets that may wait for login beyond the configured user limits. */
const PRELOGIN_SLACK = 64;
const HOUR_MS = 3_600_000;

export class RoomServer implements AcceptGate {
  readonly world: World;
  readonly bans = new BanList();
  readonly addresses = new AddressLimits();
  readonly files = new FileBudget();
  /** Lines a client can cause again and again go through here (once per offender per window). */
  readonly logLimit: LogLimiter;
  readonly moth: MessageOfTheHour;
  readonly ticker: Ticker;
  readonly galaxy: Galaxy;
  /** Room ids this server's connections hold, and when rooms leave memory (issue 6). */
  readonly keeper: RoomKeeper;
  readonly roomRequests = new RoomRequestGate();
  /** Shared room state counted against the SharedState caps. */
  readonly sharedLedger = new SharedLedger();
  serverProps: NewProp[];
  readonly sessions = new Set<Session>();
  readonly stats: StatsRegistry;
  readonly counts = new RoomServerCounts();
  readonly monitoring: Monitoring;
  private readonly sockets = new SocketSet();
  private trace: TraceHooks | null = null;
  private readonly roomdb: RoomPersistence | null;
  private hourly: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private census = { line: '', at: 0 };
  readonly compaction = new IdleCompaction();
  private freedSeen = 0;
  private accepting = true;
  /** Connections accepted since the last tick: a busy loop gives way to them (Ticker arrivals). */
  private arrivalsSinceTick = 0;
  /** Connections read their limits from the current configuration (reloads reach them). */
  private readonly liveLimits: Readonly<Limits> = currentLimits(() => this.cfg.limits);
  /** The web settings the UserServer sent (WELCOME), for those this file does not set. */
  private fromUserServer: HttpSettings | null = null;
  readonly housekeeping: Housekeeping;
  /** AG-24: room requests nobody can serve. */
  readonly roomRefusals: RoomRefusals;

  constructor(
    /** Replaced by a configuration reload (AG-29): read it when you use it. */
    public cfg: Readonly<RoomServerConfig>,
    readonly log: ServerLog,
    private readonly listener: ClientListener,
    readonly configPath: string,
  ) {
    this.stats = new StatsRegistry('roomserver', roomServerLogName(cfg));
    this.world = new World(new ChannelPopulation(this.channelLimit()));
    this.logLimit = new LogLimiter(log, () => this.cfg.limits.logLimitWindowMs);
    this.roomdb = cfg.roomDatabase
      ? new RoomPersistence(
          cfg.roomDatabase,
          roomServerLogName(cfg),
          log,
          () => this.world.rooms.all(),
          this.sharedLedger,
          this.logLimit,
          this.counts.db,
        )
      : null;
    if (this.roomdb) {
      const db = this.roomdb;
      this.world.rooms.onCreate = (room) => db.allocated(room);
    }
    const linked = cfg.userServer !== null;
    this.keeper = new RoomKeeper(
      this.world.rooms,
      {
        limits: () => this.cfg.rooms,
        mayForget: (room) => (this.roomdb ? this.roomdb.mayForget(room) : room.shared.size === 0),
        dropped: (room) => {
          this.log.trace(`room ${room.name} (id ${room.id}) left memory`);
          forgetShared(room, this.sharedLedger);
          this.roomdb?.forget(room);
        },
        release: (id, grants) => {
          if (this.galaxy instanceof LinkedGalaxy) this.galaxy.releaseRoom(id, grants);
        },
      },
      !linked,
    );
    this.galaxy = linked
      ? new LinkedGalaxy(this, () => this.ready())
      : new StandaloneGalaxy(this.world, this.keeper, this.bans);
    this.serverProps = buildServerProps(cfg.http, this.galaxy.serverType, cfg.updateIntervalUs);
    this.moth = new MessageOfTheHour(cfg.mothFile);
    this.ticker = new Ticker(this.world, {
      intervalMs: cfg.updateIntervalUs / 1000,
      budgetShare: cfg.tickBudgetShare,
      loopBusyShare: cfg.loopBusyShare,
      loopBusy: loopBusySampler(),
      arrivals: () => {
        const n = this.arrivalsSinceTick;
        this.arrivalsSinceTick = 0;
        return n;
      },
      crowd: cfg.crowd,
      ...(listener instanceof IoThread ? { ioLagMs: () => listener.lagMs() } : {}),
      onOverload: (missed) =>
        log.event(
          `ALERT: Load appears to be approaching the limits of this hardware. (${missed} update intervals missed this hour)`,
          { event: 'alert', level: 'alert' },
        ),
    });
    if (log.tracing) this.trace = commandTrace(log);
    this.roomRefusals = new RoomRefusals(
      log,
      'check that the UserServer runs and that RoomServers are connected to it',
    );
    const tickReport = new TickReport(this.ticker);
    this.housekeeping = new Housekeeping({
      log,
      reportMinutes: () => this.cfg.operations.reportMinutes,
      rotation: () => this.cfg.operations.rotate ?? { kind: 'daily' },
      report: (now) => roomServerReport(now, roomServerLogName(this.cfg), this.world),
      reportExtra: () => tickReport.lines(),
    });
    listener.on('connection', (socket: ClientSocket) => this.accept(socket));
    watchAcceptErrors(listener, 'clients', this.logLimit);
    this.monitoring = roomServerMonitoring(this);
  }

  get shuttingDown(): boolean {
    return !this.accepting;
  }

  limits(): Readonly<Limits> {
    return this.liveLimits;
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  channelLimit(): number {
    return this.cfg.maxChannelPopulation ?? this.cfg.maxOrdinary + this.cfg.maxPriority;
  }

  get usersPort(): number {
    return (this.listener.address() as { port: number }).port;
  }

  /** Stand-alone: ready at once; behind a UserServer: once the link is up (AG-2 "accepts clients"). */
  async start(): Promise<void> {
    await this.reloadMoth();
    this.logLimit.start();
    const files = this.files.warning(this.cfg.maxOrdinary + this.cfg.maxPriority);
    if (files) this.log.event(files);
    this.roomdb?.start();
    this.ticker.start();
    this.monitoring.start();
    this.hourly = setInterval(() => void this.reloadMoth(), HOUR_MS);
    this.hourly.unref();
    this.moth.watch(() => void this.reloadMoth());
    this.housekeeping.start();
    this.sweepRooms();
    if (this.galaxy instanceof LinkedGalaxy) {
      this.galaxy.setTracing(this.log.tracing);
      this.galaxy.start();
    } else this.ready();
  }

  /** Rooms and ids nobody needs any more are given up (4 times per RoomIds quiet period, at least every 5 s). */
  private sweepRooms(): void {
    const now = Date.now();
    for (const r of this.keeper.sweep(now)) this.log.trace(`room id ${r.id} (${r.name}) back in the pool`);
    this.logCensus(now);
    const freed = this.keeper.idsGivenUp + this.keeper.roomsDropped;
    this.compaction.noteFreed(freed - this.freedSeen);
    this.freedSeen = freed;
    if (this.compaction.maybeCompact(this.sessions.size))
      this.log.debug('nobody connected after many rooms were freed: one full garbage collection to give memory back');
    // Re-armed each time, so that a re-read RoomIds quiet period applies.
    this.sweepTimer = setTimeout(() => this.sweepRooms(), Math.min(5_000, Math.max(25, this.cfg.rooms.quietMs / 4)));
    this.sweepTimer.unref();
  }

  /** Rooms and ids in the debug output when they changed, at most every 10 s (operators, benchmarks). */
  private logCensus(now: number): void {
    const k = this.keeper;
    const l = this.sharedLedger;
    const free = k.idsAvailable();
    const line =
      `rooms: ${this.world.rooms.size} in memory, ${l.roomsWithState} with shared state (${l.bytes} bytes); ` +
      `room ids: ${k.idsInUse} held by connections, ${k.idsAssigned} assigned${free === null ? '' : `, ${k.idsQuiet} quiet, ${free} free`}`;
    if (line === this.census.line || now - this.census.at < 10_000) return;
    this.census = { line, at: now };
    this.log.debug(line);
  }

  private ready(): void {
    this.log.line('Ready to serve');
  }

  /**
   * The UserServer's web and mail settings, for those this RoomServer's file does not set: the
   * client reads them from its most recent connection, usually a RoomServer (§6.2, AG-8).
   */
  adoptWebSettings(fromUserServer: Readonly<HttpSettings>): void {
    this.fromUserServer = { ...fromUserServer };
    this.refreshServerProps();
  }

  /** After a change of the web settings or ClientUpdates (WELCOME, a reload). */
  refreshServerProps(): void {
    const own = this.cfg.http;
    const fromUserServer = this.fromUserServer ?? own;
    const merged: HttpSettings = {
      internal: own.internal ?? fromUserServer.internal,
      external: own.external ?? fromUserServer.external,
      script: own.script ?? fromUserServer.script,
      smtp: own.smtp ?? fromUserServer.smtp,
      mailDomain: own.mailDomain ?? fromUserServer.mailDomain,
    };
    this.serverProps = buildServerProps(merged, this.galaxy.serverType, this.cfg.updateIntervalUs);
  }

  /** Every client goes (lost UserServer, AG-29). */
  closeAll(reason: string): void {
    for (const s of [...this.sessions]) s.conn.close({ kind: 'server', detail: reason });
  }

  /** `kill -HUP` (AG-35, AG-21, AG-29): fresh log files, the message of the hour, the configuration. */
  hangup(): void {
    hangupRoomServer(this);
  }

  /** Re-reads the configuration file and applies what can change while running (AG-29). */
  reload(why: string): boolean {
    return reloadRoomServer(this, why);
  }

  async reloadMoth(): Promise<void> {
    const change = await this.moth.reload();
    if (change) this.log.event(change);
  }

  private accept(socket: ClientSocket): void {
    // Beyond the users Connections allows, a few sockets are taken on to be told "server full"
    // (NAK 2 or 3 to their SESSIONINIT): until then nobody knows which kind of user they are.
    const limit = this.cfg.maxOrdinary + this.cfg.maxPriority + PRELOGIN_SLACK;
    const refusal = !this.accepting
      ? 'server shutting down'
      : this.sessions.size >= limit
        ? `${this.sessions.size} connections open (Connections ${this.cfg.maxOrdinary} ${this.cfg.maxPriority})`
        : null;
    this.arrivalsSinceTick++;
    const conn = admitClient(socket, this, refusal);
    if (!conn) return;
    this.sockets.track(socket);
    conn.trace = this.trace;
    this.sessions.add(new Session(this, conn));
  }

  /** Everything that must happen when a client goes, whatever the reason. */
  sessionClosed(s: Session, reason: CloseReason, prev: SessionState): void {
    this.sessions.delete(s);
    // The client forgets the ids this connection gave it (§5.2): they may be given up now.
    this.keeper.holderGone(s);
    const u = s.user;
    if (!u) {
      // A refusal was logged as such; a shutdown or a lost UserServer says so once for everyone.
      if (reason.kind !== 'kicked' && reason.kind !== 'server') logClose(this.logLimit, s.conn, reason, false);
      return;
    }
    const viewers = this.world.remove(u);
    ViewUpdater.departNow(u, viewers);
    this.galaxy.left(u, s.loggingOff);
    const who = { user: u.name, address: s.conn.remoteAddress };
    if (reason.kind !== 'exit' && reason.kind !== 'server') logClose(this.logLimit, s.conn, reason, true);
    // AG-32: the session record, written whenever a user leaves.
    this.log.block(
      [
        `${ctime(this.log.now())} ${u.name} (${s.conn.remoteAddress})`,
        `on since ${ctime(new Date(u.loginAt))}`,
        `${u.textMessages} text messages, avatar = ${u.avatar}`,
      ],
      { ...who, event: 'session' },
    );
    if (prev !== 'live') this.log.debug(`${u.name} closed in state ${prev}`);
  }

  /** The I/O thread holding the client sockets (IoThread on), for its statistics. */
  get ioThread(): IoThread | null {
    return this.listener instanceof IoThread ? this.listener : null;
  }

  /** SendQueue changed: the I/O thread, if any, enforces it where the queues are. */
  socketLimitsChanged(): void {
    this.ioThread?.setLimits(this.cfg.limits.sendQueueBytes, this.cfg.limits.drainTimeoutMs);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  toggleTracing(why?: string): void {
    this.trace = toggleCommandTrace(this.log, why);
    for (const s of this.sessions) s.conn.trace = this.trace;
    if (this.galaxy instanceof LinkedGalaxy) this.galaxy.setTracing(this.trace !== null);
  }

  /** AG-37: stop accepting, close every client (writing its session record), then the galaxy. */
  async shutdown(): Promise<void> {
    this.accepting = false;
    this.logLimit.stop();
    this.logLimit.flush();
    this.listener.close();
    this.ticker.stop();
    this.housekeeping.stop();
    this.moth.unwatch();
    if (this.hourly) clearInterval(this.hourly);
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.compaction.close();
    const users = this.world.users.size;
    for (const s of [...this.sessions]) s.conn.close({ kind: 'server', detail: 'server shutting down' });
    await this.galaxy.close();
    const stored = await this.roomdb?.close();
    this.log.event(
      `shutdown: ${users} users disconnected (session records written)${this.roomdb ? `, ${stored ?? 0} rooms stored in the room database` : ''}`,
      { event: 'shutdown' },
    );
    await this.sockets.drained(3_000);
    await this.monitoring.stop();
  }
}
