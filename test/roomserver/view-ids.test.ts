// Short ids as the view hands them out (§3.3): cached while an avatar is out of sight, freed when it
// logs off, and never resolving to a user who has gone (roomserver/shortids.ts, view.ts, world.ts).
import t from 'tap';
import { ViewUpdater } from '../../roomserver/view.js';
import { FakeWorld, STRICT_CROWD } from '../helpers/fake-world.js';

t.test('an avatar that comes back into sight keeps its short id; one that logs off frees it', async (t) => {
  const f = new FakeWorld();
  const room = f.room();
  const viewer = f.user(room, 0, 0, 1);
  const a = f.user(room, 100, 0);
  const b = f.user(room, 500, 0);
  const view = new ViewUpdater(STRICT_CROWD);

  view.update(viewer, 0);
  t.same([...viewer.visible.keys()], [a], 'the nearest one is shown');
  t.equal(viewer.visible.get(a)?.id, 2, 'with the first short id');
  t.equal(a.wireIdIn(viewer), 2);

  f.world.move(b, 50, 0, 0, 0);
  view.update(viewer, 1000);
  t.same([...viewer.visible.keys()], [b], 'b came nearer and replaced a');
  t.equal(viewer.visible.get(b)?.id, 3, 'b gets a new id: a stays cached under 2');
  t.equal(viewer.ids.idOf(a.serial), 2);
  t.same(a.wireIdIn(viewer), a.longId, 'what the viewer does not show is named by its long id');

  f.world.move(a, 10, 0, 0, 0);
  view.update(viewer, 2000);
  t.equal(viewer.visible.get(a)?.id, 2, 'a is back under its cached id');
  t.equal(viewer.ids.fresh, false, 'so no REGOBJID was needed');

  ViewUpdater.departNow(a, f.world.remove(a));
  t.equal(viewer.ids.idOf(a.serial), 0, 'logged off: the id is free at once');
  t.notOk(f.world.bySerial.has(a.serial));
  t.equal(f.world.byShortId(viewer, 3), b, 'b, cached, is still found by its id');

  ViewUpdater.departNow(b, f.world.remove(b));
  t.equal(viewer.ids.serialAt(3), b.serial, 'a cached mapping of one who logged off stays in the table');
  t.equal(f.world.byShortId(viewer, 3), undefined, 'but names nobody');
  t.equal(f.world.bySerial.size, 1, 'only the viewer is left');
});
