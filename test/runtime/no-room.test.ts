// AG-24: a room nobody can serve: the client told once per connection, the log once per window.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ServerLog } from '../../runtime/log.js';
import { RoomRefusals } from '../../runtime/no-room.js';

t.test('told once per connection, logged once per window with a count', async (t) => {
  const log = new ServerLog({
    baseName: 'x',
    dir: mkdtempSync(join(tmpdir(), 'ws-')),
    toStdout: false,
    tracing: false,
  });
  t.teardown(() => log.close());
  let now = 0;
  const refusals = new RoomRefusals(log, 'start a RoomServer', 60_000, () => now);
  const sent: Buffer[] = [];
  const a = { toldNoRoom: false, conn: { sendAll: (f: readonly Buffer[]) => void sent.push(...f) } };
  const b = { toldNoRoom: false, conn: { sendAll: (f: readonly Buffer[]) => void sent.push(...f) } };
  for (let i = 0; i < 10; i++) refusals.refused(a, 'Ann', '10.0.0.1', `W#R${i}`, 'no RoomServer is connected');
  refusals.refused(b, 'Ben', '10.0.0.2', 'W#R', 'no RoomServer is connected');
  t.equal(sent.length, 2, 'one notice for each connection');
  t.match(sent[0]?.toString('latin1'), /no room can be served right now \(no RoomServer is connected\)/);
  now = 61_000;
  refusals.refused(a, 'Ann', '10.0.0.1', 'W#Z', 'no RoomServer is connected');
  log.flush();
  const lines = readFileSync(log.logPath, 'utf8').trimEnd().split('\n');
  t.equal(lines.length, 2, 'two windows, two lines');
  t.match(lines[0], /\(Ann\) - room W#R0 cannot be served: no RoomServer is connected; start a RoomServer/);
  t.match(lines[1], /room W#Z cannot be served: .*; 10 more refused in the previous 60 s/);
});
