// Every command of §5.1, declared once: number, body layout, directions and whether it may be
// batched in a CO frame (§2.3). The TypeScript union of commands is derived from this table, and the
// generic encoder and decoder in codec.ts interpret it, so a command cannot be half-registered.

import { Cmd, type CmdName } from './constants.js';
import type { NewProp, OldProp } from './props.js';
import type { ObjId } from './wire.js';

/** Field encodings a body can contain. The three list kinds run to the end of the frame. */
export interface FieldTypes {
  u8: number;
  s8: number;
  u16: number;
  s16: number;
  str: string;
  objid: ObjId;
  ipv4: string;
  oldProps: OldProp[];
  newProps: NewProp[];
  idList: number[];
  rest: Buffer;
}

export type FieldKind = keyof FieldTypes;
type FieldSpec = readonly [name: string, kind: FieldKind];

export interface CommandSpec {
  readonly fields: readonly FieldSpec[];
  /** Who sends it in practice: C = client, S = server. */
  readonly from: 'C' | 'S' | 'CS' | 'none';
  /** Fixed-layout bodies the client accepts inside a CO frame (§2.3). */
  readonly co: boolean;
}

const POS = [
  ['x', 's16'],
  ['y', 's16'],
  ['z', 's16'],
  ['dir', 's16'],
] as const;

export const COMMANDS = {
  LONGLOC: { fields: POS, from: 'CS', co: true },
  // Layout unknown (§9.5) and never sent by the client: kept as raw bytes.
  STATE: { fields: [['body', 'rest']], from: 'none', co: false },
  PROP: { fields: [['props', 'oldProps']], from: 'S', co: false },
  SHORTLOC: {
    fields: [
      ['dx', 's8'],
      ['dy', 's8'],
      ['ddir', 's8'],
    ],
    from: 'S',
    co: true,
  },
  ROOMCHNG: { fields: [['room', 'u16'], ...POS], from: 'CS', co: true },
  SESSIONINIT: { fields: [['props', 'oldProps']], from: 'CS', co: false },
  SESSIONEXIT: { fields: [['props', 'oldProps']], from: 'CS', co: false },
  APPINIT: { fields: [['props', 'oldProps']], from: 'none', co: false },
  PROPREQ: { fields: [['ids', 'idList']], from: 'C', co: false },
  DISAPPR: { fields: [], from: 'S', co: true },
  APPRACTR: { fields: [['room', 'u16'], ...POS], from: 'S', co: true },
  REGOBJID: {
    fields: [
      ['longId', 'str'],
      ['shortId', 's8'],
    ],
    from: 'S',
    co: false,
  },
  TEXT: {
    fields: [
      ['sender', 'objid'],
      ['text', 'str'],
    ],
    from: 'CS',
    co: false,
  },
  PROPSET: {
    fields: [
      ['fromUser', 'str'],
      ['props', 'newProps'],
    ],
    from: 'C',
    co: false,
  },
  PROPUPD: { fields: [['props', 'newProps']], from: 'S', co: false },
  WHISPER: {
    fields: [
      ['sender', 'objid'],
      ['text', 'str'],
    ],
    from: 'CS',
    co: false,
  },
  TELEPORT: {
    fields: [['room', 'u16'], ['exitType', 's8'], ['entryType', 's8'], ...POS],
    from: 'CS',
    co: true,
  },
  ROOMIDRQ: { fields: [['name', 'str']], from: 'C', co: false },
  ROOMID: {
    fields: [
      ['name', 'str'],
      ['room', 'u16'],
    ],
    from: 'S',
    co: false,
  },
  SUBSCRIB: {
    fields: [
      ['room', 'u16'],
      ['x', 's16'],
      ['y', 's16'],
      ['z', 's16'],
      ['distance', 's16'],
    ],
    from: 'C',
    co: false,
  },
  UNSUBSCR: { fields: [['room', 'u16']], from: 'C', co: false },
  SUBDIST: {
    fields: [
      ['room', 'u16'],
      ['distance', 's16'],
    ],
    from: 'C',
    co: false,
  },
  REDIRECT: {
    fields: [
      ['room', 'u16'],
      ['ip', 'ipv4'],
      ['port', 'u16'],
    ],
    from: 'S',
    co: false,
  },
  REDIRID: {
    fields: [
      ['name', 'str'],
      ['room', 'u16'],
      ['ip', 'ipv4'],
      ['port', 'u16'],
    ],
    from: 'S',
    co: false,
  },
  FINGREQ: { fields: [['user', 'str']], from: 'none', co: false },
  FINGREP: {
    fields: [
      ['user', 'str'],
      ['props', 'newProps'],
    ],
    from: 'S',
    co: false,
  },
  BUDDYLISTUPDATE: {
    fields: [
      ['buddy', 'str'],
      ['add', 'u8'],
    ],
    from: 'C',
    co: false,
  },
  BUDDYLISTNOTIFY: {
    fields: [
      ['buddy', 'str'],
      ['state', 'u8'],
    ],
    from: 'S',
    co: false,
  },
  CHANNEL: { fields: [['channel', 'str']], from: 'C', co: false },
} as const satisfies Record<CmdName, CommandSpec>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type BodyOf<F extends readonly FieldSpec[]> = {
  -readonly [P in F[number] as P[0]]: FieldTypes[P[1]];
};

/** One decoded command: its name, the ObjID of its frame (or CO record) and its body fields. */
export type CommandOf<N extends CmdName> = Simplify<{ cmd: N; objId: ObjId } & BodyOf<(typeof COMMANDS)[N]['fields']>>;

export type Command = { [N in CmdName]: CommandOf<N> }[CmdName];

/** A frame whose command number is not in §5.1; skipped by receivers (§8.1). */
export interface UnknownCommand {
  cmd: 'UNKNOWN';
  number: number;
  objId: ObjId;
  body: Buffer;
}

export type AnyCommand = Command | UnknownCommand;

export function commandSpec(name: CmdName): CommandSpec {
  return COMMANDS[name];
}

export function commandNumber(name: CmdName): number {
  return Cmd[name];
}
