// Every administration task by name, and the one way to run them: check the input, make sure the
// galaxy is there when the task needs it, run it, and write one audit line (who, what, on whom,
// and how it ended) whatever the outcome, a rejected request included. wsadmin (through the control socket or on the database
// alone) and any other face call `runTask`.

import { describe } from '../../runtime/lifecycle.js';
import { deactivate, deleteAccount, grant, newhost, privileges, reactivate, revoke, specialguest } from './accounts.js';
import { boot, broadcast, online } from './live.js';
import { report } from './report.js';
import { statsRecord } from './stats-record.js';
import type { Task } from './task.js';
import { fail, type AdminContext, type AdminResult } from './types.js';
import { UsageError } from './validate.js';
import { vip } from './vip.js';

export const TASKS = {
  report,
  privileges,
  grant,
  revoke,
  specialguest,
  deactivate,
  reactivate,
  delete: deleteAccount,
  newhost,
  vip,
  broadcast,
  boot,
  online,
  'stats-record': statsRecord,
} as const;

export type TaskName = keyof typeof TASKS;
export type TaskInput<K extends TaskName> = (typeof TASKS)[K] extends Task<infer I, unknown> ? I : never;
export type TaskValue<K extends TaskName> = (typeof TASKS)[K] extends Task<never, infer O> ? O : never;

export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

export function isTaskName(name: string): name is TaskName {
  return Object.hasOwn(TASKS, name);
}

/** Whether a task can run with the UserServer down (on the database alone). */
export function needsGalaxy(name: TaskName): boolean {
  return TASKS[name].live === 'required';
}

async function execute<I, O>(ctx: AdminContext, name: string, t: Task<I, O>, input: I): Promise<AdminResult<O>> {
  let r: AdminResult<O>;
  try {
    r =
      t.live === 'required' && !ctx.galaxy
        ? fail('not-running', 'the UserServer is not running')
        : await t.run(ctx, input);
  } catch (err) {
    r = err instanceof UsageError ? fail('usage', `${name}: ${err.message}`) : fail('failed', describe(err));
  }
  const outcome = r.ok ? r.summary : `${r.error.code}: ${r.error.message}`;
  ctx.audit(`admin ${ctx.by}: ${name} ${t.target(input)}: ${outcome}`);
  return r;
}

/** A task with input already typed (a face that built it). */
export function runTask<K extends TaskName>(
  ctx: AdminContext,
  name: K,
  input: TaskInput<K>,
): Promise<AdminResult<TaskValue<K>>> {
  const t = TASKS[name] as unknown as Task<TaskInput<K>, TaskValue<K>>;
  return execute(ctx, name, t, input);
}

/** A task by name with input from outside (a control-socket request): checked first. */
export async function runTaskFrom(ctx: AdminContext, name: string, input: unknown): Promise<AdminResult<unknown>> {
  const rejected = (message: string) => {
    ctx.audit(`admin ${ctx.by}: ${name.slice(0, 40)} (rejected): usage: ${message}`);
    return fail('usage', message);
  };
  if (!isTaskName(name)) return rejected(`unknown task ${JSON.stringify(name)} (tasks: ${TASK_NAMES.join(', ')})`);
  const t = TASKS[name] as Task<unknown, unknown>;
  let parsed: unknown;
  try {
    parsed = t.parse(input);
  } catch (err) {
    if (err instanceof UsageError) return rejected(`${name}: ${err.message}`);
    throw err;
  }
  return execute(ctx, name, t, parsed);
}
