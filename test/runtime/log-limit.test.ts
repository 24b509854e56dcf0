// The log limiter (issue 6 finding 4): one line per offender and event per window, and what was held
// back is counted and said, with the next line or by the sweep when the window ends.
import t from 'tap';
import { LogLimiter } from '../../runtime/log-limit.js';

function setup(windowMs = 60_000, maxTracked?: number) {
  let now = 1_000_000;
  const lines: string[] = [];
  const log = {
    error: (who: string | null, text: string) => lines.push(`${who === null ? '' : `(${who}) - `}${text}`),
  };
  const limiter = new LogLimiter(
    log,
    () => windowMs,
    () => now,
    maxTracked,
  );
  return { limiter, lines, advance: (ms: number) => (now += ms) };
}

t.test('one line per offender and event per window; the next line says how many were held back', async (t) => {
  const { limiter, lines, advance } = setup();
  for (let i = 0; i < 38; i++) limiter.error('Mallory', 'avatar', 'avatar property refused');
  t.same(lines, ['(Mallory) - avatar property refused']);
  t.equal(limiter.suppressedTotal, 37);
  advance(60_000);
  limiter.error('Mallory', 'avatar', 'avatar property refused');
  t.same(lines.at(-1), '(Mallory) - avatar property refused (37 more suppressed in the last 60 s)');
  limiter.error('Mallory', 'avatar', 'avatar property refused');
  t.equal(lines.length, 2, 'a new window began with that line');
});

t.test('offenders and events are limited separately', async (t) => {
  const { limiter, lines } = setup();
  limiter.error('Mallory', 'avatar', 'a');
  limiter.error('Mallory', 'whisper', 'b');
  limiter.error('Eve', 'avatar', 'c');
  limiter.error('Mallory', 'avatar', 'd');
  t.same(lines, ['(Mallory) - a', '(Mallory) - b', '(Eve) - c']);
});

t.test('the offender may differ from the name on the line (an address behind many names)', async (t) => {
  const { limiter, lines } = setup();
  limiter.error('Alice', 'refused', 'login refused', '127.9.0.1');
  limiter.error('Bob', 'refused', 'login refused', '127.9.0.1');
  limiter.error('Bob', 'refused', 'login refused', '127.9.0.2');
  t.same(lines, ['(Alice) - login refused', '(Bob) - login refused']);
});

t.test('the sweep reports a count nobody reported and forgets ended windows', async (t) => {
  const { limiter, lines, advance } = setup(10_000);
  limiter.error('Mallory', 'flood', 'chat flood');
  limiter.error('Mallory', 'flood', 'chat flood');
  limiter.error('Mallory', 'flood', 'chat flood again');
  limiter.error('Quiet', 'x', 'once');
  advance(5_000);
  limiter.sweep();
  t.equal(lines.length, 2, 'nothing ends before the window does');
  advance(5_000);
  limiter.sweep();
  t.same(lines.slice(2), ['(Mallory) - chat flood again (last of 2 suppressed in the last 10 s)']);
  t.equal(limiter.tracked, 0, 'ended windows are forgotten');
  limiter.error('Mallory', 'flood', 'chat flood');
  t.equal(lines.at(-1), '(Mallory) - chat flood', 'reported counts are not said twice');
});

t.test('flush at shutdown writes every count still held', async (t) => {
  const { limiter, lines } = setup();
  limiter.error(null, 'accept EMFILE', 'cannot accept', 'listener');
  limiter.error(null, 'accept EMFILE', 'cannot accept', 'listener');
  limiter.flush();
  t.same(lines, ['cannot accept', 'cannot accept (one more suppressed in the last 0 s)']);
});

t.test('memory is bounded: past the cap, new offenders share one entry', async (t) => {
  const { limiter, lines } = setup(60_000, 3);
  for (let i = 0; i < 100; i++) limiter.error(`127.0.0.${i}`, 'refused', 'connection refused');
  t.equal(limiter.tracked, 4);
  t.equal(lines.length, 4, 'three offenders and one line for all the others');
});

t.test('the window is read at every use (a configuration reload reaches it)', async (t) => {
  let windowMs = 60_000;
  let now = 0;
  const lines: string[] = [];
  const limiter = new LogLimiter(
    { error: (_w, text) => lines.push(text) },
    () => windowMs,
    () => now,
  );
  limiter.error('x', 'e', 'one');
  now += 2_000;
  limiter.error('x', 'e', 'two');
  windowMs = 1_000;
  now += 1;
  limiter.error('x', 'e', 'three');
  t.same(lines, ['one', 'three (1 more suppressed in the last 2 s)']);
});
