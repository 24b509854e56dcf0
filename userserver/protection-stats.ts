// The UserServer's own protections in the statistics (AG-41, AG-45): failed-login lockouts and the
// password-hashing queue, the RoomServers port's TLS handshakes, and the sign-up pages' refusals.
// Each figure is a field its owner already keeps; registering them here keeps userserver/stats.ts
// about the galaxy.

import type { RefusalKind } from '../runtime/secure-link.js';
import type { StatsRegistry } from '../runtime/stats.js';
import type { SignupCounters } from './signup/signup.js';
import type { UserServer } from './server.js';

const HANDSHAKE_REFUSALS: readonly RefusalKind[] = ['rate', 'plaintext', 'identity', 'key', 'tls', 'timeout', 'closed'];

export function registerLoginLimitStats(reg: StatsRegistry, us: UserServer): void {
  reg.changeOf(
    'login_checks_refused_unhashed',
    'logins',
    'Logins and registrations the limits refused before any database read or password hash (LoginFailures, Registrations)',
    () => us.guard.refused,
  );
  reg.changeOf(
    'login_lockouts',
    'lockouts',
    'Addresses or accounts locked out after too many failed logins (LoginFailures)',
    () => us.guard.lockouts,
  );
  reg.number(
    'password_checks_queued',
    'checks',
    'Password hashes waiting for a hashing slot',
    () => us.hasher.queue.length,
  );
  reg.changeOf('password_hashes', 'hashes', 'Password hashes computed (scrypt, PasswordCost)', () => us.hasher.hashes);
  const gate = us.linkGate.gate;
  reg.changeOf(
    'link_handshakes_authenticated',
    'handshakes',
    'RoomServer links that proved the RoomServers password (TLS-PSK)',
    () => gate.authenticated,
  );
  const family = { name: 'link_handshakes_refused', help: 'Handshakes on the RoomServers port refused, by reason' };
  for (const reason of HANDSHAKE_REFUSALS) {
    reg.changeOf(
      `link_handshakes_refused_${reason}`,
      'handshakes',
      `Handshakes on the RoomServers port refused: ${reason} (each is logged, once per address and minute)`,
      () => gate.refusals[reason],
      { family: { ...family, labels: { reason } } },
    );
  }
}

export function registerSignupStats(reg: StatsRegistry, c: SignupCounters): void {
  reg.changeOf('signup_requests', 'requests', 'Codewords asked for on register.pl (SignupHttp)', () => c.requests);
  reg.changeOf(
    'signup_codewords_sent',
    'codewords',
    'Codewords e-mailed or shown on the page',
    () => c.codewordsMailed + c.codewordsShown,
  );
  reg.changeOf(
    'signup_refused',
    'requests',
    'Sign-up requests refused: address or e-mail limits, no free serial, mail failures',
    () => c.refusedAddressLimit + c.refusedEmailLimit + c.refusedNoSerial + c.mailFailures,
  );
  reg.changeOf(
    'signup_serials_answered',
    'serials',
    'Serial numbers handed out by codeword.pl',
    () => c.serialsAnswered,
  );
  reg.changeOf(
    'signup_codewords_wrong',
    'codewords',
    'Wrong codewords tried on codeword.pl (SignupCodewordLimit refuses an address after too many)',
    () => c.wrongCodewords,
  );
}
