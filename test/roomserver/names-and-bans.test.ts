// Issue 6 findings 7 and 11 on a stand-alone RS_v11: reserved names and case look-alikes are refused
// as on the UserServer, and a boot ban's refusal says what was banned and since which boot.
import t from 'tap';
import { ClientConnection, LoginRefused } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';
import { RS_MAIN, standaloneConfig, startServer } from '../helpers/servers.js';
import { joinStandalone } from '../helpers/clients.js';

const rs = await startServer(RS_MAIN, 'RS', standaloneConfig('Access k3y-9f2a\nUnicodeNames'));
t.teardown(() => rs.stop());

async function loginCode(name: string, localAddress = '127.0.0.1'): Promise<number> {
  const c = await ClientConnection.connect('127.0.0.1', rs.port, { localAddress });
  await c.handshake();
  try {
    await c.login({ kind: 'roomserver-anon', name, avatars: 24 });
    t.teardown(() => c.close());
    return 0;
  } catch (err) {
    c.close();
    if (err instanceof LoginRefused) return err.code;
    throw err;
  }
}

t.test('finding 7: the names the UserServer refuses are refused here too (NAK 11)', async (t) => {
  for (const name of ['WORLDSMASTER', 'TRADE', 'world', 'room', 'guest', 'guest_1', 'Guest_42'])
    t.equal(await loginCode(name), Nak.TAKEN_USER, name);
  t.equal(await loginCode('k3y-9f2aWORLDSMASTER'), Nak.TAKEN_USER, 'a priority user cannot pose as the server either');
  await rs.waitLog(/\(WORLDSMASTER\) - login refused: name WORLDSMASTER is reserved \(NAK 11\)/);
  t.equal(await loginCode('Worldly'), 0, 'names that merely start alike are fine');
});

t.test('finding 7: a name that is another one in other letter case is refused (NAK 1)', async (t) => {
  t.equal(await loginCode('victim'), 0);
  t.equal(await loginCode('VICTIM'), Nak.TAKEN_USER, 'in use, whatever its case');
  for (const lookalike of ['VİCTIM', 'vıctım', 'ＶＩＣＴＩＭ', 'ſam', 'straße'])
    t.equal(await loginCode(lookalike), Nak.BAD_USER, lookalike);
  t.equal(await loginCode('Zoë'), 0, 'other letters of other scripts are fine');
});

t.test('finding 11: a boot ban names what was banned and since which boot', async (t) => {
  const boss = await joinStandalone(rs.port, 'k3y-9f2aBoss');
  t.teardown(() => boss.close());
  const bad = await ClientConnection.connect('127.0.0.1', rs.port, { localAddress: '127.4.0.2' });
  await bad.handshake();
  await bad.login({ kind: 'roomserver-anon', name: 'Bad', avatars: 24 });
  boss.send({ cmd: 'WHISPER', objId: 'world', sender: '', text: '!boot Bad' });
  t.equal((await boss.expectCmd('WHISPER')).text, 'Bad has been booted.');
  await bad.closed;
  t.equal(await loginCode('Newcomer', '127.4.0.2'), Nak.BAD_IPADDRESS, 'a new user from the booted address');
  await rs.waitLog(
    /\(Newcomer\) - login refused: address 127\.4\.0\.2 banned until \d\d:\d\d since the boot of Bad by Boss at \d\d:\d\d \(NAK 16\)/,
  );
  t.equal(await loginCode('bad', '127.4.0.3'), Nak.BAD_IPADDRESS, 'the booted name from elsewhere');
  await rs.waitLog(/\(bad\) - login refused: name Bad banned until \d\d:\d\d since the boot of Bad by Boss/);
  t.notMatch(rs.log(), /\(Newcomer\) - login refused: booted/, 'the newcomer is not said to have been booted');
});
