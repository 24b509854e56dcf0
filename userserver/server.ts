// One UserServer process (AG-5 … AG-22): accepts clients and RoomServer links, keeps the galaxy's
// active users (sessions, presence, logoff) and writes their usage back to the user database.
// Routing lives in routing.ts, RoomServer messages in link-messages.ts.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SERVER_PSEUDO_USER, ServerType } from '../protocol/constants.js';
import type { NewProp } from '../protocol/props.js';
import type { LinkMessage } from '../protocol/link.js';
import { admitClient, logClose, watchAcceptErrors, type AcceptGate } from '../runtime/accept.js';
import { AddressLimits } from '../runtime/address-limits.js';
import { FileBudget } from '../runtime/file-budget.js';
import { BanList, describeBan, type Ban } from '../runtime/bans.js';
import { ChannelPopulation } from '../runtime/channels.js';
import { listen } from '../runtime/cli.js';
import type { HttpSettings, Limits } from '../runtime/config-common.js';
import type { LinkHandshakeLimits } from '../runtime/config-limits.js';
import type { CloseReason, TraceHooks } from '../runtime/connection.js';
import type { Database } from '../runtime/db/types.js';
import { describe } from '../runtime/lifecycle.js';
import { Housekeeping } from '../runtime/housekeeping.js';
import { ctime, type ServerLog } from '../runtime/log.js';
import { LogLimiter } from '../runtime/log-limit.js';
import { MessageOfTheHour } from '../runtime/moth.js';
import { RoomRefusals } from '../runtime/no-room.js';
import { currentLimits } from '../runtime/reload.js';
import { buildServerProps } from '../runtime/serverprops.js';
import type { LinkSecret } from '../runtime/secure-link.js';
import { SocketSet } from '../runtime/sockets.js';
import { metered } from '../runtime/db/metered.js';
import { StatsRegistry } from '../runtime/stats.js';
import { commandTrace, linkTrace, toggleCommandTrace, type LinkTrace } from '../runtime/trace.js';
import { Accounts, type UsageWrite } from './accounts.js';
import { BackupPeer } from './backup/peer.js';
import { channelSuffixOf, type UserServerConfig } from './config.js';
import { roomIdRange } from '../protocol/backup.js';
import { Directory } from './directory.js';
import { handleLinkMessage } from './link-messages.js';
import { RoomServerGate, type LinkGateHost } from './link-gate.js';
import { RoomServerLink, type LinkHost } from './links.js';
import { toProps, type LoginContext } from './login.js';
import { LoginGuard } from './login-guard.js';
import { PasswordHasher } from './passwords.js';
import { hangupUserServer } from './reload.js';
import { userServerReport } from './report.js';
import { UserServerRooms } from './room-requests.js';
import { ROOMSERVER_LINK_ROLE } from '../protocol/link.js';
import { Router, type PeerRouting, type RoutingHost } from './routing.js';
import { UserSession } from './session.js';
import { ActiveUsers, GuestSlots, activeUser, type ActiveUser } from './users.js';
import { UserServerCounts, UserServerMonitor } from './stats.js';

const HOUR_MS = 3_600_000;
const SHUTDOWN_NOTICE = 'The WorldServer is shutting down for maintenance. Please come back later.';
/**
 * Sockets taken on beyond `Connections` only to be told "server full" (NAK 2 to their
 * SESSIONINIT, then closed): the client shows that message instead of retrying blindly. They never
 * log in, so `Connections` is exactly what may be served; past these, sockets are closed at once.
 */
export const FULL_NOTICE_SOCKETS = 16;

