// One client connection to the UserServer (§6.1, §6.3): the same state machine as on the
// RoomServer, then the few things a client does here: its avatar, friends list, room requests
// (answered with REDIRID), whispers and broadcasts, channel changes. The connection is
// transactional (AG-17): after the first redirection it is closed when the grace period ends,
// without ending the user's session.

import type { AnyCommand, CommandOf } from '../protocol/commands.js';
import { encodeCommand } from '../protocol/codec.js';
import { BROADCAST_TARGET, ObjIds, Priv, SERVER_PSEUDO_USER, Var, type CmdName } from '../protocol/constants.js';
import { SESSIONEXIT_REPLY, propUpdFrames, textFrames } from '../protocol/messages.js';
import type { CloseReason, Connection, ConnectionHandler } from '../runtime/connection.js';
import { runLogin } from './login.js';
import { publicProps, type Delivery } from './routing.js';
import type { UserServer } from './server.js';
import type { ActiveUser, ClientPresence } from './users.js';

export type UserSessionState = 'awaiting-propreq' | 'awaiting-login' | 'authenticating' | 'live' | 'closed';

/** Position and subscription commands belong to RoomServers; a client may still send a stray one. */
const ROOM_COMMANDS = new Set<CmdName>([
  'LONGLOC',
  'ROOMCHNG',
  'TELEPORT',
  'SUBSCRIB',
  'UNSUBSCR',
  'SUBDIST',
  'STATE',
  'FINGREQ',
]);

export class UserSession implements ConnectionHandler, ClientPresence {
  state: UserSessionState = 'awaiting-propreq';
  user: ActiveUser | null = null;
  readonly connectedAt = new Date();
  private graceTimer: NodeJS.Timeout | null = null;
  private loggingOff = false;
  /** The client was told that no room can be served (AG-24). */
  toldNoRoom = false;

  constructor(
    readonly us: UserServer,
    readonly conn: Connection,
    /** Taken on beyond `Connections` only to answer its SESSIONINIT with "server full" (AG-22). */
    readonly full = false,
  ) {
    conn.attach(this);
  }

  get address(): string {
    return this.conn.remoteAddress;
  }

  sendFrames(frames: readonly Buffer[]): void {
    this.conn.sendAll(frames);
  }

  /** Told why, then closed (AG-11: a replaced session; AG-20: a boot). */
  kick(reason: string): void {
    this.conn.sendAll(textFrames(SERVER_PSEUDO_USER, `You have been disconnected: ${reason}.`));
    this.conn.close({ kind: 'kicked', detail: reason });
  }

  onCommand(c: AnyCommand, inCoFrame: boolean): void {
    if (inCoFrame) return this.violation(`CO frame of ${c.cmd} (only servers send CO frames)`);
    if (c.cmd === 'UNKNOWN') {
      if (this.state !== 'live') return this.violation(`unknown command ${c.number} before login`);
      this.us.log.trace(`${this.conn.label}: skipped unknown command ${c.number}`);
      return;
    }
    if (c.cmd === 'SESSIONEXIT') {
      this.loggingOff = c.props.some((p) => p.id === Var.LOGONOFF && p.value === '1');
      this.conn.send(SESSIONEXIT_REPLY);
      this.conn.close({ kind: 'exit', detail: this.loggingOff ? 'logged off' : 'session exit' });
      return;
    }
    switch (this.state) {
      case 'awaiting-propreq':
        if (c.cmd === 'PROPREQ' && c.objId === ObjIds.PO) {
          this.sendServerProps(c.ids);
          this.state = 'awaiting-login';
          return;
        }
        return this.violation(c.cmd === 'SESSIONINIT' ? 'SESSIONINIT before PROPREQ (§8.1)' : `${c.cmd} before login`);
      case 'awaiting-login':
        if (c.cmd === 'PROPREQ' && c.objId === ObjIds.PO) return this.sendServerProps(c.ids);
        if (c.cmd === 'SESSIONINIT') {
          this.login(c).catch((err: unknown) =>
            this.conn.close({
              kind: 'protocol',
              detail: `login failed: ${err instanceof Error ? err.message : String(err)}`,
            }),
          );
          return;
        }
        return this.violation(`${c.cmd} before login`);
      case 'authenticating':
        return this.violation(`${c.cmd} during login`);
      case 'live':
        return this.live(c);
      case 'closed':
        return;
    }
  }

  private async login(c: CommandOf<'SESSIONINIT'>): Promise<void> {
    this.state = 'authenticating';
    this.conn.hold();
    await runLogin(this.us, this, c.props);
    if (this.conn.isClosed) return;
    this.state = this.user ? 'live' : 'awaiting-login';
    if (this.user) this.conn.loggedIn();
    this.conn.release();
  }

