// AG-24: a room request that no server can serve (no RoomServer connected, the UserServer out of
// reach, room ids used up). The client is told by a TEXT from WORLDSMASTER, once per connection,
// instead of waiting for an answer that never comes; the log says so once per window with a count
// of the refusals it did not write, since a client asks for about ten rooms at every login.

import { SERVER_PSEUDO_USER } from '../protocol/constants.js';
import { textFrames } from '../protocol/messages.js';
import type { ServerLog } from './log.js';

export const NO_ROOM_WINDOW_MS = 60_000;

/** A client session: told once per connection. */
export interface NoRoomClient {
  toldNoRoom: boolean;
  readonly conn: { sendAll(frames: readonly Buffer[]): void };
}

export class RoomRefusals {
  private windowStart = -Infinity;
  private unlogged = 0;

  constructor(
    private readonly log: ServerLog,
    private readonly advice: string,
    private readonly windowMs = NO_ROOM_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  refused(client: NoRoomClient, user: string, address: string, room: string, reason: string): void {
    if (!client.toldNoRoom) {
      client.toldNoRoom = true;
      client.conn.sendAll(
        textFrames(SERVER_PSEUDO_USER, `Sorry, no room can be served right now (${reason}). Please try again later.`),
      );
    }
    const now = this.now();
    if (now - this.windowStart < this.windowMs) {
      this.unlogged++;
      return;
    }
    const earlier = this.unlogged ? `; ${this.unlogged} more refused in the previous ${this.windowMs / 1000} s` : '';
    this.windowStart = now;
    this.unlogged = 0;
    this.log.error(
      user,
      `room ${room} cannot be served: ${reason}${earlier}; ${this.advice} (further refusals in the next ${this.windowMs / 1000} s are counted, not logged)`,
      { event: 'no-room', user, address },
    );
  }
}
