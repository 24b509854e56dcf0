// Keyword AcceptSlots: a listening socket open several times over in one process. Node 20's libuv
// (1.46) accepts one connection each time epoll reports a listening descriptor, and a server busy
// with thousands of clients reaches it about once per pass through the clients ready at the time:
// past 14,000 moving users a RoomServer accepted about 45 connections a second and logins timed
// out in the kernel's accept queue (BENCHMARKS.md). Each more descriptor for the same socket is
// reported on its own, so N of them accept up to N connections per pass. Node cannot duplicate a
// descriptor, so a helper process is given the socket and sends it back N − 1 times (IPC passes
// each as a new descriptor), then exits; it never listens itself.

import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { Server, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { LISTEN_BACKLOG, listenOrDie } from './cli.js';
import type { ClientListener } from './client-socket.js';

// Under tap's TypeScript loader this file is the .ts source: the helper is too, and it needs the
// loader's flags. Compiled, the helper gets none (a --cpu-prof of the server is not for it).
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const HELPER = fileURLToPath(new URL(`./listen-copies-helper.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url));
const HELPER_FLAGS = FROM_SOURCE ? process.execArgv.filter((a) => !a.startsWith('--input-type')) : [];
const COPY_TIMEOUT_MS = 10_000;

/**
 * `copies` more servers listening on `server`'s socket (which must be listening). `backlog` must be
 * the one it listens with: listening on a copy sets the socket's backlog again.
 */
export function copyListener(server: Server, copies: number, backlog: number): Promise<Server[]> {
  const handle = (server as unknown as { _handle: object | null })._handle;
  if (copies <= 0) return Promise.resolve([]);
  if (!handle) return Promise.reject(new Error('the server is not listening'));
  return new Promise((resolve, reject) => {
    const helper = fork(HELPER, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], execArgv: HELPER_FLAGS });
    const got: Server[] = [];
    let failed: Error | null = null;
    // Settled only once the helper has exited: no other process holds the socket afterwards.
    const fail = (err: Error): void => {
      failed ??= err;
      if (helper.connected) helper.disconnect();
      else helper.kill('SIGKILL');
    };
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!failed) return resolve(got);
      for (const s of got) s.close();
      reject(failed);
    };
    // A helper that never started has no exit to wait for: a second deadline settles anyway.
    const timer = setTimeout(() => {
      fail(new Error('the helper process did not answer'));
      setTimeout(settle, COPY_TIMEOUT_MS).unref();
    }, COPY_TIMEOUT_MS);
    helper.on('message', (m: { kind: string }, copy?: object) => {
      if (m.kind === 'copy' && copy) {
        const s = new Server({ noDelay: true });
        s.listen(copy, backlog);
        got.push(s);
      } else if (m.kind === 'done') {
        if (got.length !== copies) failed ??= new Error(`the helper sent ${got.length} of ${copies} copies`);
        helper.disconnect();
      }
    });
    helper.on('error', fail);
    helper.on('exit', (code, signal) => {
      if (!failed && got.length !== copies)
        failed = new Error(`the helper process exited (${signal ?? `code ${code}`})`);
      settle();
    });
    helper.send({ kind: 'copy', copies }, handle as never);
  });
}

/** Several servers on one socket, seen as one listener. */
export class ListenerSet extends EventEmitter implements ClientListener {
  constructor(readonly servers: readonly Server[]) {
    super();
    for (const s of servers) {
      s.on('connection', (socket: Socket) => this.emit('connection', socket));
      s.on('error', (err: Error) => this.emit('error', err));
    }
  }

  address(): AddressInfo | string | null {
    return this.servers[0]?.address() ?? null;
  }

  close(): void {
    for (const s of this.servers) s.close();
  }
}

/**
 * Listens for `what` on `port` (or stops the program saying why it cannot), the socket open
 * `slots` times. Should the copies fail, the server runs on one; `slots` then says why, for the
 * "Listening for users" line.
 */
export async function listenInSlotsOrDie(
  program: string,
  what: string,
  port: number,
  host: string | null,
  slots: number,
): Promise<{ server: ClientListener; address: AddressInfo; slots: string }> {
  const { server, address } = await listenOrDie(program, what, port, host);
  if (slots <= 1) return { server, address, slots: '1 accept slot' };
  try {
    const copies = await copyListener(server, slots - 1, LISTEN_BACKLOG);
    return { server: new ListenerSet([server, ...copies]), address, slots: `${slots} accept slots` };
  } catch (err) {
    return { server, address, slots: `1 accept slot: AcceptSlots ${slots} failed, ${(err as Error).message}` };
  }
}
