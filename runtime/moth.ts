// Message of the hour (AG-21): the file named by MothFile, re-read every hour, when it changes (the
// directory is watched, since editors replace the file rather than write into it) and on SIGHUP;
// a missing or empty file means no message. Its text is sent to every client that completes a
// session.

import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

/** An editor's save is several file events; re-read once they have settled. */
const SETTLE_MS = 50;

export class MessageOfTheHour {
  private lines: string[] = [];
  private watcher: FSWatcher | null = null;
  private settle: NodeJS.Timeout | null = null;

  constructor(private file: string) {}

  get path(): string {
    return this.file;
  }

  /** MothFile changed (configuration reload); the caller re-reads. */
  setPath(path: string): void {
    this.file = path;
  }

  /**
   * Calls `onChange` soon after the file is written, created, replaced or removed. Without a
   * directory to watch (or watches) the hourly re-read and SIGHUP still work.
   */
  watch(onChange: () => void): void {
    this.unwatch();
    const name = basename(this.file);
    try {
      this.watcher = watch(dirname(resolve(this.file)), { persistent: false }, (_event, changed) => {
        if (changed !== null && changed !== name) return;
        if (this.settle) this.settle.refresh();
        else {
          this.settle = setTimeout(() => {
            this.settle = null;
            onChange();
          }, SETTLE_MS);
          this.settle.unref();
        }
      });
      this.watcher.on('error', () => this.unwatch());
    } catch {
      this.watcher = null;
    }
  }

  unwatch(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.settle) clearTimeout(this.settle);
    this.settle = null;
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
