// UserServer configuration: every keyword of the guide's Appendix II (AG-5), parsed once into a
// frozen, typed object with documented defaults.

import {
  ConfigError,
  int,
  ipv4,
  n,
  num,
  parseConfigFile,
  port,
  portOrZero,
  str,
  word,
  type ArgSpec,
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
import type { DatabaseSettings } from '../runtime/db/types.js';
import { defaultSuffix, type BackupRole } from '../protocol/backup.js';
import { DEFAULT_HEALTH_CHECK, healthCheckKeyword, type HealthCheckSettings } from '../runtime/stats-config.js';
import { adminDraft, adminKeywords, type AdminSettings } from './admin/config.js';
import { checkSignupConfig, signupDraft, signupKeywords, type SignupSettings } from './signup/config.js';
import { consoleDraft, consoleKeywords, type ConsoleSettings } from './admin/web/config.js';
import {
  DEFAULT_LINK_HANDSHAKE,
  DEFAULT_ROOM_LIMITS,
  linkHandshakeKeyword,
  roomKeywords,
  type LinkHandshakeLimits,
  type RoomLimits,
} from '../runtime/config-limits.js';

export interface UserDatabaseSettings extends DatabaseSettings {
  /** Minutes between write-backs of usage counters and properties of active users. */
  writeBackMinutes: number;
}

export interface GuestSettings {
  max: number;
  /** Guests are named `<prefix>_1` … `<prefix>_<max>`. */
  prefix: string;
  minutes: number;
}

export interface UserServerConfig extends CommonDraft, AdminSettings, ConsoleSettings, SignupSettings {
  /** Users: minutes after start before the users port listens (AG-4; fractions allowed). @default 0 */
  delayMinutes: number;
  /** RoomServers: port for RoomServer links. Required. */
  roomServersPort: number;
  /** RoomServers: the password RoomServers prove they know. Required. */
  roomServersPassword: string;
  /** UserDatabase; null = anonymous UserServer (server type 2). */
  userDatabase: UserDatabaseSettings | null;
  guests: GuestSettings | null;
  /** Connections: simultaneous client connections. @default 1000 */
  maxConnections: number;
  /** Connections: users logged in to the galaxy. @default 10000 */
  maxActiveUsers: number;
  /** BackupServer / BackupClient: redundant WorldServers (AG-23, userserver/backup/); null = none. */
  backup: BackupSettings | null;
  /** ChannelSuffix: as given; the effective suffix is `channelSuffixOf(cfg)`. */
  channelSuffix: string | null;
  /** Extension: seconds a BackupClient waits between attempts to reach its BackupServer. @default 10 s */
  backupRetryMs: number;
  /** Extension: seconds a client connection stays after its first redirection (AG-17). @default 120 */
  redirectGraceMs: number;
  /** Extension: scrypt cost as log2(N). @default 14 */
  passwordCost: number;
  /** Extension: a user present nowhere is logged off after this long (moving between servers). @default 30 s */
  logoffDelayMs: number;
  /** Extension: wait between attempts to open the user database. @default 30 s */
  databaseRetryMs: number;
  /** Extensions RoomIds and RoomRequests: the galaxy-wide room ids and room requests per user. */
  rooms: RoomLimits;
  /** Extension LinkHandshake: unauthenticated handshakes on the RoomServers port. */
  linkHandshake: LinkHandshakeLimits;
  /** Extension: how /health checks the user database (HealthCheck). @default every 2 s, 1 s timeout */
  healthCheck: HealthCheckSettings;
  /** Extension: failed logins allowed per address and per account within the window; then locked out. @default 5, 5, 10 min */
  loginFailures: LoginFailureSettings;
  /** Extension: accounts one address may register per hour. @default 5 */
  registrationsPerHour: number;
}

export interface BackupSettings {
  role: BackupRole;
  line: number;
  /** BackupClient: the BackupServer's address; null on the BackupServer (it listens on BindAddr). */
  host: string | null;
  /** BackupServer: the port it listens on (0: any, printed); BackupClient: the port it connects to. */
  port: number;
  password: string;
}

/** The suffix this UserServer's channels carry (`dimension-1;2`), null without a backup keyword. */
export function channelSuffixOf(cfg: Pick<UserServerConfig, 'backup' | 'channelSuffix'>): string | null {
  if (!cfg.backup) return null;
  return cfg.channelSuffix ?? defaultSuffix(cfg.backup.role);
}

export interface LoginFailureSettings {
  perAddress: number;
  perAccount: number;
  windowMs: number;
}

export const US_DEFAULTS = {
  usersPort: 5110,
  maxConnections: 1000,
  maxActiveUsers: 10000,
  redirectGraceMs: 120_000,
  passwordCost: 14,
  logoffDelayMs: 30_000,
  databaseRetryMs: 30_000,
  backupRetryMs: 10_000,
  loginFailures: { perAddress: 5, perAccount: 5, windowMs: 600_000 },
  registrationsPerHour: 5,
} as const;

const TABLE: KeywordSpec<UserServerConfig>[] = [
  ...commonKeywords<UserServerConfig>(),
  {
    keyword: 'Users',
    args: [
      { name: 'port', type: portOrZero },
      // Whole minutes in the guide; fractions are accepted (tests wait seconds, not minutes).
      { name: 'delayMinutes', type: num(0, 1440), optional: true },
    ],
    apply(d, v) {
      d.usersPort = n(v, 0);
      if (v[1] !== undefined) d.delayMinutes = n(v, 1);
    },
  },
  {
    keyword: 'RoomServers',
    required: true,
    args: [
      { name: 'port', type: portOrZero },
      { name: 'password', type: word },
    ],
    apply(d, v) {
      d.roomServersPort = n(v, 0);
      d.roomServersPassword = str(v, 1);
    },
  },
  {
    keyword: 'UserDatabase',
    args: DATABASE_ARGS,
    apply(d, v) {
      d.userDatabase = databaseSettings(v);
    },
  },
  {
    keyword: 'Guests',
    args: [
      { name: 'max', type: int(0, 100_000) },
      { name: 'prefix', type: word },
      { name: 'minutes', type: int(1, 100_000) },
    ],
    apply(d, v, at) {
      const prefix = str(v, 1);
      if (!/^[A-Za-z0-9-]{1,10}$/.test(prefix)) {
        throw new ConfigError(
          at.file,
          at.line,
          at.keyword,
          `prefix '${prefix}' must be 1-10 letters, digits or '-' (names are prefix_N)`,
        );
      }
      d.guests = n(v, 0) > 0 ? { max: n(v, 0), prefix, minutes: n(v, 2) } : null;
    },
  },
  {
    keyword: 'Connections',
    args: [
      { name: 'maxConnections', type: int(1, 1_000_000) },
      { name: 'maxActiveUsers', type: int(1, 10_000_000) },
    ],
    apply(d, v) {
      d.maxConnections = n(v, 0);
      d.maxActiveUsers = n(v, 1);
    },
  },
  backupKeyword('server', [
    { name: 'port', type: portOrZero },
    { name: 'password', type: word },
  ]),
  backupKeyword('client', [
    { name: 'host', type: ipv4 },
    { name: 'port', type: port },
    { name: 'password', type: word },
  ]),
  {
    keyword: 'ChannelSuffix',
    args: [{ name: 'suffix', type: word }],
    apply(d, v, at) {
      const suffix = str(v, 0);
      // It ends every channel name (`dimension-1;2`) inside room names (`World#Room<channel>`).
      if (!/^[A-Za-z0-9_-]{1,16}$/.test(suffix))
        throw new ConfigError(at.file, at.line, at.keyword, `'${suffix}' must be 1-16 letters, digits, '_' or '-'`);
      d.channelSuffix = suffix;
    },
  },
  secondsKeyword<UserServerConfig>('BackupRetry', (d, ms) => (d.backupRetryMs = ms)),
  ...roomKeywords<UserServerConfig>(),
  linkHandshakeKeyword<UserServerConfig>(),
  secondsKeyword<UserServerConfig>('RedirectGrace', (d, ms) => (d.redirectGraceMs = ms)),
  secondsKeyword<UserServerConfig>('LogoffDelay', (d, ms) => (d.logoffDelayMs = ms)),
  secondsKeyword<UserServerConfig>('DatabaseRetry', (d, ms) => (d.databaseRetryMs = ms)),
  healthCheckKeyword<UserServerConfig>(),
  ...adminKeywords<UserServerConfig>(),
  ...consoleKeywords<UserServerConfig>(),
  ...signupKeywords<UserServerConfig>(),
  {
    keyword: 'LoginFailures',
    args: [
      { name: 'perAddress', type: int(1, 1_000_000) },
      { name: 'perAccount', type: int(1, 1_000_000) },
      { name: 'minutes', type: num(0.01, 10_080) },
    ],
    apply(d, v) {
      d.loginFailures = { perAddress: n(v, 0), perAccount: n(v, 1), windowMs: n(v, 2) * 60_000 };
    },
  },
  {
    keyword: 'Registrations',
    args: [{ name: 'perAddressPerHour', type: int(1, 1_000_000) }],
    apply(d, v) {
      d.registrationsPerHour = n(v, 0);
    },
  },
  {
    keyword: 'PasswordCost',
    args: [{ name: 'log2N', type: int(10, 20) }],
    apply(d, v) {
      d.passwordCost = n(v, 0);
    },
  },
];

/** BackupServer port password / BackupClient host port password (never both, AG-23). */
function backupKeyword(role: BackupRole, args: readonly ArgSpec[]): KeywordSpec<UserServerConfig> {
  const keyword = role === 'server' ? 'BackupServer' : 'BackupClient';
  const other = role === 'server' ? 'BackupClient' : 'BackupServer';
  return {
    keyword,
    args,
    apply(d, v, at) {
      if (d.backup && d.backup.role !== role) {
        throw new ConfigError(
          at.file,
          at.line,
          at.keyword,
          `cannot be used together with ${other} (line ${d.backup.line})`,
        );
      }
      d.backup =
        role === 'server'
          ? { role, line: at.line, host: null, port: n(v, 0), password: str(v, 1) }
          : { role, line: at.line, host: str(v, 0), port: n(v, 1), password: str(v, 2) };
    },
  };
}

export function userServerDraft(file: string): UserServerConfig {
  return {
    ...commonDraft(file, US_DEFAULTS.usersPort),
    delayMinutes: 0,
    roomServersPort: 0,
    roomServersPassword: '',
    userDatabase: null,
    guests: null,
    maxConnections: US_DEFAULTS.maxConnections,
    maxActiveUsers: US_DEFAULTS.maxActiveUsers,
    backup: null,
    channelSuffix: null,
    backupRetryMs: US_DEFAULTS.backupRetryMs,
    redirectGraceMs: US_DEFAULTS.redirectGraceMs,
    passwordCost: US_DEFAULTS.passwordCost,
    logoffDelayMs: US_DEFAULTS.logoffDelayMs,
    databaseRetryMs: US_DEFAULTS.databaseRetryMs,
    ...adminDraft(),
    ...consoleDraft(),
    ...signupDraft(),
    loginFailures: { ...US_DEFAULTS.loginFailures },
    registrationsPerHour: US_DEFAULTS.registrationsPerHour,
    healthCheck: { ...DEFAULT_HEALTH_CHECK },
    rooms: { ...DEFAULT_ROOM_LIMITS },
    linkHandshake: { ...DEFAULT_LINK_HANDSHAKE },
  };
}

export const USERSERVER_KEYWORDS: readonly KeywordSpec<UserServerConfig>[] = TABLE;

export function loadUserServerConfig(path: string): Readonly<UserServerConfig> {
  return deepFreeze(checkSignupConfig(parseConfigFile(path, TABLE, userServerDraft(path))));
}
