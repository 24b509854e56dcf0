// What the UserServer runs for administration once its user database is open: the control socket
// wsadmin talks to, the admin web console on StatusHttp, and (with SignupHttp) the sign-up pages
// with their periodic release of expired reservations. main.ts starts them after `ready` and closes them before the database.

import type { Database } from '../../runtime/db/types.js';
import { DatabaseError } from '../../runtime/db/types.js';
import { describe } from '../../runtime/lifecycle.js';
import type { UserServer } from '../server.js';
import { SignupHttp } from '../signup/http.js';
import { WindowCounter } from '../signup/limits.js';
import { Signup } from '../signup/signup.js';
import { controlSocketPath } from './config.js';
import { ControlSocket } from './control.js';
import { liveGalaxy } from './galaxy.js';
import { CONTROL_VERSION, type ControlAnswer, type ControlRequest } from './protocol.js';
import { runTaskFrom } from './tasks.js';
import { takePlainPassword } from './web/config.js';
import { AdminConsole } from './web/console.js';
import { CONSOLE_PATH } from './web/pages.js';
import type { AdminContext } from './types.js';

export interface AdminServices {
  readonly signup: Signup | null;
  /** The context another face (a web console) runs tasks in: `runTask(services.context('web:…'), …)`. */
  context(by: string): AdminContext;
  close(): Promise<void>;
}

/** An anonymous UserServer (no UserDatabase) still boots and broadcasts; account tasks say why not. */
function noDatabase(): Database {
  const refuse = () =>
    Promise.reject(new DatabaseError('this UserServer has no UserDatabase line: there are no accounts to administer'));
  return new Proxy({} as Database, { get: (_t, prop) => (prop === 'then' ? undefined : refuse) });
}

export function adminContext(us: UserServer, db: Database, by: string): AdminContext {
  return {
    db,
    galaxy: liveGalaxy(us),
    recorder: us.monitor.monitoring.recorder,
    by,
    now: () => new Date(),
    audit: (line) => us.log.event(line),
  };
}

async function answer(us: UserServer, db: Database, r: ControlRequest): Promise<ControlAnswer> {
  const res = await runTaskFrom(adminContext(us, db, r.by), r.task, r.input);
  return res.ok
    ? { v: CONTROL_VERSION, id: r.id, ok: true, value: res.value, summary: res.summary }
    : { v: CONTROL_VERSION, id: r.id, ok: false, error: res.error };
}

/** Release expired sign-up reservations this often (less when codewords live shorter). */
const SWEEP_MS = 60_000;

async function startSignup(us: UserServer, db: Database): Promise<{ signup: Signup; close(): Promise<void> } | null> {
  const cfg = () => us.cfg;
  const signup = new Signup(db, cfg, us.log, Date.now, us.counts.signup);
  let listening;
  try {
    listening = await SignupHttp.listen(signup, cfg, us.log);
  } catch (err) {
    us.log.error('SignupHttp', `sign-up pages not started: ${describe(err)}; New User in WorldsPlayer will not work`);
    return null;
  }
  const { http, address } = listening;
  us.log.event(
    `sign-up pages (register.pl, codeword.pl) listening on ${address.address}:${address.port}; ` +
      `ScriptServer is ${us.cfg.http.script ?? 'not set: clients will not find them'}; ` +
      `codewords ${us.cfg.http.smtp ? `mailed through ${us.cfg.http.smtp}` : 'shown on the page (no SmtpServer)'}`,
  );
  let timer: NodeJS.Timeout | null = null;
  const arm = () => {
    const every = Math.max(200, Math.min(SWEEP_MS, us.cfg.signupExpiry.codewordMs / 2));
    timer = setTimeout(() => {
      signup
        .sweep()
        .catch((err: unknown) => us.log.error('SignupHttp', `releasing expired sign-ups failed: ${describe(err)}`))
        .finally(arm);
    }, every);
    timer.unref();
  };
  arm();
  return {
    signup,
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      await http.close();
    },
  };
}

/**
 * The admin web console at /admin of StatusHttp. Mounted whenever the endpoint is there, so that
 * a reload adding AdminPassword turns it on; it answers 404 while there is none.
 */
async function startConsole(us: UserServer, db: Database): Promise<{ close(): Promise<void> }> {
  const http = us.monitor.monitoring.http;
  if (!http) {
    if (us.cfg.adminPassword)
      us.log.error('AdminPassword', 'the admin console needs StatusHttp (it is served at /admin there): not started');
    // Nobody will hash a plain password: it is not kept either.
    takePlainPassword();
    us.afterReload.push(() => void takePlainPassword());
    return { close: () => Promise.resolve() };
  }
  const web = new AdminConsole({
    cfg: () => us.cfg,
    context: (by) => adminContext(us, db, by),
    log: us.log,
    logLimit: us.logLimit,
    counts: us.counts.console,
  });
  http.mount(CONSOLE_PATH, web.handle);
  const at = us.cfg.statusHttp;
  await web.start(`http://${at?.bindAddr ?? '127.0.0.1'}:${http.port}${CONSOLE_PATH}`);
  us.afterReload.push(() => {
    web.reconfigured().catch((err: unknown) => us.log.error('AdminPassword', `not applied: ${describe(err)}`));
  });
  return web;
}

export async function startAdminServices(us: UserServer, db: Database | null): Promise<AdminServices> {
  const store = db ?? noDatabase();
  const parts: { close(): Promise<void> }[] = [];
  const path = controlSocketPath(us.cfg);
  if (path) {
    const noticed = new WindowCounter(100);
    const o = await ControlSocket.open(path, {
      limits: () => us.cfg.adminSocketLimits,
      handle: (r) => answer(us, store, r),
      notice: (text) => {
        if (noticed.take(text, { count: 1, ms: 60_000 }, Date.now())) us.log.error('wsadmin', text);
      },
    });
    if (o.ok) {
      parts.push(o.socket);
      us.log.event(`control socket ${path} open for wsadmin`);
    } else {
      us.log.error('AdminSocket', `control socket not opened: ${o.reason}; wsadmin cannot reach this UserServer`);
    }
  }
  const signup = us.cfg.signupHttp && db ? await startSignup(us, db) : null;
  if (signup) parts.push(signup);
  parts.push(await startConsole(us, store));
  return {
    signup: signup?.signup ?? null,
    context: (by) => adminContext(us, store, by),
    async close() {
      await Promise.allSettled(parts.map((p) => p.close()));
    },
  };
}
