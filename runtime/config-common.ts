// Keywords both servers understand (guide Appendix I and II), plus this project's extensions for
// the caps every connection needs (ENGINEERING.md practice 3). Extensions are optional; a config
// file written for the original servers parses unchanged.

import { ConfigError, int, ipv4, num, n, str, word, type ArgSpec, type ArgValues, type KeywordSpec } from './config.js';
import { operationsDraft, operationsKeywords, type OperationsSettings } from './config-operations.js';
import { statsDraft, statsKeywords, type StatsSettings } from './stats-config.js';

export interface HttpSettings {
  /** InternalHttpServer → property 29. */
  internal: string | null;
  /** ExternalHttpServer → property 24. */
  external: string | null;
  /** ScriptServer → property 25. */
  script: string | null;
  /** SmtpServer → property 26. */
  smtp: string | null;
  /** MailDomain → property 27. */
  mailDomain: string | null;
}

export interface Limits {
  /** Time a connection may take to log in. The login dialog can stay open a long time (§6.3). @default 600 s */
  loginTimeoutMs: number;
  /** Time without any frame from a logged-in client before it is dropped. @default 300 s */
  idleTimeoutMs: number;
  /** Silence after which the server sends a harmless frame, so the client's 120 s idle close never fires (§6.1). @default 60 s */
  keepAliveMs: number;
  /** Bytes that may wait in a client's send queue before it is dropped as a slow consumer. @default 256 KiB */
  sendQueueBytes: number;
  /** Time a client's send queue may stay above the socket's high-water mark. @default 30 s */
  drainTimeoutMs: number;
  /** Sustained frames per second a client may send. The real client sends well under 30. @default 60 */
  framesPerSecond: number;
  /** Burst of frames allowed above the sustained rate (login sends about 40 at once). @default 400 */
  frameBurst: number;
  /** Chat lines (TEXT) a client may send per chat window; more are dropped with a notice. @default 20 */
  chatLines: number;
  /** @default 10 s */
  chatWindowMs: number;
  /**
   * Time a new socket may take to send its first frame. The real client sends PROPREQ (`03 FF 0A`)
   * as soon as it is connected (§6.3 step 1); once answered, the login wait above applies. @default 10 s
   */
  firstRequestTimeoutMs: number;
  /** Sockets one address may hold (J Solar's servers: 16). @default 16 */
  connectionsPerAddress: number;
  /** Sockets one address may hold before they log in. @default 8 */
  unauthenticatedPerAddress: number;
  /** A client's repeated offence is logged once per offender and event per this window. @default 60 s */
  logLimitWindowMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  loginTimeoutMs: 600_000,
  idleTimeoutMs: 300_000,
  keepAliveMs: 60_000,
  sendQueueBytes: 256 * 1024,
  drainTimeoutMs: 30_000,
  framesPerSecond: 60,
  frameBurst: 400,
  chatLines: 20,
  chatWindowMs: 10_000,
  firstRequestTimeoutMs: 10_000,
  connectionsPerAddress: 16,
  unauthenticatedPerAddress: 8,
  logLimitWindowMs: 60_000,
});

export interface CommonDraft extends StatsSettings {
  file: string;
  serverName: string;
  usersPort: number;
  unicodeNames: boolean;
  mothFile: string;
  maxChannelPopulation: number | null;
  logging: boolean;
  http: HttpSettings;
  bindAddr: string | null;
  limits: Limits;
  /** ReportInterval, LogRotate, LogFormat, LogTransport (runtime/config-operations.ts). */
  operations: OperationsSettings;
}

export function commonDraft(file: string, defaultUsersPort: number): CommonDraft {
  return {
    file,
    serverName: '',
    usersPort: defaultUsersPort,
    unicodeNames: false,
    mothFile: 'moth',
    maxChannelPopulation: null,
    logging: false,
    http: { internal: null, external: null, script: null, smtp: null, mailDomain: null },
    bindAddr: null,
    limits: { ...DEFAULT_LIMITS },
    operations: operationsDraft(),
    ...statsDraft(),
  };
}

const SECONDS = num(0.01, 86_400);

