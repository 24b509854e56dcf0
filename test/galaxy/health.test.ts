// /health for load balancers and service managers (AG-42): 200 while serving; 503, saying why,
// while the UserServer's database cannot be written or a RoomServer's link to its UserServer is
// down; 200 again once it recovers. Real processes, a real sqlite3 session holding the lock.
import t from 'tap';
import { startGalaxy } from '../helpers/galaxy.js';
import type { ServerProcess } from '../helpers/servers.js';
import { holdWriteLock } from '../helpers/sqlite-lock.js';
import { get, until } from '../helpers/status.js';

const health = (p: ServerProcess, status: number, body?: RegExp) =>
  until(`/health ${status}${body ? ` ${body}` : ''}`, async () => {
    const r = await get(p, '/health');
    return r.status === status && (!body || body.test(r.body)) ? r.body : undefined;
  });

const g = await startGalaxy({
  rsNames: ['first'],
  usExtra: 'StatusHttp 0\nHealthCheck 0.1 0.3',
  rsExtra: 'StatusHttp 0',
});
t.teardown(() => g.stop());

t.test('the UserServer answers 503 while its database is locked, 200 again when it is released', async (t) => {
  t.equal(await health(g.us, 200), 'ok\n');
  // An administrator's sqlite3 session holding the write lock in the middle of a transaction.
  const lock = await holdWriteLock(g.dbPath);
  t.teardown(() => lock.kill());
  const down = await health(g.us, 503);
  t.match(down, /^user database sqlite:world\.db cannot be written: the file is locked for writing by another program/);
  await g.us.waitLog(/\(user database\) - user database sqlite:world\.db cannot be written: .*\/health answers 503/);
  const page = JSON.parse((await get(g.us, '/status.json')).body) as { health: { ok: boolean; reason: string } };
  t.equal(page.health.ok, false, 'the status page shows it too');
  const m = await get(g.us, '/metrics');
  t.match(m.body, /^worldserver_userserver_user_db_up\{server="Galaxy"\} 0$/m);

  await lock.release();
  t.equal(await health(g.us, 200), 'ok\n');
  await g.us.waitLog(/user database sqlite:world\.db accepts writes again; \/health answers 200/);
  t.match((await get(g.us, '/metrics')).body, /^worldserver_userserver_user_db_up\{server="Galaxy"\} 1$/m);
});

t.test('a RoomServer answers 503 while its link to the UserServer is down, 200 once it is back', async (t) => {
  const rs = g.rs.get('first') as ServerProcess;
  t.equal(await health(rs, 200), 'ok\n');
  await g.us.stop();
  const down = await health(rs, 503);
  t.match(down, /^no link to the UserServer 127\.0\.0\.1:\d+: /);
  await g.restartUserServer();
  await rs.waitLog(/connected to UserServer[\s\S]*connected to UserServer/);
  t.equal(await health(rs, 200), 'ok\n');
  t.equal(await health(g.us, 200), 'ok\n', 'and the new UserServer is healthy');
});
