// Room database (AG-30, `RoomDatabase user password service minutes [Dynamic]`): a room's stored
// shared-object state is loaded when the room is allocated, changes are written back every N
// minutes and at shutdown, and with Dynamic every room allocated on demand is recorded in
// RoomRegistration. The database is never on the tick's path; rooms work while it is unreachable
// and catch up when it comes back.

import { metered, type DbMeter } from '../runtime/db/metered.js';
import { openDatabase } from '../runtime/db/open.js';
import type { Database } from '../runtime/db/types.js';
import { describe } from '../runtime/lifecycle.js';
import type { ServerLog } from '../runtime/log.js';
import type { LogLimiter } from '../runtime/log-limit.js';
import { propUpdFrames } from '../protocol/messages.js';
import type { DatabaseSettings } from './config.js';
import type { Room } from './room.js';
import { loadShared, type SharedLedger } from './shared-state.js';

const RETRY_MS = 60_000;

export class RoomPersistence {
  private db: Database | null = null;
  private readonly waiting = new Set<Room>();
  private readonly registered = new Set<string>();
  /** Rooms whose state is being loaded or stored right now. */
  private readonly busy = new Set<Room>();
  private timers: NodeJS.Timeout[] = [];
  private saving: Promise<void> = Promise.resolve();
  private connecting: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Rooms stored since start (the shutdown reports its own part, AG-37). */
  stored = 0;

  constructor(
    private readonly settings: Readonly<DatabaseSettings>,
    private readonly serverName: string,
    private readonly log: ServerLog,
    private readonly rooms: () => Iterable<Room>,
    private readonly ledger: SharedLedger,
    /** For what fails room after room (a database gone): once per window, with a count. */
    private readonly limited: LogLimiter,
    /** Counts and times every call (the room_db_* stats). */
    private readonly meter: DbMeter | null = null,
  ) {}

  /** Nothing the room holds would be lost if it left memory now (issue 6). */
  mayForget(room: Room): boolean {
    if (this.busy.has(room)) return false;
    return room.shared.size === 0 || (this.db !== null && !room.sharedDirty && !this.waiting.has(room));
  }

  /** The room left memory; loading it again later reads the database again. */
  forget(room: Room): void {
    this.waiting.delete(room);
    this.registered.delete(room.name);
  }

  start(): void {
    this.connecting = this.connect();
    const t = setInterval(() => void this.writeBack(), this.settings.writeBackMinutes * 60_000);
    t.unref();
    this.timers.push(t);
  }

  private async connect(): Promise<void> {
    try {
      const db = await openDatabase(this.settings);
      this.db = this.meter ? metered(db, this.meter) : db;
      this.log.event(`room database ${this.db.description} open`);
      for (const room of [...this.waiting]) this.allocated(room);
    } catch (err) {
      this.log.error(
        'RoomDatabase',
        `cannot open room database ${this.settings.service}: ${describe(err)}; rooms keep their state in memory; retrying in ${RETRY_MS / 1000} s`,
      );
      if (this.stopped) return;
      const t = setTimeout(() => (this.connecting = this.connect()), RETRY_MS);
      t.unref();
      this.timers.push(t);
    }
  }

  /** A room came into use: merge its stored state (what changed since in memory wins). */
  allocated(room: Room): void {
    const db = this.db;
    if (!db) {
      this.waiting.add(room);
      return;
    }
    this.waiting.delete(room);
    this.busy.add(room);
    db.loadRoom(room.name).then(
      (stored) => {
        this.busy.delete(room);
        const fresh = stored.filter((p) => !room.shared.has(p.id));
        for (const p of fresh)
          loadShared(room, { id: p.id, flags: p.flags, access: p.access, value: p.value }, this.ledger);
        if (fresh.length && room.subscribers.size) {
          const { frames } = propUpdFrames(room.name, fresh);
          for (const u of room.subscribers) u.conn.sendAll(frames);
        }
      },
      (err: unknown) => {
        this.busy.delete(room);
        this.limited.error(room.name, 'load', `cannot load room state: ${describe(err)}`, 'RoomDatabase');
      },
    );
    if (this.settings.dynamic && !this.registered.has(room.name)) {
      this.registered.add(room.name);
      db.registerRoom(room.name, this.serverName, new Date()).catch((err: unknown) =>
        this.limited.error(room.name, 'register', `cannot register room: ${describe(err)}`, 'RoomDatabase'),
      );
    }
  }

  /** Stores every room whose state changed since it was last stored. */
  writeBack(): Promise<void> {
    const db = this.db;
    if (!db) return this.saving;
    const dirty = [...this.rooms()].filter((r) => r.sharedDirty);
    this.saving = this.saving.then(async () => {
      for (const room of dirty) {
        room.sharedDirty = false;
        this.busy.add(room);
        try {
          await db.saveRoom(room.name, [...room.shared.values()]);
          this.stored++;
        } catch (err) {
          room.sharedDirty = true;
          this.limited.error(
            room.name,
            'store',
            `cannot store room state: ${describe(err)}; will retry`,
            'RoomDatabase',
          );
        } finally {
          this.busy.delete(room);
        }
      }
    });
    return this.saving;
  }

  /**
   * AG-37: at shutdown, an open still under way is awaited so that no change is lost. Returns how
   * many rooms the shutdown stored.
   */
  async close(): Promise<number> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await this.connecting;
    const before = this.stored;
    await this.writeBack();
    await this.db?.close();
    this.db = null;
    return this.stored - before;
  }
}
