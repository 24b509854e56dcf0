// Message of the hour (AG-21): the file named by MothFile, re-read every hour, within a second of
// a change and on SIGHUP; a missing or empty file means no message. Its text is sent to every
// client that completes a session. The file is polled (a stat a second, off the event loop) rather
// than watched with inotify: editors replace the file instead of writing into it, and a watch on
// its directory would also fire at every write to the log files beside it.

import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';

const POLL_MS = 1000;

export class MessageOfTheHour {
  private lines: string[] = [];
  private watched: { path: string; listener: (curr: Stats, prev: Stats) => void } | null = null;

  constructor(private file: string) {}

  get path(): string {
    return this.file;
  }

  /** MothFile changed (configuration reload); the caller re-reads. */
  setPath(path: string): void {
    this.file = path;
  }

  /** Calls `onChange` within a second of the file being written, created, replaced or removed. */
  watch(onChange: () => void): void {
    this.unwatch();
    const listener = (curr: Stats, prev: Stats) => {
      if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino) onChange();
    };
    watchFile(this.file, { interval: POLL_MS, persistent: false }, listener);
    this.watched = { path: this.file, listener };
  }

  unwatch(): void {
    if (this.watched) unwatchFile(this.watched.path, this.watched.listener);
    this.watched = null;
  }

  /** Re-reads the file; returns a description of what changed for the log, or null. */
  async reload(): Promise<string | null> {
    const path = this.file;
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        const before = this.lines.length;
        this.lines = [];
        return `cannot read message of the hour ${path}: ${(err as Error).message}${before ? '; message cleared' : ''}`;
      }
    }
    const all = text.split(/\r?\n/).map((l) => l.trimEnd());
    let start = 0;
    let end = all.length;
    while (start < end && all[start] === '') start++;
    while (end > start && all[end - 1] === '') end--;
    const next = all.slice(start, end);
    const changed = next.join('\n') !== this.lines.join('\n');
    this.lines = next;
    if (!changed) return null;
    return next.length
      ? `message of the hour loaded from ${path} (${next.length} lines)`
      : 'message of the hour cleared';
  }

  /** Non-empty lines to send, one TEXT each (blank lines kept as a single space so spacing survives). */
  get message(): readonly string[] {
    return this.lines.map((l) => (l === '' ? ' ' : l));
  }
}
