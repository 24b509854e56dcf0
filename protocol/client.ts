// A protocol client that behaves like the real WorldsPlayer on the wire (§5.2, §6): it opens with
// `03 FF 0A`, logs in with the exact SESSIONINIT property order of each login mode, keeps the
// per-connection short-id table (REGOBJID, §3.3) and remembers ROOMID/REDIRID answers. Tests, bots
// and tools use it; it is the only module of protocol/ that does I/O.
//
// Received commands wait in an inbox until taken with `expect()`, so a test can wait for exactly
// the event it needs instead of sleeping.

import { connect as netConnect, type Socket } from 'node:net';
import { encodeCommand } from './codec.js';
import type { AnyCommand, Command, CommandOf } from './commands.js';
import { ObjIds, PROTOCOL_VERSION, Var, type CmdName } from './constants.js';
import { StreamDecoder } from './decoder.js';
import type { OldProp } from './props.js';
import type { ObjId } from './wire.js';

/** The build the 2004 client reports (VAR_CLIENT). */
export const DEFAULT_CLIENT_VERSION = '2004080500';

export type LoginMode =
  /** Existing user on a UserServer (AUTHENTICATE): 3, 9, 2, 6, [12]. */
  | { kind: 'authenticate'; name: string; password: string; firstConnection: boolean }
  /** New account with a serial number (REGISTER): 3, 9, 2, 6, 10. */
  | { kind: 'register'; name: string; password: string; serial: string }
  /** Anonymous UserServer (type 2): 3, 9, 2, [12]. */
  | { kind: 'anonymous'; name: string; firstConnection: boolean }
  /** RoomServer reached by redirection: 3, 9, 7, 2, 6. */
  | { kind: 'roomserver'; name: string; password: string; avatars: number }
  /** Anonymous RoomServer that is the galaxy's entry point (type 4): 3, 9, 7, 2. */
  | { kind: 'roomserver-anon'; name: string; avatars: number }
  /** GUESTLOGIN: 3, 9, 14, [12] (the 2004 build cannot produce it, §4.3; later builds might). */
  | { kind: 'guest'; firstConnection: boolean };

/** SESSIONINIT property list exactly as the client builds it for each mode (§5.2). */
export function sessionInitProps(mode: LoginMode, clientVersion = DEFAULT_CLIENT_VERSION): OldProp[] {
  const p: OldProp[] = [
    { id: Var.PROTOCOL, value: String(PROTOCOL_VERSION) },
    { id: Var.CLIENT, value: clientVersion },
  ];
  switch (mode.kind) {
    case 'authenticate':
      p.push({ id: Var.USERNAME, value: mode.name }, { id: Var.PASSWORD, value: mode.password });
      if (mode.firstConnection) p.push({ id: Var.LOGONOFF, value: '1' });
      break;
    case 'register':
      p.push(
        { id: Var.USERNAME, value: mode.name },
        { id: Var.PASSWORD, value: mode.password },
        { id: Var.SERIAL, value: mode.serial },
      );
      break;
    case 'anonymous':
      p.push({ id: Var.USERNAME, value: mode.name });
      if (mode.firstConnection) p.push({ id: Var.LOGONOFF, value: '1' });
      break;
    case 'roomserver':
      p.push(
        { id: Var.AVATARS, value: String(mode.avatars) },
        { id: Var.USERNAME, value: mode.name },
        { id: Var.PASSWORD, value: mode.password },
      );
      break;
    case 'roomserver-anon':
      p.push({ id: Var.AVATARS, value: String(mode.avatars) }, { id: Var.USERNAME, value: mode.name });
      break;
    case 'guest':
      p.push({ id: Var.GUEST, value: '0' });
      if (mode.firstConnection) p.push({ id: Var.LOGONOFF, value: '1' });
      break;
  }
  return p;
}

export class LoginRefused extends Error {
  constructor(readonly code: number) {
    super(`login refused with VAR_ERROR ${code}`);
    this.name = 'LoginRefused';
  }
}

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`timed out after ${ms} ms waiting for ${what}`);
    this.name = 'TimeoutError';
  }
}

type Predicate = (c: AnyCommand) => boolean;

interface Waiter {
  pred: Predicate;
  resolve(c: AnyCommand): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  what: string;
}

export interface ClientConnectionOptions {
  /** Default wait for expect(). */
  timeoutMs?: number;
  /** Inbox cap: a bot that never reads its inbox must not grow without bound. */
  maxInbox?: number;
  /** Called for every received command (bots count instead of queueing). */
  onCommand?: (c: AnyCommand) => void;
  /** Source address (any of 127.0.0.0/8 on loopback): tests and the bot farm play several clients' addresses. */
  localAddress?: string;
}

