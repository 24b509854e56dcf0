// Room ids as a managed resource (issue 6, §5.2 ROOMIDRQ): stable while in use, back to the pool
// only after the quiet period, never 0, recycled oldest first, exhaustion reported as null.
import t from 'tap';
import { IdPool } from '../../runtime/id-pool.js';

const QUIET = 1000;

t.test('§5.2 the same name keeps its id; ids start at 1, never 0', async (t) => {
  const pool = new IdPool();
  const a = pool.assign('W#A', 10, 0);
  t.same(a, { id: 1, fresh: true });
  t.same(pool.assign('W#A', 10, 5), { id: 1, fresh: false });
  t.same(pool.assign('W#B', 10, 5), { id: 2, fresh: true });
  t.equal(pool.nameOf(2), 'W#B');
  t.equal(pool.idOf('W#A'), 1);
  t.equal(pool.size, 2);
});

t.test('an id in use is never reclaimed; an unused one only after the quiet period', async (t) => {
  const pool = new IdPool();
  const { id } = pool.assign('W#A', 10, 0)!;
  pool.markUsed(id);
  t.same(pool.reclaim(10_000, QUIET), [], 'in use: kept however long');
  pool.markUnused(id, 20_000);
  t.same(pool.reclaim(20_000 + QUIET - 1, QUIET), [], 'quiet period not over');
  t.same(pool.reclaim(20_000 + QUIET, QUIET), [{ id, name: 'W#A' }]);
  t.equal(pool.idOf('W#A'), undefined);
  t.equal(pool.nameOf(id), undefined);
});

t.test('used again during its quiet period: the id stays with its name', async (t) => {
  const pool = new IdPool();
  const { id } = pool.assign('W#A', 10, 0)!;
  pool.markUsed(id);
  pool.markUnused(id, 100);
  t.same(pool.assign('W#A', 10, 200), { id, fresh: false });
  pool.markUsed(id);
  t.same(pool.reclaim(100 + 10 * QUIET, QUIET), []);
  t.equal(pool.idOf('W#A'), id);
});

t.test('an id allocated but never used is reclaimed after the quiet period (no leak)', async (t) => {
  const pool = new IdPool();
  pool.assign('W#A', 10, 0);
  t.same(pool.reclaim(QUIET - 1, QUIET), []);
  t.same(pool.reclaim(QUIET, QUIET), [{ id: 1, name: 'W#A' }]);
});

t.test('exhaustion: null until an id comes back; recycled ids go out oldest first', async (t) => {
  const pool = new IdPool();
  for (let i = 1; i <= 3; i++) pool.markUsed(pool.assign(`W#${i}`, 3, 0)!.id);
  t.equal(pool.assign('W#4', 3, 0), null, 'all 3 ids in use');
  t.equal(pool.available(3), 0);
  pool.markUnused(3, 10);
  pool.markUnused(1, 20);
  t.equal(pool.assign('W#4', 3, 20), null, 'quiet ids are not handed out early');
  t.same(
    pool.reclaim(10 + QUIET, QUIET).map((r) => r.id),
    [3],
  );
  t.same(
    pool.reclaim(20 + QUIET, QUIET).map((r) => r.id),
    [1],
  );
  t.equal(pool.available(3), 2);
  t.equal(pool.assign('W#4', 3, 2000)?.id, 3, 'the id out of use longest first');
  t.equal(pool.assign('W#5', 3, 2000)?.id, 1);
});

t.test('canFree can keep an id whose owner still needs it; it is then in use again', async (t) => {
  const pool = new IdPool();
  const { id } = pool.assign('W#A', 10, 0)!;
  t.same(
    pool.reclaim(QUIET, QUIET, () => false),
    [],
  );
  t.equal(pool.isUnused(id), false);
  t.equal(pool.idOf('W#A'), id);
});

t.test('a lowered maximum: recycled ids above it are not handed out again', async (t) => {
  const pool = new IdPool();
  for (let i = 1; i <= 5; i++) pool.assign(`W#${i}`, 5, 0);
  pool.reclaim(QUIET, QUIET);
  t.equal(pool.available(3), 5, 'an upper bound: recycled ids above the maximum are skipped when taken');
  const got = [pool.assign('X#1', 3, QUIET), pool.assign('X#2', 3, QUIET), pool.assign('X#3', 3, QUIET)];
  t.same(
    got.map((g) => g?.id),
    [1, 2, 3],
  );
  t.equal(pool.assign('X#4', 3, QUIET), null, '4 and 5 are above the maximum');
});

t.test('a long recycle queue is compacted (memory stays proportional to the free ids)', async (t) => {
  const pool = new IdPool();
  const n = 5000;
  for (let i = 1; i <= n; i++) pool.assign(`W#${i}`, n, 0);
  t.equal(pool.reclaim(QUIET, QUIET, () => true, n).length, n);
  const ids = new Set<number>();
  for (let i = 1; i <= n; i++) ids.add(pool.assign(`X#${i}`, n, QUIET)?.id ?? 0);
  t.equal(ids.size, n, 'every recycled id handed out once');
  t.notOk(ids.has(0), 'never 0, never exhausted early');
  t.equal(pool.assign('Y#1', n, QUIET), null);
});

t.test('a pool can start at another id: one half of the id space (a redundant UserServer)', async (t) => {
  const pool = new IdPool(0x8000);
  t.same(pool.assign('W#A', 0x8001, 0), { id: 0x8000, fresh: true });
  t.same(pool.assign('W#B', 0x8001, 0), { id: 0x8001, fresh: true });
  t.equal(pool.assign('W#C', 0x8001, 0), null, 'its last id reached');
  t.equal(pool.available(0x8001), 0);
});

t.test('claim: a name keeps the id another server gave it; new ids skip it', async (t) => {
  const pool = new IdPool();
  t.equal(pool.claim('W#Known', 3, 0), 'claimed');
  t.equal(pool.claim('W#Known', 3, 0), 'known');
  t.equal(pool.claim('W#Other', 3, 0), 'conflict', 'the id names another room');
  t.equal(pool.claim('W#Known', 4, 0), 'conflict', 'the name has another id');
  t.same(
    ['W#A', 'W#B', 'W#C'].map((n) => pool.assign(n, 10, 0)?.id),
    [1, 2, 4],
    'fresh ids skip the claimed one',
  );
  t.ok(pool.isUnused(3), 'unused until someone uses it');
  const freed = pool.reclaim(QUIET, QUIET);
  t.ok(
    freed.some((r) => r.id === 3),
    'a claimed id nobody used goes back like any other',
  );
  t.equal(pool.claim('W#E', 1, QUIET), 'claimed', 'an id waiting in the recycle queue may be claimed');
  t.same(
    ['W#D', 'W#F', 'W#G'].map((n) => pool.assign(n, 10, QUIET)?.id),
    [3, 2, 4],
    'and the queue skips it',
  );
});
