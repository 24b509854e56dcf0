// One client connection to the RoomServer: its state machine (§6.1, §8.1) and the dispatch of its
// commands. Before login only PROPREQ, SESSIONINIT and SESSIONEXIT are legal; a second SESSIONINIT,
// a CO frame or a server-only command from a client ends the connection with a logged reason.

import type { AnyCommand, Command, CommandOf } from '../protocol/commands.js';
import { ObjIds, type CmdName } from '../protocol/constants.js';
import { SESSIONEXIT_REPLY } from '../protocol/messages.js';
import type { CloseReason, Connection, ConnectionHandler } from '../runtime/connection.js';
import { handleBuddy, handleChannel } from './handlers/social.js';
import { handleText, handleWhisper } from './handlers/chat.js';
import { handleLogin } from './handlers/login.js';
import {
  handleLongLoc,
  handleRoomChange,
  handleSubDist,
  handleSubscribe,
  handleTeleport,
  handleUnsubscribe,
} from './handlers/movement.js';
import { handlePropReq, handlePropSet, sendServerProps } from './handlers/props.js';
import { handleRoomIdRequest } from './handlers/rooms.js';
import type { RoomServer } from './server.js';
import type { RoomUser } from './user.js';

export type SessionState = 'awaiting-propreq' | 'awaiting-login' | 'authenticating' | 'live' | 'closed';

export type LiveSession = Session & { user: RoomUser };

type LiveHandlers = { [N in CmdName]?: (s: LiveSession, c: CommandOf<N>) => void };

/** Commands a logged-in client may send, and who handles them. */
const LIVE: LiveHandlers = {
  LONGLOC: handleLongLoc,
  ROOMCHNG: handleRoomChange,
  TELEPORT: handleTeleport,
  SUBSCRIB: handleSubscribe,
  UNSUBSCR: handleUnsubscribe,
  SUBDIST: handleSubDist,
  TEXT: handleText,
  WHISPER: handleWhisper,
  PROPSET: handlePropSet,
  PROPREQ: handlePropReq,
  ROOMIDRQ: handleRoomIdRequest,
  BUDDYLISTUPDATE: handleBuddy,
  CHANNEL: handleChannel,
};

/** Commands the client is known never to send but that do no harm (§5.1): skipped. */
const HARMLESS = new Set<CmdName>(['STATE', 'FINGREQ']);

export class Session implements ConnectionHandler {
  state: SessionState = 'awaiting-propreq';
  user: RoomUser | null = null;
  /** Distinct room names this connection asked for (capped against id exhaustion). */
  roomRequests = 0;
  /** The client's SESSIONEXIT said this was its last connection (LOGONOFF). */
  loggingOff = false;
  /** The client was told that no room can be served (AG-24). */
  toldNoRoom = false;

  constructor(
    readonly rs: RoomServer,
    readonly conn: Connection,
  ) {
    conn.attach(this);
  }

  isLive(): this is LiveSession {
    return this.state === 'live' && this.user !== null;
  }

  onCommand(c: AnyCommand, inCoFrame: boolean): void {
    if (inCoFrame) return this.violation(`CO frame of ${c.cmd} (only servers send CO frames)`);
    if (c.cmd === 'UNKNOWN') {
      // §2.4: skipped once live; before login the client sends only PROPREQ and SESSIONINIT (§8.1).
      if (this.state !== 'live') return this.violation(`unknown command ${c.number} before login`);
      this.rs.log.trace(`${this.conn.label}: skipped unknown command ${c.number}`);
      return;
    }
    if (c.cmd === 'SESSIONEXIT') return this.exit(c.props.some((p) => p.id === 12 && p.value === '1'));
    switch (this.state) {
      case 'awaiting-propreq':
        if (c.cmd === 'PROPREQ' && c.objId === ObjIds.PO) {
          sendServerProps(this, c.ids);
          this.state = 'awaiting-login';
          return;
        }
        if (c.cmd === 'SESSIONINIT') return this.violation('SESSIONINIT before PROPREQ (§8.1)');
        return this.violation(`${c.cmd} before login`);
      case 'awaiting-login':
        if (c.cmd === 'PROPREQ' && c.objId === ObjIds.PO) return sendServerProps(this, c.ids);
        if (c.cmd === 'SESSIONINIT') {
          handleLogin(this, c).catch((err: unknown) =>
            this.conn.close({
              kind: 'protocol',
              detail: `login failed: ${err instanceof Error ? err.message : String(err)}`,
            }),
          );
          return;
        }
        return this.violation(`${c.cmd} before login`);
      case 'authenticating':
        // The connection is held while authenticating; nothing should reach here.
        return this.violation(`${c.cmd} during login`);
      case 'live': {
        if (c.cmd === 'SESSIONINIT') return this.violation('second SESSIONINIT on a live connection');
        if (HARMLESS.has(c.cmd)) return;
        // The table pairs each name with its own command type; TypeScript cannot see that here.
        const h = LIVE[c.cmd] as ((s: LiveSession, c: Command) => void) | undefined;
        if (!h) return this.violation(`${c.cmd} is sent by servers, not clients`);
        if (this.isLive()) h(this, c);
        return;
      }
      case 'closed':
        return;
    }
  }

  /** §6.7: reply to SESSIONEXIT, then close; LOGONOFF says the user leaves the galaxy. */
  private exit(loggingOff: boolean): void {
    this.loggingOff = loggingOff;
    this.conn.send(SESSIONEXIT_REPLY);
    this.conn.close({ kind: 'exit', detail: loggingOff ? 'logged off' : 'session exit' });
  }

  violation(what: string): void {
    this.conn.close({ kind: 'protocol', detail: `protocol violation: ${what}` });
  }

  onClose(reason: CloseReason): void {
    const prev = this.state;
    this.state = 'closed';
    this.rs.sessionClosed(this, reason, prev);
  }
}
