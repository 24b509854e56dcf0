// AG-33: the hourly reports of both servers with a known population, every ReportInterval minutes
// (here 0.01 = 0.6 s instead of 60), in the guide's exact lines, followed by Resource usage.
import t from 'tap';
import { enterRoom, joinStandalone } from '../helpers/clients.js';
import { startGalaxy } from '../helpers/galaxy.js';
import { RS_MAIN, standaloneConfig, startServer } from '../helpers/servers.js';

const RESOURCE_USAGE = [
  'Resource usage -',
  'user time = \\d+ minutes',
  'system time = \\d+ minutes',
  'maximum resident set size = \\d+',
  'integral shared text memory size = \\d+',
  'integral unshared data size = \\d+',
  'integral unshared stack size = \\d+',
  'page reclaims \\(minor faults\\) = \\d+',
  'page faults \\(major faults\\) = \\d+',
  'swaps = \\d+',
  'messages sent = \\d+',
  'messages received = \\d+',
  'voluntary context switches = \\d+',
  'involuntary context switches = \\d+',
].join('\\n');
const CTIME = '\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}';

t.test('RoomServer: users, occupied rooms with their population, resource usage, tick statistics', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig('ReportInterval 0.01'));
  t.teardown(() => rs.stop());
  const a = await joinStandalone(rs.port, 'Ann');
  const b = await joinStandalone(rs.port, 'Ben');
  const c = await joinStandalone(rs.port, 'Cyd');
  t.teardown(() => [a, b, c].forEach((x) => x.close()));
  await enterRoom(a, 'Alpha#Hall<dimension-1>', { x: 0, y: 0 });
  await enterRoom(b, 'Alpha#Hall<dimension-1>', { x: 10, y: 0 });
  await enterRoom(c, 'Beta#Yard<dimension-1>', { x: 0, y: 0 });
  // Position updates are sent once the avatars stand in their rooms: the report after that counts them.
  await a.expectCmd('APPRACTR');
  const m = await rs.waitLog(
    new RegExp(
      [
        `^(${CTIME}) - Testworld:`,
        '     Serving 3 users',
        '     Serving 2 rooms',
        '       Alpha#Hall<dimension-1> - 2 Users',
        '       Beta#Yard<dimension-1> - 1 Users',
        RESOURCE_USAGE,
        'tick duration p50 = \\d+\\.\\d\\d ms',
        'tick duration p99 = \\d+\\.\\d\\d ms',
        'ticks = [1-9]\\d*',
        'update intervals missed = \\d+',
        'ticks degraded by overload = \\d+ \\(level now \\d\\)$',
      ].join('\\n'),
      'm',
    ),
  );
  t.ok(m, 'the report, line for line');
  const reports = rs.log().match(/ - Testworld:\n/g)?.length ?? 0;
  await rs.waitLog(new RegExp(`(- Testworld:\\n[\\s\\S]*){${reports + 1}}`));
  t.pass('and again one period later');
});

t.test('UserServer: connections (RoomServer links included) and active users', async (t) => {
  const g = await startGalaxy({ database: false, rsNames: ['first'], usExtra: 'ReportInterval 0.01' });
  t.teardown(() => g.stop());
  const p = await g.login({ kind: 'anonymous', name: 'Ann', firstConnection: true });
  t.teardown(() => p.crash());
  // Ann's UserServer connection and the RoomServer's link: 2 connections, 1 active user.
  const m = await g.us.waitLog(
    new RegExp(`^${CTIME} - Galaxy\\nServing 2 connections\\nServing 1 active users\\n${RESOURCE_USAGE}$`, 'm'),
  );
  t.ok(m, 'the report, line for line');
});
