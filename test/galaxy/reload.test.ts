// AG-29 configuration reload: the guide's maintenance procedure (terminate the UserServer, edit the
// RoomServer's file, restart the UserServer) and `kill -HUP` on either server; a bad edit is
// reported with file:line and the old settings stay.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ClientConnection, LoginRefused } from '../../protocol/client.js';
import { Nak, Var } from '../../protocol/constants.js';
import { joinStandalone } from '../helpers/clients.js';
import { roomServerConfig, startGalaxy } from '../helpers/galaxy.js';
import { RS_MAIN, standaloneConfig, startServer } from '../helpers/servers.js';

t.test('a World line added while the UserServer is down is volunteered at reconnection', async (t) => {
  const g = await startGalaxy({ database: false, rsNames: ['first', 'second'] });
  t.teardown(() => g.stop());
  const second = g.rs.get('second');
  if (!second) throw new Error('no second RoomServer');
  await g.us.stop();
  await second.waitLog(/\(UserServer\) - link lost/);
  // The operator edits the file during the outage, as the guide's maintenance procedure says.
  writeFileSync(join(g.dir, 'secondRS.cfg'), roomServerConfig('second', g.linkPort, 'World Mars'));
  await g.restartUserServer();
  await second.waitLog(/configuration \S*secondRS\.cfg re-read \(reconnecting to the UserServer\): applied World/);
  await g.us.waitLog(/RoomServer second connected from 127\.0\.0\.1; clients go to .*; volunteers for Mars/);
  const p = await g.login({ kind: 'anonymous', name: 'Visitor', firstConnection: true });
  t.teardown(() => p.crash());
  const { conn } = await p.enter(p.roomName('Mars', 'Crater'), { x: 0, y: 0 });
  t.equal(conn.socket.remotePort, second.port, 'Mars is served by the RoomServer that volunteered for it');
});

t.test('a bad edit during the outage: reported with file:line, old settings kept, reconnected', async (t) => {
  const g = await startGalaxy({ database: false, rsNames: ['first'] });
  t.teardown(() => g.stop());
  const rs = g.rs.get('first');
  if (!rs) throw new Error('no RoomServer');
  await g.us.stop();
  await rs.waitLog(/\(UserServer\) - link lost/);
  const cfg = join(g.dir, 'firstRS.cfg');
  const before = readFileSync(cfg, 'utf8');
  writeFileSync(cfg, `${before}\nConnections 6\n`);
  const badLine = before.split('\n').length + 1;
  await g.restartUserServer();
  await rs.waitLog(
    new RegExp(
      `\\(\\S*firstRS\\.cfg\\) - configuration not re-read \\(\\S*firstRS\\.cfg:${badLine}: Connections: expects 2 argument\\(s\\) .*\\); keeping the previous settings`,
    ),
  );
  await rs.waitLog(/link lost[\s\S]*connected to UserServer/);
  const p = await g.login({ kind: 'anonymous', name: 'Still', firstConnection: true });
  t.teardown(() => p.crash());
  const { conn } = await p.enter(p.roomName('Iota', 'Hall'), { x: 0, y: 0 });
  t.equal(conn.serverProps.get(Var.UPDATETIME), '50000', 'the old settings still apply');
});

t.test('RoomServer kill -HUP: a bad edit keeps the old settings; a good one applies at once', async (t) => {
  const rs = await startServer(RS_MAIN, 'RS', standaloneConfig('Connections 10 0'));
  t.teardown(() => rs.stop());
  const cfg = join(rs.dir, 'testRS.cfg');
  const db = 'RoomDatabase rs1 abc123 sqlite:rooms.db 60';
  writeFileSync(cfg, standaloneConfig(`Connections 1 0\n${db}\nFloodLimit x 400`));
  rs.kill('SIGHUP');
  await rs.waitLog(
    /\(testRS\.cfg\) - configuration not re-read \(testRS\.cfg:7: FloodLimit: framesPerSecond 'x' is not a whole number\); keeping the previous settings/,
  );
  const a = await joinStandalone(rs.port, 'Ann');
  const b = await joinStandalone(rs.port, 'Ben');
  t.pass('Connections 10 still applies: two users log in');
  b.close();
  await rs.waitLog(/Ben \(127\.0\.0\.1\)\non since/);
  writeFileSync(
    cfg,
    standaloneConfig(`Connections 1 0\n${db}`).replace('ClientUpdates 24 50000', 'ClientUpdates 24 100000'),
  );
  rs.kill('SIGHUP');
  await rs.waitLog(
    /re-read \(SIGHUP\): applied ClientUpdates, Connections; RoomDatabase changed but needs a restart \(old settings kept\)/,
  );
  const refused = await joinStandalone(rs.port, 'Cyd').catch((e: unknown) => e);
  t.ok(refused instanceof LoginRefused && refused.code === Nak.MAX_ORDINARY, 'Connections 1 applies at once');
  const probe = await ClientConnection.connect('127.0.0.1', rs.port);
  await probe.handshake();
  t.equal(probe.serverProps.get(Var.UPDATETIME), '100000', 'so does the new ClientUpdates interval');
  probe.close();
  t.notMatch(rs.log(), /room database .* open/, 'no room database was opened');
  a.close();
});

t.test('UserServer kill -HUP: new web settings reach the RoomServers and their clients', async (t) => {
  const g = await startGalaxy({ database: false, rsNames: ['first'] });
  t.teardown(() => g.stop());
  const rs = g.rs.get('first');
  if (!rs) throw new Error('no RoomServer');
  const usCfg = join(g.dir, 'galaxyUS.cfg');
  writeFileSync(usCfg, `${readFileSync(usCfg, 'utf8')}\nExternalHttpServer http://www.example.test/worlds\nLogging\n`);
  g.us.kill('SIGHUP');
  await g.us.waitLog(/re-read \(SIGHUP\): applied Logging, ExternalHttpServer\n/);
  await g.us.waitLog(/Logging enabled \(Logging in the configuration\)/);
  await rs.waitLog(/web and mail settings updated by the UserServer/);
  const c = await ClientConnection.connect('127.0.0.1', rs.port);
  t.teardown(() => c.close());
  await c.handshake();
  t.equal(c.serverProps.get(Var.EXTERNAL_HTTP_SERVER), 'http://www.example.test/worlds', 'the RoomServer sends it');
  const entry = await ClientConnection.connect('127.0.0.1', g.usPort);
  t.teardown(() => entry.close());
  await entry.handshake();
  t.equal(entry.serverProps.get(Var.EXTERNAL_HTTP_SERVER), 'http://www.example.test/worlds', 'so does the UserServer');
});
