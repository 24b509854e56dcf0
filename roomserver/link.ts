// The RoomServer behind a UserServer (AG-26, AG-29, protocol/LINK.md): one link to the UserServer
// carries login checks, room assignments, presence, whispers, broadcasts, boots and friends-list
// changes. It runs over TLS with a key derived from the password on the UserServer line
// (runtime/secure-link.ts): no user password crosses it in clear. Losing the link closes every
// user connection; then, every LinkRetry seconds (30 by default, as the guide says), the
// configuration file is read again and applied (roomserver/reload.ts: a World line added during
// the outage is volunteered at once) and the link re-established.

import { Nak, ServerType, SERVER_PSEUDO_USER, type NakCode } from '../protocol/constants.js';
import { buddyNotify, textFrames, whisperFrames } from '../protocol/messages.js';
import type { NewProp } from '../protocol/props.js';
import {
  LINK_VERSION,
  LOGIN_NEW_SESSION,
  ROOMSERVER_LINK_ROLE,
  RoomAnswerKind,
  linkIdentity,
  type LinkMessage,
  type LinkMessageOf,
} from '../protocol/link.js';
import type { HttpSettings } from '../runtime/config-common.js';
import { LinkChannel } from '../runtime/link-channel.js';
import { describe } from '../runtime/lifecycle.js';
import { LinkConnectError, connectSecure, linkKey } from '../runtime/secure-link.js';
import { linkTrace, type LinkTrace } from '../runtime/trace.js';
import type { UserServerLink } from './config.js';
import type { BootResult, Galaxy, LoginDecision, LoginRequest, RoomAnswer, WhisperTarget } from './galaxy.js';
import { setOwnProps } from './handlers/props.js';
import type { Room } from './room.js';
import type { RoomServer } from './server.js';
import type { RoomUser } from './user.js';

/** Longest a request may wait for the UserServer's answer. */
const ANSWER_MS = 30_000;
const CONNECT_MS = 10_000;

type Answer =
  | LinkMessageOf<'ROOM_ANS'>
  | LinkMessageOf<'ROOM_INFO'>
  | LinkMessageOf<'LOGIN_ANS'>
  | LinkMessageOf<'WHISPER_ANS'>
  | LinkMessageOf<'BOOT_ANS'>;

export class LinkedGalaxy implements Galaxy {
  readonly serverType = ServerType.ROOM_SERVER_US;
  private state: 'down' | 'connecting' | 'handshake' | 'up' = 'down';
  private channel: LinkChannel | null = null;
  private nextReq = 1;
  private readonly pending = new Map<
    number,
    { req: LinkMessage; resolve(m: Answer | null): void; timer: NodeJS.Timeout }
  >();
  /** Room requests given up waiting for: an answer may still come, and must be counted (LINK.md). */
  private readonly late = new Map<number, LinkMessage>();
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private everUp = false;
  /** The UserServer line this link was (or is being) established with. */
  private settings: UserServerLink;
  private trace: LinkTrace | null = null;
  /** Why the link is not up (health checks); empty while it is. */
  private problem = 'connecting to the UserServer';

