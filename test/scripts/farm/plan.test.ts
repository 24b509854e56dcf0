import t from 'tap';
import { UsageError, parseFarmArgs } from '../../../scripts/farm/options.js';
import {
  botPlan,
  botsOfWorker,
  connectionsPerBot,
  loginOffsetMs,
  MAX_BOTS_PER_WORKER,
  openFileLimit,
  planWorkers,
  resolveLogin,
} from '../../../scripts/farm/plan.js';

t.test('workers stay under the open-file limit', async (t) => {
  t.equal(planWorkers(19_000, 1, 20_000, null), 4, '19,000 direct bots: 6,000 a worker at most');
  t.equal(planWorkers(19_000, 2, 20_000, null), 4, 'two sockets a bot: 9,968 fit, 6,000 is the cap');
  t.equal(planWorkers(3_000, 2, 4_096, null), 2, 'a low limit needs more workers');
  t.equal(planWorkers(10, 1, 20_000, null), 1);
  t.equal(planWorkers(10, 1, 20_000, 8), 8, 'more workers than needed is allowed');
  t.equal(planWorkers(3, 1, 20_000, 8), 3, 'but never more than bots');
  t.throws(() => planWorkers(19_000, 2, 20_000, 1), UsageError);
  t.throws(() => planWorkers(19_000, 2, 20_000, 1), /use --workers 4 or more/);
  t.ok(MAX_BOTS_PER_WORKER * 2 + 64 <= 20_000, 'a full worker of two-socket bots fits the machine’s limit');
});

t.test('the /proc limits line', async (t) => {
  const text =
    'Limit                     Soft Limit           Hard Limit           Units\nMax open files            20000                20000                files\n';
  t.equal(openFileLimit(text), 20_000);
  t.equal(
    openFileLimit('Max open files            unlimited            unlimited            files'),
    Number.MAX_SAFE_INTEGER,
  );
  t.equal(openFileLimit(''), null);
});

t.test('bots are dealt round robin so every worker ramps at the same pace', async (t) => {
  t.same(botsOfWorker(1, 3, 10), [1, 4, 7]);
  const all = [0, 1, 2].flatMap((w) => botsOfWorker(w, 3, 10)).sort((a, b) => a - b);
  t.same(all, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.equal(loginOffsetMs(300, 300), 1000);
});

t.test('names, rooms, worlds and addresses of a bot', async (t) => {
  const o = parseFarmArgs(['--bots', '120', '--per-room', '50', '--worlds', '2', '--per-address', '16']);
  t.same(botPlan(o, 0), { index: 0, name: 'bot1', localAddress: '127.0.0.2', world: 'Farm', room: 'Room1' });
  t.same(botPlan(o, 50), { index: 50, name: 'bot51', localAddress: '127.0.0.5', world: 'Farm2', room: 'Room2' });
  t.equal(botPlan(o, 119).room, 'Room3');
  const crowd = parseFarmArgs(['--bots', '120', '--per-room', '0']);
  t.equal(new Set(Array.from({ length: 120 }, (_, i) => botPlan(crowd, i).room)).size, 1, 'per-room 0: one room');
});

t.test('the login follows the entry server’s type (§4.3)', async (t) => {
  t.equal(resolveLogin('auto', 4, false), 'direct');
  t.equal(resolveLogin('auto', 2, false), 'anonymous');
  t.equal(resolveLogin('auto', 1, true), 'register');
  t.equal(resolveLogin('auto', 1, false), 'authenticate');
  t.equal(resolveLogin('guest', 1, false), 'guest');
  t.throws(() => resolveLogin('auto', 3, false), /point the farm at the UserServer/);
  t.throws(() => resolveLogin('register', 4, true), /stand-alone RoomServer/);
  t.throws(() => resolveLogin('direct', 1, false), /user database/);
  t.throws(() => resolveLogin('auto', 9, false), /server type 9/);
  t.throws(() => resolveLogin('auto', 4, true), /only used to register/, 'serials for a stand-alone world');
  t.equal(connectionsPerBot('direct'), 1);
  t.equal(connectionsPerBot('register'), 2);
});
