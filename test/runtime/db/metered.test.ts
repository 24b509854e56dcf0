// Database calls counted and timed (AG-41: query latency and errors) without touching a backend.
import t from 'tap';
import { DbMeter, metered, registerDbStats } from '../../../runtime/db/metered.js';
import { StatsRegistry } from '../../../runtime/stats.js';

class FakeStore {
  readonly description = 'fake';
  calls: string[] = [];
  async findUser(name: string): Promise<string | null> {
    this.calls.push(`find ${name}`);
    await new Promise((r) => setTimeout(r, 15));
    return name === 'bob' ? 'Bob' : null;
  }
  async addUsage(): Promise<boolean> {
    throw new Error('database is locked');
  }
  async probe(): Promise<void> {
    this.calls.push('probe');
  }
  async close(): Promise<void> {
    this.calls.push('close');
  }
  label(): string {
    return `store ${this.description}`;
  }
}

t.test('every call that returns a promise is counted and timed; failures counted as errors', async (t) => {
  const meter = new DbMeter();
  const inner = new FakeStore();
  const db = metered(inner, meter);
  t.equal(await db.findUser('bob'), 'Bob', 'results pass through');
  t.equal(await db.findUser('eve'), null);
  await t.rejects(db.addUsage(), /database is locked/, 'failures pass through');
  t.equal(meter.calls, 3);
  t.equal(meter.errors, 1);
  t.equal(meter.latency.count, 3);
  t.ok(meter.latency.quantile(0.5) >= 10, `the wait is measured (${meter.latency.quantile(0.5)} ms)`);
  t.equal(db.description, 'fake', 'properties pass through');
  t.equal(db.label(), 'store fake', 'methods run on the real object');
  await db.probe();
  await db.close();
  t.equal(meter.calls, 3, 'health probes and close are not queries');
  t.same(inner.calls, ['find bob', 'find eve', 'probe', 'close']);
});

t.test('registerDbStats: queries, errors and latency percentiles under a prefix', async (t) => {
  const reg = new StatsRegistry('userserver', 'Galaxy');
  const meter = new DbMeter();
  registerDbStats(reg, meter, 'user_db', 'user database');
  meter.calls = 7;
  meter.errors = 2;
  for (const ms of [1, 2, 3, 40]) meter.latency.record(ms);
  t.same(reg.names, [
    'user_db_queries',
    'user_db_errors',
    'user_db_query_ms',
    'user_db_query_ms_p50',
    'user_db_query_ms_p99',
  ]);
  t.equal(reg.read('user_db_queries')?.value, 7);
  t.equal(reg.read('user_db_errors')?.kind, 'change');
  t.equal(reg.read('user_db_query_ms_p99')?.value, 40);
  t.equal(reg.read('user_db_query_ms_p50')?.value, 2);
});
