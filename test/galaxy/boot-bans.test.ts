// Issue 6 finding 11 on a real galaxy: a boot's bans are kept in the user database (BootBans) and
// outlive a restart of the UserServer; a refusal says what was banned and since which boot, and a
// newcomer from a banned address is not said to have been booted.
import t from 'tap';
import type { LoginMode } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';
import { Player } from '../../protocol/player.js';
import { loginCode, startGalaxy } from '../helpers/galaxy.js';

const g = await startGalaxy({ rsNames: [] });
t.teardown(() => g.stop());
const serials = g.serials(4);

const attempt = (mode: LoginMode, localAddress: string) => loginCode(g.usPort, mode, localAddress);

t.test('AG-20 bans survive a UserServer restart and name the boot they came from', async (t) => {
  for (const [i, name] of ['Admin', 'Bad', 'Newbie'].entries()) {
    const p = await Player.login({
      host: '127.0.0.1',
      port: g.usPort,
      mode: { kind: 'register', name, password: 'secret1', serial: serials[i] as string },
      connection: { localAddress: name === 'Bad' ? '127.2.0.1' : '127.2.0.9' },
    });
    await p.logoff();
  }
  g.sql("update UserRegistration set userPrivileges = 2 where userName = 'Admin';");
  const admin = await Player.login({
    host: '127.0.0.1',
    port: g.usPort,
    mode: { kind: 'authenticate', name: 'Admin', password: 'secret1', firstConnection: true },
    connection: { localAddress: '127.2.0.9' },
  });
  const bad = await Player.login({
    host: '127.0.0.1',
    port: g.usPort,
    mode: { kind: 'authenticate', name: 'Bad', password: 'secret1', firstConnection: true },
    connection: { localAddress: '127.2.0.1' },
  });
  admin.entry.send({ cmd: 'WHISPER', objId: 'world', sender: '', text: '!boot Bad' });
  t.equal((await admin.entry.expectCmd('WHISPER')).text, 'Bad has been booted.');
  await bad.entry.closed;
  await admin.logoff();
  t.equal(
    g.sql('select banKind, banValue, bootedName, bootedBy from BootBans order by banKind;').trim(),
    'address|127.2.0.1|Bad|Admin\nname|bad|Bad|Admin',
  );

  await g.restartUserServer();
  await g.us.waitLog(/2 boot bans restored from the user database/);
  const right = (name: string): LoginMode => ({
    kind: 'authenticate',
    name,
    password: 'secret1',
    firstConnection: true,
  });
  t.equal(await attempt(right('Bad'), '127.2.0.5'), Nak.BAD_IPADDRESS, 'the booted name, after the restart');
  await g.us.waitLog(
    /\(Bad\) - login refused: name Bad banned until \d\d:\d\d since the boot of Bad by Admin at \d\d:\d\d \(NAK 16\)/,
  );
  t.equal(await attempt(right('Newbie'), '127.2.0.1'), Nak.BAD_IPADDRESS, 'anyone from the booted address');
  await g.us.waitLog(
    /\(Newbie\) - login refused: address 127\.2\.0\.1 banned until \d\d:\d\d since the boot of Bad by Admin at \d\d:\d\d \(NAK 16\)/,
  );
  t.notMatch(g.us.log(), /\(Newbie\) - login refused: booted/, 'Newbie is not said to have been booted');
  t.equal(await attempt(right('Newbie'), '127.2.0.9'), 0, 'Newbie from elsewhere is welcome');
});
