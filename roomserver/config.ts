// RoomServer configuration: every keyword of the guide's Appendix I (AG-6), parsed once into a
// frozen, typed object with documented defaults.

import {
  ConfigError,
  int,
  ipv4,
  n,
  parseConfigFile,
  port,
  portOrZero,
  str,
  word,
  type KeywordSpec,
} from '../runtime/config.js';
import {
  DATABASE_ARGS,
  commonDraft,
  commonKeywords,
  databaseSettings,
  deepFreeze,
  secondsKeyword,
  type CommonDraft,
} from '../runtime/config-common.js';
import {
  DEFAULT_ROOM_LIMITS,
  DEFAULT_SHARED_STATE,
  roomKeywords,
  sharedStateKeyword,
  type RoomLimits,
  type SharedStateLimits,
} from '../runtime/config-limits.js';
import { DEFAULT_CROWD_POLICY, type CrowdPolicy } from './view.js';

export interface UserServerLink {
  host: string;
  port: number;
  /** This RoomServer's unique name in the galaxy; also names its log file. */
  name: string;
  password: string;
}

export interface VolunteerWorld {
  /** Client world name, e.g. `earth`. */
  world: string;
  /** Channel, e.g. `dimension-3`; null volunteers for the world on every channel. */
  channel: string | null;
  /** Channel suffix of a redundant pair (`;2`); null when absent. */
  suffix: string | null;
}

export interface DatabaseSettings {
  user: string;
  password: string;
  /** Oracle connect string, or `sqlite:<path>` for the embedded store (AG-7). */
  service: string;
  writeBackMinutes: number;
  dynamic: boolean;
}

export interface RoomServerConfig extends CommonDraft {
  /** ClientUpdates: avatars each client sees unless it asks otherwise. @default 6 */
  maxAvatars: number;
  /** ClientUpdates: microseconds between position updates. @default 1_000_000 */
  updateIntervalUs: number;
  /** UserServer line; null = stand-alone anonymous world (AG-25). */
  userServer: UserServerLink | null;
  /** World lines (deprecated static assignment): worlds this RoomServer volunteers for. */
  worlds: VolunteerWorld[];
  /** Connections: ordinary users. @default 1000 */
  maxOrdinary: number;
  /** Connections: priority users (Access prefix). @default 10 */
  maxPriority: number;
  roomDatabase: DatabaseSettings | null;
  /** Access: user names starting with it are priority users (AG-28). */
  accessPrefix: string | null;
  /** Extension: IPv4 address put in REDIRIDs for this RoomServer (default: the address the link uses). */
  publicAddress: string | null;
  /** Extension: wait before reconnecting to a lost UserServer (AG-29 says 30 s). @default 30 s */
  linkRetryMs: number;
  /** Extensions RoomIds and RoomRequests (stand-alone ids; requests on every RoomServer). */
  rooms: RoomLimits;
  /** Extension SharedState: caps on shared room state. */
  sharedState: SharedStateLimits;
  /** Extension CrowdHysteresis: when a viewer's shown set may change (roomserver/view.ts). */
  crowd: CrowdPolicy;
  /** Extension TickBudget: share of the interval a tick may use before it degrades. @default 0.6 */
  tickBudgetShare: number;
  /** Extension TickBudget, second number: share of the time the event loop may be busy. @default 0.9 */
  loopBusyShare: number;
  /** Extension HeapGrowth: V8's heap may grow this many percent past what is alive; 0 = V8's own. @default 15 */
  heapGrowthPercent: number;
  /** Extension IoThread: client sockets live on a thread of their own (runtime/io-thread/). @default off */
  ioThread: boolean;
  /** Extension AcceptSlots: descriptors for the users' listening socket (runtime/listen-copies.ts). @default 8 */
  acceptSlots: number;
}

export const RS_DEFAULTS = {
  usersPort: 5100,
  maxAvatars: 6,
  updateIntervalUs: 1_000_000,
  maxOrdinary: 1000,
  maxPriority: 10,
  tickBudgetPercent: 60,
  loopBusyPercent: 90,
  heapGrowthPercent: 15,
  ioThread: false,
  acceptSlots: 8,
} as const;

