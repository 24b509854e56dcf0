#!/usr/bin/env node
// Micro-benchmark of the wire codec (ENGINEERING.md practice 14): frames per second through the
// streaming decoder (protocol/decoder.ts, what every connection runs on what it reads) and the
// encoders (the generic table-driven protocol/codec.ts, and the allocation-light protocol/fast.ts
// the RoomServer's tick uses), over the frames a RoomServer handles: LONGLOC, TEXT, PROPREQ and
// WHISPER in; CO LONGLOC, CO APPRACTR, REGOBJID, PROPUPD and TEXT out.
//
//   node dist/scripts/bench/codec.js [--ms 1000] [--rounds 5] [--json]
//
// Each figure is the best of several rounds (the least disturbed by other work on the machine).

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { encodeCo, encodeCommand } from '../../protocol/codec.js';
import type { AnyCommand, Command, CommandOf } from '../../protocol/commands.js';
import { ObjIds } from '../../protocol/constants.js';
import { StreamDecoder } from '../../protocol/decoder.js';
import { CoBatch, encodeRegObjId, longObjIdBytes } from '../../protocol/fast.js';
import { propUpdFrames, textFrames } from '../../protocol/messages.js';
import { fmt, measure, table, type Rate } from './timing.js';

const argv = yargs(hideBin(process.argv))
  .option('ms', { type: 'number', default: 1_000, describe: 'milliseconds per round' })
  .option('rounds', { type: 'number', default: 5 })
  .option('json', { type: 'boolean', default: false })
  .strict()
  .parseSync();
const MS = Math.min(10_000, Math.max(100, argv.ms));
const ROUNDS = Math.min(20, Math.max(1, argv.rounds));

/** Six avatars as a viewer's nearest 6, by short id. */
const SIX = [2, 3, 4, 5, 6, 7];
const pos = (i: number) => ({ x: 1000 + i * 37, y: -2000 + i * 53, z: 0, dir: (i * 45) % 360 });
const longlocRecords: CommandOf<'LONGLOC'>[] = SIX.map((id, i) => ({ cmd: 'LONGLOC', objId: id, ...pos(i) }));
const appractrRecords: CommandOf<'APPRACTR'>[] = SIX.map((id, i) => ({
  cmd: 'APPRACTR',
  objId: id,
  room: 12,
  ...pos(i),
}));

const inbound: Record<string, Command> = {
  'LONGLOC in (client move)': { cmd: 'LONGLOC', objId: ObjIds.CLIENT, x: 1234, y: -567, z: 0, dir: 90 },
  'TEXT in (chat line)': { cmd: 'TEXT', objId: ObjIds.CLIENT, sender: '', text: 'hello everybody, nice day' },
  'PROPREQ in (avatar, long id)': { cmd: 'PROPREQ', objId: 'SomeUser42', ids: [] },
  'WHISPER in': { cmd: 'WHISPER', objId: 'SomeUser42', sender: '', text: 'psst, over here' },
};

interface Row {
  what: string;
  frames: Rate;
  /** Commands per frame (CO frames carry several). */
  perFrame: number;
  bytes: number;
}

/** A 64 KiB read full of copies of one frame, pushed through one decoder again and again. */
function decodeRate(what: string, frame: Buffer): Row {
  const copies = Math.floor(65_536 / frame.length);
  const chunk = Buffer.concat(Array.from({ length: copies }, () => frame));
  let commands = 0;
  const decoder = new StreamDecoder({
    onCommand: (_c: AnyCommand) => {
      commands++;
    },
    onError: (err) => {
      throw err;
    },
  });
  decoder.push(frame);
  const perFrame = commands;
  const rate = measure(() => decoder.push(chunk), copies, MS, ROUNDS);
  return { what, frames: rate, perFrame, bytes: frame.length };
}

function encodeRate(what: string, make: () => Buffer | Buffer[], perFrame: number): Row {
  const sample = make();
  const bytes = Array.isArray(sample) ? sample.reduce((n, b) => n + b.length, 0) : sample.length;
  const batch = () => {
    for (let i = 0; i < 1000; i++) make();
  };
  return { what, frames: measure(batch, 1000, MS, ROUNDS), perFrame, bytes };
}