export class ClientConnection {
  readonly socket: Socket;
  private readonly decoder: StreamDecoder;
  private readonly inbox: AnyCommand[] = [];
  private readonly waiters: Waiter[] = [];
  /** REGOBJID table of this connection; 1 is the user himself (§3.3). */
  readonly shortIds = new Map<number, string>();
  /** ROOMID and REDIRID answers by room name. */
  readonly rooms = new Map<string, { id: number; ip?: string; port?: number }>();
  readonly serverProps = new Map<number, string>();
  private closedReason: string | null = null;
  readonly closed: Promise<string>;
  private readonly timeoutMs: number;
  private readonly maxInbox: number;
  private readonly onCommand?: (c: AnyCommand) => void;
  dropped = 0;

  private constructor(socket: Socket, opts: ClientConnectionOptions) {
    this.socket = socket;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxInbox = opts.maxInbox ?? 100_000;
    this.onCommand = opts.onCommand;
    socket.setNoDelay(true);
    this.decoder = new StreamDecoder({
      onCommand: (c) => this.receive(c),
      onError: (err) => socket.destroy(err instanceof Error ? err : new Error(String(err))),
    });
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    this.closed = new Promise((resolve) => {
      socket.on('error', (err) => (this.closedReason ??= err.message));
      socket.on('close', () => {
        this.closedReason ??= 'closed by server';
        for (const w of this.waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(new Error(`connection closed (${this.closedReason}) while waiting for ${w.what}`));
        }
        resolve(this.closedReason);
      });
    });
  }

