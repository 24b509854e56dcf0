// /health's view of the database (AG-42): a probe every interval; failure or silence beyond the
// timeout marks it down until a probe succeeds; each change logged once.
import t from 'tap';
import { DatabaseHealth } from '../../runtime/db-health.js';
import type { ServerLog } from '../../runtime/log.js';

function fakeLog() {
  const lines: string[] = [];
  const log = {
    event: (text: string) => lines.push(`event ${text}`),
    error: (who: string | null, text: string) => lines.push(`error (${who}) - ${text}`),
  } as unknown as ServerLog;
  return { log, lines };
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

t.test('up, then down when a probe fails or hangs, then up again; one log line per change', async (t) => {
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  let probes = 0;
  let hung: (() => void) | null = null;
  const db = {
    description: 'sqlite:world.db',
    probe: () => {
      probes++;
      if (mode === 'fail') return Promise.reject(new Error('the file is locked'));
      if (mode === 'hang') return new Promise<void>((resolve) => (hung = resolve));
      return Promise.resolve();
    },
  };
  const { log, lines } = fakeLog();
  const health = new DatabaseHealth(db, () => ({ intervalMs: 20, timeoutMs: 40 }), log, 'user database');
  const alive = setInterval(() => {}, 1000);
  t.teardown(() => {
    health.stop();
    clearInterval(alive);
  });
  health.start();
  await until(() => probes >= 2);
  t.ok(health.ok);
  t.equal(health.reason, '');

  mode = 'fail';
  await until(() => !health.ok);
  t.equal(health.reason, 'user database sqlite:world.db cannot be written: the file is locked');
  const failures = probes;
  await until(() => probes >= failures + 3);
  t.equal(lines.filter((l) => l.startsWith('error')).length, 1, 'logged once, not at every probe');

  mode = 'ok';
  await until(() => health.ok);
  t.match(lines.at(-1), /event user database sqlite:world\.db accepts writes again; \/health answers 200/);

  mode = 'hang';
  await until(() => !health.ok);
  t.match(health.reason, /no answer within 0\.04 s/);
  const during = probes;
  await new Promise((r) => setTimeout(r, 100));
  t.equal(probes, during, 'no second probe while one is outstanding');
  mode = 'ok';
  (hung as unknown as () => void)();
  await until(() => health.ok);
  t.same(
    lines.map((l) => l.split(' ')[0]),
    ['error', 'event', 'error', 'event'],
  );
  t.match(
    lines[0],
    /error \(user database\) - user database sqlite:world\.db cannot be written: the file is locked; \/health answers 503/,
  );
});
