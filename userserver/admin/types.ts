// The shapes every administration task shares, whichever face runs it (wsadmin through the control
// socket or on the database alone, a web console): a task is a function of a typed input that
// resolves to a typed result or to an error value whose message an operator can act on.

import type { Database } from '../../runtime/db/types.js';
import type { RecordSettings, RecordStatus } from '../../runtime/stats-record.js';

/** Each code is a distinct wsadmin exit status (README, "Administration"). */
export type AdminErrorCode = 'usage' | 'not-found' | 'refused' | 'not-running' | 'failed';

export interface AdminError {
  code: AdminErrorCode;
  message: string;
}

export type AdminResult<T> =
  /** `summary`: one line saying what was done, for people and for the audit line. */
  { ok: true; value: T; summary: string } | { ok: false; error: AdminError };

export function done<T>(value: T, summary: string): AdminResult<T> {
  return { ok: true, value, summary };
}

export function fail<T = never>(code: AdminErrorCode, message: string): AdminResult<T> {
  return { ok: false, error: { code, message } };
}

/** A user logged in to the galaxy, as administration sees it. */
export interface OnlineUser {
  name: string;
  kind: 'registered' | 'anonymous' | 'guest';
  address: string;
  loginAt: Date;
  privileges: number;
  /** RoomServers the user is present on; empty when only on the UserServer (or between servers). */
  roomServers: string[];
  /** Logged in on the other WorldServer of a redundant pair: its name. */
  worldServer?: string;
}

/** What tasks need of a running galaxy; absent when the UserServer is not running. */
export interface LiveGalaxy {
  online(name: string): OnlineUser | null;
  onlineUsers(): OnlineUser[];
  /** AG-20: logged off everywhere, name and address refused for 30 minutes. */
  boot(by: string, name: string): Promise<{ ok: boolean; message: string }>;
  /**
   * To every user of the galaxy; returns how many RoomServers and UserServer-only users it went
   * to, and the other WorldServer of a redundant pair it was forwarded to.
   */
  broadcast(from: string, text: string): { roomServers: number; directUsers: number; otherWorldServer?: string };
}

/** What tasks need of the running server's `stats record` (runtime/stats-record.ts). */
export interface StatsRecorderControl {
  start(settings: Partial<RecordSettings>): string;
  stop(): string;
  status(): RecordStatus;
}

export type StatsRecording = RecordStatus;

export interface AdminContext {
  db: Database;
  galaxy: LiveGalaxy | null;
  /** The running UserServer's stats recorder; absent with the servers down. */
  recorder?: StatsRecorderControl | null;
  /** Who asks, for the audit line: `wsadmin:alice`, `web:127.0.0.1`. */
  by: string;
  now(): Date;
  /** Writes one line to the UserServer log (or, with the servers down, the admin log). */
  audit(line: string): void;
}
