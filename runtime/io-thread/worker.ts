// The I/O thread (keyword IoThread): owns the listening socket and every client socket, so the
// kernel's accept, read and write calls (on loopback the sender pays for the receiver's TCP work
// too) run beside the main thread instead of on it. It knows nothing of the protocol: it passes
// the bytes each socket read to the main thread, and writes the bytes the main thread sends, a
// batch per event-loop turn each way. A socket that does not drain is dropped here, where its
// queue is, and the main thread is told why.

import { createServer, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromIoThread, IoThreadStart, SocketEvent, ToIoThread } from './messages.js';
import { Op } from './messages.js';
import { forEachRecord, RecordWriter } from './records.js';
import { drainDeadline, overQueue, type SendQueueLimits } from '../send-queue.js';

interface Held {
  socket: Socket;
  drainTimer: NodeJS.Timeout | null;
}

const start = workerData as IoThreadStart;
const port = parentPort;
if (!port) throw new Error('runtime/io-thread/worker.js runs only as a worker thread');

let limits: SendQueueLimits = { sendQueueBytes: start.sendQueueBytes, drainTimeoutMs: start.drainTimeoutMs };
const sockets = new Map<number, Held>();
let nextId = 1;

let opens: [number, string | null][] = [];
let events: SocketEvent[] = [];
const data = new RecordWriter();
let postScheduled = false;
let done = 0;

function post(message: FromIoThread, transfer?: ArrayBuffer[]): void {
  (port as NonNullable<typeof port>).postMessage(message, transfer);
}

function schedulePost(): void {
  if (postScheduled) return;
  postScheduled = true;
  setImmediate(postBatch);
}

function postBatch(): void {
  postScheduled = false;
  const taken = data.take();
  post(
    { t: 'batch', opens, data: taken?.buffer ?? null, dataLength: taken?.length ?? 0, events, done },
    taken ? [taken.buffer] : [],
  );
  opens = [];
  events = [];
}

function report(event: SocketEvent): void {
  events.push(event);
  schedulePost();
}

const listener = createServer({ noDelay: true, pauseOnConnect: false }, (socket) => {
  const id = nextId++;
  const held: Held = { socket, drainTimer: null };
  sockets.set(id, held);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 60_000);
  opens.push([id, socket.remoteAddress ?? null]);
  schedulePost();
  socket.on('data', (chunk: Buffer) => {
    data.append(id, chunk);
    schedulePost();
  });
  socket.on('end', () => report({ id, e: 'end' }));
  socket.on('error', (err: NodeJS.ErrnoException) => report({ id, e: 'error', message: err.message, code: err.code }));
  socket.on('drain', () => {
    if (held.drainTimer) clearTimeout(held.drainTimer);
    held.drainTimer = null;
  });
  socket.on('close', () => {
    if (held.drainTimer) clearTimeout(held.drainTimer);
    sockets.delete(id);
    report({ id, e: 'close' });
  });
});

listener.on('error', (err: NodeJS.ErrnoException) => {
  if (!listener.listening) post({ t: 'listen-error', code: err.code, message: err.message });
  else post({ t: 'accept-error', code: err.code, message: err.message });
});

listener.listen({ port: start.port, host: start.host ?? undefined, backlog: start.backlog }, () => {
  const a = listener.address();
  if (a && typeof a === 'object') post({ t: 'listening', address: a.address, family: a.family, port: a.port });
});

port.on('message', (m: ToIoThread) => {
  if (m.t === 'batch') {
    if (m.out) forEachRecord(m.out, m.outLength, write);
    for (let i = 0; i + 1 < m.ctl.length; i += 2) control(m.ctl[i] as number, m.ctl[i + 1] as number);
    done = m.seq;
    // The main thread learns from the next batch how far the writes have got, even on a quiet server.
    schedulePost();
  } else if (m.t === 'limits') {
    limits = { sendQueueBytes: m.sendQueueBytes, drainTimeoutMs: m.drainTimeoutMs };
  } else if (m.t === 'stop-listening') {
    listener.close();
  }
});

function write(id: number, bytes: Buffer): void {
  const held = sockets.get(id);
  if (!held || held.socket.destroyed) return;
  const s = held.socket;
  s.write(bytes);
  const over = overQueue(s, limits);
  if (over) {
    dropSlow(id, held, over);
    return;
  }
  if (s.writableNeedDrain && !held.drainTimer)
    held.drainTimer = drainDeadline(limits, (detail) => dropSlow(id, held, detail));
}

function dropSlow(id: number, held: Held, detail: string): void {
  report({ id, e: 'slow', detail, dropped: held.socket.writableLength });
  held.socket.destroy();
}

function control(op: number, id: number): void {
  const s = sockets.get(id)?.socket;
  if (!s) return;
  if (op === Op.End) s.end();
  else if (op === Op.Destroy) s.destroy();
  else if (op === Op.Pause) s.pause();
  else if (op === Op.Resume) s.resume();
}
