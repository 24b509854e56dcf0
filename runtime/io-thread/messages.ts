// What the main thread and the I/O thread say to each other (see bridge.ts). Everything a turn produces goes in one message each way.

export interface IoThreadStart {
  port: number;
  host: string | null;
  backlog: number;
  sendQueueBytes: number;
  drainTimeoutMs: number;
}

/** Operations on one socket, asked by the main thread: pairs of [op, connection id] in `ctl`. */
export const Op = {
  /** Write what is queued, then close (Connection.close). */
  End: 1,
  /** Close at once, discarding what is queued. */
  Destroy: 2,
  Pause: 3,
  Resume: 4,
} as const;

export type ToIoThread =
  | { t: 'batch'; seq: number; out: ArrayBuffer | null; outLength: number; ctl: number[] }
  | { t: 'limits'; sendQueueBytes: number; drainTimeoutMs: number }
  | { t: 'stop-listening' };

/** What became of a socket, in the order it happened. */
export type SocketEvent =
  | { id: number; e: 'end' }
  | { id: number; e: 'error'; message: string; code: string | undefined }
  | { id: number; e: 'slow'; detail: string; dropped: number }
  | { id: number; e: 'close' };

export type FromIoThread =
  | { t: 'listening'; address: string; family: string; port: number }
  | { t: 'listen-error'; code: string | undefined; message: string }
  | { t: 'accept-error'; code: string | undefined; message: string }
  | {
      t: 'batch';
      /** New sockets: id, remote address. */
      opens: [number, string | null][];
      data: ArrayBuffer | null;
      dataLength: number;
      /** After the data: a socket's bytes arrive before its end. */
      events: SocketEvent[];
      /** The last of the main thread's batches written (how far behind the I/O thread is). */
      done: number;
    };
