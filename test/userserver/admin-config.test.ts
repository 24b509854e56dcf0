// The administration and sign-up keywords of the UserServer (README extension table).
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../runtime/config.js';
import { controlSocketPath } from '../../userserver/admin/config.js';
import { loadUserServerConfig } from '../../userserver/config.js';

const BASE = 'Server Private\nRoomServers 5200 def456\nUserDatabase us pw sqlite:world.db 60\n';

function load(t: Test, text: string) {
  const file = join(t.testdir(), 'PrivateUS.cfg');
  writeFileSync(file, text);
  return loadUserServerConfig(file);
}

t.test('defaults: the control socket named after the Server, no sign-up pages, documented limits', async (t) => {
  const cfg = load(t, BASE);
  t.equal(controlSocketPath(cfg), 'PrivateUS.sock');
  t.same(cfg.adminSocketLimits, { connections: 8, lineBytes: 65_536, idleMs: 60_000 });
  t.equal(cfg.signupHttp, null);
  t.same(cfg.signupAddressLimit, { count: 5, ms: 3_600_000 });
  t.same(cfg.signupEmailLimit, { count: 3, ms: 86_400_000 });
  t.same(cfg.signupCodewordLimit, { count: 20, ms: 3_600_000 });
  t.same(cfg.signupExpiry, { codewordMs: 3_600_000, holdMs: 30 * 86_400_000 });
  t.same(cfg.signupHttpLimits, { connections: 32, bodyBytes: 4096, headerMs: 10_000 });
});

t.test('every keyword', async (t) => {
  const cfg = load(
    t,
    BASE +
      [
        'AdminSocket run/admin.sock',
        'AdminSocketLimits 2 16 5',
        'SignupHttp 8080 127.0.0.1',
        'SignupAddressLimit 10 30',
        'SignupEmailLimit 4 12',
        'SignupCodewordLimit 6 15',
        'SignupExpiry 20 7',
        'SignupHttpLimits 100 2048 3.5',
      ].join('\n'),
  );
  t.equal(controlSocketPath(cfg), 'run/admin.sock');
  t.same(cfg.adminSocketLimits, { connections: 2, lineBytes: 16_384, idleMs: 5_000 });
  t.match(cfg.signupHttp, { port: 8080, bindAddr: '127.0.0.1' });
  t.same(cfg.signupAddressLimit, { count: 10, ms: 1_800_000 });
  t.same(cfg.signupEmailLimit, { count: 4, ms: 43_200_000 });
  t.same(cfg.signupCodewordLimit, { count: 6, ms: 900_000 });
  t.same(cfg.signupExpiry, { codewordMs: 1_200_000, holdMs: 7 * 86_400_000 });
  t.same(cfg.signupHttpLimits, { connections: 100, bodyBytes: 2048, headerMs: 3_500 });
  t.equal(controlSocketPath(load(t, `${BASE}AdminSocket off\n`)), null, 'AdminSocket off');
});

t.test('mistakes name file, line and keyword', async (t) => {
  const cases: [string, number, string, RegExp][] = [
    [`${BASE}AdminSocket ${'x'.repeat(101)}\n`, 4, 'AdminSocket', /longer than 100 bytes/],
    [`${BASE}AdminSocketLimits 0 64 60\n`, 4, 'AdminSocketLimits', /outside/],
    [`${BASE}SignupHttp 99999\n`, 4, 'SignupHttp', /not a port/],
    [`${BASE}SignupHttp 8080 localhost\n`, 4, 'SignupHttp', /IPv4/],
    [`${BASE}SignupEmailLimit 3\n`, 4, 'SignupEmailLimit', /expects 2/],
    [`${BASE}SignupHttpLimits 10 100 5\n`, 4, 'SignupHttpLimits', /bodyBytes '100' is outside/],
    ['Server P\nRoomServers 5200 pw\nSignupHttp 8080\n', 3, 'SignupHttp', /needs a UserDatabase line/],
  ];
  for (const [text, line, keyword, why] of cases) {
    const err = (() => {
      try {
        load(t, text);
        return null;
      } catch (e) {
        return e;
      }
    })();
    t.ok(err instanceof ConfigError, `${keyword}: a ConfigError`);
    t.match((err as Error).message, new RegExp(`PrivateUS\\.cfg:${line}: ${keyword}: `));
    t.match((err as Error).message, why);
  }
});
