// OpenSimulator's `stats record` as an administration task (AG-41; issue 8 asks for StatsRecord
// "and an admin command"): start recording every stat to a CSV file, stop, or say how recording
// stands, on the running UserServer (runtime/stats-record.ts does the recording). The StatsRecord
// keyword starts it with the server; this changes it while the server runs, until the next start
// or a reload that changes the StatsRecord line.

import { DEFAULT_RECORD_SECONDS, type RecordSettings } from '../../runtime/stats-record.js';
import { when } from './text.js';
import { task } from './task.js';
import { done, fail, type AdminResult, type StatsRecording } from './types.js';
import { UsageError, decimal, fields, oneOf, optionalText } from './validate.js';

export type RecordAction = 'start' | 'stop' | 'status';

export interface StatsRecordInput {
  action: RecordAction;
  seconds: number | null;
  file: string | null;
}

/**
 * The file an administrator names: relative to the UserServer's working directory, without `..`,
 * ending in `.csv`. Through the web console a stolen session must not be able to make the server
 * create files wherever its account may write.
 */
export function recordFile(name: string): string {
  const segments = name.split('/');
  if (
    name.startsWith('/') ||
    !/^[A-Za-z0-9._/-]+$/.test(name) ||
    segments.some((s) => s === '' || s === '.' || s === '..') ||
    !name.endsWith('.csv') ||
    name === '.csv'
  )
    throw new UsageError(
      `file ${JSON.stringify(name)} must be a path relative to the UserServer's directory, without .., ending in .csv`,
    );
  return name;
}

export const statsRecord = task({
  live: 'required',
  parse: (input): StatsRecordInput => {
    const f = fields(input);
    const action = oneOf<RecordAction>(f, 'action', ['start', 'stop', 'status']);
    if (action !== 'start') {
      if (f.seconds !== undefined || f.file !== undefined) throw new UsageError(`seconds and file go with start only`);
      return { action, seconds: null, file: null };
    }
    const file = optionalText(f, 'file', 200);
    return {
      action,
      seconds: f.seconds === undefined ? null : decimal(f, 'seconds', 0.05, 86_400),
      file: file === null ? null : recordFile(file),
    };
  },
  target: (i) => [i.action, i.seconds === null ? '' : `every ${i.seconds} s`, i.file ?? ''].filter(Boolean).join(' '),
  async run(ctx, i): Promise<AdminResult<StatsRecording>> {
    const r = ctx.recorder;
    if (!r) return fail('not-running', 'the UserServer is not running');
    switch (i.action) {
      case 'start': {
        const s: Partial<RecordSettings> = { intervalMs: (i.seconds ?? DEFAULT_RECORD_SECONDS) * 1000 };
        if (i.file !== null) s.file = i.file;
        const text = r.start(s);
        return done(r.status(), text);
      }
      case 'stop': {
        const was = r.status().recording;
        const text = r.stop();
        return was ? done(r.status(), text) : fail('refused', text);
      }
      case 'status': {
        const s = r.status();
        return done(
          s,
          s.recording
            ? `recording all stats to ${s.file} every ${s.intervalMs / 1000} s since ${when(s.since ?? new Date())}, ${s.rows} rows so far`
            : 'stats are not being recorded',
        );
      }
    }
  },
});
