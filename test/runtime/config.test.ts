import t from 'tap';
import { ConfigError, parseConfigText, resolveConfigPath } from '../../runtime/config.js';
import { ROOMSERVER_KEYWORDS, roomServerDraft } from '../../roomserver/config.js';
import { USERSERVER_KEYWORDS, userServerDraft } from '../../userserver/config.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const parse = (text: string) =>
  parseConfigText(text, 'firstRS.cfg', ROOMSERVER_KEYWORDS, roomServerDraft('firstRS.cfg'));

t.test('the guide sample firstRS.cfg parses (Appendix I)', async (t) => {
  const cfg = parse(`Server                  Private
# comment line
UserServer              127.0.0.1 5200 first def456

Users                   5100
ClientUpdates           6 1000000
RoomDatabase            rs1 abc123 RoomService 60 Dynamic
MothFile                moth
Access                  !@#
World earth<dimension-3;2>
World moon
UnicodeNames
Connections 500 5
MaxChannelPopulation 100
Logging
InternalHttpServer http://dev.worlds.net
ExternalHttpServer http://www-static.us.worlds.net
ScriptServer http://www-dynamic.us.worlds.net/cgi-bin
SmtpServer mail.worlds.net:25
MailDomain worlds3d.com
BindAddr 0.0.0.0
`);
  t.equal(cfg.serverName, 'Private');
  t.same(cfg.userServer, { host: '127.0.0.1', port: 5200, name: 'first', password: 'def456' });
  t.equal(cfg.usersPort, 5100);
  t.equal(cfg.maxAvatars, 6);
  t.equal(cfg.updateIntervalUs, 1_000_000);
  t.same(cfg.roomDatabase, {
    user: 'rs1',
    password: 'abc123',
    service: 'RoomService',
    writeBackMinutes: 60,
    dynamic: true,
  });
  t.equal(cfg.accessPrefix, '!@#', "a '#' inside a value is not a comment");
  t.same(cfg.worlds, [
    { world: 'earth', channel: 'dimension-3', suffix: '2' },
    { world: 'moon', channel: null, suffix: null },
  ]);
  t.equal(cfg.unicodeNames, true);
  t.equal(cfg.maxOrdinary, 500);
  t.equal(cfg.maxPriority, 5);
  t.equal(cfg.maxChannelPopulation, 100);
  t.equal(cfg.logging, true);
  t.equal(cfg.http.script, 'http://www-dynamic.us.worlds.net/cgi-bin');
  t.equal(cfg.bindAddr, '0.0.0.0');
});

t.test('defaults (Appendix I)', async (t) => {
  const cfg = parse('Server X\n');
  t.equal(cfg.usersPort, 5100);
  t.equal(cfg.maxAvatars, 6);
  t.equal(cfg.updateIntervalUs, 1_000_000);
  t.equal(cfg.maxOrdinary, 1000);
  t.equal(cfg.maxPriority, 10);
  t.equal(cfg.mothFile, 'moth');
  t.equal(cfg.userServer, null);
  t.equal(cfg.limits.keepAliveMs, 60_000);
});

t.test('AG-1 errors name file, line and keyword', async (t) => {
  const cases: [string, number, string, RegExp][] = [
    ['Server X\nBogus 1\n', 2, 'Bogus', /unknown keyword/],
    ['Server X\nUsers\n', 2, 'Users', /expects 1 argument/],
    ['Server X\nUsers 1 2\n', 2, 'Users', /expects 1 argument/],
    ['Server X\nUsers 70000\n', 2, 'Users', /not a port/],
    ['Server X\nClientUpdates six 1000000\n', 2, 'ClientUpdates', /not a whole number/],
    ['Server X\nClientUpdates 6 10\n', 2, 'ClientUpdates', /outside/],
    ['Server X\nUserServer localhost 5200 first pw\n', 2, 'UserServer', /IPv4/],
    ['Server X\nWorld earth<dim\n', 2, 'World', /form/],
    ['Server X\nRoomDatabase a b c 60 Static\n', 2, 'RoomDatabase', /must be Dynamic/],
    ['Users 5100\n', 1, 'Server', /required/],
    ['Server X\nServer Y\n', 2, 'Server', /given twice \(first on line 1\)/],
    ['Server bad/name\n', 1, 'Server', /letters/],
    ['Server X\nTimeouts 10 10 200\n', 2, 'Timeouts', /below 120/],
    ['Server X\nAddressLimit 4 8\n', 2, 'AddressLimit', /unauthenticated must not exceed connections/],
    ['Server X\nAddressLimit 0 0\n', 2, 'AddressLimit', /outside 1\.\.1000000/],
    ['Server X\nFirstRequestTimeout 0\n', 2, 'FirstRequestTimeout', /outside/],
    ['Server X\nLogLimitWindow soon\n', 2, 'LogLimitWindow', /not a number/],
  ];
  for (const [text, line, keyword, why] of cases) {
    try {
      parse(text);
      t.fail(`no error for ${JSON.stringify(text)}`);
    } catch (err) {
      t.ok(err instanceof ConfigError, 'ConfigError');
      const e = err as ConfigError;
      t.equal(e.line, line, `${keyword}: line`);
      t.equal(e.keyword, keyword);
      t.equal(e.file, 'firstRS.cfg');
      t.match(e.message, why);
      t.match(e.message, new RegExp(`^firstRS\\.cfg:${line}: ${keyword}: `));
    }
  }
});

