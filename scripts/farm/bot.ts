// One simulated user: logs in the way the real client does (protocol/player.ts: the entry server,
// then the RoomServer it is redirected to), walks into its room, and from then on moves, chats,
// whispers and changes avatar when its worker tells it to. Everything it receives is counted by
// kind; what carries a farm timestamp is timed.

import { type ClientConnection, type LoginMode } from '../../protocol/client.js';
import type { AnyCommand } from '../../protocol/commands.js';
import { ObjIds, SERVER_PSEUDO_USER, Var } from '../../protocol/constants.js';
import { CoBatch } from '../../protocol/fast.js';
import { Player } from '../../protocol/player.js';
import type { ResolvedLogin } from './messages.js';
import type { FarmOptions } from './options.js';
import type { BotPlan } from './plan.js';
import { closedReason, failureReason } from './reasons.js';
import { chatText, moveAgeMs, nowMs, parseChat, stampMove } from './stamps.js';
import { Tally } from './stats.js';

export interface BotHost {
  readonly options: FarmOptions;
  readonly login: ResolvedLogin;
  readonly tally: Tally;
  readonly stopping: boolean;
  cameOnline(b: Bot): void;
  wentOffline(b: Bot): void;
}

/** Position batches closer together than this are one tick's worth. */
const BURST_SPLIT_MS = 50;
/** 1 m = 100 world units (avatars are 189 units tall). */
const UNITS_PER_M = 100;
const AVATARS = ['avatar:pengo.mov', 'avatar:holden.mov'];

type State = 'waiting' | 'logging-in' | 'online' | 'failed' | 'dropped' | 'stopped';

/** One LONGLOC encoder for every bot of the worker (frames are copied out on emit). */
let emitTo: ClientConnection | null = null;
const longloc = new CoBatch('LONGLOC', (frame) => emitTo?.sendRaw(frame));

export class Bot {
  state: State = 'waiting';
  name: string;
  private player: Player | null = null;
  private room: ClientConnection | null = null;
  /** Every connection this bot opened, with the bytes already counted. */
  private readonly sockets = new Map<ClientConnection, { read: number; written: number }>();
  /** Slot in the worker's array of online bots. */
  slot = -1;
  private x = 0;
  private y = 0;
  private heading = 0;
  private chatSeq = 0;
  private whisperSeq = 0;
  private avatar = 0;
  private lastUpdateAt = 0;
  private lastBurstAt = 0;

  constructor(
    readonly plan: BotPlan,
    private readonly host: BotHost,
    private readonly serial: string | undefined,
  ) {
    this.name = plan.name;
    const half = this.half;
    this.x = (Math.random() * 2 - 1) * half;
    this.y = (Math.random() * 2 - 1) * half;
    this.heading = Math.random() * 2 * Math.PI;
  }

  /** Half the edge of the walking square, in world units, kept clear of the stamp's 8 units. */
  private get half(): number {
    return Math.max(8, (this.host.options.areaM * UNITS_PER_M) / 2 - 8);
  }

  private mode(): LoginMode {
    const o = this.host.options;
    switch (this.host.login) {
      case 'direct':
        return { kind: 'roomserver-anon', name: this.name, avatars: o.avatars };
      case 'register':
        return { kind: 'register', name: this.name, password: o.password, serial: this.serial ?? '' };
      case 'authenticate':
        return { kind: 'authenticate', name: this.name, password: o.password, firstConnection: true };
      case 'guest':
        return { kind: 'guest', firstConnection: true };
      case 'anonymous':
        return { kind: 'anonymous', name: this.name, firstConnection: true };
    }
  }

  /** Logs in and walks into the room; failures are counted by reason, never thrown. */
  async login(): Promise<void> {
    const o = this.host.options;
    const t = this.host.tally;
    this.state = 'logging-in';
    const started = performance.now();
    try {
      const p = await Player.login({
        host: o.host,
        port: o.port,
        mode: this.mode(),
        avatars: o.avatars,
        connection: {
          timeoutMs: o.loginTimeoutS * 1000,
          localAddress: this.plan.localAddress,
          maxInbox: 16,
          onCommand: (c) => this.receive(c),
        },
      });
      this.player = p;
      this.track(p.entry);
      this.name = p.name;
      const { conn } = await p.enter(p.roomName(this.plan.world, this.plan.room), this.position());
      this.room = conn;
      this.track(conn);
    } catch (err) {
      this.player?.crash();
      this.state = 'failed';
      t.counts.loginsFailed++;
      Tally.bump(t.failures, failureReason(err));
      return;
    }
    if (this.host.stopping) {
      this.state = 'stopped';
      this.player.crash();
      return;
    }
    t.counts.loginsOk++;
    t.hist.login.record(performance.now() - started);
    this.state = 'online';
    this.host.cameOnline(this);
    const room = this.room;
    void room.closed.then((reason) => this.lost(reason));
  }

  private track(c: ClientConnection): void {
    if (!this.sockets.has(c)) this.sockets.set(c, { read: 0, written: 0 });
  }

  private lost(reason: string): void {
    if (this.state !== 'online') return;
    this.state = 'dropped';
    const t = this.host.tally;
    t.counts.drops++;
    Tally.bump(t.dropReasons, closedReason(reason));
    this.host.wentOffline(this);
    this.player?.crash();
  }

