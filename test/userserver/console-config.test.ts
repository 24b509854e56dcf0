// The admin console's keywords: AdminPassword as an scrypt hash or a plain password (which the
// configuration object never holds), AdminSessions, AdminLoginFailures, AdminSecureCookie.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../runtime/config.js';
import { takePlainPassword } from '../../userserver/admin/web/config.js';
import { loadUserServerConfig } from '../../userserver/config.js';
import { PasswordHasher, scryptHashProblem } from '../../userserver/passwords.js';

const BASE = 'Server Private\nRoomServers 5200 def456\nUserDatabase us pw sqlite:world.db 60\n';

function load(t: Test, text: string) {
  const file = join(t.testdir(), 'PrivateUS.cfg');
  writeFileSync(file, text);
  return loadUserServerConfig(file);
}

t.test('defaults: the console off, 8 sessions idle 30 minutes, 5 and 20 failures per 15 minutes', async (t) => {
  const cfg = load(t, BASE);
  t.equal(cfg.adminPassword, null);
  t.same(cfg.adminSessions, { max: 8, idleMs: 1_800_000 });
  t.same(cfg.adminLoginFailures, { perAddress: 5, overall: 20, windowMs: 900_000 });
  t.equal(cfg.adminSecureCookie, false);
});

t.test('every keyword', async (t) => {
  const cfg = load(
    t,
    `${BASE}AdminPassword correct-horse\nAdminSessions 2 0.5\nAdminLoginFailures 3 10 2\nAdminSecureCookie\n`,
  );
  t.same(cfg.adminSessions, { max: 2, idleMs: 30_000 });
  t.same(cfg.adminLoginFailures, { perAddress: 3, overall: 10, windowMs: 120_000 });
  t.equal(cfg.adminSecureCookie, true);
  t.same(cfg.adminPassword, { form: 'plain' });
  t.equal(takePlainPassword(), 'correct-horse');
});

t.test('a plain password is handed over once and never held by the configuration', async (t) => {
  const cfg = load(t, `${BASE}AdminPassword correct-horse\n`);
  t.notMatch(JSON.stringify(cfg), /correct-horse/, 'not in the configuration object');
  t.equal(takePlainPassword(), 'correct-horse');
  t.equal(takePlainPassword(), null, 'taken once');
  load(t, `${BASE}AdminPassword battery-staple\n`);
  load(t, BASE);
  t.equal(takePlainPassword(), null, 'a later reading without the keyword drops one nobody took');
});

t.test('an scrypt hash as wsadmin hash-password prints it', async (t) => {
  const hash = await new PasswordHasher(10).hash('correct-horse', 'test');
  t.equal(scryptHashProblem(hash), null);
  const cfg = load(t, `${BASE}AdminPassword ${hash}\n`);
  t.same(cfg.adminPassword, { form: 'hash', hash });
  t.equal(takePlainPassword(), null, 'nothing to hash');
});

t.test('mistakes name file, line and keyword', async (t) => {
  const key = Buffer.alloc(32, 1).toString('base64');
  const salt = Buffer.alloc(16, 2).toString('base64');
  const cases: [string, RegExp][] = [
    ['AdminPassword short', /at least 8 characters \(or give a hash: wsadmin <cfg> hash-password\)/],
    [`AdminPassword ${'x'.repeat(257)}`, /at most 256 characters/],
    ['AdminPassword scrypt$14$8$1', /the hash is not scrypt\$log2N\$r\$p\$salt\$key/],
    [`AdminPassword scrypt$9$8$1$${salt}$${key}`, /log2N must be 10 to 20/],
    [`AdminPassword scrypt$20$16$1$${salt}$${key}`, /more than 1 GiB/],
    [`AdminPassword scrypt$14$8$9$${salt}$${key}`, /p 1 to 4/],
    [`AdminPassword scrypt$14$8$1$${salt}$${key.slice(4)}`, /key must be 32 bytes/],
    [`AdminPassword scrypt$14$8$1$!!$${key}`, /salt must be/],
    ['AdminSessions 0 30', /outside/],
    ['AdminLoginFailures 5 20', /expects 3 argument/],
    ['AdminSecureCookie yes', /expects 0 argument/],
  ];
  for (const [line, re] of cases) {
    const err = t.throws(() => load(t, `${BASE}${line}\n`)) as unknown;
    t.ok(err instanceof ConfigError, line);
    t.match((err as Error).message, /PrivateUS\.cfg:4: Admin\w+: /, `${line}: file, line and keyword`);
    t.match((err as Error).message, re, line);
  }
});
