// The backup link's codec and the rules both UserServers of a redundant pair apply alike
// (protocol/backup.ts, protocol/BACKUP.md): message round trips at every split, the two halves of
// the room-id space, which side serves a channel, and the duplicate-login tie-break.
import t, { type Test } from 'tap';
import {
  BACKUP_MESSAGES,
  BackupDecoder,
  channelOwner,
  channelSuffix,
  defaultSuffix,
  duplicateWinner,
  encodeBackup,
  inRange,
  roomIdRange,
  type BackupMessage,
  type SessionStamp,
} from '../../protocol/backup.js';
import { LINK_MESSAGES } from '../../protocol/link.js';
import { tableCodec } from '../../protocol/link-codec.js';

function roundTrip(t: Test, m: BackupMessage): void {
  const bytes = encodeBackup(m);
  t.equal(bytes[4], BACKUP_MESSAGES[m.kind].type, `${m.kind} has its type`);
  for (const split of [0, 1, 4, 5, Math.floor(bytes.length / 2), bytes.length - 1, bytes.length]) {
    const got: BackupMessage[] = [];
    const d = new BackupDecoder(
      (x) => got.push(x),
      (err) => t.fail(String(err)),
    );
    d.push(bytes.subarray(0, split));
    d.push(bytes.subarray(split));
    t.same(got, [m], `${m.kind} split at ${split}`);
  }
}

t.test('every message type is distinct; the table is its own, not the RoomServer link', async (t) => {
  const types = Object.values(BACKUP_MESSAGES).map((m) => m.type);
  t.equal(new Set(types).size, types.length);
  t.notOk('CLAIM' in LINK_MESSAGES, 'no backup message in the RoomServer link table');
});

t.test('round trips: presence, a handover with properties and times, bans', async (t) => {
  roundTrip(t, {
    kind: 'HELLO',
    version: 1,
    serverName: 'West',
    suffix: '1',
    serverType: 1,
    instance: 'abc123',
  });
  roundTrip(t, {
    kind: 'USER_ON',
    name: 'Zoë',
    session: 'S0a1b2c3d4.17',
    loginAt: 1_780_000_000_123,
    replaces: 'Cffeeddccbb.3',
    accountKind: 0,
    privileges: 2 | 8 | 16,
    address: '10.1.2.3',
  });
  roundTrip(t, {
    kind: 'CLAIM',
    reqId: 0xffffffff,
    name: 'Bob',
    session: 'S1.1',
    verifier: Buffer.alloc(32, 7),
    address: '127.0.0.1',
  });
  roundTrip(t, {
    kind: 'CLAIM_ANS',
    reqId: 9,
    nak: 0,
    reason: '',
    name: 'Bob',
    session: 'S1.1',
    loginAt: Date.UTC(2026, 0, 1),
    replaces: '',
    accountKind: 2,
    privileges: 0,
    serial: 'TEST000000000001',
    clientVersion: '2004080500',
    address: '127.0.0.1',
    channel: 'dimension-1;1',
    verifier: Buffer.alloc(32, 1),
    accountedUntil: Date.UTC(2026, 0, 1, 0, 3),
    timesOnCounted: 1,
    props: [
      { id: 5, flags: 0x40, access: 1, value: 'avatar:pengo.mov' },
      { id: 11, flags: 0x80, access: 1, value: 'bob@example.test' },
    ],
    propsDirty: 1,
    buddies: ['Ann', 'cid'],
    guestSlot: 3,
  });
  roundTrip(t, {
    kind: 'BAN',
    banKind: 1,
    value: '10.0.0.9',
    until: Date.UTC(2026, 5, 1, 12, 30),
    booted: 'Mo',
    by: 'Lea',
    at: Date.UTC(2026, 5, 1, 12),
  });
  t.throws(
    () => encodeBackup({ kind: 'USER_OFF', name: 'x', session: 1 as unknown as string }),
    /USER_OFF\.session must be a string/,
  );
  t.throws(
    () => encodeBackup({ kind: 'ROOM_RELEASE', room: 1, grants: 2 ** 32 }),
    /outside 0\.\.4294967295/,
    'whole numbers in range only',
  );
});

t.test('a table field named kind is refused: it would shadow the message kind', async (t) => {
  t.throws(() => tableCodec({ X: { type: 1, fields: [['kind', 'u8']] } }, 'test'), /a field named kind/);
});

t.test('room ids: two disjoint halves by role, never 0, all of the u16 space between them', async (t) => {
  const server = roomIdRange('server');
  const client = roomIdRange('client');
  t.same(server, { first: 1, last: 32767 });
  t.same(client, { first: 32768, last: 65535 });
  t.same(roomIdRange(null), { first: 1, last: 65535 }, 'a UserServer without a peer has them all');
  for (const id of [1, 32767, 32768, 65535]) t.not(inRange(id, server), inRange(id, client), `id ${id}: one side`);
  t.notOk(inRange(0, server) || inRange(0, client), 'never 0');
});

t.test('channels: the suffix after the last ;, and which side serves them', async (t) => {
  t.equal(channelSuffix('dimension-1;2'), '2');
  t.equal(channelSuffix('dimension-1'), null);
  t.equal(defaultSuffix('client'), '1');
  t.equal(defaultSuffix('server'), '2');
  t.equal(channelOwner('dimension-3;2', '2'), 'local');
  t.equal(channelOwner('dimension-3;1', '2'), 'peer');
  t.equal(channelOwner('dimension-3', '2'), 'local', 'a channel without suffix is served where asked');
  t.equal(channelOwner('my;own;1', '1'), 'local', 'the last suffix counts');
});

t.test('duplicate logins: both sides pick the same survivor', async (t) => {
  const s = (session: string, loginAt: number, replaces = ''): SessionStamp => ({ session, loginAt, replaces });
  const old = s('S1.1', 1000);
  const newer = s('C2.1', 2000);
  t.equal(duplicateWinner(old, newer), newer, 'the later login replaces the earlier');
  t.equal(duplicateWinner(newer, old), newer);
  const knowing = s('C2.2', 500, 'S1.1');
  t.equal(
    duplicateWinner(old, knowing),
    knowing,
    'a login that knew the other session replaces it, whatever the clocks',
  );
  t.equal(duplicateWinner(knowing, old), knowing);
  const a = s('S9.4', 3000);
  const b = s('C7.2', 3000);
  t.equal(duplicateWinner(a, b), a, 'the same millisecond: the greater session id');
  t.equal(duplicateWinner(b, a), a);
  // Symmetry over many pairs: the function is the same whichever side is asking.
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let i = 0; i < 500; i++) {
    const x = s(`S${rnd(5)}.${rnd(5)}`, rnd(4));
    const y = s(`C${rnd(5)}.${rnd(5)}`, rnd(4), rnd(3) === 0 ? x.session : '');
    t.equal(duplicateWinner(x, y), duplicateWinner(y, x), `pair ${i}`);
  }
});
