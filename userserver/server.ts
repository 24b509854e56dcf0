// One UserServer process (AG-5 … AG-22): accepts clients and RoomServer links, keeps the galaxy's
// active users (sessions, presence, logoff) and writes their usage back to the user database.
// Routing lives in routing.ts, RoomServer messages in link-messages.ts.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ServerType } from '../protocol/constants.js';
import type { NewProp } from '../protocol/props.js';
import type { LinkMessage } from '../protocol/link.js';
import { BanList } from '../runtime/bans.js';
import { ChannelPopulation } from '../runtime/channels.js';
import type { HttpSettings } from '../runtime/config-common.js';
import type { LinkHandshakeLimits } from '../runtime/config-limits.js';
import { Connection, type CloseReason, type TraceHooks } from '../runtime/connection.js';
import type { Database } from '../runtime/db/types.js';
import { describe } from '../runtime/lifecycle.js';
import { ctime, type ServerLog } from '../runtime/log.js';
import { MessageOfTheHour } from '../runtime/moth.js';
import { buildServerProps } from '../runtime/serverprops.js';
import { ThrottledLog } from '../runtime/log-throttle.js';
import type { LinkSecret } from '../runtime/secure-link.js';
import { SocketSet } from '../runtime/sockets.js';
import { commandTrace, linkTrace, toggleCommandTrace, type LinkTrace } from '../runtime/trace.js';
import { Accounts, type UsageWrite } from './accounts.js';
import type { UserServerConfig } from './config.js';
import { Directory } from './directory.js';
import { handleLinkMessage } from './link-messages.js';
import { RoomServerGate, type LinkGateHost } from './link-gate.js';
import { RoomServerLink, type LinkHost } from './links.js';
import { toProps, type LoginContext } from './login.js';
import { PasswordHasher } from './passwords.js';
import { UserServerRooms } from './room-requests.js';
import { ROOMSERVER_LINK_ROLE } from '../protocol/link.js';
import { Router, type RoutingHost } from './routing.js';
import { UserSession } from './session.js';
import { ActiveUsers, GuestSlots, activeUser, type ActiveUser } from './users.js';

const HOUR_MS = 3_600_000;
/** Sockets that may wait for login beyond `Connections`, to be told "server full". */
const PRELOGIN_SLACK = 64;