export class UserServer implements LinkHost, LinkGateHost, RoutingHost, AcceptGate {
  readonly users: ActiveUsers;
  readonly directory: Directory<RoomServerLink>;
  /** Room requests on client connections (limits, notices) (issue 6). */
  readonly rooms: UserServerRooms;
  readonly bans = new BanList();
  readonly moth: MessageOfTheHour;
  readonly guests: GuestSlots | null;
  readonly hasher: PasswordHasher;
  readonly guard: LoginGuard;
  readonly serverType: number;
  serverProps: NewProp[];
  readonly router: Router;
  readonly links = new Set<RoomServerLink>();
  readonly addresses = new AddressLimits();
  readonly files = new FileBudget();
  /** Lines a client can cause again and again go through here (once per offender per window). */
  readonly logLimit: LogLimiter;
  /** The RoomServers port: TLS-PSK handshakes, their limits and refusals (LINK.md). */
  readonly linkGate: RoomServerGate;
  /** Links still in their handshake. */
  private readonly pendingLinks = new Set<RoomServerLink>();
  accounts: Accounts | null = null;
  readonly sessions = new Set<UserSession>();
  /** Sessions in `sessions` that were taken on only to be told "server full". */
  private fullNotices = 0;
  readonly stats: StatsRegistry;
  readonly counts = new UserServerCounts();
  readonly monitor: UserServerMonitor;
  private readonly sockets = new SocketSet();
  /** Writes that failed (database down); retried with the next write-back. */
  private retryWrites: UsageWrite[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  /**
   * Key of the session verifiers (never stored): random per process, or derived from the backup
   * link's key so that the other WorldServer's verifiers can be checked here (userserver/backup/).
   */
  private verifierKey: Buffer = randomBytes(32);
  private trace: TraceHooks | null = null;
  private timers: NodeJS.Timeout[] = [];
  private acceptingClients = false;
  private acceptingLinks = false;
  private shuttingDown = false;
  /** Connections read their limits from the current configuration (reloads reach them). */
  private readonly liveLimits: Readonly<Limits> = currentLimits(() => this.cfg.limits);
  private writeBackTimer: NodeJS.Timeout | null = null;
  /** Usage rows the user database accepted (the shutdown reports its part, AG-37). */
  private usageRowsWritten = 0;
  readonly housekeeping: Housekeeping;
  /** AG-24: room requests no RoomServer can serve. */
  readonly roomRefusals: RoomRefusals;
  /** Run after each configuration reload that was applied (userserver/reload.ts): the admin console. */
  readonly afterReload: (() => void)[] = [];
  /** The other WorldServer of a redundant pair (BackupServer / BackupClient), null without one. */
  readonly backup: BackupPeer | null;
  /** Whispers, broadcasts and boots across to it (userserver/routing.ts). */
  readonly peerRouting: PeerRouting | null;
  private sessionCount = 0;

  constructor(
    /** Replaced by a configuration reload (kill -HUP): read it when you use it. */
    public cfg: Readonly<UserServerConfig>,
    readonly log: ServerLog,
    /** Listens only once the `Users` delay is over (AG-4). */
    private readonly clientListener: Server,
    private readonly linkListener: Server,
    readonly configPath = cfg.file,
  ) {
    this.logLimit = new LogLimiter(log, () => this.cfg.limits.logLimitWindowMs);
    this.directory = new Directory<RoomServerLink>(() => this.cfg.rooms, roomIdRange(cfg.backup?.role ?? null));
    this.rooms = new UserServerRooms(this);
    this.users = new ActiveUsers(
      new ChannelPopulation(cfg.maxChannelPopulation ?? cfg.maxActiveUsers, channelSuffixOf(cfg)),
    );
    this.guests = cfg.guests ? new GuestSlots(cfg.guests.max, cfg.guests.prefix) : null;
    this.guard = new LoginGuard(() => ({
      failures: this.cfg.loginFailures,
      registrationsPerHour: this.cfg.registrationsPerHour,
    }));
    this.hasher = new PasswordHasher(cfg.passwordCost, {
      windowMs: () => this.cfg.loginFailures.windowMs,
      penalty: (address) => this.guard.rank(address),
      suspect: (address) => this.guard.failuresOf(address) > 0,
    });
    this.serverType = cfg.userDatabase ? ServerType.USER_SERVER_DB : ServerType.USER_SERVER_ANON;
    this.serverProps = buildServerProps(cfg.http, this.serverType, null);
    this.moth = new MessageOfTheHour(cfg.mothFile);
    this.router = new Router(this);
    if (log.tracing) this.trace = commandTrace(log);
    this.logLimit.start();
    this.roomRefusals = new RoomRefusals(log, 'start a RoomServer (RS_v11) for this UserServer or check its link');
    // AG-33: "every hour from when the server was first launched".
    this.housekeeping = new Housekeeping({
      log,
      reportMinutes: () => this.cfg.operations.reportMinutes,
      rotation: () => this.cfg.operations.rotate ?? { kind: 'weekly' },
      report: (now) =>
        userServerReport(
          now,
          this.cfg.serverName,
          this.connectionCount,
          this.users.size,
          this.backup?.reportLine() ?? null,
        ),
    });
    this.housekeeping.start();
    clientListener.on('connection', (s: Socket) => this.acceptClient(s));
    this.linkGate = new RoomServerGate(this, linkListener);
    watchAcceptErrors(clientListener, 'clients', this.logLimit);
    this.stats = new StatsRegistry('userserver', cfg.serverName);
    const suffix = channelSuffixOf(cfg);
    this.backup = cfg.backup && suffix ? new BackupPeer(this, cfg.backup, suffix) : null;
    this.peerRouting = this.backup?.routing ?? null;
    this.monitor = new UserServerMonitor(this);
    this.monitor.monitoring.start();
  }

  /** Ready: the user database (if any) is open and RoomServers may connect. */
  get serving(): boolean {
    return this.acceptingLinks;
  }

  get stopping(): boolean {
    return this.shuttingDown;
  }

  limits(): Readonly<Limits> {
    return this.liveLimits;
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  /** Live client connections, the permanent RoomServer links (and backup link) included (AG-33). */
  get connectionCount(): number {
    return this.servedClients + this.links.size + (this.backup?.connections ?? 0);
  }

  get serverName(): string {
    return this.cfg.serverName;
  }

  get password(): string {
    return this.cfg.roomServersPassword;
  }

  get http(): Readonly<HttpSettings> {
    return this.cfg.http;
  }

  /** The suffix of this UserServer's channels on a redundant pair (restart-only, like BackupServer). */
  get channelSuffix(): string | null {
    return this.backup?.suffix ?? null;
  }

  /** The user database is open: accounts are served from it; boot bans of earlier runs hold (AG-20). */
  async useDatabase(db: Database): Promise<void> {
    this.accounts = new Accounts(metered(db, this.counts.db), this.hasher, this.guard, (text) =>
      this.log.error('UserDatabase', text),
    );
    this.monitor.databaseOpen(db);
    await this.restoreBans(db);
  }

  /**
   * Called once the user database (if any) is in use: RoomServers may connect from now on; clients
   * once the `Users` delay is over (AG-4: until then the port does not even listen). Resolves when
   * clients are accepted; rejects when the users port cannot listen then.
   */
  ready(): Promise<void> {
    this.acceptingLinks = true;
    const files = this.files.warning(this.cfg.maxConnections);
    if (files) this.log.event(files);
    this.every(HOUR_MS, () => void this.reloadMoth());
    this.every(60_000, () => this.guard.prune());
    this.reclaimRoomIds();
    this.moth.watch(() => void this.reloadMoth());
    this.scheduleWriteBack();
    const delay = this.cfg.delayMinutes;
    if (delay === 0) return this.openToClients();
    this.log.event(`the users port ${this.cfg.usersPort} listens in ${delay} minutes (Users delay)`, {
      event: 'delay',
    });
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => this.openToClients().then(resolve, reject), delay * 60_000);
      t.unref();
      this.timers.push(t);
    });
  }

  private async openToClients(): Promise<void> {
    if (this.shuttingDown) return;
    const where = this.clientListener.listening
      ? (this.clientListener.address() as { address: string; port: number })
      : await listen(this.clientListener, 'users', this.cfg.usersPort, this.cfg.bindAddr);
    this.acceptingClients = true;
    this.log.event(`accepting clients on port ${where.port}`, { event: 'listening', address: where.address });
  }

  /** `UserDatabase … minutes`, read again after each write-back (a reload may change it). */
  scheduleWriteBack(): void {
    if (this.writeBackTimer) clearTimeout(this.writeBackTimer);
    this.writeBackTimer = null;
    const settings = this.cfg.userDatabase;
    if (!settings || this.shuttingDown) return;
    this.writeBackTimer = setTimeout(() => {
      void this.writeBack().finally(() => this.scheduleWriteBack());
    }, settings.writeBackMinutes * 60_000);
    this.writeBackTimer.unref();
  }

  /** AG-20: bans of boots before a restart are still in force. */
  private async restoreBans(db: Database): Promise<void> {
    try {
      const bans = await db.loadBans(new Date());
      for (const b of bans) this.bans.restore(b);
      if (bans.length > 0) this.log.event(`${bans.length} boot bans restored from the user database`);
    } catch (err) {
      this.log.error(
        'UserDatabase',
        `cannot read boot bans (${describe(err)}); boots before this start are not in force (sql/createBootBans.sql creates the table)`,
      );
    }
  }

  /** A boot made these bans: stored, and in force on the other WorldServer too. */
  banned(bans: readonly Ban[]): void {
    this.storeBans(bans);
    this.backup?.routing.shareBans(bans);
  }

  /** Stores bans (BootBans), so that a restart does not lift them. */
  storeBans(bans: readonly Ban[]): void {
    const db = this.accounts?.db;
    if (!db) return;
    for (const b of bans) {
      this.track(
        db
          .saveBan(b)
          .catch((err: unknown) =>
            this.log.error(
              'UserDatabase',
              `cannot store the ${describeBan(b)} (${describe(err)}); it lasts only while this UserServer runs`,
            ),
          ),
      );
    }
  }

  /** Room ids whose quiet period is over go back to the pool (checked 4 times per quiet period, at least every 5 s). */
  private reclaimRoomIds(): void {
    if (this.shuttingDown) return;
    for (const r of this.directory.reclaim(Date.now())) this.log.trace(`room id ${r.id} (${r.name}) back in the pool`);
    // Re-armed each time, so that a re-read RoomIds quiet period applies; it stops at shutdown.
    setTimeout(() => this.reclaimRoomIds(), Math.min(5_000, Math.max(25, this.cfg.rooms.quietMs / 4))).unref();
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  /** `kill -HUP` (AG-35, AG-21, AG-29): fresh log files, the message of the hour, the configuration. */
  hangup(): void {
    hangupUserServer(this);
  }

  async reloadMoth(): Promise<void> {
    const change = await this.moth.reload();
    if (change) this.log.event(change);
  }

  // ------------------------------------------------------------------ clients

  private acceptClient(socket: Socket): void {
    const serving = this.sessions.size - this.fullNotices;
    const full = serving >= this.cfg.maxConnections;
    const refusal = !this.acceptingClients
      ? this.shuttingDown
        ? 'server shutting down'
        : 'not accepting clients yet (Users delay, or the user database is not open)'
      : full && this.fullNotices >= FULL_NOTICE_SOCKETS
        ? `${serving} connections open (Connections ${this.cfg.maxConnections}) and ${this.fullNotices} more being told so`
        : null;
    const conn = admitClient(socket, this, refusal);
    if (!conn) return;
    this.sockets.track(socket);
    conn.trace = this.trace;
    if (full) this.fullNotices++;
    this.sessions.add(new UserSession(this, conn, full));
  }

  /** Client connections being served (those taken on only to be told "server full" excluded). */
  get servedClients(): number {
    return this.sessions.size - this.fullNotices;
  }

  /** The login steps succeeded: the user is active (AG-11: an older session is replaced). */
  startSession(ctx: LoginContext): void {
    const old = this.users.get(ctx.name.toLowerCase());
    if (old) this.replace(old, `logged in again from ${ctx.session.address}`);
    const u = activeUser({
      name: ctx.name,
      session: this.newSessionId(),
      replaces: this.backup?.replaceable(ctx.name.toLowerCase()) ?? '',
      kind: ctx.kind,
      privileges: ctx.privileges,
      channel: this.users.channels.choose(),
      serial: ctx.serial,
      clientVersion: ctx.props.get(9) ?? '',
      address: ctx.session.address,
      props: toProps(ctx.stored),
      verifier: this.verifierOf(ctx.sessionPassword ?? ctx.password),
      client: ctx.session,
      guestSlot: ctx.guestSlot,
    });
    this.users.add(u);
    this.backup?.userOn(u);
    ctx.session.user = u;
    ctx.session.conn.label = u.name;
    if (u.kind === 'registered' && this.accounts) this.track(this.accounts.recordLogin(u.name, u.address));
    this.log.debug(`login ${u.name} (${u.kind}) from ${u.address} on ${u.channel}, privileges ${u.privileges}`);
    this.log.note(`login ${u.name} (${u.kind}) from ${u.address} on ${u.channel}`, {
      event: 'login',
      user: u.name,
      address: u.address,
    });
  }

  sessionClosed(s: UserSession, reason: CloseReason, loggingOff: boolean): void {
    if (this.sessions.delete(s) && s.full) this.fullNotices--;
    // The client forgets the ids this connection gave it (§5.2): they may leave use now.
    this.directory.dropHolder(s, Date.now());
    this.backup?.rooms.dropHolder(s);
    const u = s.user;
    // A refusal was logged as such, a shutdown once for everyone; a logged-in user's close is
    // recorded by the block below unless it was an error.
    const quiet =
      reason.kind === 'kicked' || reason.kind === 'server' || (u && (reason.kind === 'peer' || reason.kind === 'exit'));
    if (!quiet) logClose(this.logLimit, s.conn, reason, u !== null);
    if (!u) return;
    // AG-32: the end of every authentication session.
    this.log.block([`${ctime(this.log.now())} ${u.name} (${s.address})`, `connected since ${ctime(s.connectedAt)}`], {
      event: 'auth-session',
      user: u.name,
      address: s.address,
    });
    if (u.client !== s) return;
    u.client = null;
    if (loggingOff) this.loggedOff(u);
    else this.checkPresence(u);
  }

  /** A new login's id (galaxy-wide unique on a redundant pair). */
  newSessionId(): string {
    return this.backup?.newSession() ?? String(++this.sessionCount);
  }

  /** The verifier key both WorldServers of a redundant pair derive (before any user logs in). */
  useVerifierKey(key: Buffer): void {
    this.verifierKey = key;
  }

  /** HMAC of the password a client holds: RoomServer logins of an active user check this, not scrypt. */
  verifierOf(password: string): Buffer {
    return createHmac('sha256', this.verifierKey).update(password).digest();
  }

  verifierMatches(u: ActiveUser, password: string): boolean {
    const v = this.verifierOf(password);
    return v.length === u.verifier.length && timingSafeEqual(v, u.verifier);
  }

  // ------------------------------------------------------------------ presence

  /** A user present nowhere is logged off after LogoffDelay (a client moving between servers reappears). */
  checkPresence(u: ActiveUser): void {
    if (!ActiveUsers.absent(u) || u.lingerTimer || this.users.get(u.key) !== u) return;
    u.absentSince ??= Date.now();
    u.lingerTimer = setTimeout(() => {
      u.lingerTimer = null;
      if (!ActiveUsers.absent(u)) return;
      // A client present nowhere here may be on the other WorldServer's RoomServer still.
      if (!this.backup?.isUp) return this.logoff(u, 'connection lost');
      void this.backup.moves.offerBack(u).then((taken) => {
        if (!taken && ActiveUsers.absent(u)) this.logoff(u, 'connection lost');
      });
    }, this.cfg.logoffDelayMs);
    u.lingerTimer.unref();
  }

  present(u: ActiveUser): void {
    if (u.lingerTimer) clearTimeout(u.lingerTimer);
    u.lingerTimer = null;
    u.absentSince = null;
  }

  /**
   * AG-14, spec §6.7: a SESSIONEXIT with LOGONOFF (on any of the client's connections, heard here
   * or from a RoomServer) ends the session at once, whatever the order in which the notices of its
   * other connections arrive. Those are sent before it, so whatever still shows the user here is
   * stale; a RoomServer still holding the user is told to let it go.
   */
  loggedOff(u: ActiveUser): void {
    // A session handed over to the other WorldServer ends there.
    if (this.users.get(u.key) !== u) return this.backup?.loggedOffHere(u.key, u.session);
    for (const link of u.servers) (link as RoomServerLink).send({ kind: 'KICK', name: u.name, reason: 'logged off' });
    u.client?.kick('logged off');
    this.logoff(u, 'logged off');
  }

  /** AG-14: the user leaves the galaxy; usage and properties are written, friends told. */
  logoff(u: ActiveUser, why: string): void {
    if (!this.users.remove(u)) return;
    if (u.guestSlot !== null) this.guests?.free(u.guestSlot);
    this.backup?.userOff(u);
    // A session the other WorldServer replaced goes on there: its friends see no change.
    if (!this.backup?.holds(u.key)) this.router.announce(u, 0);
    const version = u.kind === 'guest' ? ` ${u.clientVersion}` : '';
    this.log.block(
      [`${ctime(this.log.now())} ${u.name} (${u.address})${version}`, `active since ${ctime(u.loginAt)}`],
      {
        event: 'logoff',
        user: u.name,
        address: u.address,
      },
    );
    this.log.debug(`logoff ${u.name}: ${why}`);
    if (this.accounts && u.kind === 'registered') this.track(this.store(Accounts.pendingUsage(u, Date.now(), true)));
  }

  /** Whole minutes of usage so far (a session about to move to the other WorldServer). */
  writeUsage(u: ActiveUser): void {
    if (this.accounts && u.kind === 'registered') this.track(this.store(Accounts.pendingUsage(u, Date.now(), false)));
  }

  replace(u: ActiveUser, reason: string): void {
    for (const link of u.servers) (link as RoomServerLink).send({ kind: 'KICK', name: u.name, reason });
    u.client?.kick(reason);
    this.logoff(u, reason);
  }

  // ------------------------------------------------------------------ RoomServer links

  linkSecret(): LinkSecret {
    return { role: ROOMSERVER_LINK_ROLE, galaxy: this.cfg.serverName, password: this.cfg.roomServersPassword };
  }

  linkLimits(): Readonly<LinkHandshakeLimits> {
    return this.cfg.linkHandshake;
  }

  get handshakeMs(): number {
    return this.cfg.linkHandshake.timeoutMs;
  }

  acceptsLinks(): boolean {
    return this.acceptingLinks;
  }

  trackSocket(socket: Socket): void {
    this.sockets.track(socket);
  }

  /** The peer proved it knows the RoomServers password (TLS-PSK): its HELLO comes next. */
  linkAuthenticated(socket: TLSSocket, rsName: string): void {
    if (!this.acceptingLinks) {
      socket.destroy();
      return;
    }
    const link = new RoomServerLink(socket, rsName, this);
    if (this.trace) link.setTrace(this.linkTraceFor(link));
    this.pendingLinks.add(link);
  }

  nameInUse(name: string): boolean {
    for (const l of this.links) if (l.name === name) return true;
    return false;
  }

  private linkTraceFor(link: RoomServerLink): LinkTrace {
    return linkTrace(this.log, () => `RoomServer ${link.name || link.address}`);
  }

  linkUp(link: RoomServerLink): void {
    this.pendingLinks.delete(link);
    this.links.add(link);
    this.directory.add(link);
    this.monitor.galaxy.linkUp(link);
    const worlds = link.worlds.map((w) => (w.channel ? `${w.world}<${w.channel}>` : w.world)).join(' ');
    const foreign = link.foreignWorlds.length
      ? `; World ${link.foreignWorlds.join(' ')} ignored (not channel suffix ${this.channelSuffix ?? 'none'} or not a world name)`
      : '';
    this.log.event(
      `RoomServer ${link.name} connected from ${link.address}; clients go to ${link.usersIp}:${link.usersPort}${worlds ? `; volunteers for ${worlds}` : ''}${foreign}`,
      { event: 'link-up', address: link.address },
    );
  }

  linkDown(link: RoomServerLink, reason: string): void {
    this.links.delete(link);
    this.monitor.galaxy.linkDown(link);
    const lost = this.directory.remove(link, Date.now());
    this.backup?.rooms.dropHolder(link);
    this.backup?.moves.serverGone(link);
    this.log.error(
      `RoomServer ${link.name}`,
      `link lost: ${reason}; ${lost.length} server worlds will be assigned again on next use`,
      { event: 'link-lost', address: link.address },
    );
    for (const u of [...this.users.all()]) {
      if (!u.servers.delete(link)) continue;
      if (u.lastServer === link) u.lastServer = [...u.servers].at(-1) ?? null;
      this.checkPresence(u);
    }
  }

  linkClosed(link: RoomServerLink): void {
    this.pendingLinks.delete(link);
  }

  linkRefused(address: string, name: string, reason: string): void {
    this.linkGate.refusedAfterAuth(address, name, reason);
  }

  linkMessage(link: RoomServerLink, m: LinkMessage): void {
    handleLinkMessage(this, link, m);
  }

  // ------------------------------------------------------------------ the database

  /** Work the shutdown must wait for. */
  track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  private async store(w: UsageWrite): Promise<void> {
    if (!this.accounts) return;
    try {
      const exists = await this.accounts.write(w);
      if (!exists) this.log.error(w.name, 'account no longer exists in the user database; usage not recorded');
      else this.usageRowsWritten++;
      if (exists)
        this.log.debug(
          `usage of ${w.name} written: +${w.timesOn} logons, +${w.minutes} minutes${w.props ? `, ${w.props.length} properties` : ''}`,
        );
    } catch (err) {
      this.log.error(w.name, `could not write usage to the user database (${describe(err)}); will retry`);
      this.retryWrites.push(w);
    }
  }

  /** Every `UserDatabase … minutes`: counters and changed properties of every active user (AG-13). */
  async writeBack(): Promise<void> {
    if (!this.accounts) return;
    const writes = this.retryWrites;
    this.retryWrites = [];
    const now = Date.now();
    for (const u of this.users.all()) if (u.kind === 'registered') writes.push(Accounts.pendingUsage(u, now, false));
    for (const w of writes) await this.track(this.store(w));
    this.log.debug(`write-back: ${writes.length} accounts`);
  }

  // ------------------------------------------------------------------ operations

  toggleTracing(why?: string): void {
    this.trace = toggleCommandTrace(this.log, why);
    for (const s of this.sessions) s.conn.trace = this.trace;
    for (const l of [...this.links, ...this.pendingLinks]) l.setTrace(this.trace ? this.linkTraceFor(l) : null);
    this.backup?.setTracing(this.trace !== null);
  }

  /** AG-37: stop accepting, log every active user off (writing the database), then close. */
  async shutdown(db: Database | null): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.acceptingClients = false;
    this.logLimit.stop();
    this.logLimit.flush();
    this.acceptingLinks = false;
    this.clientListener.close();
    this.linkListener.close();
    for (const t of this.timers) clearInterval(t);
    if (this.writeBackTimer) clearTimeout(this.writeBackTimer);
    this.housekeeping.stop();
    this.moth.unwatch();
    const rowsBefore = this.usageRowsWritten;
    const active = this.users.size;
    // AG-37: users hear why they are disconnected (through their RoomServers, or here).
    if (active) this.router.broadcast(SERVER_PSEUDO_USER, SHUTDOWN_NOTICE, { localOnly: true });
    for (const u of [...this.users.all()]) this.logoff(u, 'server shutting down');
    this.backup?.stop('UserServer shutting down');
    for (const s of [...this.sessions]) s.conn.close({ kind: 'server', detail: 'server shutting down' });
    for (const l of [...this.links]) l.close('UserServer shutting down');
    const retry = this.retryWrites;
    this.retryWrites = [];
    for (const w of retry) await this.store(w);
    await Promise.allSettled([...this.inflight]);
    this.log.event(
      `shutdown: ${active} users told and logged off, ${this.usageRowsWritten - rowsBefore} usage rows written to the user database${this.retryWrites.length ? `, ${this.retryWrites.length} could not be written` : ''}`,
      { event: 'shutdown' },
    );
    if (db) await db.close();
    await this.sockets.drained(3_000);
    await this.monitor.stop();
  }
}