  /** Bytes moved since the last call, both ways, over every connection this bot opened. */
  takeBytes(): { read: number; written: number } {
    let read = 0;
    let written = 0;
    for (const [c, seen] of this.sockets) {
      const r = c.socket.bytesRead;
      const w = c.socket.bytesWritten;
      read += r - seen.read;
      written += w - seen.written;
      seen.read = r;
      seen.written = w;
    }
    return { read, written };
  }

  private position(): { x: number; y: number; z: number; dir: number } {
    const s = stampMove(Math.round(this.x), nowMs());
    return { x: s.x, y: Math.round(this.y), z: 0, dir: s.dir };
  }

  /** One step of a random walk inside the room's square, then LONGLOC (§5.2). */
  move(): void {
    const room = this.room;
    if (!room || this.state !== 'online') return;
    const o = this.host.options;
    const step = o.speedMps * o.moveEveryS * UNITS_PER_M;
    const half = this.half;
    this.heading += (Math.random() - 0.5) * 0.8;
    this.x += Math.cos(this.heading) * step;
    this.y += Math.sin(this.heading) * step;
    // Reflect off the walls of the square.
    if (this.x > half || this.x < -half) {
      this.x = Math.max(-half, Math.min(half, this.x));
      this.heading = Math.PI - this.heading;
    }
    if (this.y > half || this.y < -half) {
      this.y = Math.max(-half, Math.min(half, this.y));
      this.heading = -this.heading;
    }
    const p = this.position();
    emitTo = room;
    longloc.pos(ObjIds.CLIENT, p.x, p.y, p.z, p.dir);
    longloc.flush();
    emitTo = null;
    this.host.tally.counts.movesSent++;
  }

  say(): void {
    if (this.state !== 'online' || !this.player) return;
    this.player.say(chatText('say', ++this.chatSeq, nowMs()));
    this.host.tally.counts.chatsSent++;
  }

  whisper(to: string): void {
    if (this.state !== 'online' || !this.player) return;
    this.player.whisper(to, chatText('whisper', ++this.whisperSeq, nowMs()));
    this.host.tally.counts.whispersSent++;
  }

  changeAvatar(): void {
    if (this.state !== 'online' || !this.player) return;
    this.avatar = (this.avatar + 1) % AVATARS.length;
    this.player.setAvatar(AVATARS[this.avatar] as string);
    this.host.tally.counts.avatarsSent++;
  }

  private receive(c: AnyCommand): void {
    const t = this.host.tally;
    Tally.bump(t.received, c.cmd);
    switch (c.cmd) {
      case 'LONGLOC': {
        this.update();
        const age = moveAgeMs(c.x, c.dir, nowMs());
        if (age !== null) t.hist.moveAge.record(age);
        return;
      }
      case 'APPRACTR':
        this.update();
        if (this.host.options.propreq) this.askProperties(c.objId);
        return;
      case 'DISAPPR':
      case 'ROOMCHNG':
        this.update();
        return;
      case 'TEXT':
        return this.text(typeof c.sender === 'string' ? c.sender : '', c.text);
      case 'WHISPER': {
        const m = parseChat(c.text);
        if (m?.kind !== 'whisper') return;
        t.counts.whispersIn++;
        t.hist.whisper.record(nowMs() - m.atMs);
        return;
      }
      default:
        return;
    }
  }

  private text(sender: string, text: string): void {
    const t = this.host.tally;
    if (sender === SERVER_PSEUDO_USER) {
      // The message of the hour arrives at every login; anything else is the server talking back.
      if (this.state === 'online') t.notice(text);
      return;
    }
    const m = parseChat(text);
    if (m?.kind !== 'say') return;
    if (sender === this.name) {
      t.counts.echoes++;
      t.hist.echo.record(nowMs() - m.atMs);
    } else {
      t.counts.heard++;
      t.hist.heard.record(nowMs() - m.atMs);
    }
  }

  /** Time between successive batches of avatar updates: the server's tick as this user sees it. */
  private update(): void {
    const now = performance.now();
    if (now - this.lastUpdateAt > BURST_SPLIT_MS) {
      if (this.lastBurstAt > 0 && this.state === 'online')
        this.host.tally.hist.updateGap.record(now - this.lastBurstAt);
      this.lastBurstAt = now;
    }
    this.lastUpdateAt = now;
  }

  /** §5.2 APPRACTR: the client creates the avatar, then PROPREQs it by its long id. */
  private askProperties(objId: number | string): void {
    const room = this.room;
    const name = room?.nameOf(objId);
    if (!room || !name) return;
    room.send({ cmd: 'PROPREQ', objId: name, ids: [] });
    this.host.tally.counts.propreqsSent++;
  }

  /**
   * "Go offline" (§6.7) without waiting: SESSIONEXIT on every open connection (LOGONOFF on the
   * last, so the UserServer logs the user off at once), then the sockets end.
   */
  leave(): Promise<unknown> {
    const p = this.player;
    if (this.state === 'online') this.host.wentOffline(this);
    if (this.state === 'online' || this.state === 'logging-in') this.state = 'stopped';
    if (!p) return Promise.resolve();
    const open = p.connections;
    open.forEach((c, i) => {
      c.send({
        cmd: 'SESSIONEXIT',
        objId: ObjIds.CLIENT,
        props: i === open.length - 1 ? [{ id: Var.LOGONOFF, value: '1' }] : [],
      });
      c.socket.end();
    });
    return Promise.all(open.map((c) => c.closed));
  }

  crash(): void {
    this.player?.crash();
  }
}
