// The bot farm's command line: every option with its default and bounds, checked before anything
// connects. The farm is bounded in count and time and refuses any target outside 127.0.0.0/8;
// arguments that would make it unbounded, leave the loopback net or exceed a process's open-file
// limit are refused with a message saying what to change.

import yargs from 'yargs';
import { isLoopback, loopbackTarget, sourceAddress } from './addresses.js';

export type LoginKind = 'auto' | 'direct' | 'register' | 'authenticate' | 'guest' | 'anonymous';
const LOGIN_KINDS: readonly LoginKind[] = ['auto', 'direct', 'register', 'authenticate', 'guest', 'anonymous'];

export interface FarmOptions {
  host: string;
  port: number;
  /** Stand-alone RoomServer configuration to start for the run (its port and pid are used). */
  spawnRs: string | null;
  pids: number[];
  login: LoginKind;
  serials: string | null;
  makeSerials: string | null;
  namePrefix: string;
  password: string;
  avatars: number;
  bots: number;
  /** Logins per second during the ramp. */
  rate: number;
  holdS: number;
  /** Users per room; 0 puts everyone in one room. */
  perRoom: number;
  /** Edge of the square a room's bots walk in, in metres (100 world units). */
  areaM: number;
  speedMps: number;
  /** 0 = never. */
  moveEveryS: number;
  chatEveryS: number;
  whisperEveryS: number;
  avatarEveryS: number;
  worlds: number;
  worldName: string;
  /** Ask for each arriving avatar's properties, as the real client does (§5.2 PROPREQ). */
  propreq: boolean;
  /** null: chosen from the bot count and the open-file limit. */
  workers: number | null;
  perAddress: number;
  sourceFrom: string;
  /** Scheduling priority of the worker processes (nice): above 0 the servers under test come first. */
  nice: number;
  loginTimeoutS: number;
  maxPending: number;
  intervalS: number;
  settleS: number;
  json: boolean;
  quiet: boolean;
}

export const LIMITS = {
  bots: [1, 40_000],
  rate: [0.1, 5_000],
  holdS: [1, 3_600],
  /** Longest ramp (bots / rate). */
  rampS: 3_600,
  perRoom: [0, 40_000],
  areaM: [1, 600],
  speedMps: [0, 20],
  moveEveryS: [0.1, 60],
  chatEveryS: [0.5, 3_600],
  avatarEveryS: [1, 3_600],
  worlds: [1, 1_000],
  avatars: [1, 100],
  workers: [1, 64],
  perAddress: [1, 10_000],
  loginTimeoutS: [1, 300],
  maxPending: [1, 20_000],
  nice: [0, 19],
  intervalS: [1, 600],
  settleS: [0, 600],
} as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const USAGE = `Usage: scripts/botfarm [options]

Simulated WorldsPlayer users for capacity tests (AG-44): they log in (through a UserServer, or
straight into a stand-alone RoomServer), walk, chat, whisper and change avatars, while the farm
reports what they received and how fast. Loopback (127.0.0.0/8) only; bounded in count and time.

Examples:
  scripts/botfarm --port 5100 --bots 2000 --rate 200 --hold 60 --pid $(pgrep -f standaloneRS.cfg)
  scripts/botfarm --spawn-rs scripts/bench/rs-1s.cfg --bots 12000 --rate 300 --hold 90
  scripts/botfarm --port 5110 --login register --make-serials run/world.db --bots 500
  scripts/botfarm --spawn-rs scripts/bench/rs-1s.cfg --bots 2000 --per-room 0 --area 20   # dense crowd`;

