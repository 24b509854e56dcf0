// The admin web console (AG-40): the administration tasks as forms at /admin on the UserServer's
// StatusHttp endpoint, a thin face over userserver/admin/ (every action goes through runTaskFrom
// and writes its audit line there, naming the console session: `admin web:127.0.0.1#3: …`).
//
//   GET  /admin              the login page, or with a session every task's form
//   POST /admin/login        password → session cookie (rate-limited: AdminLoginFailures)
//   POST /admin/logout
//   POST /admin/task/<task>  runs the task, answers with the page and the task's result
//
// Off (404) unless AdminPassword is given. Sessions live in a secure cookie (random id, HttpOnly,
// SameSite=Strict, Path=/admin, Secure behind TLS); every POST carries a CSRF token, the
// session's, or on the login form one bound to a cookie of its own; what fails is refused with 403
// and logged once per address and window.

import { text, type HttpRequest, type HttpResponse } from '../../../runtime/http/endpoint.js';
import { LoginGuard } from '../../login-guard.js';
import { runTaskFrom } from '../tasks.js';
import type { AdminContext, AdminErrorCode } from '../types.js';
import { takePlainPassword, MAX_PASSWORD_CHARS, type ConsoleSettings } from './config.js';
import { LOGIN_COOKIE, SESSION_COOKIE, cookie, setCookie } from './cookies.js';
import type { ConsoleCounts } from './counts.js';
import { FORMS, formInput } from './forms.js';
import { CONSOLE_PATH, consolePage, loginPage, type Shown } from './pages.js';
import { ConsolePassword, HashingOverloaded } from './password.js';
import { SessionStore, type ConsoleSession } from './sessions.js';
import { isToken, newToken, sameToken } from './tokens.js';

export interface ConsoleHost {
  /** The current configuration (a reload replaces it). */
  cfg(): Readonly<ConsoleSettings & { serverName: string; passwordCost: number; file: string }>;
  /** The task context of one console session (`web:127.0.0.1#3`). */
  context(by: string): AdminContext;
  log: { event(text: string): void };
  /** Refusals a client can repeat are logged once per offender and window (LogLimitWindow). */
  logLimit: { error(who: string | null, event: string, text: string, offender?: string): void };
  counts: ConsoleCounts;
}

/** The one "account" of the console, for the overall count of AdminLoginFailures. */
const CONSOLE_ACCOUNT = '\u0000admin console';

const STATUS: Readonly<Record<AdminErrorCode, number>> = {
  usage: 400,
  'not-found': 404,
  refused: 409,
  'not-running': 503,
  failed: 500,
};

const html = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8', ...headers },
  body,
});

const minutes = (ms: number) => `${Number((ms / 60_000).toFixed(2))} minutes`;

/** The request came through a TLS proxy (the cookie must then be Secure). */
function overHttps(req: HttpRequest): boolean {
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https' || /(^|[;,\s])proto=https\b/i.test(String(req.headers.forwarded ?? ''));
}

