// A full collection is asked for only when nobody is connected and much was freed since the last.
import t from 'tap';
import { IdleCompaction } from '../../runtime/idle-compaction.js';

t.test('only when empty and past the threshold; the count starts again after each', async (t) => {
  const c = new IdleCompaction(10);
  t.teardown(() => c.close());
  c.noteFreed(9);
  t.notOk(c.maybeCompact(0), 'not enough freed');
  c.noteFreed(1);
  t.notOk(c.maybeCompact(3), 'someone is connected');
  t.ok(c.maybeCompact(0), 'empty, 10 freed: one collection');
  t.notOk(c.maybeCompact(0), 'nothing freed since');
  c.noteFreed(25);
  t.ok(c.maybeCompact(0));
  t.equal(c.compactions, 2);
});
