// Message of the hour (AG-21): the file named by MothFile, re-read every hour; a missing or empty
// file means no message. Its text is sent to every client that completes a session.

import { readFile } from 'node:fs/promises';

export class MessageOfTheHour {
  private lines: string[] = [];

  constructor(readonly path: string) {}

  /** Re-reads the file; returns a description of what changed for the log, or null. */
  async reload(): Promise<string | null> {
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        const before = this.lines.length;
        this.lines = [];
        return `cannot read message of the hour ${this.path}: ${(err as Error).message}${before ? '; message cleared' : ''}`;
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
      ? `message of the hour loaded from ${this.path} (${next.length} lines)`
      : 'message of the hour cleared';
  }

  /** Non-empty lines to send, one TEXT each (blank lines kept as a single space so spacing survives). */
  get message(): readonly string[] {
    return this.lines.map((l) => (l === '' ? ' ' : l));
  }
}
