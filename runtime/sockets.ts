// The sockets a server has accepted, so that a shutdown can wait (briefly) for the last frames it
// wrote to reach their clients before the process exits.

import type { ClientSocket } from './client-socket.js';

export class SocketSet {
  private readonly sockets = new Set<ClientSocket>();

  track(socket: ClientSocket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
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