export class AdminConsole {
  private readonly password: ConsolePassword;
  private readonly sessions: SessionStore;
  private readonly guard: LoginGuard;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly host: ConsoleHost) {
    this.password = new ConsolePassword(host.cfg().passwordCost);
    this.sessions = new SessionStore(() => host.cfg().adminSessions);
    this.guard = new LoginGuard(() => {
      const f = host.cfg().adminLoginFailures;
      return {
        failures: { perAddress: f.perAddress, perAccount: f.overall, windowMs: f.windowMs },
        registrationsPerHour: 0,
      };
    });
  }

  /** Takes the configuration's password (hashing a plain one) and starts sweeping idle sessions. */
  async start(url: string): Promise<void> {
    const cfg = this.host.cfg();
    const form = cfg.adminPassword?.form;
    await this.reconfigured(false);
    this.arm();
    if (!form) return;
    this.host.log.event(
      `admin console at ${url} (AdminPassword ${
        form === 'hash'
          ? 'given as an scrypt hash'
          : `given as a plain password: hashed at start and not kept; to keep it out of ${cfg.file}, put the hash \`wsadmin <cfg> hash-password\` prints there instead`
      })`,
    );
  }

  /**
   * After a configuration reload: AdminPassword applies at once. A different password (or none)
   * ends every session; AdminSessions and AdminLoginFailures are read where they are used.
   */
  async reconfigured(log = true): Promise<void> {
    const cfg = this.host.cfg();
    // Taken now, before another reading of the file could replace it.
    const plain = takePlainPassword();
    const change = await this.password.apply(cfg.adminPassword, plain, cfg.passwordCost);
    if (change === 'unchanged' || !log) return;
    if (change === 'on') {
      this.host.log.event(`AdminPassword given: the admin console at ${CONSOLE_PATH} is on`);
      return;
    }
    const ended = this.sessions.closeAll();
    this.host.counts.sessions = 0;
    this.host.log.event(
      `AdminPassword ${change === 'off' ? 'removed: the admin console is off' : 'changed'}; ${ended} console session${ended === 1 ? '' : 's'} ended`,
    );
  }

  close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.sessions.closeAll();
    this.host.counts.sessions = 0;
    return Promise.resolve();
  }

  readonly handle = async (req: HttpRequest): Promise<HttpResponse> => {
    if (!this.password.on) {
      return this.host.cfg().adminPassword
        ? text(503, 'the admin console is starting; try again in a moment\n')
        : text(404, 'the admin console is off: the configuration has no AdminPassword\n');
    }
    this.sweep();
    const post = req.method === 'POST';
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (req.path === '/' && get) return this.home(req);
    if (req.path === '/login' && post) return this.login(req);
    if (req.path === '/logout' && post) return this.authorized(req, (s) => this.logout(req, s));
    if (req.path.startsWith('/task/') && post)
      return this.authorized(req, (s, form) => this.runTask(req, s, req.path.slice('/task/'.length), form));
    if (req.path === '/' || req.path === '/login' || req.path === '/logout' || req.path.startsWith('/task/'))
      return text(405, 'method not allowed\n', { allow: req.path === '/' ? 'GET, HEAD' : 'POST' });
    return text(404, 'not found\n');
  };

  // ------------------------------------------------------------------ pages

  private home(req: HttpRequest): HttpResponse {
    const s = this.session(req);
    return s ? this.page(200, s, null, null) : this.loginPage(req, 200, '');
  }

  private page(
    status: number,
    s: ConsoleSession,
    shown: Shown,
    posted: { task: string; values: URLSearchParams } | null,
  ) {
    return html(
      status,
      consolePage({ server: this.host.cfg().serverName, who: label(s), csrf: s.csrf, shown, posted }),
    );
  }

  /** The login page with a fresh token for its form, bound to a cookie (login CSRF). */
  private loginPage(req: HttpRequest, status: number, message: string, headers: Record<string, string> = {}) {
    const token = newToken();
    return html(status, loginPage(this.host.cfg().serverName, token, message), {
      ...headers,
      'set-cookie': setCookie(LOGIN_COOKIE, token, this.secure(req)),
    });
  }

  // ------------------------------------------------------------------ login and sessions

  private async login(req: HttpRequest): Promise<HttpResponse> {
    const form = await this.form(req);
    if (!(form instanceof URLSearchParams)) return form;
    const address = req.remoteAddress;
    const expected = cookie(req.headers.cookie, LOGIN_COOKIE);
    if (!isToken(expected) || !sameToken(form.get('login'), expected)) {
      this.refused(req, null, `the login form's token is ${form.get('login') ? 'wrong' : 'missing'}`);
      return this.loginPage(req, 403, 'The login form had expired. Please try again.');
    }
    const cfg = this.host.cfg();
    const limits = cfg.adminLoginFailures;
    const admission = this.guard.login(address, CONSOLE_ACCOUNT);
    if (!admission.ok) {
      this.host.counts.loginsRefused++;
      const mine = this.guard.failuresOf(address) >= limits.perAddress;
      const why =
        admission.kind === 'busy'
          ? 'a login from this address is already being checked'
          : mine
            ? `${limits.perAddress} wrong passwords from this address in ${minutes(limits.windowMs)}`
            : `${limits.overall} wrong passwords from all addresses in ${minutes(limits.windowMs)}`;
      this.host.logLimit.error(
        address,
        mine || admission.kind === 'busy' ? 'admin-login-refused' : 'admin-login-locked',
        `admin console: login refused unchecked: ${why} (AdminLoginFailures)`,
        mine || admission.kind === 'busy' ? address : CONSOLE_ACCOUNT,
      );
      const wait = admission.until === null ? 10 : Math.max(1, Math.ceil((admission.until - Date.now()) / 1000));
      return this.loginPage(req, 429, `Too many failed logins. Try again in ${Math.ceil(wait / 60)} minutes.`, {
        'retry-after': String(wait),
      });
    }
    const given = form.get('password') ?? '';
    let right: boolean;
    try {
      right = given.length > 0 && given.length <= MAX_PASSWORD_CHARS && (await this.password.verify(given, address));
    } catch (err) {
      admission.attempt.finish('neutral');
      if (err instanceof HashingOverloaded) return this.loginPage(req, 503, 'The server is busy. Please try again.');
      throw err;
    }
    if (!right) {
      admission.attempt.finish('wrong-password');
      this.host.counts.loginsFailed++;
      this.host.logLimit.error(
        address,
        'admin-login-failed',
        `admin console: wrong password (${this.guard.failuresOf(address)} of ${limits.perAddress} allowed from this address in ${minutes(limits.windowMs)})`,
        address,
      );
      return this.loginPage(req, 403, 'Wrong password.');
    }
    admission.attempt.finish('success');
    const opened = this.sessions.open(address);
    for (const s of opened.evicted)
      this.host.log.event(
        `admin console: session ${label(s)} ended to make room (AdminSessions ${cfg.adminSessions.max})`,
      );
    this.host.counts.logins++;
    this.host.counts.sessions = this.sessions.size;
    this.host.log.event(`admin console: session ${label(opened.session)} opened`);
    return {
      status: 303,
      headers: { location: CONSOLE_PATH, 'set-cookie': setCookie(SESSION_COOKIE, opened.id, this.secure(req)) },
      body: '',
    };
  }

  private logout(req: HttpRequest, s: ConsoleSession): HttpResponse {
    this.sessions.close(cookie(req.headers.cookie, SESSION_COOKIE));
    this.host.counts.sessions = this.sessions.size;
    this.host.log.event(`admin console: session ${label(s)} logged out`);
    return {
      status: 303,
      headers: { location: CONSOLE_PATH, 'set-cookie': setCookie(SESSION_COOKIE, null, this.secure(req)) },
      body: '',
    };
  }

  /** The session of this request's cookie, good only from the address that opened it. */
  private session(req: HttpRequest): ConsoleSession | null {
    const s = this.sessions.find(cookie(req.headers.cookie, SESSION_COOKIE));
    return s && s.address === req.remoteAddress ? s : null;
  }

  /** A POST with a session and its CSRF token, or the 403 that refuses it. */
  private async authorized(
    req: HttpRequest,
    then: (s: ConsoleSession, form: URLSearchParams) => HttpResponse | Promise<HttpResponse>,
  ): Promise<HttpResponse> {
    const s = this.session(req);
    const form = await this.form(req);
    if (!(form instanceof URLSearchParams)) return form;
    if (!s) {
      this.refused(req, null, 'no session (it ended, or the cookie is missing)');
      return this.loginPage(req, 403, 'Your session has ended. Please log in again.');
    }
    if (!sameToken(form.get('csrf'), s.csrf)) {
      this.refused(req, s, `CSRF token ${form.get('csrf') ? 'wrong' : 'missing'}`);
      return html(
        403,
        `<!DOCTYPE html><title>Refused</title><p>Refused: this form's security token is missing or wrong. ` +
          `<a href="${CONSOLE_PATH}">Back to the console</a></p>`,
      );
    }
    return then(s, form);
  }

  private refused(req: HttpRequest, s: ConsoleSession | null, why: string): void {
    this.host.counts.postsRefused++;
    this.host.logLimit.error(
      req.remoteAddress,
      'admin-post-refused',
      `admin console: POST ${req.url.pathname}${s ? ` (session ${label(s)})` : ''} refused: ${why}`,
      req.remoteAddress,
    );
  }

  private async runTask(req: HttpRequest, s: ConsoleSession, task: string, posted: URLSearchParams) {
    const form = FORMS.get(task);
    if (!form) return text(404, `no task ${task}\n`);
    const r = await runTaskFrom(this.host.context(`web:${label(s)}`), task, formInput(form, posted));
    return this.page(r.ok ? 200 : STATUS[r.error.code], s, { task, result: r }, { task, values: posted });
  }

  /** The posted form, or the answer that refuses a body of another kind. */
  private async form(req: HttpRequest): Promise<URLSearchParams | HttpResponse> {
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (type !== 'application/x-www-form-urlencoded')
      return text(415, 'forms are sent as application/x-www-form-urlencoded\n');
    return new URLSearchParams((await req.body()).toString('utf8'));
  }

  private secure(req: HttpRequest): boolean {
    return this.host.cfg().adminSecureCookie || overHttps(req);
  }

  // ------------------------------------------------------------------ idle sessions

  private sweep(): void {
    const gone = this.sessions.sweep();
    if (gone.length === 0) return;
    this.host.counts.sessions = this.sessions.size;
    const idle = minutes(this.host.cfg().adminSessions.idleMs);
    for (const s of gone) this.host.log.event(`admin console: session ${label(s)} ended after ${idle} idle`);
  }

  /** Idle sessions are ended (and logged) even when nobody uses the console. */
  private arm(): void {
    const every = Math.min(60_000, Math.max(250, this.host.cfg().adminSessions.idleMs / 2));
    this.timer = setTimeout(() => {
      this.sweep();
      this.guard.prune();
      this.arm();
    }, every);
    this.timer.unref();
  }
}

/** `127.0.0.1#3`: the session's address and number (its id never appears in a log). */
function label(s: ConsoleSession): string {
  return `${s.address}#${s.number}`;
}
