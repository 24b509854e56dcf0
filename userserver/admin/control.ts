// The UserServer's control socket: a UNIX domain socket in its working directory (mode 0600, so
// only the account the server runs as, and root, can connect), through which wsadmin runs tasks on
// the running galaxy. Bounded like every other listener: connections, line length, requests
// waiting per connection, idle time and unread answers all have caps, and every request is handled
// asynchronously, so a stuck or hostile client costs a few kilobytes and never blocks the server.

import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  CONTROL_VERSION,
  LineReader,
  encodeLine,
  isAnswer,
  parseRequest,
  type ControlAnswer,
  type ControlRequest,
} from './protocol.js';
import type { AdminSettings } from './config.js';

/** Requests one connection may have waiting; wsadmin sends one at a time. */
const MAX_QUEUED = 16;
/** Answers a client leaves unread before it is dropped. */
const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

export interface ControlHost {
  limits(): AdminSettings['adminSocketLimits'];
  handle(request: ControlRequest): Promise<ControlAnswer>;
  /** Operator-facing log lines (refusals, stale sockets). */
  notice(text: string): void;
}

export type OpenOutcome = { ok: true; socket: ControlSocket } | { ok: false; reason: string };

/** Is something answering on this socket path? */
function answering(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export class ControlSocket {
  private readonly clients = new Set<Socket>();
  private ino = -1;

  private constructor(
    readonly path: string,
    private readonly server: Server,
    private readonly host: ControlHost,
  ) {
    server.on('connection', (s) => this.accept(s));
  }

  /**
   * Listens on `path` with mode 0600. A stale socket left by a server that died is replaced; a
   * live one (another UserServer with the same Server name here) or any other file is left alone.
   */
  static async open(path: string, host: ControlHost): Promise<OpenOutcome> {
    let existing: ReturnType<typeof lstatSync> | null = null;
    try {
      existing = lstatSync(path);
    } catch {
      existing = null;
    }
    if (existing) {
      if (!existing.isSocket()) return { ok: false, reason: `${path} exists and is not a socket` };
      if (await answering(path)) return { ok: false, reason: `${path} is in use by another running server` };
      unlinkSync(path);
    }
    const server = createServer({ allowHalfOpen: false });
    // The umask makes the socket 0600 from the moment it exists; chmod repeats it for certainty.
    const old = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      return { ok: false, reason: `cannot listen on ${path}: ${err instanceof Error ? err.message : String(err)}` };
    } finally {
      process.umask(old);
    }
    chmodSync(path, 0o600);
    const cs = new ControlSocket(path, server, host);
    cs.ino = lstatSync(path).ino;
    return { ok: true, socket: cs };
  }

  private accept(s: Socket): void {
    const limits = this.host.limits();
    s.on('error', () => s.destroy());
    if (this.clients.size >= limits.connections) {
      s.setTimeout(1_000, () => s.destroy());
      s.end(
        encodeLine({
          v: CONTROL_VERSION,
          id: 0,
          ok: false,
          error: {
            code: 'refused',
            message: `the UserServer already serves ${limits.connections} wsadmin connections; try again`,
          },
        }),
        // Closed once written, whatever the client does: it is never read from.
        () => s.destroy(),
      );
      this.host.notice(`control socket: connection refused, ${limits.connections} already open (AdminSocketLimits)`);
      return;
    }
    this.clients.add(s);
    s.setTimeout(limits.idleMs, () => s.destroy());
    s.on('close', () => this.clients.delete(s));
    const reader = new LineReader(() => this.host.limits().lineBytes);
    const queue: string[] = [];
    let busy = false;
    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      for (let line = queue.shift(); line !== undefined && !s.destroyed; line = queue.shift()) {
        const parsed = parseRequest(line);
        const answer = isAnswer(parsed) ? parsed : await this.answer(parsed);
        if (s.destroyed) break;
        s.write(encodeLine(answer));
        if (s.writableLength > MAX_UNREAD_BYTES) s.destroy();
      }
      busy = false;
    };
    s.on('data', (chunk: Buffer) => {
      s.setTimeout(this.host.limits().idleMs);
      const lines = reader.push(chunk);
      if (lines === null || queue.length + lines.length > MAX_QUEUED) {
        const why =
          lines === null
            ? `a request line is longer than ${this.host.limits().lineBytes} bytes`
            : 'too many requests waiting';
        s.end(encodeLine({ v: CONTROL_VERSION, id: 0, ok: false, error: { code: 'usage', message: why } }), () =>
          s.destroy(),
        );
        this.host.notice(`control socket: connection closed, ${why}`);
        return;
      }
      queue.push(...lines);
      void pump();
    });
  }

  private async answer(r: ControlRequest): Promise<ControlAnswer> {
    try {
      return await this.host.handle(r);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { v: CONTROL_VERSION, id: r.id, ok: false, error: { code: 'failed', message } };
    }
  }

  /** Stops listening, closes every client and removes the socket file (if it is still ours). */
  async close(): Promise<void> {
    for (const s of this.clients) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    try {
      if (lstatSync(this.path).ino === this.ino) unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
