// The sockets a server has accepted, so that a shutdown can wait (briefly) for the last frames it
// wrote to reach their clients before the process exits.

import type { ClientSocket } from './client-socket.js';

/** The set a socket is tracked in, for the one listener all sockets share (no closure per socket). */
const TRACKED_IN = Symbol('socket set');
interface Tracked {
  [TRACKED_IN]: SocketSet;
}

export class SocketSet {
  private readonly sockets = new Set<ClientSocket>();

  track(socket: ClientSocket): void {
    this.sockets.add(socket);
    (socket as unknown as Tracked)[TRACKED_IN] = this;
    socket.on('close', SocketSet.untrack);
  }

  private static untrack(this: ClientSocket): void {
    (this as unknown as Tracked)[TRACKED_IN].sockets.delete(this);
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Resolves when every tracked socket has closed, or after `maxMs`. */
  drained(maxMs: number): Promise<void> {
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      let left = this.sockets.size;
      for (const s of this.sockets) {
        s.once('close', () => {
          if (--left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    });
  }
}
