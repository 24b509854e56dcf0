// The redundancy keywords (guide Appendix II BackupServer, BackupClient, ChannelSuffix; README
// extension table BackupRetry), what they make of channel names, volunteered worlds (Appendix I
// `World name<dimension-n;suffix>`), the room-id range and the hourly report.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChannelPopulation } from '../../runtime/channels.js';
import { ConfigError } from '../../runtime/config.js';
import { channelSuffixOf, loadUserServerConfig } from '../../userserver/config.js';
import { Directory } from '../../userserver/directory.js';
import { volunteer } from '../../userserver/links.js';
import { userServerReport } from '../../userserver/report.js';
import { DEFAULT_ROOM_LIMITS } from '../../runtime/config-limits.js';
import { roomIdRange } from '../../protocol/backup.js';
import { loadRoomServerConfig } from '../../roomserver/config.js';
import { ROOT } from '../helpers/servers.js';

const BASE = 'Server East\nRoomServers 5200 def456\n';

function load(t: Test, text: string) {
  const file = join(t.testdir(), 'EastUS.cfg');
  writeFileSync(file, text);
  return loadUserServerConfig(file);
}

function problem(t: Test, text: string): string {
  try {
    load(t, text);
    return 'no error';
  } catch (err) {
    t.ok(err instanceof ConfigError);
    return (err as Error).message;
  }
}

t.test('no backup keyword: no suffix, BackupRetry 10 s', async (t) => {
  const cfg = load(t, BASE);
  t.equal(cfg.backup, null);
  t.equal(channelSuffixOf(cfg), null);
  t.equal(cfg.backupRetryMs, 10_000);
  t.equal(channelSuffixOf(load(t, `${BASE}ChannelSuffix X\n`)), null, 'ChannelSuffix alone has no effect');
});

t.test('BackupServer and BackupClient, with the default suffixes of the guide', async (t) => {
  const server = load(t, `${BASE}BackupServer 5300 s3cret-pass\n`);
  t.same(server.backup, { role: 'server', line: 3, host: null, port: 5300, password: 's3cret-pass' });
  t.equal(channelSuffixOf(server), '2');
  const client = load(t, `${BASE}BackupClient 10.0.0.2 5300 s3cret-pass\nBackupRetry 2.5\n`);
  t.same(client.backup, { role: 'client', line: 3, host: '10.0.0.2', port: 5300, password: 's3cret-pass' });
  t.equal(channelSuffixOf(client), '1');
  t.equal(client.backupRetryMs, 2500);
  t.equal(channelSuffixOf(load(t, `${BASE}BackupServer 0 pw\nChannelSuffix east\n`)), 'east');
});

t.test('mistakes name file, line and keyword', async (t) => {
  t.match(
    problem(t, `${BASE}BackupServer 5300 pw\nBackupClient 10.0.0.2 5300 pw\n`),
    /EastUS\.cfg:4: BackupClient: cannot be used together with BackupServer \(line 3\)/,
  );
  t.match(problem(t, `${BASE}BackupClient example.com 5300 pw\n`), /EastUS\.cfg:3: BackupClient: /);
  t.match(problem(t, `${BASE}BackupClient 10.0.0.2 0 pw\n`), /EastUS\.cfg:3: BackupClient: /, 'a port to connect to');
  t.match(
    problem(t, `${BASE}BackupServer 5300 pw\nChannelSuffix a;b\n`),
    /EastUS\.cfg:4: ChannelSuffix: 'a;b' must be 1-16 letters, digits, '_' or '-'/,
  );
  t.match(problem(t, `${BASE}BackupRetry 0\n`), /EastUS\.cfg:3: BackupRetry: /);
});

t.test('channels carry the suffix: dimension-1;2, a new channel when one is full', async (t) => {
  const c = new ChannelPopulation(1, '2');
  t.equal(c.choose(), 'dimension-1;2');
  c.join('dimension-1;2');
  t.equal(c.choose(), 'dimension-2;2');
  t.equal(new ChannelPopulation(5).choose(), 'dimension-1', 'none without a backup keyword');
});

