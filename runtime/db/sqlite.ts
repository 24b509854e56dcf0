// The embedded backend's main-thread half: a Database whose every call is one request to the
// worker thread that owns the SQLite file (`sqlite-worker.ts`), matched to its reply by id.

import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { OpArgs, OpName, OpResult } from './sql.js';
import { OperationStore } from './sql.js';
import type { WorkerConfig, WorkerFailure, WorkerReply, WorkerRequest } from './sqlite-worker.js';
import type { Database } from './types.js';
import { DatabaseError } from './types.js';

// Compiled, this file is dist/runtime/db/sqlite.js beside sqlite-worker.js. Under tap's TypeScript
// loader it is the .ts source, and the worker must be the .ts source too: a Worker inherits
// process.execArgv, so the loader that compiles this file also compiles the worker.
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './sqlite-worker.ts' : './sqlite-worker.js',
  import.meta.url,
);
// Inherited flags that only apply to a main script make the Worker constructor throw.
const workerExecArgv = (): string[] => process.execArgv.filter((a) => !a.startsWith('--input-type'));

/** The directory holding package.json: the first one up from here, compiled or not. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new DatabaseError(`no package.json above ${from}: the installation is incomplete`);
  }
}

const HINTS: Readonly<Record<string, string>> = {
  SQLITE_BUSY: 'another program (an open sqlite3 session with a transaction, say) held the file for more than 5 s',
  SQLITE_LOCKED: 'another program (an open sqlite3 session with a transaction, say) held the file for more than 5 s',
  SQLITE_READONLY: 'the file or its directory is not writable (WAL mode also creates -wal and -shm files beside it)',
  SQLITE_CANTOPEN: 'check that the path exists and is writable',
  SQLITE_NOTADB: 'the file is not an SQLite database',
  SQLITE_CORRUPT: 'the file is damaged; restore it from a backup',
  SQLITE_FULL: 'the disk is full',
  SQLITE_IOERR: 'the disk reported an I/O error',
};

function describeFailure(where: string, f: WorkerFailure): string {
  if (f.code === undefined) return f.message;
  const missing = /no such table: (\w+)/i.exec(f.message);
  if (missing) {
    const table = missing[1] ?? '';
    const script = /^room/i.test(table)
      ? 'createRoomTables.sql'
      : /^bootbans$/i.test(table)
        ? 'createBootBans.sql'
        : 'createUserTables.sql';
    return `${where}: table ${missing[1]} is missing; create it with sql/${script} (sqlite3 <file> < sql/${script})`;
  }
  const family = Object.keys(HINTS).find((k) => f.code === k || f.code?.startsWith(`${k}_`));
  const hint = family ? HINTS[family] : undefined;
  return `${where}: ${f.message}${hint ? ` (${hint})` : ''}`;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: DatabaseError): void;
}

export class SqliteDatabase extends OperationStore implements Database {
  readonly kind = 'sqlite';
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopped: DatabaseError | null = null;
  private closing: Promise<void> | null = null;
  private readonly ready: Promise<void>;
  private opened!: Pending;

  private constructor(
    private readonly worker: Worker,
    readonly description: string,
  ) {
    super();
    this.ready = new Promise((resolve, reject) => (this.opened = { resolve, reject }));
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (err) => this.stop(`the SQLite thread failed: ${err.message}`));
    worker.on('exit', (code) => this.stop(`the SQLite thread stopped (exit code ${code})`));
  }

  /** `file` is absolute; `description` names it in messages as the operator wrote it. */
  static async open(file: string, description: string): Promise<SqliteDatabase> {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (err) {
      throw new DatabaseError(`${description}: cannot create directory ${dirname(file)}: ${String(err)}`, err);
    }
    const workerData: WorkerConfig = { file, sqlDir: join(packageRoot(), 'sql') };
    const db = new SqliteDatabase(new Worker(WORKER_URL, { workerData, execArgv: workerExecArgv() }), description);
    await db.ready;
    return db;
  }

  private settle(reply: WorkerReply): void {
    if (reply.id === 'ready') {
      if (reply.ok) return this.opened.resolve(undefined);
      this.opened.reject(new DatabaseError(`${this.description}: ${describeFailure('cannot open', reply.error)}`));
      void this.worker.terminate();
      return;
    }
    const call = this.pending.get(reply.id);
    if (!call) return;
    this.pending.delete(reply.id);
    if (reply.ok) call.resolve(reply.value);
    else call.reject(new DatabaseError(describeFailure(this.description, reply.error)));
  }

  private stop(why: string): void {
    if (this.stopped) return;
    this.stopped = new DatabaseError(`${this.description}: ${this.closing ? 'closed' : why}`);
    this.opened.reject(new DatabaseError(`${this.description}: ${why} while opening`));
    for (const call of this.pending.values()) call.reject(new DatabaseError(`${this.description}: ${why}`));
    this.pending.clear();
  }

  probe(): Promise<void> {
    return this.send('probe', []).then(() => undefined);
  }

  private send(op: OpName | 'close' | 'probe', args: unknown[]): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    if (this.closing && op !== 'close') return Promise.reject(new DatabaseError(`${this.description}: closed`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args } satisfies WorkerRequest);
    });
  }

  protected call<K extends OpName>(op: K, ...args: OpArgs<K>): Promise<OpResult<K>> {
    return this.send(op, args) as Promise<OpResult<K>>;
  }

  /** Lets queued calls finish, closes the file (checkpointing the WAL) and ends the thread. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.stopped) await this.send('close', []).catch(() => undefined);
      await this.worker.terminate();
    })();
    return this.closing;
  }
}
