// The other WorldServer of a redundant pair (guide "Redundant WorldServer Operation", Appendix II
// BackupServer / BackupClient / ChannelSuffix; AG-23; protocol/BACKUP.md). One backup link, kept
// up by the BackupClient (userserver/backup/connector.ts) and accepted by the BackupServer
// (userserver/backup/gate.ts); over it the two UserServers exchange the users logged in (the list
// at link-up, then every login and logoff), forward whispers, broadcasts, boots and their bans,
// answer room requests for the channels they serve, and hand a user's session over when its client
// follows a teleport to the other side. A login of a name the other side holds replaces that
// session there (AG-11, decided alike on both sides: protocol/backup.ts duplicateWinner).

import { hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  BACKUP_LINK_GALAXY,
  BACKUP_LINK_ROLE,
  BACKUP_VERSION,
  channelOwner,
  duplicateWinner,
  inRange,
  kindOf,
  roomIdRange,
  type BackupMessage,
  type BackupMessageOf,
  type BackupRole,
} from '../../protocol/backup.js';
import { Nak, type NakCode } from '../../protocol/constants.js';
import { RoomAnswerKind } from '../../protocol/link.js';
import { parseRoomName } from '../../protocol/names.js';
import type { Ban } from '../../runtime/bans.js';
import { ctime } from '../../runtime/ctime.js';
import { linkKey, type LinkSecret } from '../../runtime/secure-link.js';
import { linkTrace } from '../../runtime/trace.js';
import type { BackupSettings } from '../config.js';
import type { Delivery } from '../routing.js';
import type { UserServer } from '../server.js';
import type { RoomServerLink } from '../links.js';
import type { ActiveUser, LinkPresence } from '../users.js';
import { BackupConnector, type ConnectorHost } from './connector.js';
import { BackupGate, type BackupGateHost } from './gate.js';
import { NO_RECORD, arrivedUser, handoverRecord, rosterEntry, sessionStamp, type HandoverRecord } from './handover.js';
import { BackupLink, backupTotals, type BackupLinkHost, type PeerHello } from './link.js';
import { PeerRoomIds, type PeerRelease } from './room-ids.js';
import { PeerRoster, type PeerUser } from './roster.js';

/** Longest a request to the other UserServer waits (a RoomServer waits 30 s for the answer we relay). */
export const PEER_ANSWER_MS = 10_000;

export type PeerRoomAnswer =
  { ok: true; id: number; ip: string; port: number } | { ok: false; exhausted: boolean; reason: string };

export type ClaimResult = { ok: true; user: ActiveUser } | { ok: false; nak: NakCode; reason: string } | null;

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

export class BackupPeer implements BackupLinkHost, BackupGateHost, ConnectorHost {
  readonly role: BackupRole;
  readonly roster = new PeerRoster();
  readonly rooms = new PeerRoomIds();
  /** Random per process: session ids are unique galaxy-wide, a restart is recognised. */
  readonly instance = randomBytes(5).toString('hex');
  private sessions = 0;
  private link: BackupLink | null = null;
  private readonly handshaking = new Set<BackupLink>();
  private connector: BackupConnector | null = null;
  private gate: BackupGate | null = null;
  /**
   * Sessions handed over to the other side whose clients are still connected to RoomServers here
   * (a teleport leaves the old connection open a while), by name: taken back if the client stays
   * here (RETURN), told to go when the session ends there or cannot be reached.
   */
  private readonly departed = new Map<string, { name: string; session: string; servers: Set<LinkPresence> }>();
  /** Sessions taken in from the other side: only they may have a client left there. */
  private readonly arrivals = new WeakSet<ActiveUser>();
  private listener: Server | null = null;
  /** The other UserServer as last seen, kept while the link is down (logs, status page). */
  private last: { name: string; suffix: string; address: string } | null = null;
  private changedAt = Date.now();
  private downReason = 'not connected yet';
  private stopped = false;
  /** Events an operator counts (the stats registry reads them). */
  readonly counts = { ups: 0, losses: 0, failed: 0, handedOver: 0, arrived: 0, whispersOut: 0, whispersIn: 0 };

