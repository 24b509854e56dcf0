// Issue 6 finding 5 on a real galaxy: failed logins per address and per account lock out with a
// code the client shows (NAK 16), registrations per address per hour, a thousand parallel guesses
// cost a handful of hashes, and RoomServer logins obey the same limits by the client's address.
import t from 'tap';
import { ClientConnection, LoginRefused, type LoginMode } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';
import { loginCode, startGalaxy } from '../helpers/galaxy.js';

const g = await startGalaxy({ rsNames: ['first'], usExtra: 'LoginFailures 3 3 10\nRegistrations 2' });
t.teardown(() => g.stop());
const serials = g.serials(12);
let nextSerial = 0;

const attempt = (mode: LoginMode, localAddress: string) => loginCode(g.usPort, mode, localAddress);
const wrong = (name: string): LoginMode => ({
  kind: 'authenticate',
  name,
  password: 'wrong-guess',
  firstConnection: true,
});
const right = (name: string): LoginMode => ({ kind: 'authenticate', name, password: 'secret1', firstConnection: true });
async function account(name: string, localAddress: string): Promise<void> {
  const serial = serials[nextSerial++] as string;
  const code = await attempt({ kind: 'register', name, password: 'secret1', serial }, localAddress);
  if (code !== 0) throw new Error(`registering ${name} from ${localAddress}: NAK ${code}`);
}

await account('alice', '127.20.0.100');
await account('bob', '127.20.0.101');
await account('carol', '127.20.0.102');
await account('dave', '127.20.0.103');

t.test('an address is locked out after 3 failed logins, even with the right password next (NAK 16)', async (t) => {
  for (let i = 0; i < 3; i++) t.equal(await attempt(wrong('alice'), '127.20.0.1'), Nak.BAD_PASSWORD);
  t.equal(await attempt(right('alice'), '127.20.0.1'), Nak.BAD_IPADDRESS, 'the 41st try is not what decides');
  await g.us.waitLog(
    /\(alice\) - login refused: address 127\.20\.0\.1 locked out after 3 failed logins in 10 minutes; refused until \d\d:\d\d:\d\d \(NAK 16\)/,
  );
  t.equal(await attempt(wrong('nobody'), '127.20.0.1'), Nak.BAD_IPADDRESS, 'other names from that address too');
  t.equal(await attempt(right('alice'), '127.20.0.2'), Nak.BAD_IPADDRESS, 'the account is locked as well…');
  t.equal(await attempt(right('alice'), '127.20.0.100'), 0, '…but not for the address alice registered from');
});

t.test('an account is locked after 3 failures from anywhere, but not for an address it logged in from', async (t) => {
  t.equal(await attempt(right('bob'), '127.21.0.1'), 0, 'bob at home');
  for (let i = 1; i <= 3; i++) t.equal(await attempt(wrong('bob'), `127.22.0.${i}`), Nak.BAD_PASSWORD);
  t.equal(await attempt(right('bob'), '127.22.0.4'), Nak.BAD_IPADDRESS, 'a fourth address is refused');
  await g.us.waitLog(/\(bob\) - login refused: account bob locked after 3 failed logins in 10 minutes/);
  t.equal(await attempt(right('bob'), '127.21.0.1'), 0, 'bob at home is not locked out by the guessing');
});

t.test('registrations per address per hour (NAK 16), the serial left free', async (t) => {
  await account('erin', '127.23.0.1');
  await account('frank', '127.23.0.1');
  const serial = serials[nextSerial] as string;
  t.equal(
    await attempt({ kind: 'register', name: 'gina', password: 'secret1', serial }, '127.23.0.1'),
    Nak.BAD_IPADDRESS,
  );
  await g.us.waitLog(
    /\(gina\) - login refused: 2 accounts registered from 127\.23\.0\.1 in the last hour \(Registrations 2\)/,
  );
  t.equal(g.sql(`select serialStatus from SerialNumbers where serialNumber = '${serial}';`).trim(), '0');
  await account('gina', '127.23.0.2');
});

t.test('a burst of parallel guesses from one address costs no more hashes than it has failures left', async (t) => {
  const codes = await Promise.all(Array.from({ length: 20 }, () => attempt(wrong('carol'), '127.25.0.1')));
  t.equal(codes.filter((c) => c === Nak.BAD_PASSWORD).length, 3, 'three checked, as many as it may fail');
  t.ok(
    codes.every((c) => c === Nak.BAD_PASSWORD || c === Nak.FATAL || c === Nak.BAD_IPADDRESS),
    'the others refused at once: NAK 5 while three were checked, NAK 16 after they failed',
  );
  await g.us.waitLog(/login refused: \d logins from 127\.25\.0\.1 already being checked \(NAK 5\)/);
});

t.test('a RoomServer login of a user not logged in obeys the same limits, by the client’s address', async (t) => {
  const rsPort = (g.rs.get('first') as { port: number }).port;
  const direct = async (password: string): Promise<number> => {
    const c = await ClientConnection.connect('127.0.0.1', rsPort, { localAddress: '127.24.0.1' });
    await c.handshake();
    try {
      await c.login({ kind: 'roomserver', name: 'dave', password, avatars: 24 });
      await c.logoff();
      return 0;
    } catch (err) {
      c.close();
      if (err instanceof LoginRefused) return err.code;
      throw err;
    }
  };
  for (let i = 0; i < 3; i++) t.equal(await direct('wrong-guess'), Nak.BAD_PASSWORD);
  t.equal(await direct('secret1'), Nak.BAD_IPADDRESS);
  await (g.rs.get('first') as { waitLog(re: RegExp): Promise<unknown> }).waitLog(
    /\(dave\) - login refused: address 127\.24\.0\.1 locked out after 3 failed logins/,
  );
  t.equal(await attempt(wrong('dave'), '127.24.0.1'), Nak.BAD_IPADDRESS, 'and on the UserServer too');
});