export class UserServer implements LinkHost, LinkGateHost, RoutingHost {
  readonly users: ActiveUsers;
  readonly directory: Directory<RoomServerLink>;
  /** Room requests on client connections (limits, notices) (issue 6). */
  readonly rooms: UserServerRooms;
  readonly bans = new BanList();
  readonly moth: MessageOfTheHour;
  readonly guests: GuestSlots | null;
  readonly hasher: PasswordHasher;
  readonly serverType: number;
  readonly serverProps: NewProp[];
  readonly router: Router;
  readonly links = new Set<RoomServerLink>();
  /** The RoomServers port: TLS-PSK handshakes, their limits and refusals (LINK.md). */
  readonly linkGate: RoomServerGate;
  /** Lines about one offender at most once per minute (link refusals, room requests). */
  readonly logLimit: ThrottledLog;
  /** Links still in their handshake. */
  private readonly pendingLinks = new Set<RoomServerLink>();
  accounts: Accounts | null = null;
  private readonly sessions = new Set<UserSession>();
  private readonly sockets = new SocketSet();
  /** Writes that failed (database down); retried with the next write-back. */
  private retryWrites: UsageWrite[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  /** Random per-process key for session verifiers (never stored). */
  private readonly verifierKey = randomBytes(32);
  private trace: TraceHooks | null = null;
  private timers: NodeJS.Timeout[] = [];
  private acceptingClients = false;
  private acceptingLinks = false;
  private shuttingDown = false;

  constructor(
    readonly cfg: Readonly<UserServerConfig>,
    readonly log: ServerLog,
    private readonly clientListener: Server,
    private readonly linkListener: Server,
  ) {
    this.logLimit = new ThrottledLog(log);
    this.directory = new Directory<RoomServerLink>(() => this.cfg.rooms);
    this.rooms = new UserServerRooms(this);
    this.users = new ActiveUsers(new ChannelPopulation(cfg.maxChannelPopulation ?? cfg.maxActiveUsers));
    this.guests = cfg.guests ? new GuestSlots(cfg.guests.max, cfg.guests.prefix) : null;
    this.hasher = new PasswordHasher(cfg.passwordCost);
    this.serverType = cfg.userDatabase ? ServerType.USER_SERVER_DB : ServerType.USER_SERVER_ANON;
    this.serverProps = buildServerProps(cfg.http, this.serverType, null);
    this.moth = new MessageOfTheHour(cfg.mothFile);
    this.router = new Router(this);
    if (log.tracing) this.trace = commandTrace(log);
    clientListener.on('connection', (s: Socket) => this.acceptClient(s));
    this.linkGate = new RoomServerGate(this, linkListener);
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

  /** Called once the user database (if any) is open: RoomServers may connect from now on. */
  ready(db: Database | null): void {
    if (db) this.accounts = new Accounts(db, this.hasher);
    this.acceptingLinks = true;
    this.every(HOUR_MS, () => void this.reloadMoth());
    this.reclaimRoomIds();
    if (this.cfg.userDatabase) this.every(this.cfg.userDatabase.writeBackMinutes * 60_000, () => void this.writeBack());
    const start = () => {
      this.acceptingClients = true;
      this.log.event(`accepting clients on port ${(this.clientListener.address() as { port: number }).port}`);
    };
    if (this.cfg.delayMinutes === 0) return start();
    this.log.event(`clients accepted in ${this.cfg.delayMinutes} minutes (Users delay)`);
    const t = setTimeout(start, this.cfg.delayMinutes * 60_000);
    t.unref();
    this.timers.push(t);
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

  async reloadMoth(): Promise<void> {
    const change = await this.moth.reload();
    if (change) this.log.event(change);
  }

  // ------------------------------------------------------------------ clients

  private acceptClient(socket: Socket): void {
    if (!this.acceptingClients || this.sessions.size >= this.cfg.maxConnections + PRELOGIN_SLACK) {
      if (this.acceptingClients)
        this.log.error(socket.remoteAddress ?? 'unknown', `connection refused: ${this.sessions.size} connections open`);
      socket.destroy();
      return;
    }
    this.sockets.track(socket);
    const conn = new Connection(socket, this.cfg.limits);
    conn.trace = this.trace;
    this.sessions.add(new UserSession(this, conn));
  }

  /** The login steps succeeded: the user is active (AG-11: an older session is replaced). */
  startSession(ctx: LoginContext): void {
    const old = this.users.get(ctx.name.toLowerCase());
    if (old) this.replace(old, `logged in again from ${ctx.session.address}`);
    const u = activeUser({
      name: ctx.name,
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
    ctx.session.user = u;
    ctx.session.conn.label = u.name;
    this.log.debug(`login ${u.name} (${u.kind}) from ${u.address} on ${u.channel}, privileges ${u.privileges}`);
  }

  sessionClosed(s: UserSession, reason: CloseReason, loggingOff: boolean): void {
    this.sessions.delete(s);
    // The client forgets the ids this connection gave it (§5.2): they may leave use now.
    this.directory.dropHolder(s, Date.now());
    const u = s.user;
    if (!['peer', 'exit', 'kicked', 'server'].includes(reason.kind))
      this.log.error(u?.name ?? s.conn.label, reason.detail);
    if (!u) return;
    // AG-32: the end of every authentication session.
    this.log.block([`${ctime(new Date())} ${u.name} (${s.address})`, `connected since ${ctime(s.connectedAt)}`]);
    if (u.client !== s) return;
    u.client = null;
    // LOGONOFF marks the client's last connection; a user still on a RoomServer stays.
    if (loggingOff && ActiveUsers.absent(u)) this.logoff(u, 'logged off');
    else this.checkPresence(u);
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
    u.lingerTimer = setTimeout(() => {
      u.lingerTimer = null;
      if (ActiveUsers.absent(u)) this.logoff(u, 'connection lost');
    }, this.cfg.logoffDelayMs);
    u.lingerTimer.unref();
  }

  present(u: ActiveUser): void {
    if (u.lingerTimer) clearTimeout(u.lingerTimer);
    u.lingerTimer = null;
  }

  /** AG-14: the user leaves the galaxy; usage and properties are written, friends told. */
  logoff(u: ActiveUser, why: string): void {
    if (!this.users.remove(u)) return;
    if (u.guestSlot !== null) this.guests?.free(u.guestSlot);
    this.router.announce(u, 0);
    const version = u.kind === 'guest' ? ` ${u.clientVersion}` : '';
    this.log.block([`${ctime(new Date())} ${u.name} (${u.address})${version}`, `active since ${ctime(u.loginAt)}`]);
    this.log.debug(`logoff ${u.name}: ${why}`);
    if (this.accounts && u.kind === 'registered') this.track(this.store(Accounts.pendingUsage(u, Date.now(), true)));
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
    const worlds = link.worlds.map((w) => (w.channel ? `${w.world}<${w.channel}>` : w.world)).join(' ');
    this.log.event(
      `RoomServer ${link.name} connected from ${link.address}; clients go to ${link.usersIp}:${link.usersPort}${worlds ? `; volunteers for ${worlds}` : ''}`,
    );
  }

  linkDown(link: RoomServerLink, reason: string): void {
    this.links.delete(link);
    const lost = this.directory.remove(link, Date.now());
    this.log.error(
      `RoomServer ${link.name}`,
      `link lost: ${reason}; ${lost.length} server worlds will be assigned again on next use`,
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
      else
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

  toggleTracing(): void {
    this.trace = toggleCommandTrace(this.log);
    for (const s of this.sessions) s.conn.trace = this.trace;
    for (const l of [...this.links, ...this.pendingLinks]) l.setTrace(this.trace ? this.linkTraceFor(l) : null);
  }

  /** AG-37: stop accepting, log every active user off (writing the database), then close. */
  async shutdown(db: Database | null): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.acceptingClients = false;
    this.acceptingLinks = false;
    this.clientListener.close();
    this.linkListener.close();
    for (const t of this.timers) clearInterval(t);
    for (const u of [...this.users.all()]) this.logoff(u, 'server shutting down');
    for (const s of [...this.sessions]) s.conn.close({ kind: 'server', detail: 'server shutting down' });
    for (const l of [...this.links]) l.close('UserServer shutting down');
    const retry = this.retryWrites;
    this.retryWrites = [];
    for (const w of retry) await this.store(w);
    await Promise.allSettled([...this.inflight]);
    if (db) await db.close();
    await this.sockets.drained(3_000);
  }
}
