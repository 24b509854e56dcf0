import t from 'tap';
import { OverloadMeter, Ticker } from '../../roomserver/tick.js';
import { FakeWorld } from '../helpers/fake-world.js';

t.test('AG-31 ALERT after more than 5 late intervals in an hour, once per hour', async (t) => {
  const m = new OverloadMeter(0);
  const interval = 1000;
  t.notOk(m.record(900, 0, interval), 'on time');
  t.notOk(m.record(2000, 1000, interval), 'exactly at the next due time is still on time');
  const alerts: boolean[] = [];
  for (let i = 0; i < 8; i++) alerts.push(m.record(10_000 + i * 3000, 10_000 + i * 3000 - 1500, interval));
  t.same(
    alerts,
    [false, false, false, false, false, true, false, false],
    'the sixth late interval alerts, then silence',
  );
  t.equal(m.missedThisHour, 8);
  t.notOk(m.record(3_700_000, 3_700_000 - 1500, interval), 'a new hour starts counting again');
  t.equal(m.missedThisHour, 1);
  t.equal(m.missed, 9);
});

t.test('what a turn reads during a tick goes out before the next slice, not after it', async (t) => {
  const f = new FakeWorld();
  const room = f.room();
  const users = Array.from({ length: 300 }, (_, i) => f.user(room, (i % 20) * 300, Math.floor(i / 20) * 300));
  const first = users[0] as (typeof users)[number];
  const last = users[users.length - 1] as (typeof users)[number];
  // sliceMs 0: the tick yields after every chunk of viewers, so a 300-viewer tick takes several turns.
  const ticker = new Ticker(f.world, { intervalMs: 1, budgetShare: 1, sliceMs: 0, onOverload: () => {} });
  t.teardown(() => ticker.stop());
  const chat = Buffer.from('a chat line read between two slices');
  const arrivalsWhenChatWritten = new Promise<number>((resolve) => {
    const firstWrite = first.socket.write.bind(first.socket);
    first.socket.write = (data: Buffer) => {
      // The first slice is writing: the turn after it "reads" a chat line for the last viewer.
      if (first.socket.writes === 0) setImmediate(() => last.conn.send(chat));
      return firstWrite(data);
    };
    const lastWrite = last.socket.write.bind(last.socket);
    last.socket.write = (data: Buffer) => {
      if (data.equals(chat)) resolve(ticker.updater.counters.arrivals);
      return lastWrite(data);
    };
  });
  ticker.start();
  const arrivals = await arrivalsWhenChatWritten;
  t.equal(arrivals, 64 * 6, 'written when only the first slice (64 viewers, 6 arrivals each) had been updated');
  t.equal(last.socket.writes, 1, 'alone: the last viewer’s tick update came later, in its own write');
});
