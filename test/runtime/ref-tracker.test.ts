// Who holds which room id (issue 6): per holder and per id, and what a closing holder frees.
import t from 'tap';
import { RefTracker } from '../../runtime/ref-tracker.js';

t.test('counts holders per id; the first holder is reported', async (t) => {
  const r = new RefTracker<object>();
  const a = {};
  const b = {};
  t.equal(r.add(a, 7), true, 'first holder of 7');
  t.equal(r.add(a, 7), false, 'holding twice counts once');
  t.equal(r.add(b, 7), false);
  t.equal(r.count(7), 2);
  t.equal(r.heldBy(a), 1);
  t.ok(r.holds(b, 7));
  t.notOk(r.holds(b, 8));
  t.equal(r.size, 1);
  t.equal(r.pairs, 2);
});

t.test('a holder that goes frees only the ids nobody else holds', async (t) => {
  const r = new RefTracker<object>();
  const a = {};
  const b = {};
  r.add(a, 1);
  r.add(a, 2);
  r.add(b, 2);
  t.same(r.dropHolder(a), [1]);
  t.equal(r.count(2), 1);
  t.same(r.dropHolder(a), [], 'twice: nothing more');
  t.same(r.dropHolder(b), [2]);
  t.equal(r.size, 0);
  t.equal(r.pairs, 0);
});

t.test('drop one id of one holder', async (t) => {
  const r = new RefTracker<object>();
  const a = {};
  r.add(a, 3);
  t.equal(r.drop(a, 4), false, 'not held');
  t.equal(r.drop(a, 3), true, 'last holder');
  t.equal(r.heldBy(a), 0);
  t.equal(r.count(3), 0);
});
