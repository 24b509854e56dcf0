// Every complete hex example of WORLDS-PROTOCOL.md (§5.2, §7, §11) with the command it decodes to.
// Shared by the codec, decoder and client tests.

import type { AnyCommand } from '../../protocol/commands.js';

export interface Vector {
  name: string;
  hex: string;
  /** Commands of the frame: one for an ordinary frame, one per record for a CO frame. */
  commands: AnyCommand[];
  co?: boolean;
}

const ROOM = 'GroundZero#Reception<dimension-1>';
const ROOM_HEX =
  '21 47 72 6F 75 6E 64 5A 65 72 6F 23 52 65 63 65 70 74 69 6F 6E 3C 64 69 6D 65 6E 73 69 6F 6E 2D 31 3E';
const WM = '0C 57 4F 52 4C 44 53 4D 41 53 54 45 52';

export const VECTORS: Vector[] = [
  { name: '§5.2 PROPREQ server', hex: '03 FF 0A', commands: [{ cmd: 'PROPREQ', objId: 255, ids: [] }] },
  {
    name: '§5.2 PROPREQ Bob long form',
    hex: '07 00 03 42 6F 62 0A',
    commands: [{ cmd: 'PROPREQ', objId: 'Bob', ids: [] }],
  },
  {
    name: '§5.2 PROPUPD Bob long form 9,5,23',
    hex: '2E 00 03 42 6F 62 10 09 80 01 0A 32 30 30 34 30 38 30 35 30 30 05 40 01 11 61 76 61 74 61 72 3A 68 6F 6C 64 65 6E 2E 6D 6F 76 17 40 01 00',
    commands: [
      {
        cmd: 'PROPUPD',
        objId: 'Bob',
        props: [
          { id: 9, flags: 0x80, access: 1, value: '2004080500' },
          { id: 5, flags: 0x40, access: 1, value: 'avatar:holden.mov' },
          { id: 23, flags: 0x40, access: 1, value: '' },
        ],
      },
    ],
  },
  {
    name: '§5.2 PROPUPD short id 23,5',
    hex: '1C 02 10 17 40 01 00 05 40 01 11 61 76 61 74 61 72 3A 68 6F 6C 64 65 6E 2E 6D 6F 76',
    commands: [
      {
        cmd: 'PROPUPD',
        objId: 2,
        props: [
          { id: 23, flags: 0x40, access: 1, value: '' },
          { id: 5, flags: 0x40, access: 1, value: 'avatar:holden.mov' },
        ],
      },
    ],
  },
  {
    name: '§5.2 PROPSET avatar',
    hex: '18 01 0F 00 05 40 01 10 61 76 61 74 61 72 3A 70 65 6E 67 6F 2E 6D 6F 76',
    commands: [
      { cmd: 'PROPSET', objId: 1, fromUser: '', props: [{ id: 5, flags: 0x40, access: 1, value: 'avatar:pengo.mov' }] },
    ],
  },
  {
    name: '§5.2 PROPSET shared object binary',
    hex: '0C FD 0F 00 64 D0 01 04 DE AD BE EF',
    commands: [
      {
        cmd: 'PROPSET',
        objId: 253,
        fromUser: '',
        props: [{ id: 100, flags: 0xd0, access: 1, value: Buffer.from('deadbeef', 'hex') }],
      },
    ],
  },
  {
    name: '§5.2 keep-alive PROPSET',
    hex: '04 FF 0F 00',
    commands: [{ cmd: 'PROPSET', objId: 255, fromUser: '', props: [] }],
  },
  {
    name: '§5.2 SESSIONINIT to US (authenticate)',
    hex: '25 01 06 03 02 32 34 09 0A 32 30 30 34 30 38 30 35 30 30 02 05 41 6C 69 63 65 06 06 73 33 63 72 65 74 0C 01 31',
    commands: [
      {
        cmd: 'SESSIONINIT',
        objId: 1,
        props: [
          { id: 3, value: '24' },
          { id: 9, value: '2004080500' },
          { id: 2, value: 'Alice' },
          { id: 6, value: 's3cret' },
          { id: 12, value: '1' },
        ],
      },
    ],
  },
  {
    name: '§5.2 SESSIONINIT to RS',
    hex: '26 01 06 03 02 32 34 09 0A 32 30 30 34 30 38 30 35 30 30 07 02 32 34 02 05 41 6C 69 63 65 06 06 73 33 63 72 65 74',
    commands: [
      {
        cmd: 'SESSIONINIT',
        objId: 1,
        props: [
          { id: 3, value: '24' },
          { id: 9, value: '2004080500' },
          { id: 7, value: '24' },
          { id: 2, value: 'Alice' },
          { id: 6, value: 's3cret' },
        ],
      },
    ],
  },
  {
    name: '§7.4 SESSIONINIT reply of the US',
    hex: `3D 01 06 04 01 30 01 ${WM} 03 02 32 34 0F 01 31 0A 10 41 42 43 44 31 32 33 34 35 36 37 38 39 30 31 32 16 01 30 05 0B 64 69 6D 65 6E 73 69 6F 6E 2D 31`,
    commands: [
      {
        cmd: 'SESSIONINIT',
        objId: 1,
        props: [
          { id: 4, value: '0' },
          { id: 1, value: 'WORLDSMASTER' },
          { id: 3, value: '24' },
          { id: 15, value: '1' },
          { id: 10, value: 'ABCD123456789012' },
          { id: 22, value: '0' },
          { id: 5, value: 'dimension-1' },
        ],
      },
    ],
  },
  {
    name: '§5.2 SESSIONINIT reply of the RS',
    hex: '16 01 06 04 01 30 0F 01 33 08 07 31 30 30 30 30 30 30 03 02 32 34',
    commands: [
      {
        cmd: 'SESSIONINIT',
        objId: 1,
        props: [
          { id: 4, value: '0' },
          { id: 15, value: '3' },
          { id: 8, value: '1000000' },
          { id: 3, value: '24' },
        ],
      },
    ],
  },
  {
    name: '§5.2 SESSIONINIT NAK bad password',
    hex: '07 01 06 04 02 31 33',
    commands: [{ cmd: 'SESSIONINIT', objId: 1, props: [{ id: 4, value: '13' }] }],
  },
  { name: '§5.2 SESSIONEXIT keep online', hex: '03 01 07', commands: [{ cmd: 'SESSIONEXIT', objId: 1, props: [] }] },
  {
    name: '§5.2 SESSIONEXIT logoff',
    hex: '06 01 07 0C 01 31',
    commands: [{ cmd: 'SESSIONEXIT', objId: 1, props: [{ id: 12, value: '1' }] }],
  },
  {
    name: '§5.2 SESSIONEXIT reply',
    hex: '06 01 07 04 01 30',
    commands: [{ cmd: 'SESSIONEXIT', objId: 1, props: [{ id: 4, value: '0' }] }],
  },
  { name: '§5.2 ROOMIDRQ', hex: `25 01 14 ${ROOM_HEX}`, commands: [{ cmd: 'ROOMIDRQ', objId: 1, name: ROOM }] },
  {
    name: '§5.2 ROOMID',
    hex: `27 01 15 ${ROOM_HEX} 00 08`,
    commands: [{ cmd: 'ROOMID', objId: 1, name: ROOM, room: 8 }],
  },
  {
    name: '§7.10 REDIRID room 8 at 127.0.0.1:5673',
    hex: `2D 01 1A ${ROOM_HEX} 00 08 7F 00 00 01 16 29`,
    commands: [{ cmd: 'REDIRID', objId: 1, name: ROOM, room: 8, ip: '127.0.0.1', port: 5673 }],
  },
  {
    name: '§5.2 SUBSCRIB current room',
    hex: '0D 01 16 00 08 00 00 00 00 00 00 FF 9C',
    commands: [{ cmd: 'SUBSCRIB', objId: 1, room: 8, x: 0, y: 0, z: 0, distance: -100 }],
  },
  {
    name: '§5.2 SUBSCRIB through a portal',
    hex: '0D 01 16 00 09 01 F4 03 E8 01 F4 09 D5',
    commands: [{ cmd: 'SUBSCRIB', objId: 1, room: 9, x: 500, y: 1000, z: 500, distance: 2517 }],
  },
  { name: '§5.2 UNSUBSCR', hex: '05 01 17 00 09', commands: [{ cmd: 'UNSUBSCR', objId: 1, room: 9 }] },
  {
    name: '§5.2 SUB-DIST',
    hex: '07 01 18 00 09 09 D5',
    commands: [{ cmd: 'SUBDIST', objId: 1, room: 9, distance: 2517 }],
  },
  {
    name: '§5.2 TELEPORT into room 8',
    hex: '0F 01 12 00 08 00 01 04 CC 09 A1 00 00 01 25',
    commands: [{ cmd: 'TELEPORT', objId: 1, room: 8, exitType: 0, entryType: 1, x: 1228, y: 2465, z: 0, dir: 293 }],
  },
  {
    name: '§5.2 TELEPORT arrival relayed',
    hex: '0F 02 12 00 08 00 01 03 F2 07 D0 00 00 00 5F',
    commands: [{ cmd: 'TELEPORT', objId: 2, room: 8, exitType: 0, entryType: 1, x: 1010, y: 2000, z: 0, dir: 95 }],
  },
  {
    name: '§7.29 TELEPORT leave',
    hex: '0F 01 12 00 00 01 00 04 D8 09 A6 00 00 01 2C',
    commands: [{ cmd: 'TELEPORT', objId: 1, room: 0, exitType: 1, entryType: 0, x: 1240, y: 2470, z: 0, dir: 300 }],
  },
  {
    name: '§5.2 ROOMCHNG',
    hex: '0D 02 05 00 09 02 58 04 4C 01 F4 01 2C',
    commands: [{ cmd: 'ROOMCHNG', objId: 2, room: 9, x: 600, y: 1100, z: 500, dir: 300 }],
  },
  {
    name: '§5.2 APPRACTR',
    hex: '0D 02 0C 00 08 03 E8 07 D0 00 00 00 5A',
    commands: [{ cmd: 'APPRACTR', objId: 2, room: 8, x: 1000, y: 2000, z: 0, dir: 90 }],
  },
  {
    name: '§2.3 APPRACTR CO frame',
    hex: '19 FE 0C 02 00 08 0E 48 04 25 00 C8 00 AD 03 00 08 03 E8 07 D0 00 00 00 5A',
    co: true,
    commands: [
      { cmd: 'APPRACTR', objId: 2, room: 8, x: 3656, y: 1061, z: 200, dir: 173 },
      { cmd: 'APPRACTR', objId: 3, room: 8, x: 1000, y: 2000, z: 0, dir: 90 },
    ],
  },
  { name: '§5.2 DISAPPR', hex: '03 02 0B', commands: [{ cmd: 'DISAPPR', objId: 2 }] },
  {
    name: '§5.2 LONGLOC from the client',
    hex: '0B 01 01 04 D8 09 A6 00 00 01 2C',
    commands: [{ cmd: 'LONGLOC', objId: 1, x: 1240, y: 2470, z: 0, dir: 300 }],
  },
  {
    name: '§5.2 LONGLOC relayed with negative x',
    hex: '0B 0D 01 EF AA 09 25 00 63 00 B7',
    commands: [{ cmd: 'LONGLOC', objId: 13, x: -4182, y: 2341, z: 99, dir: 183 }],
  },
  {
    name: '§5.2 SHORTLOC',
    hex: '06 02 04 0A FB 03',
    commands: [{ cmd: 'SHORTLOC', objId: 2, dx: 10, dy: -5, ddir: 3 }],
  },
  {
    name: '§5.2 REGOBJID',
    hex: '08 FF 0D 03 42 6F 62 02',
    commands: [{ cmd: 'REGOBJID', objId: 255, longId: 'Bob', shortId: 2 }],
  },
  {
    name: '§7 REGOBJID Alice = 5',
    hex: '0A FF 0D 05 41 6C 69 63 65 05',
    commands: [{ cmd: 'REGOBJID', objId: 255, longId: 'Alice', shortId: 5 }],
  },
  {
    name: '§5.2 TEXT from the client',
    hex: '0C 01 0E 00 00 06 68 69 20 61 6C 6C',
    commands: [{ cmd: 'TEXT', objId: 1, sender: '', text: 'hi all' }],
  },
  {
    name: '§5.2 TEXT echo',
    hex: '11 01 0E 00 05 41 6C 69 63 65 06 68 69 20 61 6C 6C',
    commands: [{ cmd: 'TEXT', objId: 1, sender: 'Alice', text: 'hi all' }],
  },
  {
    name: '§5.2 TEXT greeting from WORLDSMASTER',
    hex: `1A 01 0E 00 ${WM} 08 57 65 6C 63 6F 6D 65 21`,
    commands: [{ cmd: 'TEXT', objId: 1, sender: 'WORLDSMASTER', text: 'Welcome!' }],
  },
  {
    name: '§7.26 TEXT from Bob',
    hex: '14 01 0E 00 03 42 6F 62 0B 68 65 6C 6C 6F 20 41 6C 69 63 65',
    commands: [{ cmd: 'TEXT', objId: 1, sender: 'Bob', text: 'hello Alice' }],
  },
  {
    name: '§5.2 WHISPER from the client',
    hex: '0E 00 03 42 6F 62 11 00 00 04 70 73 73 74',
    commands: [{ cmd: 'WHISPER', objId: 'Bob', sender: '', text: 'psst' }],
  },
  {
    name: '§5.2 WHISPER delivered',
    hex: '0F 01 11 00 05 41 6C 69 63 65 04 70 73 73 74',
    commands: [{ cmd: 'WHISPER', objId: 1, sender: 'Alice', text: 'psst' }],
  },
  {
    name: '§5.2 WHISPER &|+inv> from TRADE',
    hex: '12 01 11 00 05 54 52 41 44 45 07 26 7C 2B 69 6E 76 3E',
    commands: [{ cmd: 'WHISPER', objId: 1, sender: 'TRADE', text: '&|+inv>' }],
  },
  {
    name: 'BROADCAST.md broadcast to all users',
    hex: '15 00 05 77 6F 72 6C 64 11 00 00 09 68 65 6C 6C 6F 20 61 6C 6C',
    commands: [{ cmd: 'WHISPER', objId: 'world', sender: '', text: 'hello all' }],
  },
  {
    name: '§5.2 BUDDYLISTUPDATE',
    hex: '08 01 1D 03 42 6F 62 01',
    commands: [{ cmd: 'BUDDYLISTUPDATE', objId: 1, buddy: 'Bob', add: 1 }],
  },
  {
    name: '§5.2 BUDDYLISTNOTIFY online',
    hex: '08 01 1E 03 42 6F 62 01',
    commands: [{ cmd: 'BUDDYLISTNOTIFY', objId: 1, buddy: 'Bob', state: 1 }],
  },
  {
    name: '§5.2 BUDDYLISTNOTIFY resend',
    hex: '05 01 1E 00 02',
    commands: [{ cmd: 'BUDDYLISTNOTIFY', objId: 1, buddy: '', state: 2 }],
  },
  {
    name: '§5.2 CHANNEL',
    hex: '0F 01 1F 0B 64 69 6D 65 6E 73 69 6F 6E 2D 32',
    commands: [{ cmd: 'CHANNEL', objId: 1, channel: 'dimension-2' }],
  },
  { name: '§5.2 FINGREP no-op', hex: '04 FF 1C 00', commands: [{ cmd: 'FINGREP', objId: 255, user: '', props: [] }] },
  {
    name: '§7.2 PROPUPD(255) of the US',
    hex: `1E FF 10 0F 80 01 01 31 03 80 01 02 32 34 01 80 01 ${WM}`,
    commands: [
      {
        cmd: 'PROPUPD',
        objId: 255,
        props: [
          { id: 15, flags: 0x80, access: 1, value: '1' },
          { id: 3, flags: 0x80, access: 1, value: '24' },
          { id: 1, flags: 0x80, access: 1, value: 'WORLDSMASTER' },
        ],
      },
    ],
  },
  {
    name: '§7.12 PROPUPD(255) of the RS',
    hex: `29 FF 10 08 80 01 07 31 30 30 30 30 30 30 0F 80 01 01 33 03 80 01 02 32 34 01 80 01 ${WM}`,
    commands: [
      {
        cmd: 'PROPUPD',
        objId: 255,
        props: [
          { id: 8, flags: 0x80, access: 1, value: '1000000' },
          { id: 15, flags: 0x80, access: 1, value: '3' },
          { id: 3, flags: 0x80, access: 1, value: '24' },
          { id: 1, flags: 0x80, access: 1, value: 'WORLDSMASTER' },
        ],
      },
    ],
  },
  {
    name: '§7 TELEPORT arrival of Alice as id 5',
    hex: '0F 05 12 00 08 00 01 04 CC 09 A1 00 00 01 25',
    commands: [{ cmd: 'TELEPORT', objId: 5, room: 8, exitType: 0, entryType: 1, x: 1228, y: 2465, z: 0, dir: 293 }],
  },
  {
    name: '§7 PROPUPD of Alice as id 5',
    hex: '1B 05 10 17 40 01 00 05 40 01 10 61 76 61 74 61 72 3A 70 65 6E 67 6F 2E 6D 6F 76',
    commands: [
      {
        cmd: 'PROPUPD',
        objId: 5,
        props: [
          { id: 23, flags: 0x40, access: 1, value: '' },
          { id: 5, flags: 0x40, access: 1, value: 'avatar:pengo.mov' },
        ],
      },
    ],
  },
  {
    name: '§5.2 REDIRECT (parsed and ignored by the client)',
    hex: '0B 01 19 00 08 7F 00 00 01 16 29',
    commands: [{ cmd: 'REDIRECT', objId: 1, room: 8, ip: '127.0.0.1', port: 5673 }],
  },
  {
    name: 'unknown command number 9 is skipped, not an error (§2.4)',
    hex: '05 01 09 AA BB',
    commands: [{ cmd: 'UNKNOWN', number: 9, objId: 1, body: Buffer.from([0xaa, 0xbb]) }],
  },
];

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

export function toHex(b: Buffer): string {
  return b
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1 ');
}
