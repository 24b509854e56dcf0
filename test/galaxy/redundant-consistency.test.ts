// Two UserServers on one user database (issue 11, AG-10, AG-13): registrations racing on both
// sides never use a serial twice nor make a name twice (the database's guarded UPDATE and unique
// key decide, across processes), and an account change made through one side is what the other reads.
import t from 'tap';
import { ClientConnection, LoginRefused, sessionInitProps, type LoginMode } from '../../protocol/client.js';
import { Nak, ObjIds, Var } from '../../protocol/constants.js';
import { startPair, type Side } from '../helpers/redundant.js';

const p = await startPair();
t.teardown(() => p.stop());

/** Logs in (and off again): 0, or the refusal's VAR_ERROR. */
async function code(side: Side, mode: LoginMode): Promise<number> {
  try {
    const x = await side.login(mode);
    await x.logoff();
    return 0;
  } catch (err) {
    if (err instanceof LoginRefused) return err.code;
    throw err;
  }
}

t.test('one serial registered on both sides at once: exactly one account, every time', async (t) => {
  const serials = p.serials(12, 'race-seed');
  for (const [i, serial] of serials.entries()) {
    const [east, west] = await Promise.all([
      code(p.east, { kind: 'register', name: `East${i}`, password: 'secret1', serial }),
      code(p.west, { kind: 'register', name: `West${i}`, password: 'secret1', serial }),
    ]);
    t.same(
      [east, west].sort(),
      [0, Nak.TAKEN_SERIAL],
      `round ${i}: one succeeds, the other is told the serial is used`,
    );
    const owner = p.sql(`select userName from SerialNumbers where serialNumber = '${serial}';`).trim();
    const accounts = p.sql(`select userName from UserRegistration where serialNumber = '${serial}';`).trim();
    t.equal(accounts, east === 0 ? `East${i}` : `West${i}`, 'one account holds the serial');
    t.equal(owner, accounts, 'and the serial names it');
  }
});

t.test('one name registered on both sides at once: exactly one account', async (t) => {
  const serials = p.serials(12, 'name-seed');
  for (let i = 0; i < 6; i++) {
    const name = `Twin${i}`;
    const [east, west] = await Promise.all([
      code(p.east, { kind: 'register', name, password: 'secret1', serial: serials[2 * i] as string }),
      code(p.west, { kind: 'register', name, password: 'secret1', serial: serials[2 * i + 1] as string }),
    ]);
    t.same([east, west].sort(), [0, Nak.TAKEN_USER], `round ${i}: one account, the other told the name is taken`);
    t.equal(p.sql(`select count(*) from UserRegistration where userNameLower = '${name.toLowerCase()}';`).trim(), '1');
  }
  t.equal(
    p.sql("select count(*) from SerialNumbers where serialStatus = '1' and userName like 'Twin%';").trim(),
    '6',
    'the losers did not use up their serials',
  );
});

t.test('a password changed through West is the one East checks', async (t) => {
  const [serial] = p.serials(1, 'change-seed');
  t.equal(await code(p.west, { kind: 'register', name: 'Changer', password: 'oldpass1', serial: serial as string }), 0);
  const west = await p.west.login({
    kind: 'authenticate',
    name: 'Changer',
    password: 'oldpass1',
    firstConnection: true,
  });
  await west.logoff();
  // VAR_NEW_PASSWD at login on West, as the client's "change password" does.
  const c = await ClientConnection.connect('127.0.0.2', p.port);
  await c.handshake();
  c.send({
    cmd: 'SESSIONINIT',
    objId: ObjIds.CLIENT,
    props: [
      ...sessionInitProps({ kind: 'authenticate', name: 'Changer', password: 'oldpass1', firstConnection: true }),
      { id: Var.NEW_PASSWD, value: 'newpass2' },
    ],
  });
  t.equal((await c.expectCmd('SESSIONINIT')).props[0]?.value, '0');
  await c.logoff();
  t.equal(
    await code(p.east, { kind: 'authenticate', name: 'Changer', password: 'oldpass1', firstConnection: true }),
    Nak.BAD_PASSWORD,
  );
  t.equal(
    await code(p.east, { kind: 'authenticate', name: 'Changer', password: 'newpass2', firstConnection: true }),
    0,
  );
});