  constructor(
    private readonly rs: RoomServer,
    private readonly onFirstUp: () => void,
  ) {
    this.settings = rs.cfg.userServer as UserServerLink;
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  /** Why there is no link now, for /health; '' while it is up. */
  get downReason(): string {
    return this.state === 'up' ? '' : this.problem;
  }

  /** Round trip of the link's last PING, in ms. */
  get rttMs(): number {
    return this.channel?.rttMs ?? 0;
  }

  /** This RoomServer's load, for the UserServer's galaxy panel (sent at every stats sample). */
  report(load: Omit<LinkMessageOf<'RS_STATS'>, 'kind'>): void {
    this.tell({ kind: 'RS_STATS', ...load });
  }

  /** Command logging of the link's messages (Logging, kill -USR1). */
  setTracing(on: boolean): void {
    this.trace = on ? linkTrace(this.rs.log, () => 'UserServer') : null;
    if (this.channel) this.channel.trace = this.trace;
  }

  start(): void {
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    // A linked RoomServer keeps its UserServer line through reloads (roomserver/reload.ts).
    this.settings = this.rs.cfg.userServer ?? this.settings;
    const { host, port, name, password } = this.settings;
    const galaxy = this.rs.cfg.serverName;
    this.state = 'connecting';
    linkKey({ role: ROOMSERVER_LINK_ROLE, galaxy, password })
      .then((key) =>
        connectSecure({
          host,
          port,
          galaxy,
          identity: linkIdentity(ROOMSERVER_LINK_ROLE, name),
          key,
          timeoutMs: CONNECT_MS,
          peerName: 'UserServer',
        }),
      )
      .then(
        (socket) => {
          if (this.stopped) {
            socket.destroy();
            return;
          }
          this.state = 'handshake';
          this.channel = new LinkChannel(socket, {
            onMessage: (m) => this.receive(m),
            onClose: (why) => this.lost(why),
          });
          this.channel.trace = this.trace;
          this.hello(this.channel);
        },
        // Every refusal names the UserServer's address (a connect error already does).
        (err: unknown) =>
          this.lost(
            err instanceof LinkConnectError && err.kind !== 'connect'
              ? `UserServer ${host}:${port}: ${err.message}`
              : describe(err),
          ),
      );
  }

  private remember(m: LinkMessage & { reqId: number }): void {
    if (m.kind !== 'ROOM_REQ' && m.kind !== 'ROOM_LOOKUP') return;
    if (this.late.size >= 4096) this.late.delete(this.late.keys().next().value as number);
    this.late.set(m.reqId, m);
  }

  /**
   * Every answer naming a room id counts, even one that comes after its request timed out: the
   * UserServer counted it when it sent it, and ROOM_RELEASE must say how many arrived (LINK.md).
   */
  private counted(m: Answer, req: LinkMessage | undefined): void {
    if (m.kind === 'ROOM_ANS' && (m.answer === RoomAnswerKind.HERE || m.answer === RoomAnswerKind.ELSEWHERE))
      this.rs.keeper.granted(m.room, req?.kind === 'ROOM_REQ' ? req.name : null, m.answer === RoomAnswerKind.HERE);
    else if (m.kind === 'ROOM_INFO' && m.answer === RoomAnswerKind.HERE && req?.kind === 'ROOM_LOOKUP')
      this.rs.keeper.granted(req.room, m.name, true);
  }

  /** The TLS-PSK handshake proved that both sides know the password: say who we are. */
  private hello(ch: LinkChannel): void {
    const cfg = this.rs.cfg;
    ch.send({
      kind: 'HELLO',
      version: LINK_VERSION,
      rsName: this.settings.name,
      usersIp: cfg.publicAddress ?? (cfg.bindAddr && cfg.bindAddr !== '0.0.0.0' ? cfg.bindAddr : ch.localAddress),
      usersPort: this.rs.usersPort,
      worlds: cfg.worlds.map((w) =>
        w.channel ? `${w.world}<${w.channel}${w.suffix ? `;${w.suffix}` : ''}>` : w.world,
      ),
    });
  }

  private receive(m: LinkMessage): void {
    const ch = this.channel;
    if (!ch) return;
    if (this.state === 'handshake') return this.handshake(ch, m);
    switch (m.kind) {
      case 'ROOM_ANS':
      case 'ROOM_INFO':
      case 'LOGIN_ANS':
      case 'WHISPER_ANS':
      case 'BOOT_ANS': {
        const p = this.pending.get(m.reqId);
        this.counted(m, p?.req ?? this.late.get(m.reqId));
        this.late.delete(m.reqId);
        if (!p) return;
        this.pending.delete(m.reqId);
        clearTimeout(p.timer);
        p.resolve(m);
        return;
      }
      case 'WHISPER_DELIVER': {
        const u = this.rs.world.byName(m.to);
        if (u) {
          this.rs.counts.whispersIn++;
          u.conn.sendAll(whisperFrames(m.from, m.text));
        } else this.rs.log.error(m.from, `whisper to ${m.to} arrived after ${m.to} left; dropped`);
        return;
      }
      case 'BROADCAST_DELIVER': {
        const frames = textFrames(m.from, m.text);
        for (const u of this.rs.world.users.values()) u.conn.sendAll(frames);
        return;
      }
      case 'BUDDY_NOTIFY':
        this.rs.world.byName(m.to)?.conn.send(buddyNotify(m.buddy, m.state === 1 ? 1 : 0));
        return;
      case 'KICK': {
        const u = this.rs.world.byName(m.name);
        if (u) {
          u.conn.sendAll(textFrames(SERVER_PSEUDO_USER, `You have been disconnected: ${m.reason}.`));
          u.conn.close({ kind: 'kicked', detail: m.reason });
        }
        return;
      }
      case 'USER_PROPS': {
        const u = this.rs.world.byName(m.name);
        if (u) setOwnProps(this.rs, u, m.props, true);
        return;
      }
      case 'WELCOME':
        // Sent again when the UserServer's web settings changed (its configuration was reloaded).
        this.rs.adoptWebSettings(webSettings(m));
        this.rs.log.event('web and mail settings updated by the UserServer', { event: 'link-settings' });
        return;
      default:
        this.rs.log.error('UserServer', `unexpected link message ${m.kind}; link closed`);
        ch.close(`unexpected ${m.kind}`);
    }
  }

  private handshake(ch: LinkChannel, m: LinkMessage): void {
    switch (m.kind) {
      case 'WELCOME':
        this.state = 'up';
        this.rs.adoptWebSettings(webSettings(m));
        this.rs.log.event(
          `connected to UserServer ${this.settings.host}:${this.settings.port} as RoomServer ${this.settings.name}`,
          { event: 'link-up', address: this.settings.host },
        );
        if (!this.everUp) {
          this.everUp = true;
          this.onFirstUp();
        }
        return;
      case 'REFUSED':
        return ch.close(`UserServer refused this RoomServer: ${m.reason}`);
      default:
        return ch.close(`unexpected ${m.kind} during the handshake`);
    }
  }

  /** AG-29: close every user connection, then retry after re-reading the configuration file. */
  private lost(reason: string): void {
    if (this.state === 'down') return;
    const wasUp = this.state === 'up';
    this.state = 'down';
    this.problem = `no link to the UserServer ${this.settings.host}:${this.settings.port}: ${reason}`;
    this.channel = null;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve(null);
      this.pending.delete(id);
    }
    this.late.clear();
    if (this.stopped) return;
    const retryMs = this.rs.cfg.linkRetryMs;
    this.rs.log.error(
      'UserServer',
      `${wasUp ? 'link lost' : 'no link'}: ${reason}; ${wasUp ? 'closing all user connections; ' : ''}retrying in ${retryMs / 1000} s`,
      { event: wasUp ? 'link-lost' : 'link-down', address: this.settings.host },
    );
    if (wasUp) this.rs.closeAll('lost the connection to the UserServer');
    // The ids the UserServer gave are void now; rooms keep their state by name.
    this.rs.keeper.linkLost();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      // AG-29: "reawaken, reread its configuration files, and attempt to reconnect".
      this.rs.reload('reconnecting to the UserServer');
      this.connect();
    }, retryMs);
  }

  private request(m: LinkMessage & { reqId: number }): Promise<Answer | null> {
    if (this.state !== 'up' || !this.channel) return Promise.resolve(null);
    const ch = this.channel;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(m.reqId);
        this.remember(m);
        resolve(null);
      }, ANSWER_MS);
      this.pending.set(m.reqId, { req: m, resolve, timer });
      ch.send(m);
    });
  }

  private reqId(): number {
    this.nextReq = this.nextReq >= 0xfffffff0 ? 1 : this.nextReq + 1;
    return this.nextReq;
  }

  private tell(m: LinkMessage): void {
    if (this.state === 'up') this.channel?.send(m);
  }

  async login(req: LoginRequest): Promise<LoginDecision> {
    const ans = await this.request({
      kind: 'LOGIN_REQ',
      reqId: this.reqId(),
      // The Access prefix is this RoomServer's business; the account is the name without it.
      loginName: req.name,
      password: req.password ?? '',
      hasPassword: req.password === null ? 0 : 1,
      clientVersion: req.clientVersion,
      address: req.address,
    });
    if (!ans || ans.kind !== 'LOGIN_ANS')
      return { ok: false, nak: Nak.FATAL, reason: 'the UserServer cannot be reached' };
    if (ans.nak !== 0) return { ok: false, nak: ans.nak as NakCode, reason: ans.reason };
    return {
      ok: true,
      name: ans.name,
      privileges: ans.privileges,
      channel: ans.channel,
      props: ans.props,
      newSession: ans.reason === LOGIN_NEW_SESSION,
    };
  }

  async resolveRoom(name: string): Promise<RoomAnswer> {
    const ans = await this.request({ kind: 'ROOM_REQ', reqId: this.reqId(), name });
    if (!ans || ans.kind !== 'ROOM_ANS')
      return { kind: 'none', reason: 'the UserServer cannot be reached', exhausted: false };
    if (ans.answer === RoomAnswerKind.HERE) return { kind: 'here', room: this.rs.world.rooms.adopt(name, ans.room) };
    if (ans.answer === RoomAnswerKind.ELSEWHERE) return { kind: 'elsewhere', id: ans.room, ip: ans.ip, port: ans.port };
    return { kind: 'none', reason: ans.reason, exhausted: ans.answer === RoomAnswerKind.EXHAUSTED };
  }

  lookupRoom(id: number): Promise<Room | null> {
    return this.request({ kind: 'ROOM_LOOKUP', reqId: this.reqId(), room: id }).then((ans) => {
      if (!ans || ans.kind !== 'ROOM_INFO' || ans.answer !== RoomAnswerKind.HERE) return null;
      return this.rs.world.rooms.adopt(ans.name, id);
    });
  }

  /** The RoomKeeper gave the id up: the UserServer may reuse it (after its quiet period). */
  releaseRoom(id: number, grants: number): void {
    this.tell({ kind: 'ROOM_RELEASE', room: id, grants });
  }

  joined(u: RoomUser): void {
    this.tell({ kind: 'USER_JOINED', name: u.name });
  }

  left(u: RoomUser, loggingOff: boolean): void {
    this.tell({ kind: 'USER_LEFT', name: u.name, loggingOff: loggingOff ? 1 : 0 });
  }

  async whisperElsewhere(from: RoomUser, to: string, text: string): Promise<WhisperTarget> {
    const ans = await this.request({ kind: 'WHISPER', reqId: this.reqId(), from: from.name, to, text });
    if (!ans || ans.kind !== 'WHISPER_ANS') return { delivered: false, reason: 'the UserServer cannot be reached' };
    return { delivered: ans.delivered === 1, reason: ans.reason };
  }

  propsChanged(u: RoomUser, props: readonly NewProp[]): void {
    this.tell({ kind: 'PROPS', name: u.name, props: [...props] });
  }

  channelChanged(u: RoomUser): void {
    this.tell({ kind: 'CHANNEL', name: u.name, channel: u.channel });
  }

  buddyChanged(u: RoomUser, name: string, add: boolean): void {
    if (add) u.addBuddy(name.toLowerCase(), name);
    else u.dropBuddy(name.toLowerCase());
    this.tell({ kind: 'BUDDY', name: u.name, buddy: name, add: add ? 1 : 0 });
  }

  broadcastElsewhere(from: RoomUser, text: string): void {
    this.tell({ kind: 'BROADCAST', from: from.name, text });
  }

  async boot(from: RoomUser, name: string): Promise<BootResult> {
    const ans = await this.request({ kind: 'BOOT_REQ', reqId: this.reqId(), from: from.name, name });
    if (!ans || ans.kind !== 'BOOT_ANS')
      return { ok: false, message: `${name} could not be booted: the UserServer cannot be reached.` };
    return { ok: ans.ok === 1, message: ans.message };
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.channel?.close('RoomServer shutting down');
  }
}

function webSettings(m: LinkMessageOf<'WELCOME'>): HttpSettings {
  return {
    internal: m.internalHttpServer || null,
    external: m.externalHttpServer || null,
    script: m.scriptServer || null,
    smtp: m.smtpServer || null,
    mailDomain: m.mailDomain || null,
  };
}
