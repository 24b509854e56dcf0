// Issue 6 finding 8 on a real UserServer: the user database deleted or replaced under the running
// server is noticed at the next operation; logins and registrations are refused with NAK 5 (the
// client tries again in 8-17 s) and a line naming the file and what to do; nothing is acknowledged
// into a file nobody will open again.
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import t from 'tap';
import type { LoginMode } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';
import { loginCode, startGalaxy } from '../helpers/galaxy.js';

for (const [what, change] of [
  ['deleted', (file: string) => rmSync(file)],
  [
    'replaced',
    (file: string) => {
      copyFileSync(file, `${file}.restored`);
      renameSync(`${file}.restored`, file);
    },
  ],
] as const) {
  t.test(`the user database ${what} while the UserServer runs`, async (t) => {
    const g = await startGalaxy({ rsNames: [] });
    t.teardown(() => g.stop());
    const serials = g.serials(3);
    const attempt = (mode: LoginMode) => loginCode(g.usPort, mode);
    t.equal(await attempt({ kind: 'register', name: 'Before', password: 'secret1', serial: serials[0] as string }), 0);
    change(g.dbPath);
    t.equal(
      await attempt({ kind: 'authenticate', name: 'Before', password: 'secret1', firstConnection: true }),
      Nak.FATAL,
      'a login is refused with a retry code',
    );
    t.equal(
      await attempt({ kind: 'register', name: 'After', password: 'secret1', serial: serials[1] as string }),
      Nak.FATAL,
      'a registration is never acknowledged',
    );
    const m = await g.us.waitLog(
      new RegExp(`\\(UserDatabase\\) - database file \\S*world\\.db was ${what} .*restart this server\\.`),
    );
    t.ok(m, 'one loud line naming the file and what to do');
    await g.us.waitLog(/\(Before\) - login refused: the user database failed \(see the UserDatabase line\) \(NAK 5\)/);
    await g.us.stop();
    if (what === 'replaced') {
      t.equal(g.sql("select count(*) from UserRegistration where userName = 'After';").trim(), '0');
      t.equal(
        g.sql('select userName from UserRegistration;').trim(),
        'Before',
        'the accounts are in the file at the path',
      );
    }
  });
}
