// Chooses the backend from the `service` field of a UserDatabase or RoomDatabase line (AG-7):
// `sqlite:<path>` is the embedded file, anything else an Oracle connect string.

import { resolve } from 'node:path';
import { OracleDatabase } from './oracle.js';
import { SqliteDatabase } from './sqlite.js';
import type { Database, DatabaseSettings } from './types.js';
import { DatabaseError } from './types.js';

export interface OpenOptions {
  /** Oracle only: seconds a new connection may take before it fails (default 10, whole seconds). */
  connectTimeoutSeconds?: number;
}

const SQLITE_PREFIX = 'sqlite:';

/** The file path of an embedded-database service, or null for an Oracle connect string. */
export function sqlitePath(service: string): string | null {
  return service.startsWith(SQLITE_PREFIX) ? service.slice(SQLITE_PREFIX.length) : null;
}

/**
 * Opens and checks the database: SQLite creates a missing file (and directory) with its tables;
 * Oracle must accept a connection within the connect timeout. Rejects with a DatabaseError.
 */
export async function openDatabase(settings: DatabaseSettings, options: OpenOptions = {}): Promise<Database> {
  const path = sqlitePath(settings.service);
  if (path === null) return OracleDatabase.open(settings, options);
  if (path.trim() === '') throw new DatabaseError(`${settings.service}: no file name after "sqlite:"`);
  return SqliteDatabase.open(resolve(process.cwd(), path), settings.service);
}
