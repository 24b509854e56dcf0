// Failed logins and registrations per address and per account (issue 6 finding 5): lockouts, what
// is refused without a hash, the owner's address exempt from his account's lockout.
import t from 'tap';
import { LoginGuard, type GuardSettings } from '../../userserver/login-guard.js';

function setup(s: Partial<GuardSettings['failures']> = {}, registrationsPerHour = 5) {
  let now = 10_000_000;
  const settings: GuardSettings = {
    failures: { perAddress: 5, perAccount: 5, windowMs: 600_000, ...s },
    registrationsPerHour,
  };
  const guard = new LoginGuard(
    () => settings,
    () => now,
  );
  const fail = (address: string, account: string, outcome: 'wrong-password' | 'failed' = 'wrong-password') => {
    const a = guard.login(address, account);
    if (!a.ok) throw new Error(`refused: ${a.reason}`);
    a.attempt.finish(outcome);
  };
  return { guard, settings, fail, advance: (ms: number) => (now += ms), now: () => now };
}

t.test('an address is locked out after perAddress failures until the oldest leaves the window', async (t) => {
  const { guard, fail, advance, now } = setup();
  const start = now();
  fail('127.5.0.1', 'alice');
  advance(60_000);
  for (const name of ['bob', 'carol', 'dave']) fail('127.5.0.1', name);
  fail('127.5.0.1', 'nobody', 'failed');
  const refused = guard.login('127.5.0.1', 'erin');
  t.notOk(refused.ok, 'the sixth attempt, even for another account, is refused');
  if (!refused.ok) {
    t.equal(refused.kind, 'locked');
    t.match(refused.reason, /address 127\.5\.0\.1 locked out after 5 failed logins in 10 minutes/);
    t.equal(refused.until, start + 600_000, 'until the first failure is 10 minutes old');
  }
  t.ok(guard.login('127.5.0.2', 'erin').ok, 'another address is not affected');
  advance(600_000 - 60_000);
  const again = guard.login('127.5.0.1', 'erin');
  t.ok(again.ok, 'one more try once the oldest failure left the window');
  if (again.ok) again.attempt.finish('wrong-password');
  t.notOk(guard.login('127.5.0.1', 'erin').ok, 'and locked again after it failed');
  t.equal(guard.lockouts, 2);
});

t.test('a success does not reset the count (no fresh guesses bought with one valid account)', async (t) => {
  const { guard, fail } = setup({ perAddress: 3 });
  fail('127.5.0.1', 'victim');
  fail('127.5.0.1', 'victim');
  const own = guard.login('127.5.0.1', 'mine');
  if (own.ok) own.attempt.finish('success');
  fail('127.5.0.1', 'victim');
  t.notOk(guard.login('127.5.0.1', 'victim').ok);
});

t.test('an account is locked after perAccount failures from anywhere, except for its owner', async (t) => {
  const { guard, fail } = setup({ perAddress: 100, perAccount: 3 });
  const home = guard.login('127.6.0.1', 'victim');
  if (home.ok) home.attempt.finish('success');
  for (let i = 1; i <= 3; i++) fail(`127.7.0.${i}`, 'victim');
  const stranger = guard.login('127.7.0.9', 'victim');
  t.notOk(stranger.ok, 'a fourth address guessing at the account is refused');
  if (!stranger.ok) t.match(stranger.reason, /account victim locked after 3 failed logins/);
  t.ok(guard.login('127.6.0.1', 'victim').ok, 'the address that logged in to it before is not locked out');
  t.ok(guard.login('127.7.0.9', 'other').ok, 'other accounts are not affected');
});

t.test('an address may not have more checks in flight than failures it has left', async (t) => {
  const { guard, fail } = setup({ perAddress: 5 });
  fail('127.8.0.1', 'a');
  fail('127.8.0.1', 'b');
  const inFlight = [1, 2, 3].map(() => guard.login('127.8.0.1', 'c'));
  t.ok(
    inFlight.every((a) => a.ok),
    'three left: three at once',
  );
  const fourth = guard.login('127.8.0.1', 'c');
  t.notOk(fourth.ok);
  if (!fourth.ok) t.equal(fourth.kind, 'busy', 'busy, not locked: nothing failed yet');
  for (const a of inFlight) if (a.ok) a.attempt.finish('neutral');
  t.ok(guard.login('127.8.0.1', 'c').ok, 'finished checks free their place');
  t.equal(guard.failuresOf('127.8.0.1'), 2);
  t.equal(guard.failuresOf('127.8.0.9'), 0);
});

