// AG-35: when rotations are due (daily at midnight, weekly at the midnight before Sunday, every N
// minutes from the last one) and how saved files are named; hours, days and weeks on a fixed clock.
import t from 'tap';
import { nextRotation, savedStem } from '../../runtime/log-rotation.js';

const at = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime();

t.test('daily: the next local midnight', async (t) => {
  t.equal(nextRotation({ kind: 'daily' }, at(1996, 6, 27, 13, 26)), at(1996, 6, 28));
  t.equal(nextRotation({ kind: 'daily' }, at(1996, 6, 28)), at(1996, 6, 29), 'from a midnight: the next one');
  t.equal(nextRotation({ kind: 'daily' }, at(1996, 12, 31, 23, 59)), at(1997, 1, 1), 'across a year');
});

t.test('weekly: the midnight that starts a Sunday', async (t) => {
  // Thursday 27 June 1996 → Sunday 30 June 1996 00:00.
  t.equal(nextRotation({ kind: 'weekly' }, at(1996, 6, 27, 13, 26)), at(1996, 6, 30));
  t.equal(nextRotation({ kind: 'weekly' }, at(1996, 6, 30)), at(1996, 7, 7), 'from that Sunday: a week later');
  t.equal(nextRotation({ kind: 'weekly' }, at(1996, 6, 29, 23, 59)), at(1996, 6, 30), 'Saturday night');
  // A week of days: every day of one week rotates on the same Sunday.
  for (let d = 23; d <= 29; d++) t.equal(nextRotation({ kind: 'weekly' }, at(1996, 6, d, 12)), at(1996, 6, 30));
});

t.test('minutes: counted from the last rotation', async (t) => {
  t.equal(nextRotation({ kind: 'minutes', minutes: 60 }, at(1996, 6, 27, 13, 26)), at(1996, 6, 27, 14, 26));
  t.equal(nextRotation({ kind: 'minutes', minutes: 0.5 }, 1000), 31_000);
});

t.test('saved names: <base>.MM-DD-YY, then .2, .3 for more rotations that day', async (t) => {
  const taken = new Set<string>();
  const exists = (p: string) => taken.has(p);
  const when = new Date(1996, 5, 27, 0, 0);
  const first = savedStem('/logs', 'firstRS.1234', when, exists);
  t.equal(first, 'firstRS.1234.06-27-96', "the guide's example name");
  taken.add(`/logs/${first}.log`);
  const second = savedStem('/logs', 'firstRS.1234', when, exists);
  t.equal(second, 'firstRS.1234.06-27-96.2', 'a second rotation the same day does not overwrite the first');
  taken.add(`/logs/${second}.out`);
  t.equal(
    savedStem('/logs', 'firstRS.1234', when, exists),
    'firstRS.1234.06-27-96.3',
    'an .out alone takes the name too',
  );
  t.equal(savedStem('/logs', 'firstRS.1234', new Date(1996, 5, 28), exists), 'firstRS.1234.06-28-96', 'the next day');
});
