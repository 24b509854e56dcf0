// User names (issue 6 finding 7): reserved names, and names whose lower case is not their identity.
import t from 'tap';
import { foldsSafely, isReservedName, isValidUserName, parseRoomName } from '../../protocol/names.js';

t.test('reserved: the broadcast targets, the server, TRADE and the guest login, in any case', async (t) => {
  for (const n of ['WORLDSMASTER', 'worldsmaster', 'TRADE', 'world', 'Room', 'guest', 'GUEST', 'guest_1', 'Guest_77'])
    t.ok(isReservedName(n), n);
  for (const n of ['Alice', 'worldly', 'roomy', 'guests', 'guestbook', 'trader']) t.notOk(isReservedName(n), n);
});

t.test('reserved: a UserServer’s own Guests prefix too', async (t) => {
  t.ok(isReservedName('visitor', 'visitor'));
  t.ok(isReservedName('VISITOR_3', 'visitor'));
  t.ok(isReservedName('guest_3', 'visitor'), 'the stock guest name stays reserved');
  t.notOk(isReservedName('visitors', 'visitor'));
});

t.test('lower case is the identity of a new name: case look-alikes are refused', async (t) => {
  for (const n of ['victim', 'VICTIM', 'Zoë', 'Müller', 'STRASSE', 'Ωmega', '日本語', 'a_b-c'])
    t.ok(foldsSafely(n), `${n} is fine`);
  const refused: [string, string][] = [
    ['VİCTIM', 'İ lowers to i plus a combining dot: "vi̇ctim" beside "victim"'],
    ['vıctım', 'dotless ı is the lower case of I in Turkish'],
    ['straße', 'ß is SS in upper case'],
    ['ſam', 'long s is S in upper case'],
    ['ςigma', 'final sigma is Σ in upper case'],
    ['ＶＩＣＴＩＭ', 'fullwidth letters are VICTIM to the eye (not NFKC)'],
    ['Zoë'.normalize('NFD'), 'a decomposed ë (not NFKC)'],
  ];
  for (const [n, why] of refused) t.notOk(foldsSafely(n), why);
});

t.test('the name rules of §3.2 are unchanged', async (t) => {
  t.ok(isValidUserName('Alice', false));
  t.notOk(isValidUserName('Zoë', false));
  t.ok(isValidUserName('Zoë', true));
  t.notOk(isValidUserName('a', true));
  t.same(parseRoomName('GroundZero#Reception<dimension-1>'), {
    world: 'GroundZero',
    room: 'Reception',
    channel: 'dimension-1',
  });
});
