// A RoomServer World without sockets: users on real Connections over a socket that counts what it
// is given, for tests of the view and the tick (roomserver/view.ts, tick.ts).

import { ChannelPopulation } from '../../runtime/channels.js';
import { DEFAULT_LIMITS } from '../../runtime/config-common.js';
import { Connection } from '../../runtime/connection.js';
import type { Room } from '../../roomserver/room.js';
import { RoomUser } from '../../roomserver/user.js';
import { World } from '../../roomserver/world.js';
import { CountingSocket } from '../../scripts/bench/counting-socket.js';

/** The crowd policy without hysteresis or a rate of replacements: the strict nearest N. */
export const STRICT_CROWD = { marginRatio: 0, marginUnits: 0, minShownMs: 0, swapIntervalMs: 0 } as const;

export class FakeWorld {
  readonly world = new World(new ChannelPopulation(1_000_000));
  private rooms = 0;
  private count = 0;

  room(name = `Test#Room${this.rooms}<dimension-1>`): Room {
    return this.world.rooms.adopt(name, ++this.rooms);
  }

  /** A user standing in `room` at (x, y), subscribed to it as SUBSCRIB does for the current room. */
  user(room: Room, x: number, y: number, maxAvatars = 6): RoomUser & { socket: CountingSocket } {
    const socket = new CountingSocket();
    const conn = new Connection(socket.asSocket(), DEFAULT_LIMITS);
    const name = `user${this.count++}`;
    const u = new RoomUser(
      {
        name,
        loginName: name,
        priority: false,
        privileges: 0,
        channel: 'dimension-1',
        clientVersion: '2004080500',
        maxAvatars,
      },
      conn,
    );
    this.world.add(u);
    u.subscriptions.set(room.id, { room, x: 0, y: 0, z: 0, distance: -100 });
    room.subscribers.add(u);
    this.world.place(u, room, x, y, 0, 0);
    return Object.assign(u, { socket });
  }
}
