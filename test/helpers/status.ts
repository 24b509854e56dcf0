// Reading a server's StatusHttp endpoint in end-to-end tests.

import type { ServerProcess } from './servers.js';
import { parseExposition, type Sample } from './exposition.js';

export function statusBase(p: ServerProcess): string {
  const port = p.ports.get('status');
  if (!port) throw new Error('this server has no StatusHttp endpoint (no "Listening for status" line)');
  return `http://127.0.0.1:${port}`;
}

export async function get(p: ServerProcess, path: string, accept?: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`${statusBase(p)}${path}`, accept ? { headers: { accept } } : {});
  return { status: r.status, body: await r.text() };
}

export interface StatJson {
  name: string;
  fullName: string;
  kind: string;
  unit: string;
  value: number;
  rate?: number;
  averageRate?: number;
}

export async function statsJson(p: ServerProcess): Promise<{ sampledAt: number; stats: Map<string, StatJson> }> {
  const r = await get(p, '/stats?format=json');
  if (r.status !== 200) throw new Error(`/stats answered ${r.status}: ${r.body}`);
  const j = JSON.parse(r.body) as { sampledAt: number; stats: StatJson[] };
  return { sampledAt: j.sampledAt, stats: new Map(j.stats.map((s) => [s.name, s])) };
}

/** /metrics, read strictly (every line valid exposition format). */
export async function metrics(p: ServerProcess): Promise<Sample[]> {
  const r = await get(p, '/metrics');
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return parseExposition(r.body).samples;
}

export function metric(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number[] {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .map((s) => s.value);
}

/** Polls `check` until it returns something other than undefined (state that changes on timers). */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