  constructor(
    private readonly us: UserServer,
    settings: BackupSettings,
    /** This side's ChannelSuffix (or the role's default). */
    readonly suffix: string,
  ) {
    this.role = settings.role;
    const reg = us.stats;
    reg.number('backup_link_up', 'links', '1 while the backup link to the other WorldServer is up', () =>
      this.isUp ? 1 : 0,
    );
    reg.number('peer_users', 'users', 'Users logged in on the other WorldServer', () => this.roster.size);
    reg.number('backup_link_rtt_ms', 'ms', 'Round trip of the last ping on the backup link', () => this.rttMs);
    reg.changeOf('backup_link_losses', 'links', 'Times the backup link was lost', () => this.counts.losses);
    reg.changeOf(
      'backup_handshakes_failed',
      'links',
      'Backup link handshakes that failed or were refused (wrong password, suffix…)',
      () => this.counts.failed + (this.gate ? sumRefusals(this.gate.gate.refusals) : 0),
    );
    reg.changeOf(
      'backup_handovers',
      'users',
      'Sessions handed over to the other WorldServer (its RoomServer took the client)',
      () => this.counts.handedOver,
    );
    reg.changeOf(
      'backup_arrivals',
      'users',
      'Sessions taken over from the other WorldServer',
      () => this.counts.arrived,
    );
    reg.changeOf(
      'backup_messages_received',
      'messages',
      'Messages received on the backup link',
      () => backupTotals.messagesIn,
    );
    reg.changeOf(
      'backup_messages_sent',
      'messages',
      'Messages sent on the backup link',
      () => backupTotals.messagesOut,
    );
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

  /** Live connections it adds to the hourly report's count. */
  get connections(): number {
    return this.isUp ? 1 : 0;
  }

  private get settings(): BackupSettings {
    return this.us.cfg.backup as BackupSettings;
  }

  /** `the other WorldServer Beta` (or its role while its name is not known). */
  private get other(): string {
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
    this.counts.ups++;
    if (this.us.log.tracing) this.setTracing(true);
    const peerRole = roleName(this.role === 'server' ? 'client' : 'server');
    this.us.log.event(
      `backup link up: ${peerRole} ${peer.serverName} at ${link.address} (channel suffix ${peer.suffix}${restarted ? ', restarted since the last link' : ''}); telling it of ${this.us.users.size} users logged in here`,
      { event: 'backup-up', address: link.address },
    );
    for (const u of this.us.users.all()) this.sendUserOn(u);
    for (const h of this.rooms.stillHeld()) link.send({ kind: 'ROOM_HOLD', room: h.room, name: h.name });
  }

  private lastInstance = '';

  down(link: BackupLink, reason: string): void {
    if (this.link !== link) return;
    this.link = null;
    this.changedAt = Date.now();
    this.downReason = reason;
    this.counts.losses++;
    this.us.directory.removeHolder(link, Date.now());
    this.rooms.linkLost();
    const gone = this.roster.clear();
    for (const p of gone) this.us.router.announceName(p.key, p.name, 0);
    // Clients whose sessions moved there log in again (through the galaxy URL) and carry on here.
    for (const key of [...this.departed.keys()])
      this.dismiss(
        key,
        null,
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
        this.dismiss(m.name.toLowerCase(), m.session, `logged off on ${this.other}`);
        return;
      }
      case 'LOGOFF': {
        const u = this.us.users.get(m.name.toLowerCase());
        if (u && u.session === m.session) this.us.loggedOff(u);
        return;
      }
      case 'WHISPER': {
        this.counts.whispersIn++;
        const r = this.us.router.whisper(m.from, m.to, m.text);
        return link.send({
          kind: 'WHISPER_ANS',
          reqId: m.reqId,
          delivered: r.delivered ? 1 : 0,
          reason: r.delivered ? '' : r.reason,
        });
      }
      case 'BROADCAST':
        this.us.router.broadcast(m.from, m.text, { fromPeer: this.last?.name ?? '?' });
        return;
      case 'BOOT': {
        const r = this.us.router.bootHere(m.by, m.name);
        return link.send({ kind: 'BOOT_ANS', reqId: m.reqId, ok: r.ok ? 1 : 0, message: r.message });
      }
      case 'BAN': {
        const ban: Ban = {
          kind: m.banKind === 1 ? 'address' : 'name',
          value: m.value,
          until: new Date(m.until),
          booted: m.booted,
          by: m.by,
          at: new Date(m.at),
        };
        this.us.bans.restore(ban);
        this.us.storeBans([ban]);
        return;
      }
      case 'ROOM_REQ':
        return link.send({ kind: 'ROOM_ANS', reqId: m.reqId, ...this.roomHere(m.name) });
      case 'ROOM_RELEASE':
        return this.us.directory.release(link, m.room, m.grants, Date.now());
      case 'ROOM_HOLD': {
        const r = this.us.directory.adopt(link, m.room, m.name, Date.now());
        if (r !== 'held')
          this.us.logLimit.error(
            'room ids',
            `backup room hold ${r}`,
            `${this.other} holds room id ${m.room} for ${m.name}, ${r === 'conflict' ? 'which names another room here by now (its clients that saw the old room may confuse them until they reconnect)' : 'not an id of this side'}`,
            'backup',
          );
        return;
      }
      case 'CLAIM':
        return link.send({ kind: 'CLAIM_ANS', reqId: m.reqId, ...this.handOver(m) });
      case 'RETURN':
        return link.send({ kind: 'RETURN_ANS', reqId: m.reqId, ok: this.takeBack(m) ? 1 : 0 });
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

  // ------------------------------------------------------------------ routing

  /** Whisper to a user the other side holds; null when it holds no such user. */
  whisper(from: string, to: string, text: string): Promise<Delivery> | null {
    const p = this.roster.get(to.toLowerCase());
    const link = this.link;
    if (!p || !link) return null;
    this.counts.whispersOut++;
    return link
      .request('WHISPER_ANS', (reqId) => ({ kind: 'WHISPER', reqId, from, to: p.name, text }), PEER_ANSWER_MS)
      .then((a) =>
        a === null
          ? { delivered: false, reason: `${to} is on ${this.other}, which did not answer` }
          : a.delivered
            ? { delivered: true }
            : { delivered: false, reason: a.reason },
      );
  }

  broadcast(from: string, text: string): boolean {
    if (!this.link?.isUp) return false;
    this.link.send({ kind: 'BROADCAST', from, text });
    return true;
  }

  /** AG-20 for a user the other side holds; null when it holds no such user. */
  boot(by: string, name: string): Promise<{ ok: boolean; message: string }> | null {
    const p = this.roster.get(name.toLowerCase());
    const link = this.link;
    if (!p || !link) return null;
    return link
      .request('BOOT_ANS', (reqId) => ({ kind: 'BOOT', reqId, by, name: p.name }), PEER_ANSWER_MS)
      .then((a) =>
        a === null
          ? { ok: false, message: `${p.name} is on ${this.other}, which did not answer.` }
          : { ok: a.ok !== 0, message: a.message },
      );
  }

  /** Bans a boot made here hold on the other side too. */
  shareBans(bans: readonly Ban[]): void {
    for (const b of bans)
      this.link?.send({
        kind: 'BAN',
        banKind: b.kind === 'address' ? 1 : 0,
        value: b.value,
        until: b.until.getTime(),
        booted: b.booted,
        by: b.by,
        at: b.at.getTime(),
      });
  }

  // ------------------------------------------------------------------ rooms

  /** The room belongs to a channel the other WorldServer serves (its suffix). */
  servesRoom(name: string): boolean {
    const parsed = parseRoomName(name);
    return parsed !== null && channelOwner(parsed.channel, this.suffix) === 'peer';
  }

  /** Asks the other side for a room of its channels (guide step 3); the id is noted as received. */
  async roomThere(name: string): Promise<PeerRoomAnswer> {
    const link = this.link;
    if (!link?.isUp)
      return { ok: false, exhausted: false, reason: `${this.other}, which serves this channel, is not reachable` };
    const a = await link.request('ROOM_ANS', (reqId) => ({ kind: 'ROOM_REQ', reqId, name }), PEER_ANSWER_MS);
    if (a === null) return { ok: false, exhausted: false, reason: `${this.other} did not answer a room request` };
    if (a.answer !== RoomAnswerKind.ELSEWHERE)
      return { ok: false, exhausted: a.answer === RoomAnswerKind.EXHAUSTED, reason: `${this.other}: ${a.reason}` };
    const theirs = roomIdRange(this.role === 'server' ? 'client' : 'server');
    if (!inRange(a.room, theirs)) {
      link.close(`room id ${a.room} outside the other side's range ${theirs.first}-${theirs.last}`);
      return { ok: false, exhausted: false, reason: `${this.other} answered an id outside its range` };
    }
    if (link !== this.link) return { ok: false, exhausted: false, reason: `the link to ${this.other} was lost` };
    this.rooms.answered(a.room, name);
    return { ok: true, id: a.room, ip: a.ip, port: a.port };
  }

  /** A room request from the other side: its id and RoomServer here, held for it (guide step 4). */
  private roomHere(name: string): Omit<BackupMessageOf<'ROOM_ANS'>, 'kind' | 'reqId'> {
    const none = (answer: number, reason: string) => ({ answer, room: 0, ip: '', port: 0, reason });
    const parsed = parseRoomName(name);
    if (!parsed) return none(RoomAnswerKind.NONE, `${JSON.stringify(name)} is not a World#Room name`);
    if (channelOwner(parsed.channel, this.suffix) !== 'local')
      return none(RoomAnswerKind.NONE, `channel ${parsed.channel} is not served by ${this.us.cfg.serverName}`);
    const a = this.us.directory.assign(name, Date.now());
    if (!a.ok) {
      if (a.exhausted) this.us.rooms.logExhausted();
      return none(a.exhausted ? RoomAnswerKind.EXHAUSTED : RoomAnswerKind.NONE, a.reason);
    }
    this.us.directory.grant(this.link as object, a.id);
    return { answer: RoomAnswerKind.ELSEWHERE, room: a.id, ip: a.server.usersIp, port: a.server.usersPort, reason: '' };
  }

  /** Ids of the other side's half that nobody here holds any more go back to it. */
  released(rs: readonly PeerRelease[]): void {
    for (const r of rs) this.link?.send({ kind: 'ROOM_RELEASE', room: r.room, grants: r.grants });
  }

  // ------------------------------------------------------------------ sessions moving across

  /**
   * A client logs in to one of our RoomServers as a user the other side holds (it followed a
   * teleport there, guide steps 6-8): the other side checks the password against its session's
   * verifier and hands the session over. Null when it could not be asked.
   */
  async claim(p: PeerUser, password: string, address: string): Promise<ClaimResult> {
    const link = this.link;
    if (!link?.isUp) return null;
    const a = await link.request(
      'CLAIM_ANS',
      (reqId) => ({
        kind: 'CLAIM',
        reqId,
        name: p.name,
        session: p.session,
        verifier: this.us.verifierOf(password),
        address,
      }),
      PEER_ANSWER_MS,
    );
    if (a === null) return null;
    if (a.nak !== 0) return { ok: false, nak: a.nak as NakCode, reason: a.reason };
    const here = this.us.users.get(a.name.toLowerCase());
    if (here) return { ok: true, user: here };
    const u = this.takeIn(a);
    if (!u) return { ok: false, nak: Nak.FATAL, reason: `unknown kind of account ${a.accountKind}` };
    // Present once its RoomServer says so (USER_JOINED); a client that never comes is logged off.
    this.us.checkPresence(u);
    this.us.log.event(`${u.name} arrived from ${this.other} (session handed over)`, {
      event: 'handover',
      user: u.name,
      address,
    });
    return { ok: true, user: u };
  }

  /** CLAIM from the other side: the session moves there if the password matches (guide step 5). */
  private handOver(m: BackupMessageOf<'CLAIM'>): Omit<BackupMessageOf<'CLAIM_ANS'>, 'kind' | 'reqId'> {
    const refuse = (nak: number, reason: string) => ({ ...NO_RECORD, nak, reason });
    const u = this.us.users.get(m.name.toLowerCase());
    if (!u || u.session !== m.session)
      return refuse(Nak.NO_SUCH_USER, `${m.name} is not logged in on ${this.us.cfg.serverName}`);
    if (!(m.verifier.length === u.verifier.length && timingSafeEqual(m.verifier, u.verifier)))
      return refuse(Nak.BAD_PASSWORD, `wrong password for ${u.name}`);
    const record = this.giveAway(u);
    this.us.log.event(`${u.name} moved to ${this.other} (session handed over; it logs the logoff)`, {
      event: 'handover',
      user: u.name,
      address: m.address,
    });
    return { ...record, nak: 0, reason: '' };
  }

  /**
   * The client of a session held here is present nowhere here any more (its LogoffDelay is over).
   * If it came from the other side, it may still be connected to a RoomServer there (a client
   * that teleported back over a connection it had kept logs in nowhere): offered back, the session
   * goes on there. True when the other side took it; otherwise the caller logs the user off.
   */
  async offerBack(u: ActiveUser): Promise<boolean> {
    const link = this.link;
    if (!link?.isUp || !this.arrivals.has(u)) return false;
    const record = handoverRecord(u);
    const a = await link.request('RETURN_ANS', (reqId) => ({ kind: 'RETURN', reqId, ...record }), PEER_ANSWER_MS);
    if (a?.ok !== 1 || this.us.users.get(u.key) !== u) return false;
    this.giveAway(u);
    this.us.log.event(`${u.name} went back to ${this.other}, whose RoomServer it is still on (session handed over)`, {
      event: 'handover',
      user: u.name,
      address: u.address,
    });
    return true;
  }

  /** RETURN: taken when a RoomServer here still has the client of that session. */
  private takeBack(m: BackupMessageOf<'RETURN'>): boolean {
    const key = m.name.toLowerCase();
    const d = this.departed.get(key);
    if (!d || d.session !== m.session || d.servers.size === 0 || this.us.users.get(key)) return false;
    const { kind: _kind, reqId: _reqId, ...record } = m;
    const u = this.takeIn(record);
    if (!u) return false;
    this.us.log.event(
      `${u.name} is back from ${this.other} (on RoomServer ${[...u.servers].map((l) => l.name).join(', ')})`,
      {
        event: 'handover',
        user: u.name,
        address: u.address,
      },
    );
    return true;
  }

  /**
   * The session leaves for the other side: its whole minutes so far are written here, the rest
   * travels with it; the RoomServers here still connected to its client are remembered.
   */
  private giveAway(u: ActiveUser): HandoverRecord {
    this.us.writeUsage(u);
    const record = handoverRecord(u);
    this.us.users.remove(u);
    if (u.guestSlot !== null) this.us.guests?.free(u.guestSlot);
    this.roster.set(rosterEntry(u));
    if (u.servers.size > 0) this.departed.set(u.key, { name: u.name, session: u.session, servers: new Set(u.servers) });
    this.counts.handedOver++;
    return record;
  }

  /**
   * A session arriving from the other side becomes one of ours, present on the RoomServers here
   * that still have its client from before it left.
   */
  private takeIn(r: HandoverRecord): ActiveUser | null {
    const slot = kindOf(r.accountKind) === 'guest' ? (this.us.guests?.takeName(r.name) ?? null) : null;
    const u = arrivedUser(r, slot);
    if (!u) return null;
    this.roster.delete(u.key, u.session);
    const d = this.departed.get(u.key);
    this.departed.delete(u.key);
    if (d?.session === u.session) for (const s of d.servers) u.servers.add(s);
    u.lastServer = [...u.servers].at(-1) ?? null;
    this.arrivals.add(u);
    this.us.users.add(u);
    for (const spelling of r.buddies) this.us.users.watch(u, spelling);
    this.counts.arrived++;
    return u;
  }

  /** A RoomServer here no longer has the client of a session that moved to the other side. */
  leftHere(key: string, server: LinkPresence): void {
    const d = this.departed.get(key);
    if (!d?.servers.delete(server) || d.servers.size > 0) return;
    this.departed.delete(key);
  }

  /** A RoomServer went away: it has none of those clients any more. */
  serverGone(server: LinkPresence): void {
    for (const [key, d] of this.departed)
      if (d.servers.delete(server) && d.servers.size === 0) this.departed.delete(key);
  }

  /** The session that moved away ended there (or cannot be reached): its client leaves our RoomServers too. */
  private dismiss(key: string, session: string | null, reason: string): void {
    const d = this.departed.get(key);
    if (!d || (session !== null && d.session !== session)) return;
    this.departed.delete(key);
    for (const s of d.servers) (s as RoomServerLink).send({ kind: 'KICK', name: d.name, reason });
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

function sumRefusals(r: Record<string, number>): number {
  let n = 0;
  for (const v of Object.values(r)) n += v;
  return n;
}
