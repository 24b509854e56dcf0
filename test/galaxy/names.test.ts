// Issue 6 finding 7 on a real UserServer: no account named like the guest login or the server, and
// no second account that is the first one in other letter case. `VICTIM` beside `victim` does not
// happen (the key is the lower-case name); the hole was letters whose lower case is not their case
// fold, which UnicodeNames lets in: `VİCTIM` (lowers to "vi̇ctim"), `STRASSE`/`straße`, `Sam`/`ſam`.
import t from 'tap';
import { LoginRefused, type LoginMode } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';
import { loginCode, startGalaxy } from '../helpers/galaxy.js';

const code = (g: Awaited<ReturnType<typeof startGalaxy>>, mode: LoginMode) => loginCode(g.usPort, mode);

t.test('UnicodeNames: accounts stay unique whatever the case of their letters', async (t) => {
  const g = await startGalaxy({ rsNames: [], usExtra: 'UnicodeNames' });
  t.teardown(() => g.stop());
  const serials = g.serials(10);
  const register = (name: string, i: number) =>
    code(g, { kind: 'register', name, password: 'secret1', serial: serials[i] as string });
  t.equal(await register('victim', 0), 0);
  t.equal(await register('VICTIM', 1), Nak.TAKEN_USER, 'VICTIM beside victim: refused (11), as it always was');
  t.equal(await register('Sam', 2), 0);
  for (const [i, name] of ['VİCTIM', 'vıctım', 'ＶＩＣＴＩＭ', 'ſam', 'straße'].entries())
    t.equal(await register(name, 3 + i), Nak.BAD_USER, `${name} refused (1)`);
  t.equal(await register('Zoë', 8), 0, 'letters of other scripts are welcome');
  t.equal(g.sql('select count(*) from UserRegistration;').trim(), '3');
  t.equal(
    g.sql(`select count(*) from SerialNumbers where serialStatus = '0';`).trim(),
    '7',
    'no serial spent on a refusal',
  );
});

t.test('no account named like the guest login, with or without Guests', async (t) => {
  const g = await startGalaxy({ rsNames: [], usExtra: 'Guests 2 visitor 30' });
  t.teardown(() => g.stop());
  const serials = g.serials(6);
  const register = (name: string, i: number) =>
    code(g, { kind: 'register', name, password: 'secret1', serial: serials[i] as string });
  t.equal(await register('guest', 0), Nak.TAKEN_USER, 'the stock guest name');
  t.equal(await register('Guest_3', 1), Nak.TAKEN_USER);
  t.equal(await register('visitor_1', 2), Nak.TAKEN_USER, 'this server’s guest names');
  t.equal(await register('WorldsMaster', 3), Nak.TAKEN_USER);
  t.equal(g.sql('select count(*) from UserRegistration;').trim(), '0');

  const none = await startGalaxy({ rsNames: [] });
  t.teardown(() => none.stop());
  const s2 = none.serials(2);
  t.equal(
    await code(none, { kind: 'register', name: 'guest', password: 'secret1', serial: s2[0] as string }),
    Nak.TAKEN_USER,
    'without Guests too: enabling them later must not meet an account called guest',
  );
});

t.test('anonymous UserServer: reserved names are refused on its RoomServers too', async (t) => {
  const g = await startGalaxy({ database: false, rsNames: ['first'] });
  t.teardown(() => g.stop());
  t.equal(await code(g, { kind: 'anonymous', name: 'TRADE', firstConnection: true }), Nak.TAKEN_USER);
  const rs = g.rs.get('first') as { port: number };
  const { ClientConnection } = await import('../../protocol/client.js');
  const c = await ClientConnection.connect('127.0.0.1', rs.port);
  await c.handshake();
  const err = await c
    .login({ kind: 'roomserver', name: 'guest_5', password: 'x', avatars: 24 })
    .catch((e: unknown) => e);
  c.close();
  t.ok(err instanceof LoginRefused && err.code === Nak.TAKEN_USER, 'a RoomServer login straight to guest_5 is refused');
});
