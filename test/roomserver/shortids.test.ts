import t from 'tap';
import { ShortIdTable, nextSerial } from '../../roomserver/shortids.js';

t.test('§3.3 ids 2..127, cached after release, long form when all are in sight', async (t) => {
  const table = new ShortIdTable();
  const serials = Array.from({ length: 130 }, () => nextSerial());
  const s = (n: number): number => serials[n] as number;
  const ids = serials.slice(0, 126).map((serial) => table.acquire(serial));
  t.same(ids.slice(0, 3), [2, 3, 4], 'numbered from 2 like the real RS');
  t.ok(ids.every((id) => id >= 2 && id <= 127));
  t.equal(new Set(ids).size, 126);
  t.equal(table.acquire(s(126)), 0, 'all 126 in sight: long form');
  t.equal(table.fresh, false);
  t.equal(table.acquire(s(0)), 2, 'known object keeps its id');
  t.equal(table.fresh, false, 'no REGOBJID needed');
  table.release(7);
  table.release(5);
  const reused = table.acquire(s(127));
  t.equal(reused, 7, 'least recently released mapping is reused first');
  t.equal(table.fresh, true);
  t.equal(table.serialAt(7), s(127));
  t.equal(table.idOf(s(5)), 0, 'evicted mapping is gone');
  t.equal(table.idOf(s(3)), 5, 'a released mapping stays cached');
  t.equal(table.acquire(s(3)), 5, 'and comes back without a REGOBJID');
  t.equal(table.fresh, false);
  table.forget(12);
  t.equal(table.serialAt(12), 0);
  t.equal(table.acquire(s(128)), 12, 'forgotten id is free at once');
  t.equal(table.serialAt(200), 0);
  t.equal(table.serialAt(1), 0, 'ids below 2 are not short ids');
  t.equal(table.mapped, 126);
});

t.test('a table grows with the ids it hands out and frees by id', async (t) => {
  const table = new ShortIdTable();
  t.equal(table.mapped, 0);
  t.equal(table.idOf(nextSerial()), 0, 'an empty table knows nothing');
  const a = nextSerial();
  const b = nextSerial();
  t.equal(table.acquire(a), 2);
  t.equal(table.acquire(b), 3);
  table.release(99);
  table.forget(99);
  t.equal(table.mapped, 2, 'ids never handed out change nothing');
  table.forget(2);
  t.equal(table.idOf(a), 0);
  t.equal(table.acquire(nextSerial()), 2, 'the freed id before a new one');
  for (let n = 0; n < 40; n++) table.acquire(nextSerial());
  t.equal(table.idOf(b), 3, 'mappings survive the table growing');
  t.equal(table.mapped, 42);
});

t.test('serials are never 0', async (t) => {
  const seen = new Set<number>();
  for (let n = 0; n < 1000; n++) seen.add(nextSerial());
  t.equal(seen.size, 1000);
  t.notOk(seen.has(0));
});
