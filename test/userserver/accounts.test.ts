// Usage accounting (AG-14): whole minutes per write-back, the remainder carried, the logon counted
// once per session, the last part-minute rounded at logoff.
import t from 'tap';
import { Accounts, persistentProps } from '../../userserver/accounts.js';
import type { ActiveUser } from '../../userserver/users.js';

function user(start: number): ActiveUser {
  return {
    name: 'Fred',
    key: 'fred',
    session: '1',
    replaces: '',
    kind: 'registered',
    privileges: 0,
    channel: 'dimension-1',
    serial: 'TEST000000000000',
    clientVersion: '2004080500',
    address: '127.0.0.1',
    loginAt: new Date(start),
    props: new Map([
      [5, { id: 5, flags: 0x40, access: 1, value: 'avatar:pengo.mov' }],
      [11, { id: 11, flags: 0x80, access: 1, value: 'fred@example.test' }],
    ]),
    propsDirty: true,
    buddies: new Map(),
    verifier: Buffer.alloc(32),
    client: null,
    servers: new Set(),
    lastServer: null,
    guestSlot: null,
    timesOnCounted: false,
    accountedUntil: start,
    lingerTimer: null,
    absentSince: null,
  };
}

const MIN = 60_000;

t.test('write-backs add whole minutes and carry the rest; logoff rounds the last part', async (t) => {
  const u = user(0);
  const first = Accounts.pendingUsage(u, 2.5 * MIN, false);
  t.same([first.timesOn, first.minutes], [1, 2], 'first write-back: the logon and 2 whole minutes');
  t.same(
    first.props,
    [{ id: 11, flags: 0x80, access: 1, value: 'fred@example.test' }],
    'only DBSTORE properties are stored',
  );
  const second = Accounts.pendingUsage(u, 3.9 * MIN, false);
  t.same(
    [second.timesOn, second.minutes, second.props],
    [0, 1, null],
    'the half minute carried over; unchanged properties not rewritten',
  );
  const last = Accounts.pendingUsage(u, 4.6 * MIN, true);
  t.same([last.timesOn, last.minutes], [0, 2], 'logoff: the 1.6 minutes left round to 2');
  t.ok(last.props, 'logoff stores the properties');
  t.equal(
    first.minutes + second.minutes + last.minutes,
    Math.round(4.6),
    'nothing lost or counted twice: 4.6 minutes online are 5',
  );
});

t.test('a session shorter than half a minute adds a logon and no minutes', async (t) => {
  const u = user(1000);
  const w = Accounts.pendingUsage(u, 1000 + 20_000, true);
  t.same([w.timesOn, w.minutes], [1, 0]);
});

t.test('a lost session ends when the user was last present, not when LogoffDelay ran out', async (t) => {
  const u = user(0);
  u.absentSince = 2.2 * MIN;
  const during = Accounts.pendingUsage(u, 3.5 * MIN, false);
  t.equal(during.minutes, 2, 'a write-back while absent counts up to the last presence');
  const w = Accounts.pendingUsage(u, 2.2 * MIN + 30_000, true);
  t.equal(w.minutes, 0, 'the 0.2 minutes left round to 0; the 30 s of LogoffDelay are not credited');
  t.equal(during.minutes + w.minutes, Math.round(2.2), 'in all: the 2.2 minutes present');
});

t.test('a user who came back is accounted through the gap (moving between RoomServers)', async (t) => {
  const u = user(0);
  u.absentSince = null;
  const w = Accounts.pendingUsage(u, 10 * MIN, true);
  t.same([w.timesOn, w.minutes], [1, 10]);
});

t.test('persistentProps keeps DBSTORE (0x80) properties only', async (t) => {
  t.same(
    persistentProps(
      new Map([
        [1, { id: 1, flags: 0x80, access: 1, value: 'a' }],
        [2, { id: 2, flags: 0x40, access: 1, value: 'b' }],
        [3, { id: 3, flags: 0x90, access: 0, value: Buffer.from([1]) }],
      ]),
    ).map((p) => p.id),
    [1, 3],
  );
});
