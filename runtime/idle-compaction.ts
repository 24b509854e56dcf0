// Memory back to the system once a server is empty (issue 6, finding 2). When rooms and ids are
// freed, V8 keeps the garbage, and the young generation it grew under load, until a later full
// collection decides to give pages back, and an idle server may never run one. So when nobody is
// connected any more and much was freed since the last time, the server asks V8 for one full,
// memory-reducing collection (node:inspector HeapProfiler.collectGarbage: no command-line flag,
// no port). A pause of a few milliseconds with nobody connected costs nobody anything; the rule
// (empty, and at least `threshold` rooms or ids freed since) keeps it rare.

import { Session } from 'node:inspector';

export class IdleCompaction {
  private freed = 0;
  private session: Session | null = null;
  private unavailable = false;
  /** Collections asked for since start (a statistic). */
  compactions = 0;

  constructor(private readonly threshold = 1000) {}

  /** Rooms or ids given up since the last call. */
  noteFreed(n: number): void {
    this.freed += n;
  }

  /** Called on a timer with the number of users connected; true when a collection was asked for. */
  maybeCompact(connected: number): boolean {
    if (connected > 0 || this.freed < this.threshold || this.unavailable) return false;
    this.freed = 0;
    try {
      if (!this.session) {
        this.session = new Session();
        this.session.connect();
      }
      this.session.post('HeapProfiler.collectGarbage', () => {});
    } catch {
      // A Node built without the inspector: V8 then gives memory back on its own schedule only.
      this.unavailable = true;
      return false;
    }
    this.compactions++;
    return true;
  }

  close(): void {
    this.session?.disconnect();
    this.session = null;
  }
}
