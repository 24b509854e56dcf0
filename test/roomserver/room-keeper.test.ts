// The RoomServer's room and id bookkeeping (issue 6): rooms leave memory when idle, ids are given
// up when no connection holds them (stand-alone: after the quiet period; linked: ROOM_RELEASE with
// the number of grants received), and a known id brings its room back.
import t from 'tap';
import { DEFAULT_ROOM_LIMITS, type RoomLimits } from '../../runtime/config-limits.js';
import { RoomKeeper } from '../../roomserver/room-keeper.js';
import { RoomTable, type Room } from '../../roomserver/room.js';

function setup(standalone: boolean, limits: Partial<RoomLimits> = {}) {
  const rooms = new RoomTable();
  const dropped: string[] = [];
  const released: [number, number][] = [];
  const stored = new Set<Room>();
  const keeper = new RoomKeeper(
    rooms,
    {
      limits: () => ({ ...DEFAULT_ROOM_LIMITS, quietMs: 1000, ...limits }),
      mayForget: (room) => room.shared.size === 0 || stored.has(room),
      dropped: (room) => dropped.push(room.name),
      release: (id, grants) => released.push([id, grants]),
    },
    standalone,
  );
  return { rooms, keeper, dropped, released, stored };
}

t.test('stand-alone: an id held by a connection stays; released ids come back after the quiet period', async (t) => {
  const { rooms, keeper, dropped } = setup(true, { maxIds: 2 });
  const a = {};
  const r1 = keeper.allocate('W#1', 0)!;
  const r2 = keeper.allocate('W#2', 0)!;
  keeper.hold(a, r1.id);
  keeper.hold(a, r2.id);
  t.equal(keeper.allocate('W#3', 0), null, 'two ids, both taken');
  keeper.sweep(10);
  t.same(dropped.sort(), ['W#1', 'W#2'], 'idle rooms leave memory at once');
  t.equal(keeper.idOfName('W#1'), r1.id, 'their ids stay while held');
  t.equal(keeper.sweep(5000).length, 0, 'held: never reclaimed');
  t.equal(keeper.recall(r1.id)?.name, 'W#1', 'using the id brings the room back');
  keeper.holderGone(a);
  keeper.sweep(6000);
  t.equal(keeper.sweep(6999).length, 0, 'quiet period running');
  t.same(
    keeper.sweep(7000).map((r) => r.name),
    ['W#1', 'W#2'],
    'back in the pool once the quiet period is over',
  );
  t.equal(rooms.size, 0);
  t.ok(keeper.allocate('W#3', 7000), 'a new room gets an id again');
});

t.test('stand-alone: a room with state only in memory keeps its id', async (t) => {
  const { keeper, stored } = setup(true);
  const a = {};
  const room = keeper.allocate('W#S', 0)!;
  keeper.hold(a, room.id);
  room.shared.set(1, { id: 1, flags: 0, access: 0, value: 'x' });
  keeper.holderGone(a);
  keeper.sweep(0);
  t.equal(keeper.sweep(1_000_000).length, 0, 'not while its state is only in memory');
  stored.add(room);
  keeper.sweep(1_000_001);
  t.same(
    keeper.sweep(1_002_000).map((r) => r.name),
    ['W#S'],
    'once stored, it goes like any other',
  );
});

t.test('linked: ROOM_RELEASE counts the grants received; elsewhere rooms are never created here', async (t) => {
  const { keeper, released, rooms } = setup(false);
  const a = {};
  const here = rooms.adopt('W#Here', 7);
  keeper.granted(7, 'W#Here', true);
  keeper.granted(7, 'W#Here', true);
  keeper.granted(9, 'X#There', false);
  keeper.hold(a, 7);
  keeper.hold(a, 9);
  keeper.sweep(0);
  t.same(released, [], 'held by a connection: nothing released');
  t.equal(rooms.byRoomId(7), undefined, 'but the idle room left memory');
  t.equal(keeper.recall(7)?.name, here.name, 'and comes back when used');
  t.equal(keeper.recall(9), null, 'a room served elsewhere is not created here');
  t.equal(keeper.idOfName('X#There'), 9);
  keeper.holderGone(a);
  keeper.sweep(1);
  t.same(released.sort(), [
    [7, 2],
    [9, 1],
  ]);
  t.equal(keeper.idOfName('W#Here'), undefined);
  keeper.granted(7, null, true);
  keeper.sweep(2);
  t.same(released.at(-1), [7, 1], 'a late answer is counted and released on its own');
});

t.test('linked: a lost UserServer voids every id; rooms with state stay by name', async (t) => {
  const { keeper, rooms } = setup(false);
  const kept = rooms.adopt('W#State', 3);
  kept.shared.set(1, { id: 1, flags: 0, access: 0, value: 'x' });
  rooms.adopt('W#Empty', 4);
  keeper.granted(3, 'W#State', true);
  keeper.granted(4, 'W#Empty', true);
  keeper.linkLost();
  t.equal(rooms.byRoomId(3), undefined);
  t.equal(rooms.byRoomName('W#State')?.id, 0, 'kept without an id');
  t.equal(rooms.byRoomName('W#Empty'), undefined, 'the empty one left memory');
  t.equal(rooms.adopt('W#State', 12), kept, 'a new id re-keys it, state and all');
  t.equal(kept.shared.size, 1);
});
