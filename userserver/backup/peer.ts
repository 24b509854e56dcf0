// The other WorldServer of a redundant pair (guide "Redundant WorldServer Operation", Appendix II
// BackupServer / BackupClient / ChannelSuffix; AG-23; protocol/BACKUP.md). One backup link, kept
// up by the BackupClient (userserver/backup/connector.ts) and accepted by the BackupServer
// (userserver/backup/gate.ts); over it the two UserServers exchange the users logged in (the list
// at link-up, then every login and logoff), forward whispers, broadcasts, boots and their bans,
// answer room requests for the channels they serve, and hand a user's session over when its client
// follows a teleport to the other side. A login of a name the other side holds replaces that
// session there (AG-11, decided alike on both sides: protocol/backup.ts duplicateWinner). This
// file owns the link's life and the users' presence; routing-across.ts, rooms-across.ts and
// sessions.ts the rest of what the link carries.

import { hkdfSync, randomBytes } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  BACKUP_LINK_GALAXY,
  BACKUP_LINK_ROLE,
  BACKUP_VERSION,
  duplicateWinner,
  kindOf,
  type BackupMessage,
  type BackupMessageOf,
  type BackupRole,
} from '../../protocol/backup.js';
import { ctime } from '../../runtime/ctime.js';
import { linkKey, type LinkSecret } from '../../runtime/secure-link.js';
import { linkTrace } from '../../runtime/trace.js';
import type { BackupSettings } from '../config.js';
import type { UserServer } from '../server.js';
import type { ActiveUser } from '../users.js';
import { BackupConnector, type ConnectorHost } from './connector.js';
import type { BackupCounts, PeerContext } from './context.js';
import { BackupGate, type BackupGateHost } from './gate.js';
import { sessionStamp } from './handover.js';
import { BackupLink, type BackupLinkHost, type PeerHello } from './link.js';
import { RoomsAcross } from './rooms-across.js';
import { PeerRoster, type PeerUser } from './roster.js';
import { RoutingAcross } from './routing-across.js';
import { SessionMoves } from './sessions.js';
import { registerBackupStats, type BackupStatsSource } from './stats.js';

/** The status page's line about the other WorldServer. */
export interface PeerView {
  role: 'BackupServer' | 'BackupClient';
  name: string | null;
  address: string | null;
  suffix: string | null;
  up: boolean;
  /** Seconds since the link came up, or since it was lost. */
  sinceSeconds: number;
  reason: string;
  users: number;
  linkRttMs: number;
}

const roleName = (r: BackupRole) => (r === 'server' ? 'BackupServer' : 'BackupClient');

export class BackupPeer implements BackupLinkHost, BackupGateHost, ConnectorHost, PeerContext, BackupStatsSource {
  readonly role: BackupRole;
  readonly roster = new PeerRoster();
  readonly rooms = new RoomsAcross(this);
  readonly routing = new RoutingAcross(this);
  readonly moves = new SessionMoves(this);
  /** Random per process: session ids are unique galaxy-wide, a restart is recognised. */
  readonly instance = randomBytes(5).toString('hex');
  private sessions = 0;
  private link: BackupLink | null = null;
  private readonly handshaking = new Set<BackupLink>();
  private connector: BackupConnector | null = null;
  private gate: BackupGate | null = null;
  private listener: Server | null = null;
  /** The other UserServer as last seen, kept while the link is down (logs, status page). */
  private last: { name: string; suffix: string; address: string } | null = null;
  /** Its process instance at the last link: another one means it restarted. */
  private lastInstance = '';
  private changedAt = Date.now();
  private downReason = 'not connected yet';
  private stopped = false;
  readonly counts: BackupCounts = { losses: 0, failed: 0, handedOver: 0, arrived: 0, whispersOut: 0, whispersIn: 0 };

  constructor(
    readonly us: UserServer,
    settings: BackupSettings,
    /** This side's ChannelSuffix (or the role's default). */
    readonly suffix: string,
  ) {
    this.role = settings.role;
    registerBackupStats(us.stats, this);
  }

  get isUp(): boolean {
    return this.link?.isUp ?? false;
  }

  get peerName(): string | null {
    return this.last?.name ?? null;
  }

  get rttMs(): number {
    return this.link?.rttMs ?? 0;
  }

  get peerUsers(): number {
    return this.roster.size;
  }

