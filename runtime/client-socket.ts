// What a server needs of a client socket and of its listener: a node:net Socket and Server, or
// their stand-ins on the main thread when the sockets live on the I/O thread (runtime/io-thread/).

import type { AddressInfo } from 'node:net';

export interface ClientSocket {
  readonly remoteAddress?: string | undefined;
  /** Bytes written but not yet sent. */
  readonly writableLength: number;
  readonly writableNeedDrain: boolean;
  setNoDelay(noDelay?: boolean): unknown;
  setKeepAlive(enable?: boolean, initialDelay?: number): unknown;
  write(data: Buffer): boolean;
  end(): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close' | 'drain', listener: () => void): unknown;
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  /** Dropped as a slow consumer where its queue is (the I/O thread); a net.Socket never says it. */
  on(event: 'slow', listener: (detail: string) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  removeAllListeners(event: string): unknown;
}

export interface ClientListener {
  on(event: 'connection', listener: (socket: ClientSocket) => void): unknown;
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  address(): AddressInfo | string | null;
  close(): unknown;
}