t.test('registrations per address per hour; failed ones (serial guessing) count as failed logins', async (t) => {
  const { guard, advance } = setup({ perAddress: 3 }, 2);
  for (let i = 0; i < 2; i++) {
    const r = guard.register('127.9.0.1', `new${i}`);
    if (r.ok) r.attempt.finish('success');
  }
  const third = guard.register('127.9.0.1', 'new3');
  t.notOk(third.ok);
  if (!third.ok) {
    t.equal(third.kind, 'registrations');
    t.match(third.reason, /2 accounts registered from 127\.9\.0\.1 in the last hour \(Registrations 2\)/);
  }
  t.ok(guard.register('127.9.0.2', 'new4').ok, 'another address may register');
  advance(3_600_000);
  t.ok(guard.register('127.9.0.1', 'new5').ok, 'an hour later it may again');
  for (let i = 0; i < 3; i++) {
    const r = guard.register('127.9.0.3', 'new6');
    if (r.ok) r.attempt.finish('failed');
  }
  const locked = guard.register('127.9.0.3', 'new7');
  t.notOk(locked.ok);
  if (!locked.ok) t.equal(locked.kind, 'locked');
  t.notOk(guard.login('127.9.0.3', 'x').ok, 'serial guessing locks logins from the address too');
});

t.test('the address that registered an account is trusted by it', async (t) => {
  const { guard, fail } = setup({ perAddress: 100, perAccount: 2 });
  const r = guard.register('127.9.1.1', 'fresh');
  if (r.ok) r.attempt.finish('success');
  fail('127.9.1.2', 'fresh');
  fail('127.9.1.3', 'fresh');
  t.notOk(guard.login('127.9.1.4', 'fresh').ok);
  t.ok(guard.login('127.9.1.1', 'fresh').ok);
});

t.test('settings are read at every use (a reload reaches them)', async (t) => {
  const { guard, settings, fail } = setup({ perAddress: 2 });
  fail('127.5.0.1', 'a');
  fail('127.5.0.1', 'a');
  t.notOk(guard.login('127.5.0.1', 'a').ok);
  settings.failures = { ...settings.failures, perAddress: 10, perAccount: 10 };
  t.ok(guard.login('127.5.0.1', 'a').ok);
});

t.test('memory: an address or account is forgotten once nothing is left to remember', async (t) => {
  const { guard, fail } = setup();
  const a = guard.login('127.5.0.1', 'a');
  if (a.ok) a.attempt.finish('success');
  t.equal(guard.tracked, 0);
  fail('127.5.0.1', 'a');
  t.equal(guard.tracked, 2, 'the address and the account remember the failure');
});

t.test('hashing order: fewer attempts first, any recent failure last; prune forgets the past', async (t) => {
  const { guard, fail, advance } = setup({ perAddress: 100 });
  const one = guard.login('127.5.0.1', 'a');
  for (let i = 0; i < 10; i++) guard.login('127.5.0.2', 'b');
  fail('127.5.0.3', 'c');
  t.equal(guard.rank('127.5.0.1'), 1, 'a person: one attempt');
  t.equal(guard.rank('127.5.0.2'), 10, 'a flood: every attempt counts as it arrives');
  t.ok(guard.rank('127.5.0.3') > guard.rank('127.5.0.2'), 'a failure ranks behind any number of attempts');
  t.equal(guard.rank('127.5.0.9'), 0);
  if (one.ok) one.attempt.finish('neutral');
  advance(600_000);
  guard.prune();
  t.equal(guard.rank('127.5.0.3'), 0);
  t.equal(guard.tracked, 1, 'only the address with checks still in flight is remembered');
});
