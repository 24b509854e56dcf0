// One UserServer process (AG-5 … AG-22): client sessions, RoomServer links, the galaxy's users and
// room directory, routing between RoomServers, and the user database's write-back.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import { Nak, PropFlag, ServerType } from '../protocol/constants.js';
import { buddyNotify, textFrames, whisperFrames } from '../protocol/messages.js';
import { isValidUserName } from '../protocol/names.js';
import type { NewProp } from '../protocol/props.js';
import { RoomAnswerKind, type LinkMessage, type LinkMessageOf } from '../protocol/link.js';
import { BanList } from '../runtime/bans.js';
import { Connection, type CloseReason, type TraceHooks } from '../runtime/connection.js';
import type { Database } from '../runtime/db/types.js';
import { describe } from '../runtime/lifecycle.js';
import { ctime, type ServerLog } from '../runtime/log.js';
import { MessageOfTheHour } from '../runtime/moth.js';
import { buildServerProps } from '../runtime/serverprops.js';
import { describeCommand, describeFrame } from '../runtime/trace.js';
import { Accounts, type UsageWrite } from './accounts.js';
import type { UserServerConfig } from './config.js';
import { Directory } from './directory.js';
import { RoomServerLink, type LinkHost } from './links.js';
import { toProps, type LoginContext } from './login.js';
import { PasswordHasher } from './passwords.js';
import { UserSession } from './session.js';
import { ActiveUsers, ChannelPopulation, GuestSlots, type ActiveUser } from './users.js';

const HOUR_MS = 3_600_000;
const PRELOGIN_SLACK = 64;