  /** Handshakes the BackupServer's gate refused, of every kind. */
  get gateRefusals(): number {
    let n = 0;
    for (const v of Object.values(this.gate?.gate.refusals ?? {})) n += v;
    return n;
  }

  /** Live connections it adds to the hourly report's count. */
  get connections(): number {
    return this.isUp ? 1 : 0;
  }

  private get settings(): BackupSettings {
    return this.us.cfg.backup as BackupSettings;
  }

  get upLink(): BackupLink | null {
    return this.link?.isUp ? this.link : null;
  }

  /** `WorldServer West` (or its role while its name is not known). */
  get other(): string {
    return this.last
      ? `WorldServer ${this.last.name}`
      : `the ${roleName(this.role === 'server' ? 'client' : 'server')}`;
  }

  backupSecret(): LinkSecret {
    return { role: BACKUP_LINK_ROLE, galaxy: BACKUP_LINK_GALAXY, password: this.settings.password };
  }

  /**
   * Derives the link key (scrypt, off the event loop) and, from it, the key of the session
   * verifiers: both UserServers hold the same one, so a RoomServer login on one side can be
   * checked against the session the other side holds without any password crossing (CLAIM).
   */
  async prepare(): Promise<void> {
    const key = await linkKey(this.backupSecret());
    this.us.useVerifierKey(Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'worlds session verifier v1', 32)));
  }

  /** BackupServer: connections on its port become links. */
  serve(listener: Server): void {
    this.listener = listener;
    this.gate = new BackupGate(this, listener);
  }

  /** BackupClient: connect now and whenever the link is lost. */
  connect(): void {
    this.connector = new BackupConnector(this);
    this.connector.start();
  }

  stop(reason: string): void {
    this.stopped = true;
    this.listener?.close();
    this.connector?.stop();
    for (const l of this.handshaking) l.close(reason);
    this.link?.send({ kind: 'BYE', reason: `${this.us.cfg.serverName} is ${reason.replace(/^UserServer /, '')}` });
    this.link?.close(reason);
  }

  newSession(): string {
    return `${this.role === 'server' ? 'S' : 'C'}${this.instance}.${++this.sessions}`;
  }

  setTracing(on: boolean): void {
    const t = on ? linkTrace(this.us.log, () => `backup ${this.last?.name ?? 'peer'}`) : null;
    this.link?.setTrace(t);
  }

  // ------------------------------------------------------------------ the link (hosts' callbacks)

  get serverName(): string {
    return this.us.cfg.serverName;
  }

  get logLimit() {
    return this.us.logLimit;
  }

  get handshakeMs(): number {
    return this.us.cfg.linkHandshake.timeoutMs;
  }

  linkLimits() {
    return this.us.cfg.linkHandshake;
  }

  acceptsLinks(): boolean {
    return this.us.acceptsLinks() && !this.stopped;
  }

  trackSocket(socket: Socket): void {
    this.us.trackSocket(socket);
  }

  target(): { host: string; port: number; retryMs: number } {
    return { host: this.settings.host ?? '127.0.0.1', port: this.settings.port, retryMs: this.us.cfg.backupRetryMs };
  }

  backupAuthenticated(socket: TLSSocket, name: string): void {
    if (this.stopped) return void socket.destroy();
    this.handshaking.add(new BackupLink(socket, 'server', this, name));
  }

  connected(socket: TLSSocket): void {
    if (this.stopped) return void socket.destroy();
    this.handshaking.add(new BackupLink(socket, 'client', this, ''));
  }

  connectFailed(kind: string, reason: string, retryMs: number): void {
    this.downReason = reason;
    this.us.logLimit.error(
      `BackupServer ${this.target().host}:${this.target().port}`,
      `backup connect ${kind}`,
      `no backup link: ${reason}; retrying every ${retryMs / 1000} s`,
      'backup',
    );
  }

  ownHello(): PeerHello {
    return {
      version: BACKUP_VERSION,
      serverName: this.us.cfg.serverName,
      suffix: this.suffix,
      serverType: this.us.serverType,
      instance: this.instance,
    };
  }

  checkPeer(peer: PeerHello, link: BackupLink): string | null {
    if (link.role === 'server' && peer.serverName !== link.authenticatedAs)
      return `HELLO names UserServer ${peer.serverName}, the handshake ${link.authenticatedAs}`;
    if (peer.suffix === this.suffix)
      return `both UserServers use the channel suffix ${this.suffix}: give each its own ChannelSuffix (by default the BackupClient's is 1, the BackupServer's 2)`;
    if (peer.serverType !== this.us.serverType)
      return `one UserServer has a user database and the other has none (server types ${this.us.serverType} here, ${peer.serverType} there): both must be alike`;
    const current = this.link;
    if (current?.isUp && current.peer?.serverName !== peer.serverName)
      return `the BackupClient ${current.peer?.serverName ?? '?'} is already linked`;
    return null;
  }

  up(link: BackupLink): void {
    this.handshaking.delete(link);
    const peer = link.peer as PeerHello;
    const old = this.link;
    if (old && old !== link) {
      // The same BackupClient again: its old link is dead, or about to be.
      old.close('replaced by a new connection from the same BackupClient');
    }
    this.link = link;
    this.us.directory.addHolder(link);
    const restarted = this.last?.name === peer.serverName && this.lastInstance !== peer.instance;
    this.lastInstance = peer.instance;
    this.last = { name: peer.serverName, suffix: peer.suffix, address: link.address };
    this.changedAt = Date.now();
    this.downReason = '';
    if (this.us.log.tracing) this.setTracing(true);
    const peerRole = roleName(this.role === 'server' ? 'client' : 'server');
    this.us.log.event(
      `backup link up: ${peerRole} ${peer.serverName} at ${link.address} (channel suffix ${peer.suffix}${restarted ? ', restarted since the last link' : ''}); telling it of ${this.us.users.size} users logged in here`,
      { event: 'backup-up', address: link.address },
    );
    for (const u of this.us.users.all()) this.sendUserOn(u);
    for (const h of this.rooms.ids.stillHeld()) link.send({ kind: 'ROOM_HOLD', room: h.room, name: h.name });
  }

  down(link: BackupLink, reason: string): void {
    if (this.link !== link) return;
    this.link = null;
    this.changedAt = Date.now();
    this.downReason = reason;
    this.counts.losses++;
    this.us.directory.removeHolder(link, Date.now());
    this.rooms.ids.linkLost();
    const gone = this.roster.clear();
    for (const p of gone) this.us.router.announceName(p.key, p.name, 0);
    // Clients whose sessions moved there log in again (through the galaxy URL) and carry on here.
    this.moves.dismissAll(
      `the WorldServer holding your session (${this.last?.name ?? '?'}) is unreachable; log in again`,
    );
    const then = this.stopped
      ? ''
      : this.role === 'client'
        ? `; reconnecting every ${this.us.cfg.backupRetryMs / 1000} s`
        : '; waiting for it to connect again';
    this.us.log.error(
      `${roleName(this.role === 'server' ? 'client' : 'server')} ${this.last?.name ?? '?'}`,
      `backup link lost: ${reason}; its ${gone.length} users are shown offline here${then}`,
      { event: 'backup-lost', address: link.address },
    );
    this.connector?.retryLater();
  }

  failed(link: BackupLink, reason: string): void {
    this.handshaking.delete(link);
    this.counts.failed++;
    if (link.role === 'server')
      this.gate?.refused(
        { address: link.address, identity: `${BACKUP_LINK_ROLE} ${link.authenticatedAs}` },
        'hello',
        reason,
      );
    else {
      this.downReason = reason;
      this.us.logLimit.error(
        `BackupServer ${this.target().host}:${this.target().port}`,
        'backup handshake',
        `no backup link: ${reason}; retrying every ${this.us.cfg.backupRetryMs / 1000} s`,
        'backup',
      );
    }
    this.connector?.retryLater();
  }

  message(link: BackupLink, m: BackupMessage): void {
    if (link !== this.link) return;
    switch (m.kind) {
      case 'USER_ON':
        return this.userOnThere(m);
      case 'USER_OFF': {
        const gone = this.roster.delete(m.name.toLowerCase(), m.session);
        if (gone) this.us.router.announceName(gone.key, gone.name, 0);
        this.moves.dismiss(m.name.toLowerCase(), m.session, `logged off on ${this.other}`);
        return;
      }
      case 'LOGOFF': {
        const u = this.us.users.get(m.name.toLowerCase());
        if (u && u.session === m.session) this.us.loggedOff(u);
        return;
      }
      case 'WHISPER':
        return link.send(this.routing.whisperHere(m));
      case 'BROADCAST':
        this.us.router.broadcast(m.from, m.text, { fromPeer: this.last?.name ?? '?' });
        return;
      case 'BOOT': {
        const r = this.us.router.bootHere(m.by, m.name);
        return link.send({ kind: 'BOOT_ANS', reqId: m.reqId, ok: r.ok ? 1 : 0, message: r.message });
      }
      case 'BAN':
        return this.routing.banHere(m);
      case 'ROOM_REQ':
        return link.send({ kind: 'ROOM_ANS', reqId: m.reqId, ...this.rooms.here(m.name, link) });
      case 'ROOM_RELEASE':
        return this.us.directory.release(link, m.room, m.grants, Date.now());
      case 'ROOM_HOLD':
        return this.rooms.hold(m.room, m.name);
      case 'CLAIM':
        return link.send({ kind: 'CLAIM_ANS', reqId: m.reqId, ...this.moves.handOver(m) });
      case 'RETURN':
        return link.send({ kind: 'RETURN_ANS', reqId: m.reqId, ok: this.moves.takeBack(m) ? 1 : 0 });
      case 'BYE':
        return link.close(m.reason);
      default:
        this.us.log.error(`backup ${this.last?.name ?? '?'}`, `unexpected backup link message ${m.kind}; link closed`);
        link.close(`unexpected ${m.kind}`);
    }
  }

  // ------------------------------------------------------------------ presence

  private sendUserOn(u: ActiveUser): void {
    this.link?.send({ kind: 'USER_ON', ...sessionStamp(u), address: u.address });
  }

  /** A user logged in here: a session of the name the other side holds is replaced (u.replaces). */
  userOn(u: ActiveUser): void {
    this.roster.delete(u.key);
    this.sendUserOn(u);
  }

  userOff(u: ActiveUser): void {
    this.link?.send({ kind: 'USER_OFF', name: u.name, session: u.session });
  }

  /** The session of this name on the other side, which a new login here replaces (AG-11). */
  replaceable(key: string): string {
    return this.roster.get(key)?.session ?? '';
  }

  /** Logged in on the other WorldServer (for name checks: anonymous names, guest slots). */
  holds(key: string): boolean {
    return this.roster.has(key);
  }

  /** The client of a user the other side holds logged off (LOGONOFF) on one of our servers. */
  loggedOffHere(key: string, session?: string): void {
    const p = this.roster.get(key);
    if (p && (session === undefined || p.session === session))
      this.link?.send({ kind: 'LOGOFF', name: p.name, session: p.session });
  }

  private userOnThere(m: BackupMessageOf<'USER_ON'>): void {
    const key = m.name.toLowerCase();
    const kind = kindOf(m.accountKind);
    if (!kind) return;
    const there: PeerUser = {
      name: m.name,
      key,
      session: m.session,
      loginAt: m.loginAt,
      replaces: m.replaces,
      kind,
      privileges: m.privileges,
      address: m.address,
    };
    const here = this.us.users.get(key);
    if (here) {
      if (here.session === m.session) return;
      const mine = { session: here.session, loginAt: here.loginAt.getTime(), replaces: here.replaces };
      // Both sides decide alike on the same two stamps: the other side drops its session if ours wins.
      if (duplicateWinner(mine, there) === mine) return;
      this.roster.set(there);
      this.us.replace(here, `logged in again on ${this.other}`);
      return;
    }
    const before = this.roster.set(there);
    if (!before) this.us.router.announceName(key, m.name, 1);
  }

  // ------------------------------------------------------------------ operations

  /** The hourly report's line about the other WorldServer. */
  reportLine(): string {
    if (this.isUp)
      return `Backup link to ${this.last?.name ?? '?'} up since ${ctime(new Date(this.changedAt))}: ${this.roster.size} active users there`;
    return `Backup link to ${this.last?.name ?? `the ${roleName(this.role === 'server' ? 'client' : 'server')}`} down since ${ctime(new Date(this.changedAt))} (${this.downReason || 'not connected yet'})`;
  }

  view(): PeerView {
    return {
      role: roleName(this.role === 'server' ? 'client' : 'server'),
      name: this.last?.name ?? null,
      address: this.last?.address ?? (this.role === 'client' ? `${this.target().host}:${this.target().port}` : null),
      suffix: this.last?.suffix ?? null,
      up: this.isUp,
      sinceSeconds: Math.round((Date.now() - this.changedAt) / 1000),
      reason: this.isUp ? '' : this.downReason,
      users: this.roster.size,
      linkRttMs: this.rttMs,
    };
  }

  /** Users logged in on the other side, for wsadmin's `online`. */
  onlineThere(): PeerUser[] {
    return [...this.roster.all()];
  }
}
