// Boot bans (AG-20, issue 6 finding 11): name and address for 30 minutes, each remembering the boot
// that made it.
import t from 'tap';
import { BanList, describeBan } from '../../runtime/bans.js';

t.test('a boot bans name and address for 30 minutes and says which boot', async (t) => {
  let now = new Date(2024, 4, 6, 14, 2, 0).getTime();
  const bans = new BanList(undefined, () => now);
  const made = bans.ban('bad', '127.2.0.1', 'Bad', 'Admin');
  t.same(
    made.map((b) => [b.kind, b.value]),
    [
      ['name', 'bad'],
      ['address', '127.2.0.1'],
    ],
  );
  const byAddress = bans.find('newguy', '127.2.0.1');
  t.equal(
    byAddress && describeBan(byAddress),
    'address 127.2.0.1 banned until 14:32 since the boot of Bad by Admin at 14:02',
  );
  const byName = bans.find('bad', '127.3.0.1');
  t.equal(byName && describeBan(byName), 'name Bad banned until 14:32 since the boot of Bad by Admin at 14:02');
  t.equal(bans.find('someone', '127.3.0.1'), null);
  now += 30 * 60_000;
  t.notOk(bans.isBanned('bad', '127.2.0.1'), 'over after 30 minutes');
  t.equal(bans.size, 0, 'and forgotten');
});

t.test('bans read back from the database are restored unless they ended', async (t) => {
  const now = Date.now();
  const bans = new BanList();
  const at = new Date(now - 60_000);
  bans.restore({ kind: 'address', value: '127.2.0.1', until: new Date(now + 60_000), booted: 'Bad', by: 'A', at });
  bans.restore({ kind: 'name', value: 'old', until: new Date(now - 1), booted: 'Old', by: 'A', at });
  t.ok(bans.isBanned('x', '127.2.0.1'));
  t.notOk(bans.isBanned('old', '127.9.9.9'));
  t.equal(bans.size, 1);
});