const TABLE: KeywordSpec<RoomServerConfig>[] = [
  ...commonKeywords<RoomServerConfig>(),
  {
    keyword: 'Users',
    args: [{ name: 'port', type: portOrZero }],
    apply(d, v) {
      d.usersPort = n(v, 0);
    },
  },
  {
    keyword: 'ClientUpdates',
    args: [
      { name: 'maxAvatars', type: int(1, 100) },
      { name: 'intervalMicroseconds', type: int(10_000, 60_000_000) },
    ],
    apply(d, v) {
      d.maxAvatars = n(v, 0);
      d.updateIntervalUs = n(v, 1);
    },
  },
  {
    keyword: 'UserServer',
    args: [
      { name: 'ip', type: ipv4 },
      { name: 'port', type: port },
      { name: 'name', type: word },
      { name: 'password', type: word },
    ],
    apply(d, v, at) {
      const name = str(v, 2);
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
        throw new ConfigError(
          at.file,
          at.line,
          at.keyword,
          `RoomServer name '${name}' must be 1-64 letters, digits, '_', '-' or '.'`,
        );
      }
      d.userServer = { host: str(v, 0), port: n(v, 1), name, password: str(v, 3) };
    },
  },
  {
    keyword: 'World',
    repeatable: true,
    args: [{ name: 'world<channel;suffix>', type: word }],
    apply(d, v, at) {
      const m = /^([^<>#;\s]+)(?:<([^<>;]+)(?:;([^<>;]+))?>)?$/.exec(str(v, 0));
      if (!m) {
        throw new ConfigError(
          at.file,
          at.line,
          at.keyword,
          `'${str(v, 0)}' is not of the form world or world<dimension-n> or world<dimension-n;suffix>`,
        );
      }
      d.worlds.push({ world: m[1] as string, channel: m[2] ?? null, suffix: m[3] ?? null });
    },
  },
  {
    keyword: 'Connections',
    args: [
      { name: 'ordinary', type: int(1, 1_000_000) },
      { name: 'priority', type: int(0, 100_000) },
    ],
    apply(d, v) {
      d.maxOrdinary = n(v, 0);
      d.maxPriority = n(v, 1);
    },
  },
  {
    keyword: 'RoomDatabase',
    args: [...DATABASE_ARGS, { name: 'Dynamic', type: { kind: 'literal', values: ['Dynamic'] }, optional: true }],
    apply(d, v) {
      d.roomDatabase = { ...databaseSettings(v), dynamic: v[4] !== undefined };
    },
  },
  {
    keyword: 'Access',
    args: [{ name: 'prefix', type: word }],
    apply(d, v) {
      d.accessPrefix = str(v, 0);
    },
  },
  ...roomKeywords<RoomServerConfig>(),
  sharedStateKeyword<RoomServerConfig>(),
  {
    keyword: 'CrowdHysteresis',
    args: [
      { name: 'marginPercent', type: int(0, 1000) },
      { name: 'marginMetres', type: int(0, 100) },
      { name: 'minShownSeconds', type: int(0, 600) },
      { name: 'swapsPerMinute', type: int(0, 6000), optional: true },
    ],
    apply(d, v) {
      const perMinute = v[3] === undefined ? 60_000 / DEFAULT_CROWD_POLICY.swapIntervalMs : n(v, 3);
      d.crowd = {
        // A metre is 100 world units (an avatar stands 189 tall).
        marginRatio: n(v, 0) / 100,
        marginUnits: n(v, 1) * 100,
        minShownMs: n(v, 2) * 1000,
        swapIntervalMs: perMinute === 0 ? 0 : 60_000 / perMinute,
      };
    },
  },
  {
    keyword: 'HeapGrowth',
    args: [{ name: 'percent', type: int(0, 400) }],
    apply(d, v) {
      d.heapGrowthPercent = n(v, 0);
    },
  },
  {
    keyword: 'TickBudget',
    args: [
      { name: 'percentOfInterval', type: int(10, 100) },
      { name: 'loopBusyPercent', type: int(50, 100), optional: true },
    ],
    apply(d, v) {
      d.tickBudgetShare = n(v, 0) / 100;
      d.loopBusyShare = v[1] === undefined ? RS_DEFAULTS.loopBusyPercent / 100 : n(v, 1) / 100;
    },
  },
  {
    keyword: 'IoThread',
    args: [{ name: 'on|off', type: { kind: 'literal', values: ['on', 'off'] } }],
    apply(d, v) {
      d.ioThread = str(v, 0) === 'on';
    },
  },
  {
    keyword: 'AcceptSlots',
    args: [{ name: 'n', type: int(1, 64) }],
    apply(d, v) {
      d.acceptSlots = n(v, 0);
    },
  },
  secondsKeyword<RoomServerConfig>('LinkRetry', (d, ms) => (d.linkRetryMs = ms), 3600),
  {
    keyword: 'PublicAddress',
    args: [{ name: 'ip', type: ipv4 }],
    apply(d, v) {
      d.publicAddress = str(v, 0);
    },
  },
];

export function roomServerDraft(file: string): RoomServerConfig {
  return {
    ...commonDraft(file, RS_DEFAULTS.usersPort),
    maxAvatars: RS_DEFAULTS.maxAvatars,
    updateIntervalUs: RS_DEFAULTS.updateIntervalUs,
    userServer: null,
    worlds: [],
    maxOrdinary: RS_DEFAULTS.maxOrdinary,
    maxPriority: RS_DEFAULTS.maxPriority,
    roomDatabase: null,
    accessPrefix: null,
    publicAddress: null,
    linkRetryMs: 30_000,
    rooms: { ...DEFAULT_ROOM_LIMITS },
    sharedState: { ...DEFAULT_SHARED_STATE },
    crowd: { ...DEFAULT_CROWD_POLICY },
    tickBudgetShare: RS_DEFAULTS.tickBudgetPercent / 100,
    loopBusyShare: RS_DEFAULTS.loopBusyPercent / 100,
    heapGrowthPercent: RS_DEFAULTS.heapGrowthPercent,
    ioThread: RS_DEFAULTS.ioThread,
    acceptSlots: RS_DEFAULTS.acceptSlots,
  };
}

export function loadRoomServerConfig(path: string): Readonly<RoomServerConfig> {
  return deepFreeze(parseConfigFile(path, TABLE, roomServerDraft(path)));
}

export const ROOMSERVER_KEYWORDS: readonly KeywordSpec<RoomServerConfig>[] = TABLE;

/** The name in log file names: the RoomServer name when linked, the Server name when stand-alone (AG-2). */
export function roomServerLogName(cfg: Readonly<RoomServerConfig>): string {
  return cfg.userServer ? cfg.userServer.name : cfg.serverName;
}