function parser(argv: readonly string[]) {
  return yargs([...argv])
    .scriptName('botfarm')
    .wrap(Math.min(110, process.stdout.columns || 110))
    .group(['host', 'port', 'spawn-rs', 'pid'], 'Target:')
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'server address (127.0.0.0/8 only)' })
    .option('port', {
      type: 'number',
      default: 5100,
      describe: 'entry port: a UserServer (5110 in the sample world) or a stand-alone RoomServer (5100)',
    })
    .option('spawn-rs', {
      type: 'string',
      describe: 'start a stand-alone RS_v11 with this configuration for the run, measure it and stop it',
    })
    .option('pid', {
      type: 'number',
      array: true,
      default: [] as number[],
      describe: 'server process to measure (CPU, RSS, open files); repeatable',
    })
    .group(['login', 'serials', 'make-serials', 'name-prefix', 'password', 'avatars'], 'Logging in:')
    .option('login', {
      choices: LOGIN_KINDS,
      default: 'auto' as LoginKind,
      describe:
        'auto: stand-alone RoomServer → direct, anonymous UserServer → anonymous, UserServer with a user ' +
        'database → register when serials are given, else authenticate',
    })
    .option('serials', { type: 'string', describe: 'file of free serial numbers, one per line (register)' })
    .option('make-serials', {
      type: 'string',
      describe: 'generate one serial per bot with scripts/SerialGen and load them into this embedded database',
    })
    .option('name-prefix', { type: 'string', default: 'bot', describe: 'bots are <prefix>1 … <prefix>N' })
    .option('password', {
      type: 'string',
      default: 'farm-pw-1',
      describe: 'password of registered bots (register, then authenticate)',
    })
    .option('avatars', {
      type: 'number',
      default: 6,
      describe: 'VAR_AVATARS: nearest avatars each bot asks to see (the guide’s load model: 6; the client: 24)',
    })
    .group(
      [
        'bots',
        'rate',
        'hold',
        'per-room',
        'area',
        'speed',
        'move-every',
        'chat-every',
        'whisper-every',
        'avatar-every',
        'worlds',
        'world',
        'propreq',
      ],
      'Load:',
    )
    .option('bots', { type: 'number', default: 100, describe: 'simulated users' })
    .option('rate', { type: 'number', default: 50, describe: 'logins per second during the ramp' })
    .option('hold', { type: 'number', default: 60, describe: 'seconds to hold the load after the ramp' })
    .option('per-room', { type: 'number', default: 50, describe: 'users per room; 0 = everyone in one room' })
    .option('area', { type: 'number', default: 40, describe: 'edge in metres of the square each room’s bots walk in' })
    .option('speed', { type: 'number', default: 1, describe: 'walking speed, metres per second' })
    .option('move-every', { type: 'number', default: 1, describe: 'seconds between position changes; 0 = stand still' })
    .option('chat-every', { type: 'number', default: 10, describe: 'seconds between chat lines per bot; 0 = never' })
    .option('whisper-every', {
      type: 'number',
      default: 60,
      describe: 'seconds between whispers to a random other bot; 0 = never',
    })
    .option('avatar-every', { type: 'number', default: 300, describe: 'seconds between avatar changes; 0 = never' })
    .option('worlds', { type: 'number', default: 1, describe: 'spread the rooms over this many worlds' })
    .option('world', { type: 'string', default: 'Farm', describe: 'world name (worlds are <world>, <world>2, …)' })
    .option('propreq', {
      type: 'boolean',
      default: true,
      describe: 'ask for every arriving avatar’s properties, as the real client does',
    })
    .group(
      [
        'workers',
        'per-address',
        'source-from',
        'nice',
        'login-timeout',
        'max-pending',
        'interval',
        'settle',
        'json',
        'quiet',
      ],
      'Farm:',
    )
    .option('workers', {
      type: 'number',
      describe: 'worker processes (default: enough to stay under the open-file limit)',
    })
    .option('per-address', {
      type: 'number',
      default: 10,
      describe: 'bots per source address (keep it at or below the server’s per-address connection limit)',
    })
    .option('source-from', {
      type: 'string',
      default: '127.0.0.2',
      describe: 'first source address; bots use consecutive 127.x.y.z addresses from here',
    })
    .option('nice', {
      type: 'number',
      default: 0,
      describe:
        'run the workers at this nice level (1-19): on a machine with few cores the servers under test then ' +
        'get the CPU first, and the farm reports its own lateness',
    })
    .option('login-timeout', { type: 'number', default: 30, describe: 'seconds each login step may take' })
    .option('max-pending', { type: 'number', default: 2_000, describe: 'logins in flight at most' })
    .option('interval', { type: 'number', default: 10, describe: 'seconds per report interval' })
    .option('settle', {
      type: 'number',
      default: 5,
      describe: 'seconds after the ramp before the overall figures start',
    })
    .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON instead of tables' })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress display' })
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw new UsageError(err?.message ?? msg);
    });
}

/** The --help text. */
export async function helpText(): Promise<string> {
  return `${USAGE}\n\n${await parser([]).getHelp()}`;
}

function within(name: string, v: number, [lo, hi]: readonly [number, number], zeroOff = false): number {
  if (!Number.isFinite(v)) throw new UsageError(`--${name} must be a number`);
  if (zeroOff && v === 0) return 0;
  if (v < lo || v > hi) {
    throw new UsageError(`--${name} ${v} is outside ${lo}..${hi}${zeroOff ? ' (or 0 for never)' : ''}`);
  }
  return v;
}

function integer(name: string, v: number, range: readonly [number, number]): number {
  within(name, v, range);
  if (!Number.isInteger(v)) throw new UsageError(`--${name} must be a whole number`);
  return v;
}

