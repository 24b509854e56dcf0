// Room ids of the other WorldServer's half held on this side (userserver/backup/room-ids.ts): held
// by client connections and RoomServers like the ids of this side, released to the other side with
// the count of answers received once nobody refers to them, announced again after the link formed.
import t from 'tap';
import { PeerRoomIds } from '../../userserver/backup/room-ids.js';

const ROOM = 'Plaza#Hall<dimension-1;2>';

t.test('a RoomServer holds an id until it released every answer; then it goes back', async (t) => {
  const ids = new PeerRoomIds();
  const rs = {};
  ids.answered(7, ROOM);
  ids.grant(rs, 7);
  ids.answered(7, ROOM);
  ids.grant(rs, 7);
  t.equal(ids.idOf(ROOM), 7);
  t.equal(ids.release(rs, 7, 1), null, 'one answer still on its way to the RoomServer');
  t.same(ids.release(rs, 7, 1), { room: 7, grants: 2 }, 'both answers released to the other side at once');
  t.equal(ids.idOf(ROOM), undefined, 'forgotten here');
  t.equal(ids.size, 0);
});

t.test('client connections and RoomServers together: the last holder to go releases', async (t) => {
  const ids = new PeerRoomIds();
  const rs = {};
  const session = {};
  ids.answered(9, ROOM);
  ids.hold(session, 9);
  ids.answered(9, ROOM);
  ids.grant(rs, 9);
  t.ok(ids.holds(session, 9));
  t.equal(ids.heldBy(session), 1);
  t.same(ids.dropHolder(session), [], 'the RoomServer still holds it');
  t.same(ids.dropHolder(rs), [{ room: 9, grants: 2 }], 'the RoomServer left: released with both answers');
});

t.test('an answer nobody could be given is released at once; one still held is not', async (t) => {
  const ids = new PeerRoomIds();
  ids.answered(3, ROOM);
  t.same(ids.abandon(3), { room: 3, grants: 1 });
  const session = {};
  ids.answered(4, 'Plaza#Gate<dimension-1;2>');
  ids.hold(session, 4);
  ids.answered(4, 'Plaza#Gate<dimension-1;2>');
  t.equal(ids.abandon(4), null, 'someone holds it');
});

t.test('a lost link: the other side forgot us; ids still held are announced once it is back', async (t) => {
  const ids = new PeerRoomIds();
  const session = {};
  ids.answered(5, ROOM);
  ids.hold(session, 5);
  ids.answered(6, 'Plaza#Gone<dimension-1;2>');
  ids.hold(session, 6);
  ids.linkLost();
  t.same(
    ids.stillHeld().sort((a, b) => a.room - b.room),
    [
      { room: 5, name: ROOM },
      { room: 6, name: 'Plaza#Gone<dimension-1;2>' },
    ],
  );
  t.same(
    ids.dropHolder(session).sort((a, b) => a.room - b.room),
    [
      { room: 5, grants: 1 },
      { room: 6, grants: 1 },
    ],
    'each announcement counts as one answer',
  );
  const other = new PeerRoomIds();
  other.answered(8, ROOM);
  other.hold(session, 8);
  other.linkLost();
  t.same(other.dropHolder(session), [], 'released while the link is down: nothing to send, the other side forgot it');
});