  private live(c: Exclude<AnyCommand, { cmd: 'UNKNOWN' }>): void {
    const u = this.user;
    if (!u) return;
    const us = this.us;
    switch (c.cmd) {
      case 'SESSIONINIT':
        return this.violation('second SESSIONINIT on a live connection');
      case 'PROPREQ':
        if (c.objId === ObjIds.PO) return this.sendServerProps(c.ids);
        if (typeof c.objId === 'string') {
          const other = us.users.get(c.objId.toLowerCase());
          if (other) this.conn.sendAll(propUpdFrames(c.objId, publicProps(other)).frames);
        }
        return;
      case 'PROPSET':
        if (c.objId === ObjIds.CLIENT) us.router.userProps(u, c.props, null);
        return;
      case 'BUDDYLISTUPDATE':
        return us.router.buddy(u, c.buddy, c.add !== 0);
      case 'ROOMIDRQ':
        return this.roomRequest(u, c.name);
      case 'CHANNEL':
        if (/^[^<>#]{1,64}$/.test(c.channel)) us.users.changeChannel(u, c.channel);
        return;
      case 'TEXT':
        // No room is served here: the speaker hears himself, as on a RoomServer with nobody near.
        if (c.text !== '') this.conn.sendAll(textFrames(u.name, c.text));
        return;
      case 'WHISPER':
        return this.whisper(u, c);
      default:
        if (ROOM_COMMANDS.has(c.cmd)) {
          us.log.trace(`${u.name}: ${c.cmd} on the UserServer ignored (rooms are served by RoomServers)`);
          return;
        }
        return this.violation(`${c.cmd} is sent by servers, not clients`);
    }
  }

  private whisper(u: ActiveUser, c: CommandOf<'WHISPER'>): void {
    if (typeof c.objId !== 'string' || c.text === '') return;
    const scope = c.objId.toLowerCase();
    const privileged = (u.privileges & Priv.BROADCAST) !== 0;
    if (privileged && (scope === BROADCAST_TARGET.WORLD || scope === BROADCAST_TARGET.ROOM)) {
      const boot = /^!boot\s+(\S+)\s*$/i.exec(c.text);
      if (boot) {
        void this.us.router
          .boot(u.name, boot[1] as string)
          .then((r) =>
            this.conn.send(
              encodeCommand({ cmd: 'WHISPER', objId: ObjIds.CLIENT, sender: SERVER_PSEUDO_USER, text: r.message }),
            ),
          );
        return;
      }
      // Nobody stands in a room of the UserServer: "room" reaches only the sender.
      this.conn.sendAll(textFrames(u.name, c.text));
      if (scope === BROADCAST_TARGET.WORLD) this.us.router.broadcast(u.name, c.text, { exceptClient: this });
      return;
    }
    const to = c.objId;
    const answer = (r: Delivery) => {
      if (r.delivered) this.us.counts.whispersRouted++;
      else this.us.counts.whispersUndeliverable++;
      if (!r.delivered) {
        this.us.logLimit.error(
          u.name,
          'undeliverable whisper',
          `undeliverable whisper dropped - ${r.reason}`,
          this.address,
        );
        this.conn.sendAll(textFrames(SERVER_PSEUDO_USER, `${to} is not logged on.`));
      }
    };
    const r = this.us.router.whisperAnywhere(u.name, to, c.text);
    if ('then' in r) void r.then(answer);
    else answer(r);
  }

  private roomRequest(u: ActiveUser, name: string): void {
    const r = this.us.rooms.request(this, this.conn, u, name);
    if (r === true) this.redirected();
    else if (r !== false) void r.then((ok) => ok && this.redirected());
  }

  /** AG-17: the first redirection starts the grace period after which this connection closes. */
  private redirected(): void {
    if (this.state === 'closed') return;
    if (!this.graceTimer) {
      this.graceTimer = setTimeout(
        () =>
          this.conn.close({
            kind: 'exit',
            detail: 'redirected; transactional connection closed after its grace period',
          }),
        this.us.cfg.redirectGraceMs,
      );
      this.graceTimer.unref();
    }
  }

  private sendServerProps(ids: readonly number[]): void {
    const props = ids.length === 0 ? this.us.serverProps : this.us.serverProps.filter((p) => ids.includes(p.id));
    this.conn.sendAll(propUpdFrames(ObjIds.PO, props).frames);
  }

  violation(what: string): void {
    this.conn.close({ kind: 'protocol', detail: `protocol violation: ${what}` });
  }

  onClose(reason: CloseReason): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.state = 'closed';
    this.us.sessionClosed(this, reason, this.loggingOff);
  }
}
