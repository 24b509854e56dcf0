// Monitoring around one registry: sampling, stats record from the configuration (and after a
// reload), the status routes on StatusHttp, /health, and room for others' pages (/admin).
import t, { type Test } from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { text } from '../../runtime/http/endpoint.js';
import { ServerLog } from '../../runtime/log.js';
import { Monitoring, type MonitoringSettings } from '../../runtime/monitoring.js';
import { DEFAULT_HTTP_LIMITS } from '../../runtime/stats-config.js';
import { StatsRegistry } from '../../runtime/stats.js';
import type { HealthState } from '../../runtime/http/status-routes.js';

function setup(t: Test) {
  const dir = t.testdir();
  const log = new ServerLog({ baseName: 'firstRS.1', dir, toStdout: false, tracing: false });
  t.teardown(() => log.close());
  const reg = new StatsRegistry('roomserver', 'first');
  let users = 3;
  reg.number('users', 'users', 'Users', () => users);
  const settings: MonitoringSettings = { statsSampleMs: 50, statsRecord: null, httpLimits: { ...DEFAULT_HTTP_LIMITS } };
  let health: HealthState = { ok: true, reason: '' };
  const m = new Monitoring({
    registry: reg,
    log,
    spec: {
      title: 'RoomServer first',
      series: [{ key: 'users', label: 'Users', stat: 'users', field: 'value' }],
      cards: [],
      charts: [],
    },
    settings: () => settings,
    health: () => health,
    recordFile: join(dir, 'default.csv'),
  });
  t.teardown(() => m.stop());
  const alive = setInterval(() => {}, 1000);
  t.teardown(() => clearInterval(alive));
  return {
    dir,
    log,
    m,
    settings,
    setUsers: (n: number) => (users = n),
    setHealth: (h: HealthState) => (health = h),
  };
}

t.test('stats record follows the configuration, also after a reload', async (t) => {
  const { dir, m, settings, log } = setup(t);
  settings.statsRecord = { intervalMs: 30, file: join(dir, 'a.csv') };
  m.start();
  t.equal(m.recorder.status().recording, true, 'StatsRecord in the file starts recording');
  m.reconfigured();
  const since = m.recorder.status().since;
  t.equal(m.recorder.status().since, since, 'unchanged settings leave it alone');
  settings.statsRecord = { intervalMs: 30, file: join(dir, 'b.csv') };
  m.reconfigured();
  while (m.recorder.status().rows < 1) await new Promise((r) => setTimeout(r, 5));
  await m.recorder.flushed();
  t.ok(existsSync(join(dir, 'b.csv')), 'a new file');
  settings.statsRecord = null;
  m.reconfigured();
  t.equal(m.recorder.status().recording, false, 'the line removed: recording stops');
  log.flush();
  t.match(readFileSync(log.logPath, 'utf8'), /Stopped recording stats to .*b\.csv/);
  t.ok(m.history.size >= 1, 'sampling feeds the history');
});

t.test("a reload that leaves StatsRecord as it was leaves an administrator's recording alone", async (t) => {
  const { dir, m, settings } = setup(t);
  m.start();
  m.recorder.start({ intervalMs: 30, file: join(dir, 'admin.csv') });
  m.reconfigured();
  t.equal(m.recorder.status().recording, true, 'no StatsRecord line, as before: still recording');
  settings.statsRecord = { intervalMs: 30, file: join(dir, 'line.csv') };
  m.reconfigured();
  t.equal(m.recorder.settings?.file, join(dir, 'line.csv'), 'a new line applies');
  m.recorder.stop();
  m.reconfigured();
  t.equal(m.recorder.status().recording, false, 'and stopping it by hand sticks until the line changes');
});

t.test('serve: status routes at /, another page mounted at /admin, /health follows the server', async (t) => {
  const { m, setUsers, setHealth } = setup(t);
  m.start();
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const http = m.serve(server);
  t.equal(m.http, http);
  http.mount('/admin', (req) => text(200, `admin ${req.method} ${req.path}`));
  const base = `http://127.0.0.1:${http.port}`;
  const get = async (path: string) => {
    const r = await fetch(`${base}${path}`);
    return `${r.status} ${await r.text()}`;
  };
  t.equal(await get('/admin/users'), '200 admin GET /users');
  t.equal(await get('/health'), '200 ok\n');
  setHealth({ ok: false, reason: 'no link to the UserServer 127.0.0.1:5200: connection refused' });
  t.equal(await get('/health'), '503 no link to the UserServer 127.0.0.1:5200: connection refused\n');
  setUsers(7);
  t.match(await get('/stats'), /^200 .*\nroomserver\.first\.users : 7 users\n/);
  t.match(await get('/metrics'), /^worldserver_roomserver_users\{server="first"\} 7$/m);
  const page = await fetch(`${base}/`);
  t.match(page.headers.get('content-type'), /text\/html/);
  t.match(await page.text(), /<script src="uplot\.js"><\/script>/);
  const uplot = await fetch(`${base}/uplot.js`);
  t.equal(uplot.status, 200, 'uPlot is served from the installed package');
  t.ok((await uplot.text()).includes('uPlot'));
  const status = (await (await fetch(`${base}/status.json`)).json()) as {
    spec: { title: string };
    health: HealthState;
  };
  t.equal(status.spec.title, 'RoomServer first');
  t.equal(status.health.ok, false);
  t.equal((await fetch(`${base}/stats`, { method: 'POST' })).status, 405, 'read-only');
});