  /** Connects within `timeoutMs` (a server whose accept queue is full never completes the connect). */
  static connect(host: string, port: number, opts: ClientConnectionOptions = {}): Promise<ClientConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
      const timeoutMs = opts.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TimeoutError('connect', timeoutMs));
      }, timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(new ClientConnection(socket, opts));
      });
    });
  }

  /**
   * A galaxy URL naming several hosts (`worldserver://hostA;hostB:port/`, spec §1): the real client
   * connects to all of them at once and keeps the first connection established, closing the others
   * (WSConnecting); it fails only when every host failed. Redundant WorldServers rely on this.
   */
  static connectFirst(
    hosts: readonly string[],
    port: number,
    opts: ClientConnectionOptions = {},
  ): Promise<ClientConnection> {
    return new Promise((resolve, reject) => {
      let won = false;
      let failed = 0;
      const errors: string[] = [];
      for (const host of hosts) {
        const socket = netConnect({ host, port, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
        socket.once('error', (err) => {
          errors.push(`${host}: ${err.message}`);
          if (++failed === hosts.length) reject(new Error(`no host answered (${errors.join('; ')})`));
        });
        socket.once('connect', () => {
          if (won) return void socket.destroy();
          won = true;
          socket.removeAllListeners('error');
          resolve(new ClientConnection(socket, opts));
        });
      }
    });
  }

  get isClosed(): boolean {
    return this.closedReason !== null;
  }

  private receive(c: AnyCommand): void {
    if (c.cmd === 'REGOBJID') this.shortIds.set(c.shortId, c.longId);
    else if (c.cmd === 'ROOMID') this.rooms.set(c.name, { id: c.room });
    else if (c.cmd === 'REDIRID') this.rooms.set(c.name, { id: c.room, ip: c.ip, port: c.port });
    else if (c.cmd === 'PROPUPD' && c.objId === ObjIds.PO) {
      for (const p of c.props) if (typeof p.value === 'string') this.serverProps.set(p.id, p.value);
    }
    this.onCommand?.(c);
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i] as Waiter;
      if (w.pred(c)) {
        this.waiters.splice(i, 1);
        clearTimeout(w.timer);
        w.resolve(c);
        return;
      }
    }
    if (this.onCommand) return;
    if (this.inbox.length >= this.maxInbox) {
      this.inbox.shift();
      this.dropped++;
    }
    this.inbox.push(c);
  }

  /** Name an objid stands for on this connection (short ids through the REGOBJID table). */
  nameOf(id: ObjId): string | undefined {
    return typeof id === 'string' ? id : this.shortIds.get(id);
  }

  send(c: Command): void {
    this.socket.write(encodeCommand(c));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Takes the first received command matching `pred`, waiting for it if needed. */
  expect(pred: Predicate, what = 'a command', timeoutMs = this.timeoutMs): Promise<AnyCommand> {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as AnyCommand);
    if (this.isClosed) return Promise.reject(new Error(`connection closed (${this.closedReason}) before ${what}`));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        pred,
        resolve,
        reject,
        what,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          reject(new TimeoutError(what, timeoutMs));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** Typed expect() for one command name. */
  async expectCmd<N extends CmdName>(
    name: N,
    pred: (c: CommandOf<N>) => boolean = () => true,
    timeoutMs = this.timeoutMs,
  ): Promise<CommandOf<N>> {
    const c = await this.expect((x) => x.cmd === name && pred(x as CommandOf<N>), name, timeoutMs);
    return c as CommandOf<N>;
  }

  /** Removes and returns everything received so far that matches. */
  drain(pred: Predicate = () => true): AnyCommand[] {
    const out: AnyCommand[] = [];
    for (let i = 0; i < this.inbox.length;) {
      if (pred(this.inbox[i] as AnyCommand)) out.push(this.inbox.splice(i, 1)[0] as AnyCommand);
      else i++;
    }
    return out;
  }

  /** What is in the inbox, without taking it. */
  peek(): readonly AnyCommand[] {
    return this.inbox;
  }

  /**
   * A round trip: everything the server queued for this connection before it handled our PROPREQ
   * has arrived once its answer arrives (one connection is one ordered stream).
   */
  async sync(): Promise<void> {
    this.send({ cmd: 'PROPREQ', objId: ObjIds.PO, ids: [Var.PROTOCOL] });
    await this.expect(
      (c) => c.cmd === 'PROPUPD' && c.objId === ObjIds.PO && c.props.length === 1 && c.props[0]?.id === Var.PROTOCOL,
      'sync',
    );
  }

  /** §6.1 RCV_PROPS: PROPREQ to the server object, then its PROPUPD. Returns VAR_SERVERTYPE. */
  async handshake(): Promise<number> {
    this.send({ cmd: 'PROPREQ', objId: ObjIds.PO, ids: [] });
    await this.expect((c) => c.cmd === 'PROPUPD' && c.objId === ObjIds.PO, 'PROPUPD(255)');
    return Number(this.serverProps.get(Var.SERVERTYPE));
  }

  /** SESSIONINIT in the given mode; resolves with the reply's properties or throws LoginRefused. */
  async login(mode: LoginMode, clientVersion = DEFAULT_CLIENT_VERSION): Promise<Map<number, string>> {
    this.send({ cmd: 'SESSIONINIT', objId: ObjIds.CLIENT, props: sessionInitProps(mode, clientVersion) });
    const reply = await this.expectCmd('SESSIONINIT', () => true);
    const props = new Map(reply.props.map((p) => [p.id, p.value]));
    const error = Number(props.get(Var.ERROR) ?? '0');
    if (error !== 0) throw new LoginRefused(error);
    const renamed = props.get(Var.USERNAME);
    this.shortIds.set(ObjIds.CLIENT, renamed ?? modeName(mode));
    return props;
  }

  /** ROOMIDRQ and its answer (ROOMID or REDIRID). */
  async roomId(name: string): Promise<{ id: number; ip?: string; port?: number }> {
    this.send({ cmd: 'ROOMIDRQ', objId: ObjIds.CLIENT, name });
    await this.expect((c) => (c.cmd === 'ROOMID' || c.cmd === 'REDIRID') && c.name === name, `room id of ${name}`);
    return this.rooms.get(name) as { id: number };
  }

  /** §6.4 step 5: subscribe to the room as the current room (distance −100), then TELEPORT into it. */
  enter(room: number, pos: { x: number; y: number; z?: number; dir?: number }): void {
    this.send({ cmd: 'SUBSCRIB', objId: ObjIds.CLIENT, room, x: 0, y: 0, z: 0, distance: -100 });
    this.send({
      cmd: 'TELEPORT',
      objId: ObjIds.CLIENT,
      room,
      exitType: 0,
      entryType: 1,
      x: pos.x,
      y: pos.y,
      z: pos.z ?? 0,
      dir: pos.dir ?? 0,
    });
  }

  /** §6.7: SESSIONEXIT, wait for the reply, close. */
  async logoff(last = true): Promise<void> {
    this.send({ cmd: 'SESSIONEXIT', objId: ObjIds.CLIENT, props: last ? [{ id: Var.LOGONOFF, value: '1' }] : [] });
    await this.expectCmd('SESSIONEXIT');
    this.socket.end();
    await this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

function modeName(mode: LoginMode): string {
  return mode.kind === 'guest' ? '' : mode.name;
}
