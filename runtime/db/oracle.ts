// The production backend (AG-7): Oracle through oracledb in thin mode (pure JavaScript, no Oracle
// client libraries, so initOracleClient is never called), a small pool, and a connect timeout on
// every new connection so an unreachable database fails instead of hanging.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Binds, OpArgs, OpName, OpResult, Row, SqlBackend, SqlSession } from './sql.js';
import { ORACLE, OperationStore, lowerKeys, runOperation } from './sql.js';
import type { Database, DatabaseSettings } from './types.js';
import { DatabaseError } from './types.js';

// The part of oracledb used here; the package ships no type declarations.
interface OracleResult {
  rows?: unknown[];
  rowsAffected?: number;
}
interface OracleConnection {
  execute(sql: string, binds: Binds, options: { outFormat: number; autoCommit: boolean }): Promise<OracleResult>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
interface OraclePool {
  getConnection(): Promise<OracleConnection>;
  close(drainSeconds: number): Promise<void>;
}
interface OracleDriver {
  OUT_FORMAT_OBJECT: number;
  createPool(attributes: Record<string, unknown>): Promise<OraclePool>;
}

export interface OracleOptions {
  /** Seconds a new connection may take, TCP connect and Oracle Net handshake each (default 10). */
  connectTimeoutSeconds?: number;
}

const DEFAULT_CONNECT_TIMEOUT_S = 10;
const POOL_MAX = 8;
/** Idle connections are closed after this, so a database restart costs nothing. */
const POOL_IDLE_TIMEOUT_S = 60;
/** A call waits this long for a free connection before failing (all POOL_MAX busy). */
const QUEUE_TIMEOUT_MS = 15_000;
const CLOSE_DRAIN_S = 10;

function loadDriver(): OracleDriver {
  return createRequire(import.meta.url)('oracledb') as OracleDriver;
}

// The guide puts tnsnames.ora in $ORACLE_HOME/network/admin; thin mode itself only reads TNS_ADMIN.
function configDir(): string | undefined {
  if (process.env.TNS_ADMIN) return undefined;
  const home = process.env.ORACLE_HOME;
  const dir = home ? join(home, 'network', 'admin') : undefined;
  return dir && existsSync(join(dir, 'tnsnames.ora')) ? dir : undefined;
}

function driverMessage(err: unknown): { code: string; text: string } {
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : '';
  const raw = err instanceof Error ? err.message : String(err);
  const text = raw
    .replace(/\s*\(CONNECTION_ID=[^)]*\)/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');
  return { code, text };
}

/** Why a connection could not be made, worded for the operator who wrote the UserDatabase line. */
export function connectFailure(settings: DatabaseSettings, err: unknown, timeoutS: number): DatabaseError {
  const { code, text } = driverMessage(err);
  const svc = settings.service;
  const hints: Record<string, string> = {
    'NJS-503': 'is the listener running and the host:port right?',
    'NJS-510': `no answer within ${timeoutS} s; check the host:port and any firewall`,
    'NJS-518': 'the listener does not know this service name',
    'ORA-12514': 'the listener does not know this service name',
    'NJS-516': 'not an Easy Connect string (host:port/service), and no tnsnames.ora: set TNS_ADMIN or ORACLE_HOME',
    'NJS-517': 'alias not found in tnsnames.ora',
    'NJS-530': 'the host name does not resolve',
    'ORA-01017': `user ${settings.user} or its password is wrong (the database line of the configuration)`,
    'ORA-28000': `account ${settings.user} is locked`,
    'ORA-28001': `the password of ${settings.user} has expired`,
  };
  const hint = hints[code];
  return new DatabaseError(
    `cannot reach Oracle service ${svc} as ${settings.user}: ${text}${hint ? ` (${hint})` : ''}`,
    err,
  );
}

function queryFailure(description: string, err: unknown): DatabaseError {
  if (err instanceof DatabaseError) return err;
  const { code, text } = driverMessage(err);
  const hints: Record<string, string> = {
    'ORA-00942': 'a table is missing: run sql/createUserTables.sql or sql/createRoomTables.sql in SQL*Plus',
    'ORA-01653': 'a table is full: extend its tablespace',
    'NJS-040': `all ${POOL_MAX} connections stayed busy for ${QUEUE_TIMEOUT_MS / 1000} s`,
    'NJS-500': 'the connection to the database was lost',
    'ORA-03113': 'the connection to the database was lost',
    'ORA-03135': 'the connection to the database was lost',
  };
  const hint = hints[code];
  return new DatabaseError(`${description}: ${text}${hint ? ` (${hint})` : ''}`, err);
}

function deadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  work.catch(() => undefined); // a late failure after the deadline is nobody's business
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export class OracleDatabase extends OperationStore implements Database {
  readonly kind = 'oracle';
  private closing: Promise<void> | null = null;
  private readonly backend: SqlBackend;

  private constructor(
    private readonly pool: OraclePool,
    private readonly driver: OracleDriver,
    readonly description: string,
  ) {
    super();
    const once = async <T>(use: (s: SqlSession) => Promise<T>): Promise<T> => {
      const conn = await this.pool.getConnection();
      try {
        return await use(this.session(conn, true));
      } finally {
        await conn.close().catch(() => undefined);
      }
    };
    this.backend = {
      dialect: ORACLE,
      query: (sql, binds) => once((s) => s.query(sql, binds)),
      execute: (sql, binds) => once((s) => s.execute(sql, binds)),
      transaction: async (work) => {
        const conn = await this.pool.getConnection();
        try {
          const value = await work(this.session(conn, false));
          await conn.commit();
          return value;
        } catch (err) {
          await conn.rollback().catch(() => undefined);
          throw err;
        } finally {
          await conn.close().catch(() => undefined);
        }
      },
    };
  }

  static async open(settings: DatabaseSettings, options: OracleOptions = {}): Promise<OracleDatabase> {
    const timeoutS = Math.max(1, Math.ceil(options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_S));
    const description = `${settings.user}@${settings.service}`;
    let driver: OracleDriver;
    try {
      driver = loadDriver();
    } catch (err) {
      throw new DatabaseError(`${description}: the oracledb module cannot be loaded (${String(err)}); run npm ci`, err);
    }
    const dir = configDir();
    let pool: OraclePool;
    try {
      pool = await driver.createPool({
        user: settings.user,
        password: settings.password,
        connectString: settings.service,
        ...(dir ? { configDir: dir } : {}),
        poolMin: 0,
        poolMax: POOL_MAX,
        poolIncrement: 1,
        poolTimeout: POOL_IDLE_TIMEOUT_S,
        queueTimeout: QUEUE_TIMEOUT_MS,
        connectTimeout: timeoutS,
        transportConnectTimeout: timeoutS,
      });
    } catch (err) {
      throw connectFailure(settings, err, timeoutS);
    }
    // poolMin 0 connects lazily: one connection now proves the service, the user and the password.
    // The outer deadline covers the login exchange after the handshake, which connectTimeout does not.
    try {
      const conn = await deadline(pool.getConnection(), (2 * timeoutS + 5) * 1000, 'login');
      await deadline(conn.ping(), timeoutS * 1000, 'ping').finally(() => conn.close().catch(() => undefined));
    } catch (err) {
      await pool.close(0).catch(() => undefined);
      throw connectFailure(settings, err, timeoutS);
    }
    return new OracleDatabase(pool, driver, description);
  }

  private session(conn: OracleConnection, autoCommit: boolean): SqlSession {
    const options = { outFormat: this.driver.OUT_FORMAT_OBJECT, autoCommit };
    return {
      query: async (sql: string, binds: Binds): Promise<Row[]> => {
        const result = await conn.execute(sql, binds, options);
        return (result.rows ?? []).map((r) => lowerKeys(r as Record<string, unknown>));
      },
      execute: async (sql: string, binds: Binds): Promise<number> =>
        (await conn.execute(sql, binds, options)).rowsAffected ?? 0,
    };
  }

  protected async call<K extends OpName>(op: K, ...args: OpArgs<K>): Promise<OpResult<K>> {
    if (this.closing) throw new DatabaseError(`${this.description}: closed`);
    try {
      return (await runOperation(this.backend, op, args)) as OpResult<K>;
    } catch (err) {
      throw queryFailure(this.description, err);
    }
  }

  async probe(): Promise<void> {
    if (this.closing) throw new DatabaseError(`${this.description}: closed`);
    try {
      const conn = await this.pool.getConnection();
      await conn.ping().finally(() => conn.close().catch(() => undefined));
    } catch (err) {
      throw queryFailure(this.description, err);
    }
  }

  /** Waits up to CLOSE_DRAIN_S for calls in progress, then closes every connection. */
  close(): Promise<void> {
    this.closing ??= this.pool.close(CLOSE_DRAIN_S).catch((err: unknown) => {
      throw queryFailure(this.description, err);
    });
    return this.closing;
  }
}
