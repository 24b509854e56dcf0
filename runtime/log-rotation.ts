// Log rotation (AG-35, guide "Monitoring the Servers"): "Every day or week, a new log file is
// started and the previous log file is saved in a file with a name of the form
// nameRS.pid.MM-DD-YY.log, where MM-DD-YY is the date the file was saved." `LogRotate daily`
// rotates at local midnight, `weekly` at the midnight that starts a Sunday, `<minutes>` every so
// many minutes from launch (small files, tests). Two rotations on one day never overwrite each
// other: the second is saved as `name.pid.MM-DD-YY.2.log`.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { savedDate } from './ctime.js';

export type RotationPeriod = { kind: 'daily' } | { kind: 'weekly' } | { kind: 'minutes'; minutes: number };

export function describePeriod(p: RotationPeriod): string {
  switch (p.kind) {
    case 'daily':
      return 'daily, at midnight';
    case 'weekly':
      return 'weekly, at midnight before Sunday';
    case 'minutes':
      return `every ${p.minutes} minutes`;
  }
}

/** Next local midnight strictly after `from` (Date arithmetic keeps it right across DST). */
function nextMidnight(from: number): number {
  const d = new Date(from);
  d.setHours(24, 0, 0, 0);
  return d.getTime();
}

/**
 * When the next rotation is due, for a log started or last rotated at `last`. Daily and weekly
 * follow the calendar; a number of minutes counts from `last`.
 */
export function nextRotation(p: RotationPeriod, last: number): number {
  switch (p.kind) {
    case 'daily':
      return nextMidnight(last);
    case 'weekly': {
      let t = nextMidnight(last);
      while (new Date(t).getDay() !== 0) t = nextMidnight(t);
      return t;
    }
    case 'minutes':
      return last + p.minutes * 60_000;
  }
}

/**
 * Names for the files saved by a rotation at `at`: `<base>.MM-DD-YY` and then `.log`/`.out`, with
 * `.2`, `.3`… added when an earlier rotation the same day took the plain name (for either file).
 */
export function savedStem(
  dir: string,
  baseName: string,
  at: Date,
  exists: (path: string) => boolean = existsSync,
): string {
  const stem = `${baseName}.${savedDate(at)}`;
  const taken = (s: string) => exists(join(dir, `${s}.log`)) || exists(join(dir, `${s}.out`));
  if (!taken(stem)) return stem;
  for (let n = 2; ; n++) if (!taken(`${stem}.${n}`)) return `${stem}.${n}`;
}