/** Parses and checks a command line (without the program name); throws UsageError. */
export function parseFarmArgs(argv: readonly string[]): FarmOptions {
  const a = parser(argv).parseSync();

  const host = loopbackTarget(a.host);
  if (host === null)
    throw new UsageError(`--host ${a.host} is not in 127.0.0.0/8: the farm only loads loopback servers`);
  const port = integer('port', a.port, [1, 65_535]);
  const pids = a.pid.map((p) => integer('pid', p, [1, 2 ** 22]));
  const bots = integer('bots', a.bots, LIMITS.bots);
  const rate = within('rate', a.rate, LIMITS.rate);
  if (bots / rate > LIMITS.rampS) {
    throw new UsageError(`a ramp of ${bots} bots at ${rate}/s would take over ${LIMITS.rampS} s; raise --rate`);
  }
  const sourceFrom = a['source-from'];
  if (!isLoopback(sourceFrom)) throw new UsageError(`--source-from ${sourceFrom} is not in 127.0.0.0/8`);
  const perAddress = integer('per-address', a['per-address'], LIMITS.perAddress);
  if (sourceAddress(sourceFrom, Math.ceil(bots / perAddress) - 1) === null) {
    throw new UsageError(`${bots} bots at ${perAddress} per address run past 127.255.255.254 from ${sourceFrom}`);
  }

  const namePrefix = a['name-prefix'];
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(namePrefix) || namePrefix.length + String(bots).length > 16) {
    throw new UsageError(
      `--name-prefix ${JSON.stringify(namePrefix)}: user names are 2-16 letters, digits, _ or -, starting with a ` +
        `letter; with ${bots} bots the prefix may have at most ${16 - String(bots).length} characters`,
    );
  }
  if (!/^[\x21-\x7e]{4,32}$/.test(a.password)) {
    throw new UsageError('--password must be 4-32 printable ASCII characters without spaces');
  }
  const world = a.world;
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(world)) {
    throw new UsageError('--world must be 1-32 letters, digits, _ or -, starting with a letter');
  }
  if (a.serials !== undefined && a['make-serials'] !== undefined) {
    throw new UsageError('give --serials or --make-serials, not both');
  }
  const login = a.login;
  if (login === 'register' && a.serials === undefined && a['make-serials'] === undefined) {
    throw new UsageError('--login register needs free serial numbers: --serials FILE or --make-serials DATABASE');
  }
  if ((a.serials !== undefined || a['make-serials'] !== undefined) && login !== 'register' && login !== 'auto') {
    throw new UsageError(`serial numbers are only used by --login register, not ${login}`);
  }
  if (a['spawn-rs'] !== undefined && login !== 'auto' && login !== 'direct') {
    throw new UsageError('--spawn-rs starts a stand-alone RoomServer: its logins are --login direct');
  }

  const holdS = within('hold', a.hold, LIMITS.holdS);
  const settleS = within('settle', a.settle, LIMITS.settleS);
  if (settleS >= holdS) throw new UsageError(`--settle ${settleS} must be shorter than --hold ${holdS}`);

  return {
    host,
    port,
    spawnRs: a['spawn-rs'] ?? null,
    pids,
    login,
    serials: a.serials ?? null,
    makeSerials: a['make-serials'] ?? null,
    namePrefix,
    password: a.password,
    avatars: integer('avatars', a.avatars, LIMITS.avatars),
    bots,
    rate,
    holdS,
    perRoom: integer('per-room', a['per-room'], LIMITS.perRoom),
    areaM: within('area', a.area, LIMITS.areaM),
    speedMps: within('speed', a.speed, LIMITS.speedMps),
    moveEveryS: within('move-every', a['move-every'], LIMITS.moveEveryS, true),
    chatEveryS: within('chat-every', a['chat-every'], LIMITS.chatEveryS, true),
    whisperEveryS: within('whisper-every', a['whisper-every'], LIMITS.chatEveryS, true),
    avatarEveryS: within('avatar-every', a['avatar-every'], LIMITS.avatarEveryS, true),
    worlds: integer('worlds', a.worlds, LIMITS.worlds),
    worldName: world,
    propreq: a.propreq,
    workers: a.workers === undefined ? null : integer('workers', a.workers, LIMITS.workers),
    perAddress,
    sourceFrom,
    nice: integer('nice', a.nice, LIMITS.nice),
    loginTimeoutS: within('login-timeout', a['login-timeout'], LIMITS.loginTimeoutS),
    maxPending: integer('max-pending', a['max-pending'], LIMITS.maxPending),
    intervalS: integer('interval', a.interval, LIMITS.intervalS),
    settleS,
    json: a.json,
    quiet: a.quiet,
  };
}
