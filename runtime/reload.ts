// Configuration reload (AG-29, `kill -HUP`): a server re-reads its file and applies what can change
// while it runs. Which settings need a restart (ports, the server's name, databases…) each server
// lists; everything else applies at once, because the servers read their current configuration
// when they use it. A changed setting that needs a restart keeps its old value, so that the
// configuration a server reports is always the one it runs with.

import { ConfigError } from './config.js';
import { DEFAULT_LIMITS, deepFreeze, type Limits } from './config-common.js';
import { describe } from './lifecycle.js';
import type { ServerLog } from './log.js';

/** Field paths of both servers' configurations → the keyword an operator wrote. */
const COMMON_KEYWORDS: Record<string, string> = {
  serverName: 'Server',
  usersPort: 'Users',
  unicodeNames: 'UnicodeNames',
  mothFile: 'MothFile',
  maxChannelPopulation: 'MaxChannelPopulation',
  logging: 'Logging',
  'http.internal': 'InternalHttpServer',
  'http.external': 'ExternalHttpServer',
  'http.script': 'ScriptServer',
  'http.smtp': 'SmtpServer',
  'http.mailDomain': 'MailDomain',
  bindAddr: 'BindAddr',
  'limits.loginTimeoutMs': 'Timeouts',
  'limits.idleTimeoutMs': 'Timeouts',
  'limits.keepAliveMs': 'Timeouts',
  'limits.sendQueueBytes': 'SendQueue',
  'limits.drainTimeoutMs': 'SendQueue',
  'limits.framesPerSecond': 'FloodLimit',
  'limits.frameBurst': 'FloodLimit',
  'limits.chatLines': 'ChatLimit',
  'limits.chatWindowMs': 'ChatLimit',
  'operations.reportMinutes': 'ReportInterval',
  'operations.rotate': 'LogRotate',
  'operations.json': 'LogFormat',
  'operations.transports': 'LogTransport',
  statusHttp: 'StatusHttp',
  statsRecord: 'StatsRecord',
  statsSampleMs: 'StatsSample',
  httpLimits: 'StatusHttpLimits',
};

/** The status endpoint listens, and the registry samples, from the start (runtime/monitoring.ts). */
export const MONITORING_RESTART: readonly string[] = ['statusHttp', 'statsSampleMs'];

export interface ReloadPlan<C> {
  /** The configuration to run with: the new file, but the old value where a restart is needed. */
  next: Readonly<C>;
  /** Keywords whose new values apply now. */
  applied: string[];
  /** Keywords whose change needs a restart (old values kept). */
  restart: string[];
  /** Field paths that changed and apply (for the server's own follow-up). */
  changed: Set<string>;
}

/**
 * Compares `old` with `fresh`. `restartPaths` are field paths (`usersPort`, `userDatabase.service`)
 * that cannot change while the server runs; `keywords` adds the server's own path → keyword names
 * to the common ones. Unknown fields are applied and named by their path.
 */
export function planReload<C extends object>(
  old: Readonly<C>,
  fresh: Readonly<C>,
  restartPaths: readonly string[],
  keywords: Readonly<Record<string, string>> = {},
): ReloadPlan<C> {
  const differing: string[] = [];
  diff(old, fresh, '', differing);
  const next = structuredClone(fresh) as C;
  const applied = new Set<string>();
  const restart = new Set<string>();
  const changed = new Set<string>();
  const keywordOf = (path: string): string => {
    for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
      const k = keywords[p] ?? COMMON_KEYWORDS[p];
      if (k) return k;
    }
    return path;
  };
  for (const path of differing) {
    const needsRestart = restartPaths.some((p) => p === path || path.startsWith(`${p}.`) || p.startsWith(`${path}.`));
    if (needsRestart) {
      restart.add(keywordOf(path));
      setPath(next, path, structuredClone(getPath(old, path)));
    } else {
      applied.add(keywordOf(path));
      changed.add(path);
    }
  }
  return { next: deepFreeze(next), applied: [...applied], restart: [...restart], changed };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaf paths that differ. Where a keyword sits in the file (`line`) is not a change. */
function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (isRecord(a) && isRecord(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (k === 'line') continue;
      diff(a[k], b[k], path ? `${path}.${k}` : k, out);
    }
    return;
  }
  if (JSON.stringify(a, withoutLines) !== JSON.stringify(b, withoutLines)) out.push(path);
}

function withoutLines(key: string, value: unknown): unknown {
  return key === 'line' ? undefined : value;
}

function getPath(o: unknown, path: string): unknown {
  let v = o;
  for (const k of path.split('.')) v = isRecord(v) ? v[k] : undefined;
  return v;
}

function setPath(o: object, path: string, value: unknown): void {
  const keys = path.split('.');
  let v = o as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) v = v[k] as Record<string, unknown>;
  v[keys[keys.length - 1] as string] = value;
}

/**
 * Reads the file again; on a mistake logs `file:line: Keyword: problem` and returns null (the old
 * settings stay).
 */
export function rereadConfig<C>(log: ServerLog, path: string, load: (path: string) => C): C | null {
  try {
    return load(path);
  } catch (err) {
    const why = err instanceof ConfigError ? err.message : describe(err);
    log.error(path, `configuration not re-read (${why}); keeping the previous settings`, { event: 'reload-failed' });
    return null;
  }
}

/** The log line saying what a reload did. */
export function logReload(
  log: ServerLog,
  path: string,
  why: string,
  plan: ReloadPlan<unknown>,
  later: readonly string[] = [],
  /** Say "no changes" too (an operator's SIGHUP; not every reconnection attempt). */
  always = true,
): void {
  if (!always && !plan.applied.length && !later.length && !plan.restart.length) return;
  const parts: string[] = [];
  if (plan.applied.length) parts.push(`applied ${plan.applied.join(', ')}`);
  if (later.length) parts.push(`${later.join(', ')} will be sent to the UserServer when the link is next established`);
  if (plan.restart.length)
    parts.push(
      `${plan.restart.join(', ')} changed but ${plan.restart.length === 1 ? 'needs' : 'need'} a restart (old settings kept)`,
    );
  log.event(`configuration ${path} re-read (${why}): ${parts.length ? parts.join('; ') : 'no changes'}`, {
    event: 'reload',
  });
}

/**
 * The limits a connection keeps reading for its whole life, always from the server's current
 * configuration: a reload reaches connections already open. Plain getters (no Proxy) keep the
 * per-frame reads cheap.
 */
export function currentLimits(get: () => Readonly<Limits>): Readonly<Limits> {
  const view = {} as Limits;
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    Object.defineProperty(view, key, { enumerable: true, get: () => get()[key] });
  }
  return view;
}
