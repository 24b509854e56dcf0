// One administration task: how its input is checked, what it needs of a running galaxy, whom it
// acts on (for the audit line), and what it does. The tasks themselves are in accounts.ts,
// report.ts, vip.ts and live.ts; tasks.ts lists them and runs them.

import type { AdminContext, AdminResult } from './types.js';

export interface Task<I, O> {
  /** none: the database only; optional: uses the galaxy when it runs; required: fails without it. */
  live: 'none' | 'optional' | 'required';
  /** Throws a UsageError naming the field that is wrong. */
  parse(input: unknown): I;
  /** Whom or what the task acts on, for the audit line. */
  target(input: I): string;
  run(ctx: AdminContext, input: I): Promise<AdminResult<O>>;
}

export const task = <I, O>(t: Task<I, O>): Task<I, O> => t;

export const lower = (name: string): string => name.toLowerCase();
