// What StatusHttp serves at `/` (AG-42): the status page and its files, the stats as text and
// JSON, the page's history, Prometheus metrics and a health check. Read-only: GET and HEAD.
//
//   /              the status page (web/status.html; uPlot from the installed package, no CDN)
//   /stats         `show stats` lines; JSON with ?format=json or Accept: application/json
//   /status.json   what the page draws: spec, health, history since ?since=<seconds>, galaxy
//   /metrics       Prometheus exposition format
//   /health        200 "ok", or 503 and why (database or galaxy link down, starting, stopping)

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../db/sqlite.js';
import { showStatsLines } from '../stats-report.js';
import type { StatsRegistry } from '../stats.js';
import type { History, StatusSpec } from '../status-history.js';
import { json, text, type HttpHandler, type HttpRequest, type HttpResponse } from './endpoint.js';
import type { MetricsExporter } from './metrics.js';

export interface HealthState {
  ok: boolean;
  /** Why not, in a few words an operator acts on ("user database not answering: …"). */
  reason: string;
}

export interface StatusSource {
  registry: StatsRegistry;
  history: History;
  spec: StatusSpec;
  sampleMs: number;
  startedAt: Date;
  health(): HealthState;
  /** The UserServer's panel of the whole galaxy; absent on RoomServers. */
  galaxy?: (sinceSeconds: number) => unknown;
}

interface StaticFile {
  path: () => string;
  type: string;
}

const requireFromHere = createRequire(import.meta.url);
const web = (name: string) => () => join(packageRoot(), 'web', name);

const STATIC: Readonly<Record<string, StaticFile>> = {
  '/': { path: web('status.html'), type: 'text/html; charset=utf-8' },
  '/status.js': { path: web('status.js'), type: 'text/javascript; charset=utf-8' },
  '/status.css': { path: web('status.css'), type: 'text/css; charset=utf-8' },
  '/uplot.js': {
    path: () => requireFromHere.resolve('uplot/dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/uplot.css': { path: () => requireFromHere.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

function version(): string {
  try {
    return (requireFromHere(join(packageRoot(), 'package.json')) as { version?: string }).version ?? '';
  } catch {
    return '';
  }
}

export function statusRoutes(src: StatusSource, exporter: MetricsExporter): HttpHandler {
  const files = new Map<string, Buffer>();
  const reg = src.registry;
  const server = {
    category: reg.category,
    name: reg.container,
    pid: process.pid,
    startedAt: src.startedAt.toISOString(),
    version: version(),
  };

  const serveFile = async (path: string, f: StaticFile): Promise<HttpResponse> => {
    let body = files.get(path);
    if (!body) {
      body = await readFile(f.path());
      files.set(path, body);
    }
    return { status: 200, headers: { 'content-type': f.type, 'cache-control': 'max-age=300' }, body };
  };

  const stats = (req: HttpRequest): HttpResponse => {
    const format = req.url.searchParams.get('format');
    if (format === 'json' || (format === null && req.accepts('application/json'))) {
      return json({ server, sampledAt: reg.lastSampleAt, stats: reg.readings() });
    }
    return text(200, showStatsLines(reg).join('\n') + '\n');
  };

  const status = (req: HttpRequest): HttpResponse => {
    const since = Number(req.url.searchParams.get('since') ?? '0');
    const from = Number.isFinite(since) && since > 0 ? since : 0;
    return json({
      server,
      health: src.health(),
      sampleMs: src.sampleMs,
      sampledAt: reg.lastSampleAt,
      spec: src.spec,
      history: src.history.since(from),
      galaxy: src.galaxy ? src.galaxy(from) : null,
    });
  };

  return async (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return text(405, 'this endpoint is read-only (GET, HEAD)\n', { allow: 'GET, HEAD' });
    const path = req.path === '/index.html' ? '/' : req.path;
    const file = STATIC[path];
    if (file) return serveFile(path, file);
    switch (path) {
      case '/stats':
        return stats(req);
      case '/status.json':
        return status(req);
      case '/metrics':
        return { status: 200, headers: { 'content-type': exporter.contentType }, body: await exporter.metrics() };
      case '/health': {
        const h = src.health();
        return text(h.ok ? 200 : 503, h.ok ? 'ok\n' : `${h.reason}\n`);
      }
      default:
        return text(404, 'not found (try /, /stats, /metrics or /health)\n');
    }
  };
}
