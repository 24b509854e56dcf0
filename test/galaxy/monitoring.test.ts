// Watching a running galaxy (AG-41, AG-42): /metrics while users move and chat, the galaxy's load
// on the UserServer, `kill -USR2` (show stats) and StatsRecord, on real US_v11/RS_v11 processes.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Nak } from '../../protocol/constants.js';
import type { Player } from '../../protocol/player.js';
import { startGalaxy } from '../helpers/galaxy.js';
import { get, metric, metrics, statsJson, until } from '../helpers/status.js';

const g = await startGalaxy({
  database: false,
  usExtra: 'StatusHttp 0\nStatsSample 0.2',
  rsExtra: 'StatusHttp 0\nStatsSample 0.2\nStatsRecord 0.2 stats.csv',
});
t.teardown(() => g.stop());

const first = g.rs.get('first');
const second = g.rs.get('second');
if (!first || !second) throw new Error('two RoomServers expected');

// Five users in two worlds: the UserServer puts each world on the RoomServer with fewer worlds.
const players: Player[] = [];
for (const [i, world] of ['Alpha', 'Alpha', 'Alpha', 'Beta', 'Beta'].entries()) {
  const p = await g.login({ kind: 'anonymous', name: `watcher${i}`, firstConnection: true });
  await p.enter(p.roomName(world, 'Plaza'), { x: i * 100, y: 0 });
  players.push(p);
}
t.teardown(async () => {
  for (const p of players) await p.logoff().catch(() => p.crash());
});
const portOf = (p: Player) => p.room?.conn.socket.remotePort;
const on = (rs: typeof first) => players.filter((p) => portOf(p) === rs.port).length;

t.test('/metrics while users move and chat: valid exposition; user counts equal the connected clients', async (t) => {
  t.equal(on(first) + on(second), 5, 'every player stands on one of the two RoomServers');
  t.ok(on(first) > 0 && on(second) > 0, 'both RoomServers serve someone');
  for (const [i, p] of players.entries()) {
    p.move({ x: i * 100 + 10, y: 20 });
    p.say(`hello from ${p.name}`);
  }
  // Each speaker hears his own line once the RoomServer has handled it.
  for (const p of players) await p.room?.conn.expectCmd('TEXT', (c) => c.text === `hello from ${p.name}`);

  const us = await metrics(g.us);
  t.same(metric(us, 'worldserver_userserver_users'), [5], 'the UserServer counts five users in the galaxy');
  t.same(metric(us, 'worldserver_userserver_roomservers'), [2]);
  t.same(metric(us, 'worldserver_userserver_users_by_kind', { kind: 'anonymous' }), [5]);
  t.same(metric(us, 'worldserver_userserver_logins_total'), [5]);
  t.ok((metric(us, 'process_resident_memory_bytes')[0] ?? 0) > 0, "prom-client's process metrics");
  for (const rs of [first, second]) {
    const m = await metrics(rs);
    const name = rs === first ? 'first' : 'second';
    t.same(metric(m, 'worldserver_roomserver_users', { server: name }), [on(rs)], `${name}: users`);
    t.same(metric(m, 'worldserver_roomserver_connections_by_state', { state: 'live' }), [on(rs)]);
    t.same(metric(m, 'worldserver_roomserver_chat_lines_total'), [on(rs)], `${name}: one chat line per user`);
    t.same(metric(m, 'worldserver_roomserver_logins_total'), [on(rs)]);
    t.same(metric(m, 'worldserver_roomserver_link_up'), [1]);
    t.ok((metric(m, 'worldserver_roomserver_received_bytes_total')[0] ?? 0) > 0, 'bytes in');
    t.ok((metric(m, 'worldserver_roomserver_frames_sent_total')[0] ?? 0) > 0, 'frames out');
    t.ok((metric(m, 'worldserver_roomserver_ticks_total')[0] ?? 0) > 0, 'the tick runs');
    t.equal(metric(m, 'worldserver_roomserver_tick_p99_seconds').length, 1);
    t.equal(
      metric(m, 'worldserver_roomserver_logins_refused_total').length,
      Object.keys(Nak).length - 1,
      'one series per NAK code',
    );
  }

  // The UserServer's view of the galaxy comes from each RoomServer's reports (RS_STATS).
  for (const [rs, name] of [
    [first, 'first'],
    [second, 'second'],
  ] as const) {
    await until(`the galaxy panel to show ${name}'s users`, async () => {
      const m = await metrics(g.us);
      return metric(m, 'worldserver_userserver_galaxy_users', { roomserver: name })[0] === on(rs) ? true : undefined;
    });
  }
  const panel = JSON.parse((await get(g.us, '/status.json')).body) as {
    galaxy: { servers: { name: string; users: number; rooms: number }[] };
  };
  t.same(
    panel.galaxy.servers.map((s) => [s.name, s.users]),
    [
      ['first', on(first)],
      ['second', on(second)],
    ],
    'the status page lists every RoomServer with its population',
  );
  const rs = JSON.parse((await get(first, '/status.json')).body) as { galaxy: unknown; health: { ok: boolean } };
  t.equal(rs.galaxy, null, 'a RoomServer has no galaxy panel');
  t.ok(rs.health.ok);
});

