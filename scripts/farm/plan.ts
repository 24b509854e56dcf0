// How the farm divides its bots: worker processes (each under its open-file limit), each bot's
// login time in the ramp, its source address, room and name. Pure, so the whole plan can be
// checked before anything connects.

import { botSourceAddress } from './addresses.js';
import type { ResolvedLogin } from './messages.js';
import { UsageError, type FarmOptions, type LoginKind } from './options.js';

/** Files a worker keeps open besides its bots' sockets (IPC, stdio, node's own). */
const WORKER_FILE_SLACK = 64;
/** A sane share for one Node process: beyond this one event loop becomes the bottleneck. */
export const MAX_BOTS_PER_WORKER = 6_000;

/**
 * Workers needed for `bots` bots of `connsPerBot` sockets each under `fileLimit` open files, or
 * the count asked for after checking it fits.
 */
export function planWorkers(bots: number, connsPerBot: number, fileLimit: number, asked: number | null): number {
  const fit = Math.floor((fileLimit - WORKER_FILE_SLACK) / connsPerBot);
  const perWorker = Math.min(MAX_BOTS_PER_WORKER, fit);
  if (perWorker < 1) throw new UsageError(`an open-file limit of ${fileLimit} leaves no room for bots`);
  const needed = Math.ceil(bots / perWorker);
  if (asked === null) return needed;
  if (asked < needed) {
    throw new UsageError(
      `${bots} bots in ${asked} worker(s) is ${Math.ceil(bots / asked)} per worker; at most ${perWorker} fit ` +
        `(open-file limit ${fileLimit}, ${connsPerBot} connection(s) per bot): use --workers ${needed} or more`,
    );
  }
  return Math.min(asked, bots);
}

/** Bot `i` (0-based) belongs to worker i mod W, so every worker ramps at the same pace. */
export function botsOfWorker(worker: number, workers: number, bots: number): number[] {
  const out: number[] = [];
  for (let i = worker; i < bots; i += workers) out.push(i);
  return out;
}

/** Milliseconds after the start at which bot `i` begins to log in. */
export function loginOffsetMs(i: number, rate: number): number {
  return (i * 1000) / rate;
}

export function rampSeconds(bots: number, rate: number): number {
  return bots / rate;
}

export interface BotPlan {
  index: number;
  name: string;
  localAddress: string;
  world: string;
  room: string;
}

export function botPlan(o: FarmOptions, i: number): BotPlan {
  const perRoom = o.perRoom === 0 ? o.bots : o.perRoom;
  const roomIndex = Math.floor(i / perRoom);
  const w = roomIndex % o.worlds;
  return {
    index: i,
    name: `${o.namePrefix}${i + 1}`,
    localAddress: botSourceAddress(o.sourceFrom, o.perAddress, i) as string,
    world: w === 0 ? o.worldName : `${o.worldName}${w + 1}`,
    room: `Room${roomIndex + 1}`,
  };
}

/** Reads the soft open-file limit of a process from /proc/<pid>/limits text. */
export function openFileLimit(limitsText: string): number | null {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(limitsText);
  if (!m) return null;
  return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
}

/**
 * How bots log in on an entry server of this type (§4.3, VAR_SERVERTYPE): the kind asked for when
 * the server offers it, or the natural one for `auto`.
 */
export function resolveLogin(kind: LoginKind, serverType: number, haveSerials: boolean): ResolvedLogin {
  const login = loginFor(kind, serverType, haveSerials);
  if (haveSerials && login !== 'register') {
    throw new UsageError(`serial numbers are only used to register, and bots log in here with --login ${login}`);
  }
  return login;
}

function loginFor(kind: LoginKind, serverType: number, haveSerials: boolean): ResolvedLogin {
  const refuse = (why: string) => new UsageError(`--login ${kind}: ${why}`);
  switch (serverType) {
    case 4:
      if (kind === 'auto' || kind === 'direct') return 'direct';
      throw refuse('the target is a stand-alone RoomServer; its users log in with --login direct');
    case 3:
      throw new UsageError(
        'the target is a RoomServer behind a UserServer: point the farm at the UserServer, which redirects bots there',
      );
    case 2:
      if (kind === 'auto' || kind === 'anonymous') return 'anonymous';
      if (kind === 'guest') return 'guest';
      throw refuse('the target is an anonymous UserServer (no user database): use anonymous or guest');
    case 1:
      if (kind === 'auto') return haveSerials ? 'register' : 'authenticate';
      if (kind === 'register' || kind === 'authenticate' || kind === 'guest') return kind;
      throw refuse('the target is a UserServer with a user database: use register, authenticate or guest');
    default:
      throw new UsageError(`the target answered server type ${serverType}, which is not a WorldServer entry point`);
  }
}

/** Sockets each bot holds: its entry connection, and the RoomServer it is redirected to. */
export function connectionsPerBot(login: ResolvedLogin): number {
  return login === 'direct' ? 1 : 2;
}
