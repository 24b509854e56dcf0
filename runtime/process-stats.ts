// What every server process reports about itself (AG-41): CPU time, memory and how late the event
// loop runs. A late event loop is what users feel first: every frame, tick and login waits in it.

import { createHistogram } from 'node:perf_hooks';
import type { StatsRegistry } from './stats.js';

/**
 * How often the event loop's lateness is measured. Node's own monitorEventLoopDelay is not used:
 * after each reset it drops its first interval, so a stall right after a sample (a tick due at the
 * same moment) would never be seen. A timer of our own measures every interval.
 */
const RESOLUTION_MS = 50;

export interface ProcessStats {
  /** Stops the event-loop timer (shutdown). */
  stop(): void;
}

export function registerProcessStats(reg: StatsRegistry): ProcessStats {
  const started = Date.now();
  // Lateness of each timer run, in microseconds (a histogram holds whole numbers of at least 1).
  const lateness = createHistogram();
  let due = performance.now() + RESOLUTION_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    lateness.record(Math.max(1, Math.round((now - due) * 1000)));
    due = now + RESOLUTION_MS;
  }, RESOLUTION_MS);
  timer.unref();
  // Figures of the loop delay cover one sample period: taken, then the histogram starts again.
  const delay = { mean: 0, p99: 0, max: 0 };
  reg.beforeSample.push(() => {
    const seen = lateness.count > 0;
    delay.mean = seen ? lateness.mean / 1000 : 0;
    delay.p99 = seen ? lateness.percentile(99) / 1000 : 0;
    delay.max = seen ? lateness.max / 1000 : 0;
    lateness.reset();
  });

  reg.changeOf(
    'cpu_seconds',
    'seconds',
    'CPU time this process used (user + system); the rate is the share of one core in use (1/s = a whole core, the most one server can use)',
    () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    },
  );
  reg.number(
    'rss_bytes',
    'bytes',
    'Resident memory of the process; growing without bound while users stay constant means a leak',
    () => process.memoryUsage.rss(),
  );
  reg.number(
    'heap_used_bytes',
    'bytes',
    'JavaScript heap in use (objects of users, rooms, queued frames)',
    () => process.memoryUsage().heapUsed,
  );
  reg.number(
    'heap_total_bytes',
    'bytes',
    'JavaScript heap reserved by the process',
    () => process.memoryUsage().heapTotal,
  );
  reg.number(
    'event_loop_delay_ms',
    'ms',
    'Mean lateness of the event loop over the last sample period; everything (frames, ticks, logins) waits this long on top of its own work',
    () => delay.mean,
  );
  reg.number(
    'event_loop_delay_p99_ms',
    'ms',
    'Event-loop lateness, 99th percentile over the last sample period; above about 100 ms users notice',
    () => delay.p99,
  );
  reg.number(
    'event_loop_delay_max_ms',
    'ms',
    'Longest event-loop stall in the last sample period (a garbage collection, a large tick)',
    () => delay.max,
  );
  reg.number('uptime_seconds', 'seconds', 'Time since the server started', () => (Date.now() - started) / 1000);
  return { stop: () => clearInterval(timer) };
}
