// What the admin console counts (userserver.<Server>.admin_console_*): plain fields it bumps, read
// by the statistics registry when it samples. Registered with every UserServer, so the set of
// stats (and a StatsRecord file's columns) does not change when a reload turns the console on.

import type { StatsRegistry } from '../../../runtime/stats.js';

export class ConsoleCounts {
  /** Sessions open now. */
  sessions = 0;
  logins = 0;
  /** Wrong passwords. */
  loginsFailed = 0;
  /** Login attempts refused without a check (AdminLoginFailures locked the address or the console). */
  loginsRefused = 0;
  /** POSTs refused: no session, or a missing or wrong CSRF token. */
  postsRefused = 0;
}

export function registerConsoleStats(reg: StatsRegistry, c: ConsoleCounts): void {
  reg.number('admin_console_sessions', 'sessions', 'Admin console sessions open', () => c.sessions);
  reg.changeOf('admin_console_logins', 'logins', 'Admin console logins', () => c.logins);
  reg.changeOf(
    'admin_console_logins_failed',
    'logins',
    'Admin console logins with a wrong password',
    () => c.loginsFailed,
  );
  reg.changeOf(
    'admin_console_logins_refused',
    'logins',
    'Admin console logins refused unchecked (AdminLoginFailures)',
    () => c.loginsRefused,
  );
  reg.changeOf(
    'admin_console_posts_refused',
    'requests',
    'Admin console forms refused: no session, or a missing or wrong CSRF token',
    () => c.postsRefused,
  );
}
