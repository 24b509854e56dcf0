// An administrator's sqlite3 session in the middle of a transaction: it holds the file's write lock
// until released, as `BEGIN EXCLUSIVE;` typed at the sqlite3 prompt does.

import { spawn } from 'node:child_process';

export interface HeldLock {
  /** ROLLBACK, then the session ends. */
  release(): Promise<void>;
  /** Ends the session at once (teardown). */
  kill(): void;
}

export async function holdWriteLock(file: string): Promise<HeldLock> {
  const admin = spawn('sqlite3', [file], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  admin.stdout.setEncoding('utf8');
  const locked = new Promise<void>((resolve, reject) => {
    admin.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes('locked')) resolve();
    });
    admin.on('exit', (code) => reject(new Error(`sqlite3 exited (${code}) before it held the lock`)));
  });
  admin.stdin.write("BEGIN EXCLUSIVE;\nSELECT 'locked';\n");
  await locked;
  const closed = new Promise<void>((resolve) => admin.on('close', () => resolve()));
  return {
    release: async () => {
      admin.stdin.end('ROLLBACK;\n');
      await closed;
    },
    kill: () => void admin.kill(),
  };
}
