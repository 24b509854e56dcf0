import t from 'tap';
import { parseFarmArgs, UsageError, helpText } from '../../../scripts/farm/options.js';

function refused(argv: string[]): string {
  try {
    parseFarmArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  return '';
}

t.test('defaults: the guide’s load model on a local stand-alone RoomServer', async (t) => {
  const o = parseFarmArgs([]);
  t.match(o, {
    host: '127.0.0.1',
    port: 5100,
    bots: 100,
    perRoom: 50,
    avatars: 6,
    moveEveryS: 1,
    chatEveryS: 10,
    login: 'auto',
    perAddress: 10,
    sourceFrom: '127.0.0.2',
    propreq: true,
    workers: null,
    json: false,
  });
  t.same(o.pids, []);
});

t.test('only 127.0.0.0/8 targets and source addresses', async (t) => {
  t.match(refused(['--host', '10.0.0.1']), /not in 127\.0\.0\.0\/8/);
  t.match(refused(['--host', '192.168.1.5']), /loopback/);
  t.match(refused(['--host', 'example.com']), /not in 127/);
  t.match(refused(['--host', '128.0.0.1']), /not in 127/);
  t.match(refused(['--host', '127.0.0.256']), /not in 127/);
  t.match(refused(['--source-from', '10.1.1.1']), /--source-from 10\.1\.1\.1 is not in 127/);
  t.equal(parseFarmArgs(['--host', 'localhost']).host, '127.0.0.1');
  t.equal(parseFarmArgs(['--host', '127.45.6.7']).host, '127.45.6.7');
});

t.test('absurd sizes and times are refused with the bound', async (t) => {
  t.match(refused(['--bots', '100000']), /--bots 100000 is outside 1\.\.40000/);
  t.match(refused(['--bots', '0']), /outside/);
  t.match(refused(['--bots', '2.5']), /whole number/);
  t.match(refused(['--hold', '100000']), /--hold 100000 is outside 1\.\.3600/);
  t.match(refused(['--rate', '0']), /--rate 0 is outside/);
  t.match(refused(['--bots', '40000', '--rate', '1']), /ramp of 40000 bots at 1\/s would take over 3600 s/);
  t.match(refused(['--chat-every', '0.1']), /--chat-every 0.1 is outside 0\.5\.\.3600 \(or 0 for never\)/);
  t.equal(parseFarmArgs(['--chat-every', '0']).chatEveryS, 0, '0 turns chat off');
  t.match(refused(['--area', '700']), /--area 700 is outside 1\.\.600/);
  t.match(refused(['--workers', '500']), /outside 1\.\.64/);
  t.match(refused(['--port', '70000']), /outside 1\.\.65535/);
  t.match(refused(['--nice', '-5']), /--nice -5 is outside 0\.\.19/);
  t.match(refused(['--settle', '10', '--hold', '10']), /--settle 10 must be shorter than --hold 10/);
  t.match(refused(['--bots', 'many']), /must be a number/);
  t.match(refused(['--frobnicate']), /Unknown argument/);
});

t.test('names, passwords and logins the servers would refuse are refused first', async (t) => {
  t.match(refused(['--name-prefix', 'averyveryverylongname', '--bots', '10']), /at most 14 characters/);
  t.match(refused(['--name-prefix', '9lives']), /starting with a letter/);
  t.match(refused(['--password', 'abc']), /4-32 printable/);
  t.match(refused(['--login', 'register']), /needs free serial numbers/);
  t.match(refused(['--serials', 'a.txt', '--make-serials', 'b.db']), /not both/);
  t.match(refused(['--serials', 'a.txt', '--login', 'guest']), /only used by --login register/);
  t.match(refused(['--spawn-rs', 'x.cfg', '--login', 'guest']), /--login direct/);
  t.match(refused(['--login', 'root']), /Invalid values/);
});

t.test('source addresses must not run off the loopback net', async (t) => {
  t.match(
    refused(['--source-from', '127.255.255.250', '--bots', '100', '--per-address', '1']),
    /past 127\.255\.255\.254/,
  );
  t.equal(parseFarmArgs(['--source-from', '127.255.255.250', '--bots', '5', '--per-address', '1']).bots, 5);
});

t.test('--help describes every group', async (t) => {
  const h = await helpText();
  for (const s of ['Target:', 'Logging in:', 'Load:', 'Farm:', '--per-address', '--spawn-rs', 'Loopback'])
    t.match(h, s);
});
