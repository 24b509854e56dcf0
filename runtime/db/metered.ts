// Database calls counted and timed for the statistics registry (AG-41: query latency and errors),
// without touching either backend: the database object is wrapped so that every call that returns
// a promise is timed from the call to its settling. Calls added to the contract later are counted
// too. Health probes and close are not queries and are left out.

import { Distribution, type StatsRegistry } from '../stats.js';

export class DbMeter {
  calls = 0;
  errors = 0;
  /** Milliseconds from call to answer, of the most recent calls. */
  readonly latency = new Distribution(1024);
}

const NOT_QUERIES = new Set(['probe', 'close']);

export function metered<T extends object>(db: T, meter: DbMeter): T {
  return new Proxy(db, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      const fn = v as (...args: unknown[]) => unknown;
      if (typeof prop !== 'string' || NOT_QUERIES.has(prop)) return fn.bind(target);
      return (...args: unknown[]): unknown => {
        const started = performance.now();
        const result = fn.apply(target, args);
        if (!(result instanceof Promise)) return result;
        meter.calls++;
        return result.then(
          (value: unknown) => {
            meter.latency.record(performance.now() - started);
            return value;
          },
          (err: unknown) => {
            meter.errors++;
            meter.latency.record(performance.now() - started);
            throw err;
          },
        );
      };
    },
  });
}

/** `<prefix>_queries`, `<prefix>_errors` and `<prefix>_query_ms` (last, p50, p99). */
export function registerDbStats(reg: StatsRegistry, meter: DbMeter, prefix: string, what: string): void {
  reg.changeOf(
    `${prefix}_queries`,
    'queries',
    `Calls to the ${what} (each one operation, transaction included)`,
    () => meter.calls,
  );
  reg.changeOf(
    `${prefix}_errors`,
    'queries',
    `Calls to the ${what} that failed (each is logged with what to check)`,
    () => meter.errors,
  );
  reg.distribution(`${prefix}_query_ms`, 'ms', `Time the ${what} took to answer a call`, meter.latency);
}
