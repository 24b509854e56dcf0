import t from 'tap';
import {
  parseListenCounters,
  parseIoCalls,
  parseMachineTicks,
  parseRssKiB,
  parseSchedstatWait,
  parseStatKernelTicks,
  parseStatTicks,
  sampleProcess,
} from '../../../scripts/farm/procstat.js';
import { parseSerialList } from '../../../scripts/farm/serials.js';

t.test('/proc/<pid>/stat: utime + stime, even when the command name holds spaces and parentheses', async (t) => {
  const stat = '4242 (node (RS) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 567 0 0 20 0 11 0 100 1000000 25000';
  t.equal(parseStatTicks(stat), 1234 + 567);
  t.equal(parseStatKernelTicks(stat), 567, 'stime alone');
});

t.test('/proc/<pid>/io: read and write system calls', async (t) => {
  const io = 'rchar: 9000\nwchar: 8000\nsyscr: 1500\nsyscw: 2250\nread_bytes: 0\n';
  t.same(parseIoCalls(io), { readCalls: 1500, writeCalls: 2250 });
  const none = parseIoCalls('');
  t.ok(Number.isNaN(none.readCalls) && Number.isNaN(none.writeCalls), 'unreadable: unknown, not zero');
});

t.test('/proc/<pid>/status VmRSS', async (t) => {
  t.equal(parseRssKiB('Name:\tnode\nVmPeak:\t  900 kB\nVmRSS:\t  812345 kB\nThreads:\t11\n'), 812_345);
  t.ok(Number.isNaN(parseRssKiB('Name:\tnode\n')));
});

t.test('/proc/net/netstat listen counters', async (t) => {
  const text = 'TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 0 17 20\nIpExt: InNoRoutes\nIpExt: 0\n';
  t.same(parseListenCounters(text), { overflows: 17, drops: 20 });
  t.equal(parseListenCounters('IpExt: a\nIpExt: 1\n'), null);
});

t.test('this process can be sampled', async (t) => {
  const s = sampleProcess(process.pid);
  t.ok(s && s.cpuTicks >= s.kernelTicks && s.mainTicks >= 0 && s.rssKiB > 0);
  t.ok(s && s.readCalls > 0 && s.writeCalls >= 0, 'its own /proc/<pid>/io is readable');
  t.equal(sampleProcess(2 ** 22 + 1), null, 'no such process');
});

t.test('serial files: one per line, blank lines and comments skipped', async (t) => {
  t.same(parseSerialList('FARM000000000001\n\n  FARM000000000002  \n# used\nFARM000000000003'), [
    'FARM000000000001',
    'FARM000000000002',
    'FARM000000000003',
  ]);
});

t.test('schedstat: time spent waiting for a CPU', async (t) => {
  t.equal(parseSchedstatWait('509854475 1218925070 1414\n'), 1_218_925_070);
  t.ok(Number.isNaN(parseSchedstatWait('')));
});

t.test('/proc/stat: the machine busy and total ticks, all cores', async (t) => {
  const stat = 'cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\nintr 12345\n';
  t.same(parseMachineTicks(stat), { busy: 100 + 5 + 50 + 3 + 2 + 1, total: 161 + 1000 + 20 });
  t.equal(parseMachineTicks('intr 1\n'), null);
});
