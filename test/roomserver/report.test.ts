// AG-33: the hourly reports' lines exactly as the guide prints them.
import t from 'tap';
import { roomServerReport } from '../../roomserver/report.js';
import { userServerReport } from '../../userserver/report.js';
import { resourceUsageLines } from '../../runtime/resource-usage.js';

const when = new Date(1996, 5, 25, 20, 8, 0);

t.test("RoomServer: the guide's sample, indentation included", async (t) => {
  const rooms = [
    { name: 'sky_1301', population: 87 },
    { name: 'empty_1', population: 0 },
    { name: 'glee_1029', population: 2 },
  ];
  t.equal(
    roomServerReport(when, 'Hub', { users: { size: 89 }, rooms: { all: () => rooms } }).join('\n'),
    [
      'Tue Jun 25 20:08:00 1996 - Hub:',
      '     Serving 89 users',
      '     Serving 2 rooms',
      '       glee_1029 - 2 Users',
      '       sky_1301 - 87 Users',
    ].join('\n'),
    'occupied rooms only, by name',
  );
});

t.test("UserServer: the guide's sample", async (t) => {
  t.same(userServerReport(new Date(1996, 5, 27, 12, 7, 15), 'WorldsChat', 4, 700), [
    'Thu Jun 27 12:07:15 1996 - WorldsChat',
    'Serving 4 connections',
    'Serving 700 active users',
  ]);
});

t.test('Resource usage: the getrusage() fields in order, minutes of CPU, missing fields 0', async (t) => {
  t.same(
    resourceUsageLines({
      userCPUTime: 14 * 60_000_000 + 59_000_000,
      systemCPUTime: 4 * 60_000_000,
      majorPageFault: 15,
      ipcSent: 1,
      ipcReceived: 799105,
      voluntaryContextSwitches: 610383,
      involuntaryContextSwitches: 108202,
    }),
    [
      'Resource usage -',
      'user time = 14 minutes',
      'system time = 4 minutes',
      'maximum resident set size = 0',
      'integral shared text memory size = 0',
      'integral unshared data size = 0',
      'integral unshared stack size = 0',
      'page reclaims (minor faults) = 0',
      'page faults (major faults) = 15',
      'swaps = 0',
      'messages sent = 1',
      'messages received = 799105',
      'voluntary context switches = 610383',
      'involuntary context switches = 108202',
    ],
    "the guide's example",
  );
  t.match(resourceUsageLines()[3], /^maximum resident set size = [1-9]\d*$/, 'this platform keeps RSS');
});
