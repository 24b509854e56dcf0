// Keywords of the statistics and the status endpoint: defaults, values, and file:line errors.
import t from 'tap';
import { ConfigError, parseConfigText } from '../../runtime/config.js';
import { ROOMSERVER_KEYWORDS, roomServerDraft } from '../../roomserver/config.js';
import { USERSERVER_KEYWORDS, userServerDraft } from '../../userserver/config.js';

const rs = (extra: string) =>
  parseConfigText(`Server Private\n${extra}\n`, 'firstRS.cfg', ROOMSERVER_KEYWORDS, roomServerDraft('firstRS.cfg'));
const us = (extra: string) =>
  parseConfigText(
    `Server Private\nRoomServers 5200 pw\n${extra}\n`,
    'PrivateUS.cfg',
    USERSERVER_KEYWORDS,
    userServerDraft('PrivateUS.cfg'),
  );

t.test('defaults: no endpoint, no recording, 5 s samples, bounded HTTP clients', async (t) => {
  const cfg = rs('');
  t.equal(cfg.statusHttp, null, 'off when absent');
  t.equal(cfg.statsRecord, null);
  t.equal(cfg.statsSampleMs, 5000);
  t.same(cfg.httpLimits, { maxConnections: 32, maxBodyBytes: 65536, requestTimeoutMs: 10_000 });
  t.same(us('').healthCheck, { intervalMs: 2000, timeoutMs: 1000 });
});

t.test('values', async (t) => {
  t.same(rs('StatusHttp 9100').statusHttp, { port: 9100, bindAddr: '127.0.0.1' }, 'loopback unless told');
  t.same(rs('StatusHttp 0 0.0.0.0').statusHttp, { port: 0, bindAddr: '0.0.0.0' });
  t.same(us('StatusHttp 9110 10.0.0.5').statusHttp, { port: 9110, bindAddr: '10.0.0.5' });
  t.same(rs('StatsRecord 5 firstStats.csv').statsRecord, { intervalMs: 5000, file: 'firstStats.csv' });
  t.same(rs('StatsRecord 0.25 s.csv').statsRecord, { intervalMs: 250, file: 's.csv' });
  t.equal(rs('StatsSample 0.5').statsSampleMs, 500);
  t.same(rs('StatusHttpLimits 4 8192 2.5').httpLimits, {
    maxConnections: 4,
    maxBodyBytes: 8192,
    requestTimeoutMs: 2500,
  });
  t.same(us('HealthCheck 0.5 0.25').healthCheck, { intervalMs: 500, timeoutMs: 250 });
});

t.test('mistakes name file, line and keyword', async (t) => {
  const bad: [() => unknown, RegExp][] = [
    [
      () => rs('StatusHttp'),
      /^firstRS\.cfg:2: StatusHttp: expects 1 to 2 argument\(s\) \(StatusHttp port \[bindAddr\]\), got 0$/,
    ],
    [() => rs('StatusHttp 70000'), /^firstRS\.cfg:2: StatusHttp: port '70000' is not a port number/],
    [() => rs('StatusHttp 9100 localhost'), /^firstRS\.cfg:2: StatusHttp: bindAddr 'localhost' is not an IPv4 address/],
    [
      () => rs('StatsRecord stats.csv'),
      /^firstRS\.cfg:2: StatsRecord: expects 2 argument\(s\) \(StatsRecord seconds file\), got 1$/,
    ],
    [() => rs('StatsRecord 0 stats.csv'), /^firstRS\.cfg:2: StatsRecord: seconds '0' is outside 0\.05\.\.86400$/],
    [() => rs('StatsSample fast'), /^firstRS\.cfg:2: StatsSample: seconds 'fast' is not a number$/],
    [() => rs('StatusHttpLimits 0 8 1'), /^firstRS\.cfg:2: StatusHttpLimits: connections '0' is outside 1\.\.10000$/],
    [() => rs('HealthCheck 1 1'), /^firstRS\.cfg:2: HealthCheck: unknown keyword/],
    [() => us('HealthCheck 1'), /^PrivateUS\.cfg:3: HealthCheck: expects 2 argument/],
  ];
  for (const [parse, message] of bad) t.throws(parse, { name: 'ConfigError', message });
  t.ok(ConfigError);
});