t.test('/stats as text (show stats lines) and as JSON', async (t) => {
  const text = await get(first, '/stats');
  t.equal(text.status, 200);
  t.match(text.body, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} show stats: \d+ stats of roomserver\.first/);
  t.match(text.body, new RegExp(`^roomserver\\.first\\.users : ${on(first)} users$`, 'm'));
  t.match(text.body, /^roomserver\.first\.chat_lines : \d+ lines, [\d.]+\/s, [\d.]+\/s$/m);
  t.match(text.body, /^roomserver\.first\.login_failure_ratio : [\d.]+% \(\d+\/\d+\)$/m);
  const byAccept = await get(first, '/stats', 'application/json');
  t.equal(JSON.parse(byAccept.body).server.name, 'first', 'Accept: application/json gives JSON');
  const j = await statsJson(first);
  t.equal(j.stats.get('users')?.value, on(first));
  t.equal(j.stats.get('users')?.fullName, 'roomserver.first.users');
  t.ok(j.sampledAt > 0);
  t.equal((await get(first, '/no-such-page')).status, 404);
});

t.test('kill -USR2 writes a show stats report to the log', async (t) => {
  for (const [p, head] of [
    [first, 'roomserver\\.first'],
    [g.us, 'userserver\\.Galaxy'],
  ] as const) {
    p.kill('SIGUSR2');
    const m = await p.waitLog(new RegExp(`^.{24} show stats: (\\d+) stats of ${head}.*\\n((?:${head}\\..*\\n)+)`, 'm'));
    const lines = (m[2] as string).trimEnd().split('\n');
    t.equal(lines.length, Number(m[1]), `every stat of ${head.replace('\\', '')}, one line each`);
    const users = p === first ? on(first) : 5;
    t.ok(lines.includes(`${head.replace('\\', '')}.users : ${users} users`), `its users: ${users}`);
  }
});

t.test('StatsRecord appends a row every period: time, then one column per stat', async (t) => {
  const file = join(g.dir, 'stats.csv');
  const read = () => readFileSync(file, 'utf8').trimEnd().split('\n');
  const rows = await until('six rows of stats', async () => {
    // Both RoomServers run in one directory: the second one found the first one's header and
    // wrote its own file (stats.1.csv), since the header names the server.
    const lines = read();
    return lines.length >= 7 ? lines : undefined;
  });
  const header = (rows[0] as string).split(',');
  t.equal(header[0], 'time');
  const server = header[1]?.split('.')[1] as string;
  t.ok(['first', 'second'].includes(server));
  t.ok(header.includes(`roomserver.${server}.users`) && header.includes(`roomserver.${server}.tick_ms_p99`));
  const data = rows.slice(1).map((r) => r.split(','));
  t.ok(
    data.every((r) => r.length === header.length),
    'every row has a field for every column',
  );
  const times = data.map((r) => Date.parse(r[0] as string));
  for (let i = 1; i < times.length; i++)
    t.ok((times[i] as number) - (times[i - 1] as number) >= 150, `row ${i} a period later`);
  const col = header.indexOf(`roomserver.${server}.users`);
  const rs = server === 'first' ? first : second;
  await until('a row with the current users', async () => {
    const last = read().at(-1)?.split(',');
    return last?.[col] === String(on(rs)) ? true : undefined;
  });
  const other = join(g.dir, 'stats.1.csv');
  t.match(
    readFileSync(other, 'utf8'),
    new RegExp(`^time,roomserver\\.${server === 'first' ? 'second' : 'first'}\\.users,`),
  );
  t.match(
    rs.log() + (server === 'first' ? second : first).log(),
    /stats\.csv holds other stats; stats record writes to stats\.1\.csv instead/,
  );
});
