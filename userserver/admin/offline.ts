// Running a task on the user database alone, with the UserServer down (wsadmin falls back to it
// when nothing listens on the control socket). The audit line goes to `<Server>US.admin.log` in
// the working directory, since there is no running server log to write it to.

import { appendFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openDatabase, sqlitePath } from '../../runtime/db/open.js';
import { describe } from '../../runtime/lifecycle.js';
import { ctime } from '../../runtime/log.js';
import type { UserServerConfig } from '../config.js';
import { runTaskFrom } from './tasks.js';
import { fail, type AdminResult } from './types.js';

export const adminLogName = (cfg: Readonly<UserServerConfig>) => `${cfg.serverName}US.admin.log`;

export async function runOffline(
  cfg: Readonly<UserServerConfig>,
  task: string,
  input: unknown,
  by: string,
): Promise<AdminResult<unknown>> {
  const settings = cfg.userDatabase;
  if (!settings) return fail('usage', `${cfg.file} has no UserDatabase line: there are no accounts to administer`);
  const file = sqlitePath(settings.service);
  // Opening a sqlite: path creates it: in the wrong directory that would be an empty database.
  if (file !== null && !existsSync(resolve(file)))
    return fail(
      'failed',
      `no user database ${resolve(file)}: run wsadmin in the UserServer's working directory (or give --dir)`,
    );
  let db;
  try {
    db = await openDatabase(settings);
  } catch (err) {
    return fail('failed', describe(err));
  }
  const log = adminLogName(cfg);
  try {
    return await runTaskFrom(
      {
        db,
        galaxy: null,
        by,
        now: () => new Date(),
        audit: (line) => appendFileSync(log, `${ctime(new Date())} ${line}\n`),
      },
      task,
      input,
    );
  } finally {
    await db.close();
  }
}
