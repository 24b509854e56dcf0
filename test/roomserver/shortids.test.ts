import t from 'tap';
import { ShortIdTable } from '../../roomserver/shortids.js';

t.test('§3.3 ids 2..127, cached after release, long form when all are in sight', async (t) => {
  const table = new ShortIdTable<{ n: number }>();
  const objs = Array.from({ length: 130 }, (_, n) => ({ n }));
  const ids = objs.slice(0, 126).map((o) => table.acquire(o));
  t.same(ids.slice(0, 3), [2, 3, 4], 'numbered from 2 like the real RS');
  t.ok(ids.every((id) => id >= 2 && id <= 127));
  t.equal(new Set(ids).size, 126);
  t.equal(table.acquire(objs[126] as { n: number }), 0, 'all 126 in sight: long form');
  t.equal(table.fresh, false);
  t.equal(table.acquire(objs[0] as { n: number }), 2, 'known object keeps its id');
  t.equal(table.fresh, false, 'no REGOBJID needed');
  table.release(objs[5] as { n: number });
  table.release(objs[3] as { n: number });
  const reused = table.acquire(objs[127] as { n: number });
  t.equal(reused, 7, 'least recently released mapping is reused first');
  t.equal(table.fresh, true);
  t.equal(table.lookup(7), objs[127]);
  t.equal(table.idFor(objs[5] as { n: number }), 0, 'evicted mapping is gone');
  table.forget(objs[10] as { n: number });
  t.equal(table.acquire(objs[128] as { n: number }), 12, 'forgotten id is free at once');
  t.equal(table.lookup(200), null);
  t.equal(table.mapped, 126);
});
