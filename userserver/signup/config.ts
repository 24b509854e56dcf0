// Keywords of the sign-up pages (README extension table): where they listen and the limits that
// keep them from being abused.

import {
  ConfigError,
  int,
  ipv4,
  n,
  num,
  portOrZero,
  str,
  type ArgValues,
  type KeywordSpec,
} from '../../runtime/config.js';

export interface Window {
  count: number;
  ms: number;
}

export interface SignupSettings {
  /** SignupHttp port [bindAddr]: the script server of register.pl and codeword.pl; null = off. */
  signupHttp: { port: number; bindAddr: string | null; line: number } | null;
  /** Sign-up requests (codewords sent) per client address. @default 5 per 60 minutes */
  signupAddressLimit: Window;
  /** Codewords sent to one e-mail address, counted in the database. @default 3 per 24 hours */
  signupEmailLimit: Window;
  /** Wrong codewords per client address. @default 20 per 60 minutes */
  signupCodewordLimit: Window;
  /** A codeword is valid this long; a serial it handed out stays reserved that long. @default 60 min, 30 days */
  signupExpiry: { codewordMs: number; holdMs: number };
  signupHttpLimits: {
    /** Connections at once. @default 32 */
    connections: number;
    /** Largest request body. @default 4096 bytes */
    bodyBytes: number;
    /** Time a client has to send its request headers (and the whole request). @default 10 s */
    headerMs: number;
  };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function signupDraft(): SignupSettings {
  return {
    signupHttp: null,
    signupAddressLimit: { count: 5, ms: 60 * MINUTE },
    signupEmailLimit: { count: 3, ms: 24 * HOUR },
    signupCodewordLimit: { count: 20, ms: 60 * MINUTE },
    signupExpiry: { codewordMs: 60 * MINUTE, holdMs: 30 * DAY },
    signupHttpLimits: { connections: 32, bodyBytes: 4096, headerMs: 10_000 },
  };
}

function windowKeyword<D extends SignupSettings>(
  keyword: string,
  unit: 'minutes' | 'hours',
  set: (d: D, w: Window) => void,
): KeywordSpec<D> {
  return {
    keyword,
    args: [
      { name: 'count', type: int(1, 1_000_000) },
      { name: unit, type: num(0.001, unit === 'hours' ? 24 * 365 : 60 * 24 * 365) },
    ],
    apply(d, v: ArgValues) {
      set(d, { count: n(v, 0), ms: n(v, 1) * (unit === 'hours' ? HOUR : MINUTE) });
    },
  };
}

export function signupKeywords<D extends SignupSettings>(): KeywordSpec<D>[] {
  return [
    {
      keyword: 'SignupHttp',
      args: [
        { name: 'port', type: portOrZero },
        { name: 'bindAddr', type: ipv4, optional: true },
      ],
      apply(d, v, at) {
        d.signupHttp = { port: n(v, 0), bindAddr: v[1] === undefined ? null : str(v, 1), line: at.line };
      },
    },
    windowKeyword<D>('SignupAddressLimit', 'minutes', (d, w) => (d.signupAddressLimit = w)),
    windowKeyword<D>('SignupEmailLimit', 'hours', (d, w) => (d.signupEmailLimit = w)),
    windowKeyword<D>('SignupCodewordLimit', 'minutes', (d, w) => (d.signupCodewordLimit = w)),
    {
      keyword: 'SignupExpiry',
      args: [
        { name: 'codewordMinutes', type: num(0.001, 60 * 24 * 30) },
        { name: 'holdDays', type: num(0.0001, 3650) },
      ],
      apply(d, v) {
        d.signupExpiry = { codewordMs: n(v, 0) * MINUTE, holdMs: n(v, 1) * DAY };
      },
    },
    {
      keyword: 'SignupHttpLimits',
      args: [
        { name: 'connections', type: int(1, 10_000) },
        { name: 'bodyBytes', type: int(256, 1_048_576) },
        { name: 'headerSeconds', type: num(0.05, 3600) },
      ],
      apply(d, v) {
        d.signupHttpLimits = { connections: n(v, 0), bodyBytes: n(v, 1), headerMs: n(v, 2) * 1000 };
      },
    },
  ];
}

/** Checks that need the whole file: the pages hand out serials, so they need the user database. */
export function checkSignupConfig<D extends SignupSettings & { file: string; userDatabase: unknown }>(d: D): D {
  if (d.signupHttp && !d.userDatabase)
    throw new ConfigError(
      d.file,
      d.signupHttp.line,
      'SignupHttp',
      'needs a UserDatabase line (serials are handed out from it)',
    );
  return d;
}
