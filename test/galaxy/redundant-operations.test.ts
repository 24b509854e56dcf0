// What an operator sees of a redundant pair (issue 11, AG-33, AG-41, AG-42): the hourly report's
// line about the other WorldServer, the statistics and the status page's galaxy panel (the peer,
// its users, the link), and a reload that keeps the redundancy keywords until a restart.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { roomServerLines, startPair } from '../helpers/redundant.js';
import { RS_MAIN, startServer } from '../helpers/servers.js';
import { get, statsJson } from '../helpers/status.js';

const p = await startPair({ usExtra: 'Guests 20 guest 30\nStatusHttp 0\nReportInterval 0.05' });
t.teardown(() => p.stop());

t.test('the hourly report counts this side, and has a line of its own for the other', async (t) => {
  const a = await p.east.login({ kind: 'guest', firstConnection: true });
  const b = await p.west.login({ kind: 'guest', firstConnection: true });
  const c = await p.west.login({ kind: 'guest', firstConnection: true });
  t.teardown(async () => Promise.all([a, b, c].map((x) => x.logoff())));
  await p.east.us.waitLog(
    / - East\nServing \d+ connections\nServing 1 active users\nBackup link to West up since .+: 2 active users there\n/,
  );
  await p.west.us.waitLog(
    / - West\nServing \d+ connections\nServing 2 active users\nBackup link to East up since .+: 1 active users there\n/,
  );
  t.pass('both logs');
});

t.test('the status endpoint shows the peer: backup_link_up, peer_users, the galaxy panel', async (t) => {
  const a = await p.west.login({ kind: 'guest', firstConnection: true });
  t.teardown(() => a.logoff());
  const { stats } = await statsJson(p.east.us);
  t.equal(stats.get('backup_link_up')?.value, 1);
  t.ok((stats.get('peer_users')?.value ?? -1) >= 0, 'peer_users is a stat');
  const status = JSON.parse((await get(p.east.us, '/status.json')).body) as {
    galaxy: { peer: { role: string; name: string; up: boolean; users: number; suffix: string } };
  };
  t.match(status.galaxy.peer, { role: 'BackupClient', name: 'West', up: true, suffix: '1' });
  const page = await get(p.east.us, '/');
  t.match(page.body, /id="peer"/, 'the page has the line');
});

t.test('World name<dimension-n;suffix>: a RoomServer volunteers for a world of its side', async (t) => {
  const vol = await startServer(
    RS_MAIN,
    'RS',
    roomServerLines(
      'East',
      '127.0.0.1',
      p.east.linkPort,
      'omega',
      'World Omega<dimension-1;2>\nWorld Omega<dimension-1;1>',
    ),
    { dir: p.dir, cfgName: 'omegaRS.cfg' },
  );
  t.teardown(() => vol.stop());
  await p.east.us.waitLog(
    /RoomServer omega connected from .*; volunteers for Omega<dimension-1;2>; World Omega<dimension-1;1> ignored/,
  );
  const g = await p.west.login({ kind: 'guest', firstConnection: true });
  t.teardown(() => g.logoff());
  const there = await g.resolve('Omega#Hall<dimension-1;2>');
  t.equal(there.conn.socket.remotePort, vol.port, "asked on West, served by East's volunteer");
  const home = await g.resolve(g.roomName('Omega', 'Hall'));
  t.equal(home.conn.socket.remoteAddress, '127.0.0.2', "Omega in West's channel stays on West");
});

t.test('kill -HUP: BackupRetry applies, the redundancy keywords need a restart', async (t) => {
  const path = join(p.dir, 'WestUS.cfg');
  const before = readFileSync(path, 'utf8');
  t.teardown(() => writeFileSync(path, before));
  writeFileSync(
    path,
    before.replace('BackupRetry 0.2', 'BackupRetry 0.5').replace(/^(BackupClient .*) \S+$/m, '$1 a-new-password'),
  );
  p.west.us.kill('SIGHUP');
  await p.west.us.waitLog(
    /configuration WestUS\.cfg re-read \(SIGHUP\): applied BackupRetry; BackupServer\/BackupClient changed but needs a restart \(old settings kept\)/,
  );
  t.notMatch(p.west.us.log(), /backup link lost/, 'the link stays');
});