const decode: Row[] = [
  ...Object.entries(inbound).map(([what, c]) => decodeRate(what, encodeCommand(c))),
  decodeRate('CO LONGLOC out (6 moves)', encodeCo('LONGLOC', longlocRecords)),
  decodeRate('CO APPRACTR out (6 arrivals)', encodeCo('APPRACTR', appractrRecords)),
  decodeRate('REGOBJID out', encodeRegObjId('SomeUser42', 9)),
  decodeRate(
    'PROPUPD out (avatar arrival)',
    propUpdFrames(9, [
      { id: 23, flags: 0x40, access: 1, value: '' },
      { id: 5, flags: 0x40, access: 1, value: 'avatar:holden.mov' },
    ]).frames[0] as Buffer,
  ),
  decodeRate('TEXT out (chat line)', textFrames('SomeUser42', 'hello everybody, nice day')[0] as Buffer),
];

const frames: Buffer[] = [];
const keep = (f: Buffer) => frames.push(f);
const longlocBatch = new CoBatch('LONGLOC', keep);
const appearBatch = new CoBatch('APPRACTR', keep);
const longIds = SIX.map((i) => longObjIdBytes(`SomeUser${i}`));
/** What the tick does for one viewer whose six nearest moved. */
function fastLongloc(ids: readonly (number | Buffer)[]): Buffer {
  frames.length = 0;
  for (const [i, r] of longlocRecords.entries()) longlocBatch.pos(ids[i] as number | Buffer, r.x, r.y, r.z, r.dir);
  longlocBatch.flush();
  return frames[0] as Buffer;
}
const encode: Row[] = [
  encodeRate('codec LONGLOC (one move)', () => encodeCommand(longlocRecords[0] as Command), 1),
  encodeRate('codec CO LONGLOC (6 moves)', () => encodeCo('LONGLOC', longlocRecords), 6),
  encodeRate('codec TEXT', () => encodeCommand(inbound['TEXT in (chat line)'] as Command), 1),
  encodeRate('fast CO LONGLOC (6 moves, short ids)', () => fastLongloc(SIX), 6),
  encodeRate('fast CO LONGLOC (6 moves, long ids)', () => fastLongloc(longIds), 6),
  encodeRate(
    'fast CO APPRACTR (6 arrivals)',
    () => {
      frames.length = 0;
      for (const [i, r] of appractrRecords.entries())
        appearBatch.roomPos(SIX[i] as number, r.room, r.x, r.y, r.z, r.dir);
      appearBatch.flush();
      return frames[0] as Buffer;
    },
    6,
  ),
  encodeRate('fast REGOBJID', () => encodeRegObjId('SomeUser42', 9), 1),
  encodeRate('messages TEXT (chat line to a viewer)', () => textFrames('SomeUser42', 'hello everybody, nice day'), 1),
];

if (argv.json) {
  const row = (r: Row) => ({
    what: r.what,
    framesPerSecond: Math.round(r.frames.perSecond),
    commandsPerSecond: Math.round(r.frames.perSecond * r.perFrame),
    nsPerFrame: Number(r.frames.nsPerOp.toFixed(1)),
    bytesPerFrame: r.bytes,
    rounds: r.frames.rounds,
  });
  process.stdout.write(
    `${JSON.stringify({ node: process.version, decode: decode.map(row), encode: encode.map(row) }, null, 2)}\n`,
  );
} else {
  const rows = (list: Row[]) =>
    list.map((r) => [
      r.what,
      String(r.bytes),
      fmt(r.frames.perSecond),
      fmt(r.frames.perSecond * r.perFrame),
      fmt(r.frames.nsPerOp),
      `${Math.round((Math.min(...r.frames.rounds) / Math.max(...r.frames.rounds)) * 100)}%`,
    ]);
  const head = ['', 'bytes', 'frames/s', 'commands/s', 'ns/frame', 'worst/best'];
  process.stdout.write(`Decoder (StreamDecoder.push of 64 KiB reads), node ${process.version}\n`);
  process.stdout.write(`${table(['frame', ...head.slice(1)], rows(decode))}\n\n`);
  process.stdout.write('Encoders\n');
  process.stdout.write(`${table(['frame', ...head.slice(1)], rows(encode))}\n`);
}