export function commonKeywords<D extends CommonDraft>(): KeywordSpec<D>[] {
  return [
    {
      keyword: 'Server',
      required: true,
      args: [{ name: 'name', type: word }],
      apply(d, v, at) {
        const name = str(v, 0);
        // The name becomes part of the log file name (<name>RS.<pid>.log).
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
          throw new ConfigError(
            at.file,
            at.line,
            at.keyword,
            `'${name}' must be 1-64 letters, digits, '_', '-' or '.'`,
          );
        }
        d.serverName = name;
      },
    },
    {
      keyword: 'UnicodeNames',
      args: [],
      apply(d) {
        d.unicodeNames = true;
      },
    },
    {
      keyword: 'MothFile',
      args: [{ name: 'file', type: word }],
      apply(d, v) {
        d.mothFile = str(v, 0);
      },
    },
    {
      keyword: 'MaxChannelPopulation',
      args: [{ name: 'users', type: int(1, 1_000_000) }],
      apply(d, v) {
        d.maxChannelPopulation = n(v, 0);
      },
    },
    {
      keyword: 'Logging',
      args: [],
      apply(d) {
        d.logging = true;
      },
    },
    httpKeyword('InternalHttpServer', 'internal'),
    httpKeyword('ExternalHttpServer', 'external'),
    httpKeyword('ScriptServer', 'script'),
    httpKeyword('SmtpServer', 'smtp'),
    httpKeyword('MailDomain', 'mailDomain'),
    {
      keyword: 'BindAddr',
      args: [{ name: 'address', type: ipv4 }],
      apply(d, v) {
        d.bindAddr = str(v, 0);
      },
    },
    {
      keyword: 'Timeouts',
      args: [
        { name: 'loginSeconds', type: SECONDS },
        { name: 'idleSeconds', type: SECONDS },
        { name: 'keepAliveSeconds', type: SECONDS, optional: true },
      ],
      apply(d, v, at) {
        d.limits.loginTimeoutMs = n(v, 0) * 1000;
        d.limits.idleTimeoutMs = n(v, 1) * 1000;
        if (v[2] !== undefined) d.limits.keepAliveMs = n(v, 2) * 1000;
        if (d.limits.keepAliveMs >= 120_000) {
          throw new ConfigError(
            at.file,
            at.line,
            at.keyword,
            'keepAliveSeconds must be below 120 (the client closes idle connections after 120 s)',
          );
        }
      },
    },
    {
      keyword: 'SendQueue',
      args: [
        { name: 'kilobytes', type: int(16, 65_536) },
        { name: 'drainSeconds', type: SECONDS },
      ],
      apply(d, v) {
        d.limits.sendQueueBytes = n(v, 0) * 1024;
        d.limits.drainTimeoutMs = n(v, 1) * 1000;
      },
    },
    {
      keyword: 'FloodLimit',
      args: [
        { name: 'framesPerSecond', type: int(5, 100_000) },
        { name: 'burstFrames', type: int(40, 1_000_000) },
      ],
      apply(d, v) {
        d.limits.framesPerSecond = n(v, 0);
        d.limits.frameBurst = n(v, 1);
      },
    },
    {
      keyword: 'ChatLimit',
      args: [
        { name: 'lines', type: int(1, 10_000) },
        { name: 'seconds', type: SECONDS },
      ],
      apply(d, v) {
        d.limits.chatLines = n(v, 0);
        d.limits.chatWindowMs = n(v, 1) * 1000;
      },
    },
    {
      keyword: 'AddressLimit',
      args: [
        { name: 'connections', type: int(1, 1_000_000) },
        { name: 'unauthenticated', type: int(1, 1_000_000) },
      ],
      apply(d, v, at) {
        if (n(v, 1) > n(v, 0)) {
          throw new ConfigError(at.file, at.line, at.keyword, 'unauthenticated must not exceed connections');
        }
        d.limits.connectionsPerAddress = n(v, 0);
        d.limits.unauthenticatedPerAddress = n(v, 1);
      },
    },
    secondsKeyword<D>('FirstRequestTimeout', (d, ms) => (d.limits.firstRequestTimeoutMs = ms), 600),
    secondsKeyword<D>('LogLimitWindow', (d, ms) => (d.limits.logLimitWindowMs = ms), 86_400),
    ...operationsKeywords<D>(),
    ...statsKeywords<D>(),
  ];
}

/** `user password service minutes`: the common part of UserDatabase and RoomDatabase (AG-7). */
export const DATABASE_ARGS: readonly ArgSpec[] = [
  { name: 'user', type: word },
  { name: 'password', type: word },
  { name: 'service', type: word },
  // The guide uses whole minutes; fractions are accepted (tests write back every second or so).
  { name: 'minutes', type: num(0.01, 100_000) },
];

export function databaseSettings(v: ArgValues): {
  user: string;
  password: string;
  service: string;
  writeBackMinutes: number;
} {
  return { user: str(v, 0), password: str(v, 1), service: str(v, 2), writeBackMinutes: n(v, 3) };
}

/** An extension keyword holding one duration in seconds (fractions allowed), stored in ms. */
export function secondsKeyword<D>(
  keyword: string,
  set: (d: D, ms: number) => void,
  maxSeconds = 86_400,
): KeywordSpec<D> {
  return {
    keyword,
    args: [{ name: 'seconds', type: num(0.05, maxSeconds) }],
    apply(d, v) {
      set(d, n(v, 0) * 1000);
    },
  };
}

function httpKeyword<D extends CommonDraft>(keyword: string, field: keyof HttpSettings): KeywordSpec<D> {
  return {
    keyword,
    args: [{ name: 'value', type: word }],
    apply(d, v) {
      d.http[field] = str(v, 0);
    },
  };
}

/** Deep-freezes a parsed configuration before it is passed down (ENGINEERING.md practice 11). */
export function deepFreeze<T>(o: T): Readonly<T> {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
