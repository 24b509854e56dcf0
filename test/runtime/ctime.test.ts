// AG-32: the guide's dates are C ctime(): day of month padded with a space.
import t from 'tap';
import { clockTime, ctime, savedDate } from '../../runtime/ctime.js';

t.test('ctime pads the day of month with a space, as C does', async (t) => {
  t.equal(ctime(new Date(1996, 5, 27, 13, 26, 12)), 'Thu Jun 27 13:26:12 1996', "the guide's own example");
  t.equal(ctime(new Date(1996, 5, 7, 13, 26, 12)), 'Fri Jun  7 13:26:12 1996', 'a single-digit day');
  t.equal(ctime(new Date(2001, 0, 1, 0, 0, 5)), 'Mon Jan  1 00:00:05 2001', 'hours, minutes, seconds zero-padded');
  t.equal(ctime(new Date(1996, 5, 7)).length, 24, 'always 24 characters');
});

t.test('saved log files are dated MM-DD-YY; .out lines carry milliseconds', async (t) => {
  t.equal(savedDate(new Date(1996, 5, 27, 23, 59)), '06-27-96');
  t.equal(savedDate(new Date(2005, 0, 3)), '01-03-05');
  t.equal(clockTime(new Date(1996, 5, 27, 9, 5, 3, 7)), '09:05:03.007');
});
