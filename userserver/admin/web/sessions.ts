// The console's sessions: created by a right password, identified by a random id in a cookie,
// ended at logout, after AdminSessions' idle time, when the AdminPassword changes, or (the least
// recently used) when more than AdminSessions' number are open. The table is bounded by that
// number and files sessions under their ids' hashes. Each session has its own CSRF token, which
// every form carries.

import { isToken, newToken, tokenKey } from './tokens.js';

export interface SessionLimits {
  max: number;
  idleMs: number;
}

export interface ConsoleSession {
  /** Names the session in the log and in audit lines (`web:127.0.0.1#3`); the id never appears. */
  readonly number: number;
  readonly address: string;
  readonly csrf: string;
  readonly openedAt: number;
  lastUsed: number;
}

export interface Opened {
  /** For the cookie; kept nowhere else. */
  id: string;
  session: ConsoleSession;
  /** Sessions closed to make room (idle ones first, then the least recently used). */
  evicted: ConsoleSession[];
}

export class SessionStore {
  /** In order of last use, least recent first. */
  private readonly sessions = new Map<string, ConsoleSession>();
  private opened = 0;

  constructor(
    /** Read at each use (a reload may change them). */
    private readonly limits: () => Readonly<SessionLimits>,
    private readonly now: () => number = Date.now,
  ) {}

  open(address: string): Opened {
    const evicted = this.sweep();
    const max = this.limits().max;
    for (const [key, s] of this.sessions) {
      if (this.sessions.size < max) break;
      this.sessions.delete(key);
      evicted.push(s);
    }
    const id = newToken();
    const t = this.now();
    const session: ConsoleSession = { number: ++this.opened, address, csrf: newToken(), openedAt: t, lastUsed: t };
    this.sessions.set(tokenKey(id), session);
    return { id, session, evicted };
  }

  /** The live session of this cookie value, now used again; null for anything else. */
  find(id: string | null): ConsoleSession | null {
    if (!isToken(id)) return null;
    const key = tokenKey(id);
    const s = this.sessions.get(key);
    if (!s) return null;
    this.sessions.delete(key);
    if (this.expired(s)) return null;
    s.lastUsed = this.now();
    this.sessions.set(key, s);
    return s;
  }

  close(id: string | null): ConsoleSession | null {
    if (!isToken(id)) return null;
    const key = tokenKey(id);
    const s = this.sessions.get(key) ?? null;
    this.sessions.delete(key);
    return s;
  }

  /** Ends every session; returns how many there were. */
  closeAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }

  /** Removes and returns the sessions idle for longer than allowed. */
  sweep(): ConsoleSession[] {
    const gone: ConsoleSession[] = [];
    for (const [key, s] of this.sessions) {
      // Least recently used first: the first one still in time ends the search.
      if (!this.expired(s)) break;
      this.sessions.delete(key);
      gone.push(s);
    }
    return gone;
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(s: ConsoleSession): boolean {
    return this.now() - s.lastUsed >= this.limits().idleMs;
  }
}
