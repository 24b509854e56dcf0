// A stand-in for a client's net.Socket under runtime/connection.ts: it takes every write and
// remembers only how much it was given, so the server's own work per client can be measured (the
// tick benchmark) or driven (view and tick tests) without the kernel.

import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export class CountingSocket extends EventEmitter {
  readonly remoteAddress = '127.0.0.1';
  readonly writableLength = 0;
  readonly writableNeedDrain = false;
  bytes = 0;
  writes = 0;
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  write(data: Buffer): boolean {
    this.bytes += data.length;
    this.writes++;
    return true;
  }
  end(): void {}
  destroy(): void {}

  /** What runtime/connection.ts is given in place of a socket. */
  asSocket(): Socket {
    return this as unknown as Socket;
  }
}
