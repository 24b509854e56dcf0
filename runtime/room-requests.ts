// Room requests (ROOMIDRQ, spec §5.2) per user per minute, new rooms per user per minute, and room
// ids held per connection (keyword RoomRequests): what keeps one user from using up the galaxy's
// room ids (issue 6, finding 1). Both servers ask here before answering a request.
//
// A refused request still gets an answer the client can show: ROOMIDRQ has only ROOMID and REDIRID
// answers, both carrying an id, and NAK 4/8 make the client assert (§4.2), so the client is told in
// a TEXT line from WORLDSMASTER, once per minute and kind per connection. Its room then stays
// unserved (the client keeps waiting for that one answer); it asks again when the room becomes
// visible anew: walking out and back in, a channel change, or logging in again.

import type { RoomLimits } from './config-limits.js';
import { NoticeThrottle } from './notice-throttle.js';
import { RateWindow } from './rate-window.js';

export type RoomRefusal = 'requests' | 'new-rooms' | 'held' | 'exhausted' | 'unavailable';

export interface RoomRequestFacts {
  /** No room of this name is known here: answering it may use a new id. */
  isNew: boolean;
  /** The connection already holds this room's id (asking again costs nothing). */
  alreadyHeld: boolean;
  /** Room ids the connection holds. */
  held: number;
}

const NOTICES: Record<RoomRefusal, string> = {
  requests:
    'You are asking for rooms faster than this server allows; wait a minute, then walk out of the room and back in.',
  'new-rooms':
    'You are opening new rooms faster than this server allows; wait a minute, then walk out of the room and back in.',
  held: 'This connection has opened as many rooms as this server allows; log off and on again to see more rooms.',
  exhausted:
    'No new room can be opened right now: every room number of this world is in use. Please try again in a few minutes.',
  unavailable: 'This room cannot be opened right now. Please try again in a few minutes.',
};

/** The notice a refused client is sent (a TEXT from WORLDSMASTER). */
export function roomRefusalNotice(kind: RoomRefusal): string {
  return NOTICES[kind];
}

export class RoomRequestGate {
  private readonly requests = new RateWindow<string>();
  private readonly fresh = new RateWindow<string>();
  private readonly notices = new NoticeThrottle();
  /** Requests refused, by kind (plain counters for the statistics). */
  readonly refused: Record<RoomRefusal, number> = {
    requests: 0,
    'new-rooms': 0,
    held: 0,
    exhausted: 0,
    unavailable: 0,
  };

  /** null: answer the request; otherwise why not. Counts the request against `userKey`. */
  admit(userKey: string, facts: RoomRequestFacts, limits: Readonly<RoomLimits>, now: number): RoomRefusal | null {
    let why: RoomRefusal | null = null;
    if (!this.requests.take(userKey, limits.requestsPerMinute, now)) why = 'requests';
    else if (!facts.alreadyHeld && facts.held >= limits.heldPerConnection) why = 'held';
    else if (facts.isNew && !this.fresh.take(userKey, limits.newRoomsPerMinute, now)) why = 'new-rooms';
    if (why) this.refused[why]++;
    return why;
  }

  /** Counts a refusal decided elsewhere (the id space, the UserServer). */
  count(kind: RoomRefusal): void {
    this.refused[kind]++;
  }

  /** Whether connection `connId` should be told about a refusal of this kind now (once per minute). */
  shouldNotify(connId: number, kind: RoomRefusal, now: number): boolean {
    return this.notices.allow(`${connId} ${kind}`, now) !== null;
  }
}

/** For the log: what the refused user exceeded. */
export function describeRefusal(kind: RoomRefusal, lim: Readonly<RoomLimits>): string {
  switch (kind) {
    case 'requests':
      return `more than ${lim.requestsPerMinute} room requests in a minute`;
    case 'new-rooms':
      return `more than ${lim.newRoomsPerMinute} new rooms in a minute`;
    case 'held':
      return `the connection holds ${lim.heldPerConnection} room ids`;
    case 'exhausted':
      return 'no room id left';
    case 'unavailable':
      return 'the room cannot be served';
  }
}