t.test('keywords are matched without regard to case; CRLF files parse', async (t) => {
  const cfg = parse('server X\r\nusers 6000\r\n');
  t.equal(cfg.serverName, 'X');
  t.equal(cfg.usersPort, 6000);
});

t.test('AG-1 a bare name is looked up in ./wc_config/', async (t) => {
  const dir = t.testdir({});
  mkdirSync(join(dir, 'wc_config'));
  writeFileSync(join(dir, 'wc_config', 'a.cfg'), 'Server A\n');
  writeFileSync(join(dir, 'b.cfg'), 'Server B\n');
  t.equal(resolveConfigPath('a.cfg', dir), join(dir, 'wc_config', 'a.cfg'));
  t.equal(resolveConfigPath('b.cfg', dir), join(dir, 'b.cfg'));
  t.equal(resolveConfigPath('c.cfg', dir), null);
  t.equal(resolveConfigPath('sub/a.cfg', dir), null, 'only bare names fall back');
});

t.test('issue 6 limits: defaults, and each keyword where it applies', async (t) => {
  const d = parse('Server X\n').limits;
  t.same(
    [d.connectionsPerAddress, d.unauthenticatedPerAddress, d.firstRequestTimeoutMs, d.logLimitWindowMs],
    [16, 8, 10_000, 60_000],
  );
  const l = parse('Server X\nAddressLimit 32 4\nFirstRequestTimeout 2.5\nLogLimitWindow 300\n').limits;
  t.same(
    [l.connectionsPerAddress, l.unauthenticatedPerAddress, l.firstRequestTimeoutMs, l.logLimitWindowMs],
    [32, 4, 2_500, 300_000],
  );
  const us = (text: string) =>
    parseConfigText(
      `Server X\nRoomServers 5200 pw\n${text}`,
      'PrivateUS.cfg',
      USERSERVER_KEYWORDS,
      userServerDraft('PrivateUS.cfg'),
    );
  t.same(us('').loginFailures, { perAddress: 5, perAccount: 5, windowMs: 600_000 });
  t.equal(us('').registrationsPerHour, 5);
  const set = us('LoginFailures 10 3 0.5\nRegistrations 2\nAddressLimit 100 50\n');
  t.same(set.loginFailures, { perAddress: 10, perAccount: 3, windowMs: 30_000 });
  t.equal(set.registrationsPerHour, 2);
  t.equal(set.limits.connectionsPerAddress, 100);
  t.throws(() => us('LoginFailures 5 5\n'), /PrivateUS\.cfg:3: LoginFailures: expects 3 argument/);
  t.throws(() => parse('Server X\nRegistrations 5\n'), /unknown keyword/, 'a UserServer keyword only');
});

t.test('capacity keywords: TickBudget with and without the loop share, IoThread', async (t) => {
  const plain = parse('Server X\n');
  t.equal(plain.tickBudgetShare, 0.6);
  t.equal(plain.loopBusyShare, 0.9);
  t.equal(plain.ioThread, false);
  t.equal(plain.heapGrowthPercent, 15, 'HeapGrowth: little reaches the old generation, so 15% costs no CPU');
  t.equal(parse('Server X\nHeapGrowth 0\n').heapGrowthPercent, 0, "0: V8's own factor");
  const one = parse('Server X\nTickBudget 50\n');
  t.equal(one.tickBudgetShare, 0.5);
  t.equal(one.loopBusyShare, 0.9, 'the loop share keeps its default');
  const both = parse('Server X\nTickBudget 50 75\nIoThread on\n');
  t.equal(both.loopBusyShare, 0.75);
  t.equal(both.ioThread, true);
  t.throws(() => parse('Server X\nTickBudget 50 40\n'), /firstRS\.cfg:2: TickBudget: loopBusyPercent/);
  t.throws(() => parse('Server X\nIoThread yes\n'), /firstRS\.cfg:2: IoThread/);
  t.equal(plain.acceptSlots, 8, 'AcceptSlots: eight descriptors for the listening socket');
  t.equal(parse('Server X\nAcceptSlots 1\n').acceptSlots, 1);
  t.throws(() => parse('Server X\nAcceptSlots 0\n'), /firstRS\.cfg:2: AcceptSlots/);
});

t.test('CrowdHysteresis: the rate of replacements is optional, 0 lifts it', async (t) => {
  t.same(parse('Server X\n').crowd, { marginRatio: 0.25, marginUnits: 100, minShownMs: 5000, swapIntervalMs: 2000 });
  t.equal(parse('Server X\nCrowdHysteresis 10 2 3\n').crowd.swapIntervalMs, 2000, 'three arguments: the default rate');
  t.same(parse('Server X\nCrowdHysteresis 10 2 3 120\n').crowd, {
    marginRatio: 0.1,
    marginUnits: 200,
    minShownMs: 3000,
    swapIntervalMs: 500,
  });
  t.equal(parse('Server X\nCrowdHysteresis 0 0 0 0\n').crowd.swapIntervalMs, 0, 'strict nearest N');
  t.throws(() => parse('Server X\nCrowdHysteresis 0 0 0 -1\n'), /firstRS\.cfg:2: CrowdHysteresis: swapsPerMinute/);
});