export class UserServer implements LinkHost {
  readonly users: ActiveUsers;
  readonly directory = new Directory<RoomServerLink>();
  readonly bans = new BanList();
  readonly moth: MessageOfTheHour;
  readonly guests: GuestSlots | null;
  readonly hasher: PasswordHasher;
  readonly serverType: number;
  readonly serverProps: NewProp[];
  accounts: Accounts | null = null;
  private readonly links = new Set<RoomServerLink>();
  private readonly sessions = new Set<UserSession>();
  private readonly sockets = new Set<Socket>();
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
    this.users = new ActiveUsers(new ChannelPopulation(cfg.maxChannelPopulation ?? cfg.maxActiveUsers));
    this.guests = cfg.guests ? new GuestSlots(cfg.guests.max, cfg.guests.prefix) : null;
    this.hasher = new PasswordHasher(cfg.passwordCost);
    this.serverType = cfg.userDatabase ? ServerType.USER_SERVER_DB : ServerType.USER_SERVER_ANON;
    this.serverProps = buildServerProps(cfg.http, this.serverType, null);
    this.moth = new MessageOfTheHour(cfg.mothFile);
    if (log.tracing) this.trace = this.traceHooks();
    clientListener.on('connection', (s: Socket) => this.acceptClient(s));
    linkListener.on('connection', (s: Socket) => this.acceptLink(s));
  }

  get serverName(): string {
    return this.cfg.serverName;
  }

  get password(): string {
    return this.cfg.roomServersPassword;
  }

  /** Called once the user database (if any) is open: RoomServers may connect from now on. */
  ready(db: Database | null): void {
    if (db) this.accounts = new Accounts(db, this.hasher);
    this.acceptingLinks = true;
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(HOUR_MS, () => void this.reloadMoth());
    if (this.cfg.userDatabase) every(this.cfg.userDatabase.writeBackMinutes * 60_000, () => void this.writeBack());
    const start = () => {
      this.acceptingClients = true;
      this.log.event(`accepting clients on port ${(this.clientListener.address() as { port: number }).port}`);
    };
    if (this.cfg.delayMinutes > 0) {
      this.log.event(`clients accepted in ${this.cfg.delayMinutes} minutes (Users delay)`);
      const t = setTimeout(start, this.cfg.delayMinutes * 60_000);
      t.unref();
      this.timers.push(t);
    } else start();
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
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const conn = new Connection(socket, this.cfg.limits);
    conn.trace = this.trace;
    this.sessions.add(new UserSession(this, conn));
  }

  /** The login steps succeeded: make the user active here (AG-11: replacing an older session). */
  startSession(ctx: LoginContext): void {
    const key = ctx.name.toLowerCase();
    const old = this.users.get(key);
    if (old) this.replace(old, `logged in again from ${ctx.session.address}`);
    const password = ctx.sessionPassword ?? ctx.password;
    const now = Date.now();
    const u: ActiveUser = {
      name: ctx.name,
      key,
      kind: ctx.kind,
      privileges: ctx.privileges,
      channel: this.users.channels.choose(),
      serial: ctx.serial,
      clientVersion: ctx.props.get(9) ?? '',
      address: ctx.session.address,
      loginAt: new Date(now),
      props: toProps(ctx.stored),
      propsDirty: false,
      buddies: new Map(),
      verifier: this.verifierOf(password),
      client: ctx.session,
      servers: new Set(),
      lastServer: null,
      guestSlot: ctx.guestSlot,
      timesOnCounted: false,
      accountedUntil: now,
      lingerTimer: null,
    };
    this.users.add(u);
    ctx.session.user = u;
    ctx.session.conn.label = u.name;
    this.log.debug(`login ${u.name} (${u.kind}) from ${u.address} on ${u.channel}, privileges ${u.privileges}`);
  }

  sessionClosed(s: UserSession, reason: CloseReason, loggingOff: boolean): void {
    this.sessions.delete(s);
    const u = s.user;
    const who = u?.name ?? s.conn.label;
    if (!['peer', 'exit', 'kicked', 'server'].includes(reason.kind)) this.log.error(who, reason.detail);
    if (!u) return;
    // AG-32: the end of every authentication session.
    this.log.block([`${ctime(new Date())} ${u.name} (${s.address})`, `connected since ${ctime(s.connectedAt)}`]);
    if (u.client !== s) return;
    u.client = null;
    if (loggingOff) this.logoff(u, 'logged off');
    else this.checkPresence(u);
  }

  private verifierOf(password: string): Buffer {
    return createHmac('sha256', this.verifierKey).update(password).digest();
  }

  private verifierMatches(u: ActiveUser, password: string): boolean {
    const v = this.verifierOf(password);
    return v.length === u.verifier.length && timingSafeEqual(v, u.verifier);
  }

  // ------------------------------------------------------------------ presence

  /** A user present nowhere is logged off after LogoffDelay (a client moving between servers reappears). */
  private checkPresence(u: ActiveUser): void {
    if (!ActiveUsers.absent(u) || u.lingerTimer || this.users.get(u.key) !== u) return;
    u.lingerTimer = setTimeout(() => {
      u.lingerTimer = null;
      if (ActiveUsers.absent(u)) this.logoff(u, 'connection lost');
    }, this.cfg.logoffDelayMs);
    u.lingerTimer.unref();
  }

  private present(u: ActiveUser): void {
    if (u.lingerTimer) clearTimeout(u.lingerTimer);
    u.lingerTimer = null;
  }

  /** AG-14: the user leaves the galaxy; usage and properties are written, friends told. */
  logoff(u: ActiveUser, why: string): void {
    if (!this.users.remove(u)) return;
    if (u.guestSlot !== null) this.guests?.free(u.guestSlot);
    this.announce(u, 0);
    const version = u.kind === 'guest' ? ` ${u.clientVersion}` : '';
    this.log.block([`${ctime(new Date())} ${u.name} (${u.address})${version}`, `active since ${ctime(u.loginAt)}`]);
    this.log.debug(`logoff ${u.name}: ${why}`);
    if (this.accounts && u.kind === 'registered') this.track(this.store(Accounts.pendingUsage(u, Date.now(), true)));
  }

  private replace(old: ActiveUser, reason: string): void {
    for (const link of old.servers) (link as RoomServerLink).send({ kind: 'KICK', name: old.name, reason });
    old.client?.kick(reason);
    this.logoff(old, reason);
  }

  /** Friends of `u` hear that it came online (1) or went offline (0), wherever they are. */
  announce(u: ActiveUser, state: 0 | 1): void {
    for (const w of this.users.watchersOf(u.key))
      if (w !== u) this.notifyBuddy(w, w.buddies.get(u.key) ?? u.name, state);
  }

  private notifyBuddy(watcher: ActiveUser, spelling: string, state: 0 | 1): void {
    const link = watcher.lastServer as RoomServerLink | null;
    if (link) link.send({ kind: 'BUDDY_NOTIFY', to: watcher.name, buddy: spelling, state });
    else watcher.client?.sendFrames([buddyNotify(spelling, state)]);
  }

  buddy(u: ActiveUser, name: string, add: boolean): void {
    const key = name.toLowerCase();
    if (!add) return this.users.unwatch(u, key);
    if (!u.buddies.has(key) && u.buddies.size >= 200) return;
    this.users.watch(u, name);
    // The real US answered only for friends online (§5.2 BUDDYLISTNOTIFY).
    if (this.users.get(key)) this.notifyBuddy(u, name, 1);
  }

  userProps(u: ActiveUser, props: readonly NewProp[], from: RoomServerLink | null): void {
    for (const p of props) {
      u.props.set(p.id, p);
      if (p.flags & PropFlag.DBSTORE) u.propsDirty = true;
    }
    // Changes made on the UserServer connection reach the RoomServers that show the user.
    if (!from)
      for (const link of u.servers)
        (link as RoomServerLink).send({ kind: 'USER_PROPS', name: u.name, props: [...props] });
  }

  // ------------------------------------------------------------------ routing (AG-18, AG-20)

  routeWhisper(from: string, to: string, text: string): { delivered: boolean; reason: string } {
    const t = this.users.get(to.toLowerCase());
    if (!t) return { delivered: false, reason: `${to} is not logged on` };
    const link = t.lastServer as RoomServerLink | null;
    if (link) link.send({ kind: 'WHISPER_DELIVER', from, to: t.name, text });
    else if (t.client) t.client.sendFrames(whisperFrames(from, text));
    else return { delivered: false, reason: `${to} is between servers` };
    return { delivered: true, reason: '' };
  }

  /** Broadcast text to every RoomServer but `exceptLink`, and to users only on the UserServer. */
  broadcast(
    from: string,
    text: string,
    exceptLink: RoomServerLink | null,
    exceptSession: UserSession | null = null,
  ): void {
    for (const link of this.links) if (link !== exceptLink) link.send({ kind: 'BROADCAST_DELIVER', from, text });
    const frames = textFrames(from, text);
    for (const u of this.users.all())
      if (u.servers.size === 0 && u.client && u.client !== exceptSession) u.client.sendFrames(frames);
    this.log.event(`broadcast by ${from}: ${text}`);
  }

  boot(by: string, name: string): { ok: boolean; message: string } {
    const t = this.users.get(name.toLowerCase());
    if (!t) return { ok: false, message: `${name} is not logged on.` };
    this.bans.ban(t.key, t.address);
    const reason = `booted by ${by}`;
    this.replace(t, reason);
    this.log.event(`${by} booted ${t.name} (${t.address}); name and address banned for 30 minutes`);
    return { ok: true, message: `${t.name} has been booted.` };
  }

  // ------------------------------------------------------------------ RoomServer links

  private acceptLink(socket: Socket): void {
    if (!this.acceptingLinks) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    new RoomServerLink(socket, this);
  }

  nameInUse(name: string): boolean {
    for (const l of this.links) if (l.name === name) return true;
    return false;
  }

  linkUp(link: RoomServerLink): void {
    this.links.add(link);
    this.directory.add(link);
    const worlds = link.worlds.map((w) => (w.channel ? `${w.world}<${w.channel}>` : w.world)).join(' ');
    this.log.event(
      `RoomServer ${link.name} connected from ${link.address}; clients go to ${link.usersIp}:${link.usersPort}${worlds ? `; volunteers for ${worlds}` : ''}`,
    );
  }

  linkDown(link: RoomServerLink, reason: string): void {
    this.links.delete(link);
    const lost = this.directory.remove(link);
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

  linkRefused(address: string, name: string, reason: string): void {
    this.log.error(`RoomServer ${name} from ${address}`, `refused: ${reason}`);
  }

  linkMessage(link: RoomServerLink, m: LinkMessage): void {
    switch (m.kind) {
      case 'ROOM_REQ':
        return this.roomRequest(link, m);
      case 'ROOM_LOOKUP': {
        // A client subscribed to a room the UserServer redirected it to: tell its RoomServer the name.
        const name = this.directory.roomOf(m.room, link);
        return link.send({
          kind: 'ROOM_INFO',
          reqId: m.reqId,
          answer: name ? RoomAnswerKind.HERE : RoomAnswerKind.NONE,
          name: name ?? '',
        });
      }
      case 'LOGIN_REQ':
        this.track(
          this.verifyRoomServerLogin(link, m).then(
            (ans) => link.send(ans),
            (err: unknown) => {
              this.log.error(m.loginName, `RoomServer login check failed: ${describe(err)}`);
              link.send(loginAnswer(m.reqId, Nak.FATAL, 'login check failed'));
            },
          ),
        );
        return;
      case 'USER_JOINED': {
        const u = this.users.get(m.name.toLowerCase());
        if (!u) return link.send({ kind: 'KICK', name: m.name, reason: 'not logged in to this galaxy' });
        u.servers.add(link);
        u.lastServer = link;
        this.present(u);
        return;
      }
      case 'USER_LEFT': {
        const u = this.users.get(m.name.toLowerCase());
        if (!u || !u.servers.delete(link)) return;
        if (u.lastServer === link) u.lastServer = [...u.servers].at(-1) ?? null;
        if (m.loggingOff && ActiveUsers.absent(u)) this.logoff(u, 'logged off');
        else this.checkPresence(u);
        return;
      }
      case 'PROPS': {
        const u = this.users.get(m.name.toLowerCase());
        if (u) this.userProps(u, m.props, link);
        return;
      }
      case 'CHANNEL': {
        const u = this.users.get(m.name.toLowerCase());
        if (u) this.users.changeChannel(u, m.channel);
        return;
      }
      case 'BUDDY': {
        const u = this.users.get(m.name.toLowerCase());
        if (u) this.buddy(u, m.buddy, m.add !== 0);
        return;
      }
      case 'WHISPER': {
        const r = this.routeWhisper(m.from, m.to, m.text);
        if (!r.delivered) this.log.error(m.from, `undeliverable whisper dropped - ${r.reason}`);
        return link.send({ kind: 'WHISPER_ANS', reqId: m.reqId, delivered: r.delivered ? 1 : 0, reason: r.reason });
      }
      case 'BROADCAST':
        return this.broadcast(m.from, m.text, link);
      case 'BOOT_REQ': {
        const r = this.boot(m.from, m.name);
        return link.send({ kind: 'BOOT_ANS', reqId: m.reqId, ok: r.ok ? 1 : 0, message: r.message });
      }
      default:
        this.log.error(`RoomServer ${link.name}`, `unexpected link message ${m.kind}; link closed`);
        link.close(`unexpected ${m.kind}`);
    }
  }

  private roomRequest(link: RoomServerLink, m: LinkMessageOf<'ROOM_REQ'>): void {
    const a = this.directory.assign(m.name);
    if (!a.ok) {
      link.send({
        kind: 'ROOM_ANS',
        reqId: m.reqId,
        answer: RoomAnswerKind.NONE,
        room: 0,
        ip: '',
        port: 0,
        reason: a.reason,
      });
      return;
    }
    const here = a.server === link;
    link.send({
      kind: 'ROOM_ANS',
      reqId: m.reqId,
      answer: here ? RoomAnswerKind.HERE : RoomAnswerKind.ELSEWHERE,
      room: a.id,
      ip: here ? '' : a.server.usersIp,
      port: here ? 0 : a.server.usersPort,
      reason: '',
    });
  }

  /**
   * AG-26: a client logging in to a RoomServer presents name and password there; the RoomServer
   * asks here. An active session's password is checked against its verifier (no rehash); the
   * account's status and privileges are read again from the database.
   */
  private async verifyRoomServerLogin(link: RoomServerLink, m: LinkMessageOf<'LOGIN_REQ'>): Promise<LinkMessage> {
    const key = m.loginName.toLowerCase();
    if (this.bans.isBanned(key, m.address))
      return loginAnswer(m.reqId, Nak.BAD_IPADDRESS, 'booted within the last 30 minutes');
    let u = this.users.get(key);
    if (u && this.verifierMatches(u, m.password)) {
      if (this.accounts && u.kind === 'registered') {
        const rec = await this.accounts.current(u.name);
        if (!rec) return loginAnswer(m.reqId, Nak.NO_SUCH_USER, `account ${u.name} no longer exists`);
        if (rec.accountStatus !== 1) return loginAnswer(m.reqId, Nak.BAD_ACCOUNT, `account ${u.name} is inactive`);
        u.privileges = rec.userPrivileges;
      }
    } else if (u && u.kind !== 'registered') {
      return loginAnswer(m.reqId, Nak.BAD_PASSWORD, `wrong session password for ${u.name}`);
    } else if (this.accounts) {
      const r = await this.accounts.authenticate(m.loginName, m.password);
      if (!r.ok) return loginAnswer(m.reqId, r.nak, r.reason);
      u = this.users.get(key);
      if (u) u.verifier = this.verifierOf(m.password);
      else {
        if (this.users.size >= this.cfg.maxActiveUsers) return loginAnswer(m.reqId, Nak.MAX_ORDINARY, 'server full');
        u = this.directUser(r.record.userName, 'registered', r.record.userPrivileges, m, r.record.serialNumber);
        u.props = toProps(r.props);
      }
      u.privileges = r.record.userPrivileges;
    } else {
      if (!isValidUserName(m.loginName, this.cfg.unicodeNames))
        return loginAnswer(m.reqId, Nak.BAD_USER, `name ${m.loginName} is not valid`);
      if (this.users.size >= this.cfg.maxActiveUsers) return loginAnswer(m.reqId, Nak.MAX_ORDINARY, 'server full');
      u = this.directUser(m.loginName, 'anonymous', 0, m, null);
    }
    return {
      kind: 'LOGIN_ANS',
      reqId: m.reqId,
      nak: 0,
      reason: '',
      name: u.name,
      privileges: u.privileges,
      channel: u.channel,
      props: [...u.props.values()],
    };
  }

  /** A login that reached a RoomServer without going through this UserServer first. */
  private directUser(
    name: string,
    kind: 'registered' | 'anonymous',
    privileges: number,
    m: LinkMessageOf<'LOGIN_REQ'>,
    serial: string | null,
  ): ActiveUser {
    const now = Date.now();
    const u: ActiveUser = {
      name,
      key: name.toLowerCase(),
      kind,
      privileges,
      channel: this.users.channels.choose(),
      serial,
      clientVersion: m.clientVersion,
      address: m.address,
      loginAt: new Date(now),
      props: new Map(),
      propsDirty: false,
      buddies: new Map(),
      verifier: this.verifierOf(m.password),
      client: null,
      servers: new Set(),
      lastServer: null,
      guestSlot: null,
      timesOnCounted: false,
      accountedUntil: now,
      lingerTimer: null,
    };
    this.users.add(u);
    this.announce(u, 1);
    this.checkPresence(u);
    return u;
  }

  // ------------------------------------------------------------------ the database

  private track<T>(p: Promise<T>): Promise<T> {
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
    const retry = this.retryWrites;
    this.retryWrites = [];
    const now = Date.now();
    const writes = [...retry];
    for (const u of this.users.all()) if (u.kind === 'registered') writes.push(Accounts.pendingUsage(u, now, false));
    for (const w of writes) await this.track(this.store(w));
    this.log.debug(`write-back: ${writes.length} accounts`);
  }

  // ------------------------------------------------------------------ operations

  toggleTracing(): void {
    const on = !this.log.tracing;
    this.log.setTracing(on);
    this.log.event(
      `Logging ${on ? 'enabled' : 'disabled'} (SIGUSR1); command trace ${on ? 'appended to' : 'stopped in'} ${this.log.outPath}`,
    );
    this.trace = on ? this.traceHooks() : null;
    for (const s of this.sessions) s.conn.trace = this.trace;
  }

  private traceHooks(): TraceHooks {
    return {
      in: (conn, c) => this.log.trace(`<- ${conn.label} ${describeCommand(c)}`),
      out: (conn, frame) => this.log.trace(`-> ${conn.label} ${describeFrame(frame)}`),
    };
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
    if (this.retryWrites.length) {
      const retry = this.retryWrites;
      this.retryWrites = [];
      for (const w of retry) await this.store(w);
    }
    await Promise.allSettled([...this.inflight]);
    if (db) await db.close();
    await waitForSockets(this.sockets, 3_000);
  }

  get linkCount(): number {
    return this.links.size;
  }
}

function loginAnswer(reqId: number, nak: number, reason: string): LinkMessage {
  return { kind: 'LOGIN_ANS', reqId, nak, reason, name: '', privileges: 0, channel: '', props: [] };
}

function waitForSockets(sockets: Set<Socket>, maxMs: number): Promise<void> {
  if (sockets.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, maxMs);
    let left = sockets.size;
    for (const s of sockets) {
      s.once('close', () => {
        if (--left === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}