t.test('World lines: the suffix must be this side’s; without one it is meant', async (t) => {
  t.same(volunteer('earth<dimension-3;2>', '2'), { world: 'earth', channel: 'dimension-3;2' });
  t.same(volunteer('earth<dimension-3>', '2'), { world: 'earth', channel: 'dimension-3;2' });
  t.equal(volunteer('earth<dimension-3;1>', '2'), null, "the other side's channel is not ours to assign");
  t.same(volunteer('earth', '2'), { world: 'earth', channel: null }, 'every channel of the world');
  t.same(volunteer('earth<dimension-3;2>', null), { world: 'earth', channel: 'dimension-3' }, 'a single WorldServer');
  t.equal(volunteer('not a world<', '2'), null);
});

t.test('the directory hands out its half of the ids; the other side holds what it was told', async (t) => {
  const rs = { name: 'first', connectedAt: 1, worlds: [] };
  const d = new Directory<typeof rs>(
    () => ({ ...DEFAULT_ROOM_LIMITS, maxIds: 2, quietMs: 1000 }),
    roomIdRange('client'),
  );
  d.add(rs);
  t.equal(d.capacity, 2);
  const a = d.assign('W#A<dimension-1;1>', 0);
  t.match(a, { ok: true, id: 0x8000 });
  const peer = {};
  d.addHolder(peer);
  if (a.ok) d.grant(peer, a.id);
  t.equal(d.idsInUse, 1, 'the other side holds it');
  t.equal(d.adopt(peer, 0x8001, 'W#Kept<dimension-1;1>', 0), 'held', 'an id the other side still knows');
  t.equal(d.idOf('W#Kept<dimension-1;1>'), 0x8001);
  t.equal(d.adopt(peer, 0x8001, 'W#Other<dimension-1;1>', 0), 'conflict');
  t.equal(d.adopt(peer, 5, 'W#Low<dimension-1;1>', 0), 'outside', "an id of the other side's half");
  t.match(d.assign('W#B<dimension-1;1>', 0), { ok: false, exhausted: true }, 'two ids, both named');
  d.removeHolder(peer, 0);
  t.equal(d.idsInUse, 0, 'a lost link holds nothing');
});

t.test('the hourly report: a line of its own for the other WorldServer', async (t) => {
  const lines = userServerReport(
    new Date(2026, 5, 1, 12),
    'East',
    4,
    3,
    'Backup link to West up since X: 5 active users there',
  );
  t.same(lines.slice(1), [
    'Serving 4 connections',
    'Serving 3 active users',
    'Backup link to West up since X: 5 active users there',
  ]);
  t.equal(userServerReport(new Date(), 'East', 1, 0).length, 3, 'none without a peer');
});

t.test(
  'the shipped pair (npm start -- redundant): one port on two addresses, one password, one database',
  async (t) => {
    const east = loadUserServerConfig(join(ROOT, 'wc_config', 'EastUS.cfg'));
    const west = loadUserServerConfig(join(ROOT, 'wc_config', 'WestUS.cfg'));
    t.equal(east.backup?.role, 'server');
    t.equal(west.backup?.role, 'client');
    t.equal(west.backup?.host, east.bindAddr, "West connects to East's address");
    t.equal(west.backup?.port, east.backup?.port);
    t.equal(west.backup?.password, east.backup?.password);
    t.equal(east.usersPort, west.usersPort, 'the same client port');
    t.not(east.bindAddr, west.bindAddr, 'on two addresses');
    t.equal(east.userDatabase?.service, west.userDatabase?.service, 'one user database');
    t.not(channelSuffixOf(east), channelSuffixOf(west));
    for (const [rs, us] of [
      ['eastRS.cfg', east],
      ['westRS.cfg', west],
    ] as const) {
      const cfg = loadRoomServerConfig(join(ROOT, 'wc_config', rs));
      t.equal(cfg.serverName, us.serverName, `${rs} belongs to ${us.serverName}`);
      t.equal(cfg.userServer?.host, us.bindAddr);
      t.equal(cfg.userServer?.port, us.roomServersPort);
    }
  },
);
