// The main thread's side of the I/O thread (runtime/io-thread/worker.ts): a listener and sockets
// that look like node:net's to the rest of the server (runtime/client-socket.ts), whose calls
// become one message to the I/O thread per turn, and whose events come from one message per turn
// of the I/O thread. Connection ids are never reused, so a late message can only miss its socket,
// never reach another.

import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { ClientListener, ClientSocket } from '../client-socket.js';
import { Op, type FromIoThread, type IoThreadStart, type SocketEvent, type ToIoThread } from './messages.js';
import { forEachRecord, RecordWriter } from './records.js';

export class RemoteSocket extends EventEmitter implements ClientSocket {
  /** Zero while open (the I/O thread enforces the send queue's cap); what was lost once dropped as slow. */
  writableLength = 0;
  readonly writableNeedDrain = false;
  private ended = false;
  destroyed = false;

  constructor(
    private readonly io: IoThread,
    readonly id: number,
    readonly remoteAddress: string | undefined,
  ) {
    super();
  }

  setNoDelay(): void {}
  setKeepAlive(): void {}

  write(data: Buffer): boolean {
    if (!this.destroyed && !this.ended) this.io.queueWrite(this.id, data);
    return true;
  }

  end(): void {
    if (this.destroyed || this.ended) return;
    this.ended = true;
    this.io.queueOp(Op.End, this.id);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.io.queueOp(Op.Destroy, this.id);
  }

  pause(): void {
    if (!this.destroyed) this.io.queueOp(Op.Pause, this.id);
  }

  resume(): void {
    if (!this.destroyed) this.io.queueOp(Op.Resume, this.id);
  }

  /** An event from the I/O thread. */
  happened(ev: SocketEvent): void {
    switch (ev.e) {
      case 'end':
        this.emit('end');
        break;
      case 'error':
        // A net.Socket's error with nobody listening would throw; here the socket is already gone.
        if (this.listenerCount('error') > 0)
          this.emit('error', Object.assign(new Error(ev.message), { code: ev.code }));
        break;
      case 'slow':
        this.writableLength = ev.dropped;
        this.emit('slow', ev.detail);
        break;
      case 'close':
        this.destroyed = true;
        this.emit('close');
        break;
    }
  }
}

export interface IoThreadCounters {
  /** Messages each way, and bytes of socket data each way, since start. */
  batchesIn: number;
  batchesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export class IoThread extends EventEmitter implements ClientListener {
  private readonly sockets = new Map<number, RemoteSocket>();
  private out = new RecordWriter();
  private ctl: number[] = [];
  private postQueued = false;
  private bound: AddressInfo | null = null;
  private stopping = false;
  private seq = 0;
  /** Sequence numbers and times of batches posted and not yet written, oldest first. */
  private readonly unwritten: { seq: number; at: number }[] = [];
  readonly counters: IoThreadCounters = { batchesIn: 0, batchesOut: 0, bytesIn: 0, bytesOut: 0 };

  private constructor(private readonly worker: Worker) {
    super();
  }

  /** Starts the I/O thread listening; rejects (with the listen error's code) when it cannot. */
  static start(start: IoThreadStart): Promise<IoThread> {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: start });
    const io = new IoThread(worker);
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => {
        void worker.terminate();
        reject(err);
      };
      worker.once('error', failed);
      worker.on('message', (m: FromIoThread) => {
        if (m.t === 'listening') {
          io.bound = { address: m.address, family: m.family, port: m.port };
          worker.off('error', failed);
          worker.on('error', (err) => io.fatal(`the I/O thread failed: ${err.stack ?? err.message}`));
          worker.on('exit', (code) => io.fatal(`the I/O thread exited (code ${code})`));
          resolve(io);
        } else if (m.t === 'listen-error') {
          failed(Object.assign(new Error(m.message), { code: m.code }));
        } else {
          io.received(m);
        }
      });
    });
  }

  address(): AddressInfo | null {
    return this.bound;
  }

  /** Stops accepting; open sockets stay. */
  close(): void {
    this.send({ t: 'stop-listening' });
  }

  /** SendQueue changed (configuration reload). */
  setLimits(sendQueueBytes: number, drainTimeoutMs: number): void {
    this.send({ t: 'limits', sendQueueBytes, drainTimeoutMs });
  }

  /** Ends the thread: at the very end of a shutdown, once the sockets are closed. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.flushNow();
    await this.worker.terminate();
  }

  /**
   * How long the oldest batch of writes has waited for the I/O thread (0 when it has caught up):
   * the tick's overload policy counts it as its own lateness.
   */
  lagMs(now = performance.now()): number {
    const oldest = this.unwritten[0];
    return oldest ? now - oldest.at : 0;
  }

  queueWrite(id: number, bytes: Buffer): void {
    this.out.append(id, bytes);
    this.counters.bytesOut += bytes.length;
    this.schedule();
  }

  queueOp(op: number, id: number): void {
    this.ctl.push(op, id);
    this.schedule();
  }

  // A microtask: everything a callback (one socket's data, a slice of the tick) wrote goes as one message.
  private schedule(): void {
    if (this.postQueued) return;
    this.postQueued = true;
    queueMicrotask(() => this.flushNow());
  }

  private flushNow(): void {
    this.postQueued = false;
    const taken = this.out.take();
    if (!taken && this.ctl.length === 0) return;
    const seq = ++this.seq;
    this.unwritten.push({ seq, at: performance.now() });
    this.send({ t: 'batch', seq, out: taken?.buffer ?? null, outLength: taken?.length ?? 0, ctl: this.ctl }, taken);
    this.ctl = [];
  }

  private send(m: ToIoThread, taken?: { buffer: ArrayBuffer } | null): void {
    this.counters.batchesOut++;
    this.worker.postMessage(m, taken ? [taken.buffer] : []);
  }

  private received(m: FromIoThread): void {
    if (m.t === 'accept-error') {
      this.emit('error', Object.assign(new Error(m.message), { code: m.code }));
      return;
    }
    if (m.t !== 'batch') return;
    this.counters.batchesIn++;
    const u = this.unwritten;
    let written = 0;
    while (written < u.length && (u[written] as { seq: number }).seq <= m.done) written++;
    if (written > 0) u.splice(0, written);
    for (const [id, address] of m.opens) {
      const socket = new RemoteSocket(this, id, address ?? undefined);
      this.sockets.set(id, socket);
      this.emit('connection', socket);
    }
    if (m.data) {
      this.counters.bytesIn += m.dataLength;
      forEachRecord(m.data, m.dataLength, (id, bytes) => this.sockets.get(id)?.emit('data', bytes));
    }
    for (const ev of m.events) {
      const socket = this.sockets.get(ev.id);
      if (!socket) continue;
      if (ev.e === 'close') this.sockets.delete(ev.id);
      socket.happened(ev);
    }
  }

  private fatal(why: string): void {
    if (this.stopping) return;
    // Without its I/O thread the server can neither hear nor answer anyone.
    throw new Error(why);
  }
}
