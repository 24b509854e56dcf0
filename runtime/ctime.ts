// Dates as the original servers printed them (AG-32): C ctime() for every timestamp in the .log
// (`Thu Jun  7 13:26:12 1996`, day of month padded with a space, so scripts written for the
// original parse our lines), MM-DD-YY for saved log files (AG-35), and a millisecond clock for
// the .out debugging output. All in local time, as ctime() is.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (v: number, w = 2) => String(v).padStart(w, '0');

/** `Thu Jun 27 13:26:12 1996`; `Thu Jun  7 13:26:12 1996` early in a month (C's `%.3s %.3s%3d`). */
export function ctime(d: Date): string {
  const day = String(d.getDate()).padStart(2, ' ');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
}

/** `06-27-96`: the date part of a saved log file's name (`firstRS.1234.06-27-96.log`). */
export function savedDate(d: Date): string {
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getFullYear() % 100)}`;
}

/** `13:26:12.345`, the time of day on .out lines. */
export function clockTime(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
