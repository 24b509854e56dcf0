// The thread that owns the SQLite connection. better-sqlite3 is synchronous, so it runs here and
// never on the servers' event loop; the main side (`sqlite.ts`) sends one message per Database call
// and the whole call, transaction included, runs here before the next message is looked at.

import BetterSqlite3 from 'better-sqlite3';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Binds, OpName, Row, SqlBackend, SqlSession } from './sql.js';
import { SQLITE, lowerKeys, runOperation } from './sql.js';
import { DatabaseError } from './types.js';

export interface WorkerConfig {
  /** Absolute path of the database file. */
  file: string;
  /** Directory holding createUserTables.sql and createRoomTables.sql. */
  sqlDir: string;
}

export interface WorkerRequest {
  id: number;
  op: OpName | 'close' | 'probe';
  args: unknown[];
}

export interface WorkerFailure {
  message: string;
  /** SQLite result code such as SQLITE_BUSY; absent for errors already worded for operators. */
  code?: string;
}

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WorkerFailure }
  | { id: 'ready'; ok: true }
  | { id: 'ready'; ok: false; error: WorkerFailure };

// An administrator may hold the file with the sqlite3 command line while the servers run.
const BUSY_TIMEOUT_MS = 5000;

/**
 * Health probe: would a write get the file's lock right now? A probe never waits for the lock (the
 * busy timeout is off for it), so a locked file shows at once and the thread is not held up.
 */
function probe(db: BetterSqlite3.Database): void {
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
  } catch (err) {
    const f = failure(err);
    if (f.code?.startsWith('SQLITE_BUSY') || f.code?.startsWith('SQLITE_LOCKED'))
      throw new DatabaseError(
        'the file is locked for writing by another program (an open sqlite3 session with a transaction, say)',
      );
    throw err;
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

const SCRIPTS = [
  { file: 'createUserTables.sql', tables: ['serialnumbers', 'userregistration', 'userproperties'] },
  { file: 'createRoomTables.sql', tables: ['roomregistration', 'roomproperties'] },
  // Added after the first release: an existing file gains each at its next start (a script runs
  // only when none of its tables exists).
  { file: 'createAdminTables.sql', tables: ['userlogins', 'vipmemberships', 'signupcodewords'] },
  { file: 'createBootBans.sql', tables: ['bootbans'] },
];

function failure(err: unknown): WorkerFailure {
  if (err instanceof DatabaseError) return { message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
  return code === undefined ? { message } : { message, code };
}

// Each script runs only when none of its tables exists, inside one IMMEDIATE transaction so that a
// UserServer and a RoomServer opening a fresh file at the same moment do not both create them.
function createMissingTables(db: BetterSqlite3.Database, sqlDir: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const rows: unknown[] = db.prepare("SELECT lower(name) AS name FROM sqlite_master WHERE type = 'table'").all();
    const present = new Set(rows.map((r) => (r as { name: string }).name));
    for (const script of SCRIPTS) {
      if (script.tables.some((t) => present.has(t))) continue;
      db.exec(readFileSync(join(sqlDir, script.file), 'utf8'));
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

function open(config: WorkerConfig): BetterSqlite3.Database {
  const db = new BetterSqlite3(config.file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // SQLite's own default page cache (2 MiB) instead of the 16 MiB better-sqlite3 is built with:
    // lookups are by key, and a RoomServer's memory should come back when its rooms go (issue 6).
    db.pragma('cache_size = -2048');
    createMissingTables(db, config.sqlDir);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Device and inode of a file: what a path names at one moment. */
interface FileIdentity {
  dev: number;
  ino: number;
}

/**
 * Why the open database is no longer the file at `file`, or null when it still is. A file deleted
 * or replaced under a running server (a mistaken `rm`, a restore copied over it) leaves this thread
 * writing into a file that nobody will open again: the next start would find the path empty or
 * different, and everything acknowledged meanwhile would be gone (issue 6, finding 8). Checked
 * before every operation, it costs one stat() here, off the servers' event loop.
 */
function fileProblem(file: string, opened: FileIdentity): string | null {
  let now: FileIdentity;
  try {
    now = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return `cannot be checked (${(err as Error).message})`;
    return `was deleted while the server was running${rescueHint(file)}`;
  }
  if (now.dev === opened.dev && now.ino === opened.ino) return null;
  return 'was replaced by another file while the server was running';
}

/** Linux keeps a deleted file readable through the descriptor that holds it open. */
function rescueHint(file: string): string {
  try {
    for (const fd of readdirSync('/proc/self/fd')) {
      if (readlinkSync(`/proc/self/fd/${fd}`) === `${file} (deleted)`) {
        return `; its last contents can be copied out while this process runs: cp /proc/${process.pid}/fd/${fd} ${file}.rescued`;
      }
    }
  } catch {
    // No /proc: nothing to suggest.
  }
  return '';
}

function refuseStaleFile(file: string, problem: string): DatabaseError {
  return new DatabaseError(
    `database file ${file} ${problem}. This server still has the old file open, and nothing written ` +
      'to it now would ever be read again, so every database operation is refused (logins and ' +
      `registrations are told to retry). Put the right database file back at ${file} (from a backup ` +
      'if need be), then restart this server.',
  );
}

function backendOf(db: BetterSqlite3.Database): SqlBackend {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  const session: SqlSession = {
    query: async (sql: string, binds: Binds): Promise<Row[]> =>
      prepare(sql)
        .all(binds)
        .map((r) => lowerKeys(r as Record<string, unknown>)),
    execute: async (sql: string, binds: Binds): Promise<number> => prepare(sql).run(binds).changes,
  };
  return {
    ...session,
    dialect: SQLITE,
    // Row locks: BEGIN IMMEDIATE takes the file's write lock up front, SQLite's FOR UPDATE.
    async transaction<T>(work: (s: SqlSession) => Promise<T>): Promise<T> {
      db.exec('BEGIN IMMEDIATE');
      try {
        const value = await work(session);
        db.exec('COMMIT');
        return value;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    },
  };
}

function serve(port: NonNullable<typeof parentPort>, config: WorkerConfig): void {
  let db: BetterSqlite3.Database;
  let opened: FileIdentity;
  try {
    db = open(config);
    opened = statSync(config.file);
  } catch (err) {
    port.postMessage({ id: 'ready', ok: false, error: failure(err) } satisfies WorkerReply);
    port.close();
    return;
  }
  const backend = backendOf(db);
  // Calls span awaits (transactions), so they are chained: one finishes before the next starts.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    queue = queue.then(async () => {
      let reply: WorkerReply;
      try {
        if (req.op === 'close') {
          db.close();
          reply = { id: req.id, ok: true, value: undefined };
        } else if (req.op === 'probe') {
          probe(db);
          reply = { id: req.id, ok: true, value: undefined };
        } else {
          const problem = fileProblem(config.file, opened);
          if (problem !== null) throw refuseStaleFile(config.file, problem);
          reply = { id: req.id, ok: true, value: await runOperation(backend, req.op, req.args) };
        }
      } catch (err) {
        reply = { id: req.id, ok: false, error: failure(err) };
      }
      port.postMessage(reply);
      if (req.op === 'close') port.close();
    });
  });
  port.postMessage({ id: 'ready', ok: true } satisfies WorkerReply);
}

if (parentPort) serve(parentPort, workerData as WorkerConfig);
