// One RoomServer process: accepts client sockets, owns the world, the tick and the galaxy link, and
// turns connection events into the log lines the guide promises (AG-32, AG-34).

import type { Server, Socket } from 'node:net';
import type { NewProp } from '../protocol/props.js';
import { BanList } from '../runtime/bans.js';
import { Connection, type CloseReason, type TraceHooks } from '../runtime/connection.js';
import { ctime, type ServerLog } from '../runtime/log.js';
import { MessageOfTheHour } from '../runtime/moth.js';
import { buildServerProps } from '../runtime/serverprops.js';
import { commandTrace, toggleCommandTrace } from '../runtime/trace.js';
import type { HttpSettings } from '../runtime/config-common.js';
import { roomServerLogName, type RoomServerConfig } from './config.js';
import { RoomPersistence } from './roomdb.js';
import { StandaloneGalaxy, type Galaxy } from './galaxy.js';
import { LinkedGalaxy } from './link.js';
import { Session, type SessionState } from './session.js';
import { Ticker } from './tick.js';
import { ViewUpdater } from './view.js';
import { World } from './world.js';
import { ChannelPopulation } from '../runtime/channels.js';
import { ThrottledLog } from '../runtime/log-throttle.js';
import { RoomRequestGate } from '../runtime/room-requests.js';
import { SocketSet } from '../runtime/sockets.js';
import { IdleCompaction } from '../runtime/idle-compaction.js';
import { RoomKeeper } from './room-keeper.js';
import { forgetShared, SharedLedger } from './shared-state.js';

/** Sockets that may wait for login beyond the configured user limits. */
const PRELOGIN_SLACK = 64;
const HOUR_MS = 3_600_000;

export class RoomServer {
  readonly world: World;
  readonly bans = new BanList();
  readonly moth: MessageOfTheHour;
  readonly ticker: Ticker;
  readonly galaxy: Galaxy;
  /** Room ids this server's connections hold, and when rooms leave memory (issue 6). */
  readonly keeper: RoomKeeper;
  readonly roomRequests = new RoomRequestGate();
  /** Shared room state counted against the SharedState caps. */
  readonly sharedLedger = new SharedLedger();
  /** Lines about one offender at most once per minute (room requests, shared state). */
  readonly logLimit: ThrottledLog;
  serverProps: NewProp[];
  private readonly sessions = new Set<Session>();
  private readonly sockets = new SocketSet();
  private trace: TraceHooks | null = null;
  private readonly roomdb: RoomPersistence | null;
  private hourly: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private census = { line: '', at: 0 };
  private readonly compaction = new IdleCompaction();
  private freedSeen = 0;
  private accepting = true;

  constructor(
    readonly cfg: Readonly<RoomServerConfig>,
    readonly log: ServerLog,
    private readonly listener: Server,
    readonly configPath: string,
  ) {
    const channelLimit = cfg.maxChannelPopulation ?? cfg.maxOrdinary + cfg.maxPriority;
    this.world = new World(new ChannelPopulation(channelLimit));
    this.logLimit = new ThrottledLog(log);
    this.roomdb = cfg.roomDatabase
      ? new RoomPersistence(
          cfg.roomDatabase,
          roomServerLogName(cfg),
          log,
          () => this.world.rooms.all(),
          this.sharedLedger,
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
      ? new LinkedGalaxy(this, configPath, cfg.linkRetryMs, () => this.ready())
      : new StandaloneGalaxy(this.world, this.keeper, this.bans);
    this.serverProps = buildServerProps(cfg.http, this.galaxy.serverType, cfg.updateIntervalUs);
    this.moth = new MessageOfTheHour(cfg.mothFile);
    this.ticker = new Ticker(this.world, {
      intervalMs: cfg.updateIntervalUs / 1000,
      onOverload: (missed) =>
        log.event(
          `ALERT: Load appears to be approaching the limits of this hardware. (${missed} update intervals missed this hour)`,
        ),
    });
    if (log.tracing) this.trace = commandTrace(log);
    listener.on('connection', (socket: Socket) => this.accept(socket));
  }

  get usersPort(): number {
    return (this.listener.address() as { port: number }).port;
  }

  /** Stand-alone: ready at once; behind a UserServer: once the link is up (AG-2 "accepts clients"). */
  async start(): Promise<void> {
    await this.reloadMoth();
    this.roomdb?.start();
    this.ticker.start();
    this.hourly = setInterval(() => void this.reloadMoth(), HOUR_MS);
    this.hourly.unref();
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
    const own = this.cfg.http;
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

  private async reloadMoth(): Promise<void> {
    const change = await this.moth.reload();
    if (change) this.log.event(change);
  }

  private accept(socket: Socket): void {
    const limit = this.cfg.maxOrdinary + this.cfg.maxPriority + PRELOGIN_SLACK;
    if (!this.accepting || this.sessions.size >= limit) {
      if (this.accepting)
        this.log.error(socket.remoteAddress ?? 'unknown', `connection refused: ${limit} connections open`);
      socket.destroy();
      return;
    }
    this.sockets.track(socket);
    const conn = new Connection(socket, this.cfg.limits);
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
      if (reason.kind !== 'peer' && reason.kind !== 'exit' && reason.kind !== 'kicked' && reason.kind !== 'server') {
        this.log.error(s.conn.label, reason.detail);
      }
      return;
    }
    const viewers = this.world.remove(u);
    ViewUpdater.departNow(u, viewers);
    this.galaxy.left(u, s.loggingOff);
    if (reason.kind !== 'exit' && reason.kind !== 'server') this.log.error(u.name, reason.detail);
    // AG-32: the session record, written whenever a user leaves.
    this.log.block([
      `${ctime(new Date())} ${u.name} (${s.conn.remoteAddress})`,
      `on since ${ctime(u.loginAt)}`,
      `${u.textMessages} text messages, avatar = ${u.avatar}`,
    ]);
    if (prev !== 'live') this.log.debug(`${u.name} closed in state ${prev}`);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  toggleTracing(): void {
    this.trace = toggleCommandTrace(this.log);
    for (const s of this.sessions) s.conn.trace = this.trace;
    if (this.galaxy instanceof LinkedGalaxy) this.galaxy.setTracing(this.trace !== null);
  }

  /** AG-37: stop accepting, close every client (writing its session record), then the galaxy. */
  async shutdown(): Promise<void> {
    this.accepting = false;
    this.listener.close();
    this.ticker.stop();
    if (this.hourly) clearInterval(this.hourly);
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.compaction.close();
    for (const s of [...this.sessions]) s.conn.close({ kind: 'server', detail: 'server shutting down' });
    await this.galaxy.close();
    await this.roomdb?.close();
    await this.sockets.drained(3_000);
  }
}
