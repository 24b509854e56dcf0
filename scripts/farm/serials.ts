// Free serial numbers for registering bots (AG-10, guide "Generating Serial Numbers"): read from a
// file (SerialGen's serials-production.txt, one per line), or made by scripts/SerialGen with a
// fresh random seed and loaded into the embedded user database the UserServer runs on, as an
// operator would with `sqlite3 world.db < NewSerials.sql` (the UserServer reads serials at each
// registration, so this works while it runs).

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

import { projectRoot } from './root.js';

export function parseSerialList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export function readSerials(path: string): string[] {
  return parseSerialList(readFileSync(path, 'utf8'));
}

/** Generates `count` serials and inserts them, free, into the SQLite user database at `dbPath`. */
export function makeSerials(dbPath: string, count: number): string[] {
  if (!existsSync(dbPath)) {
    throw new Error(`${dbPath} does not exist: start the UserServer on it once (it creates the tables)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'botfarm-serials-'));
  try {
    execFileSync(process.execPath, [
      join(projectRoot(), 'scripts', 'SerialGen.mjs'),
      '--seed',
      randomBytes(16).toString('hex'),
      '--prefix',
      'FARM',
      '--count',
      String(count),
      '--dialect',
      'sqlite',
      '--out',
      dir,
    ]);
    const db = new Database(dbPath, { fileMustExist: true, timeout: 10_000 });
    try {
      const table = db
        .prepare("select 1 from sqlite_master where type = 'table' and lower(name) = 'serialnumbers'")
        .get();
      if (!table) throw new Error(`${dbPath} has no SerialNumbers table (see sql/createUserTables.sql)`);
      db.exec(readFileSync(join(dir, 'NewSerials.sql'), 'utf8'));
    } finally {
      db.close();
    }
    return readSerials(join(dir, 'serials-production.txt'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
