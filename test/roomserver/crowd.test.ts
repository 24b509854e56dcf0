// Issue 9: the crowd hysteresis (a shuffling crowd does not churn what a viewer is shown) and the
// overload policy (a tick that would overrun its budget degrades by priority), on a World without
// sockets; and admission (Connections, then overload).
import t from 'tap';
import { Nak } from '../../protocol/constants.js';
import { capacityRefusal } from '../../roomserver/admission.js';
import { MAX_LEVEL, Ticker, nearEvery, overloadLevel } from '../../roomserver/tick.js';
import type { RoomUser } from '../../roomserver/user.js';
import { ViewUpdater, distanceFrom } from '../../roomserver/view.js';
import { FakeWorld, STRICT_CROWD } from '../helpers/fake-world.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const shownTo = (v: RoomUser) => new Set([...v.visible.keys()].map((u) => u.name));

/** A viewer at the origin and twelve avatars around it on a ring of radius 300-420. */
function ringCrowd() {
  const f = new FakeWorld();
  const room = f.room();
  const viewer = f.user(room, 0, 0);
  const others = Array.from({ length: 12 }, (_, i) => {
    const a = (i / 12) * 2 * Math.PI;
    const r = 300 + (i % 6) * 20;
    return f.user(room, Math.round(Math.cos(a) * r), Math.round(Math.sin(a) * r));
  });
  return { f, room, viewer, others };
}

function shuffle(f: FakeWorld, others: RoomUser[], rand: () => number) {
  for (const u of others) {
    const a = Math.atan2(u.y, u.x) + (rand() - 0.5) * 0.2;
    const r = 300 + rand() * 120;
    f.world.move(u, Math.round(Math.cos(a) * r), Math.round(Math.sin(a) * r), 0, 0);
  }
}

function churn(policy: ConstructorParameters<typeof ViewUpdater>[0]) {
  const { f, viewer, others } = ringCrowd();
  const view = new ViewUpdater(policy);
  view.update(viewer, 0);
  const first = shownTo(viewer);
  const rand = rng(7);
  for (let tick = 1; tick <= 30; tick++) {
    shuffle(f, others, rand);
    view.update(viewer, tick * 1000);
  }
  return { view, viewer, first };
}

t.test('a crowd that shuffles does not churn the shown set (and still moves)', async (t) => {
  const { view, viewer, first } = churn(undefined);
  t.equal(view.counters.arrivals, 6, 'the first six arrive once');
  t.equal(view.counters.departures, 0, 'nobody leaves in 30 shuffles');
  t.same(shownTo(viewer), first, 'the same six are shown');
  t.ok(view.counters.kept > 0, 'kept instead of nearer newcomers');
  t.equal(view.counters.moves, 6 * 30, 'every move of the six shown is sent');

  const strict = churn(STRICT_CROWD);
  t.ok(
    strict.view.counters.departures > 10,
    `without hysteresis they churn (${strict.view.counters.departures} departures)`,
  );
  t.equal(strict.view.counters.kept, 0);
});

t.test('a clearly nearer avatar takes the place of the farthest, once that was shown long enough', async (t) => {
  const f = new FakeWorld();
  const room = f.room();
  const viewer = f.user(room, 0, 0, 2);
  const a = f.user(room, 1000, 0);
  const b = f.user(room, 1200, 0);
  const c = f.user(room, 5000, 0);
  const view = new ViewUpdater({ marginRatio: 0.5, marginUnits: 200, minShownMs: 5000, swapIntervalMs: 0 });
  view.update(viewer, 0);
  t.same(shownTo(viewer), new Set([a.name, b.name]));
  f.world.move(c, 100, 0, 0, 0);
  view.update(viewer, 1000);
  t.same(shownTo(viewer), new Set([a.name, b.name]), 'B was shown 1 s ago: it stays (minimum time)');
  view.update(viewer, 6000);
  t.same(shownTo(viewer), new Set([a.name, c.name]), 'after 5 s the much nearer C replaces B, the farthest');
  t.equal(view.counters.departures, 1);

  // Within the margin: A at 1000 is "about as near" as a newcomer at 800 ((1000-200)/1.5 ≤ 800).
  f.world.move(b, 800, 0, 0, 0);
  view.update(viewer, 20_000);
  t.same(shownTo(viewer), new Set([a.name, c.name]), 'B at 800 does not displace A at 1000');
  f.world.move(b, 300, 0, 0, 0);
  view.update(viewer, 21_000);
  t.same(shownTo(viewer), new Set([b.name, c.name]), 'B at 300 does ((1000-200)/1.5 > 300)');
});

t.test(
  'the rate of replacements: half the set at once, then one per interval, the nearest newcomers first',
  async (t) => {
    const f = new FakeWorld();
    const room = f.room();
    const viewer = f.user(room, 0, 0, 4);
    const far = [5000, 5100, 5200, 5300].map((x) => f.user(room, x, 0));
    const near = [400, 300, 200, 100].map((x) => f.user(room, x, 0));
    // Where they stand now, the near four start the farther four.
    near.forEach((u, i) => f.world.move(u, 9000 + i * 100, 0, 0, 0));
    const view = new ViewUpdater({ ...STRICT_CROWD, swapIntervalMs: 2000 });
    view.update(viewer, 0);
    t.same(shownTo(viewer), new Set(far.map((u) => u.name)), 'the four nearest are shown');
    near.forEach((u, i) => f.world.move(u, 400 - i * 100, 0, 0, 0));
    view.update(viewer, 1000);
    t.same(
      shownTo(viewer),
      new Set([far[0], far[1], near[3], near[2]].map((u) => u?.name)),
      'two (half of four) replaced at once: the nearest newcomers take the farthest places',
    );
    view.update(viewer, 2000);
    t.equal(view.counters.departures, 2, 'the rest wait for the rate');
    view.update(viewer, 3000);
    t.equal(view.counters.departures, 3, 'one more 2 s after the burst');
    t.ok(shownTo(viewer).has(near[1]?.name as string), 'the next nearest');
    view.update(viewer, 4000);
    t.equal(view.counters.departures, 3, 'none the second after');
    view.update(viewer, 5000);
    t.same(shownTo(viewer), new Set(near.map((u) => u.name)), 'and the last at 5 s');
    t.equal(view.counters.departures, 4);

    // The rate spent, a special guest is still shown at once; an ordinary newcomer waits its turn.
    const guest = f.user(room, 7000, 0);
    (guest as { specialGuest: boolean }).specialGuest = true;
    room.specialGuests.add(guest);
    f.world.move(far[0] as RoomUser, 50, 0, 0, 0);
    view.update(viewer, 5001);
    t.ok(viewer.visible.has(guest), 'the special guest is shown at once');
    t.notOk(viewer.visible.has(far[0] as RoomUser), 'the nearest newcomer waits for the rate');
    view.update(viewer, 7000);
    t.ok(viewer.visible.has(far[0] as RoomUser), 'and is shown 2 s after the last replacement');

    const g = new FakeWorld();
    const hall = g.room();
    const other = g.user(hall, 0, 0, 4);
    const first = [100, 200, 300, 400].map((x) => g.user(hall, x, 0));
    const second = [150, 250, 350, 450].map((x) => g.user(hall, x, 20_000));
    const unlimited = new ViewUpdater(STRICT_CROWD);
    unlimited.update(other, 0);
    t.same(shownTo(other), new Set(first.map((u) => u.name)));
    for (const u of second) g.world.move(u, u.x, 10, 0, 0);
    for (const u of first) g.world.move(u, u.x, 30_000, 0, 0);
    unlimited.update(other, 1);
    t.same(shownTo(other), new Set(second.map((u) => u.name)), 'with no rate the whole set may change at once');
  },
);

t.test('an avatar that leaves the rooms the viewer sees goes at once, however recently shown', async (t) => {
  const f = new FakeWorld();
  const room = f.room();
  const elsewhere = f.room();
  const viewer = f.user(room, 0, 0, 2);
  const a = f.user(room, 100, 0);
  const b = f.user(room, 200, 0);
  f.user(room, 3000, 0);
  const view = new ViewUpdater();
  view.update(viewer, 0);
  t.same(shownTo(viewer), new Set([a.name, b.name]));
  f.world.place(b, elsewhere, 0, 0, 0, 0);
  t.equal(distanceFrom(viewer, b), null, 'not in a subscribed room');
  view.update(viewer, 100);
  t.notOk(viewer.visible.has(b), 'B left with the next update');
  t.equal(viewer.visible.size, 2, 'and the next nearest took its place');
});

t.test('overloadLevel: the lowest level whose cost fits the budget', async (t) => {
  t.equal(overloadLevel(1000, 0.1, 0.02, 600), 0, '100 ms of 600: no degradation');
  t.equal(overloadLevel(19_000, 0.05, 0.01, 600), 1, '950 ms full, 570 ms at level 1');
  t.equal(overloadLevel(19_000, 0.1, 0.01, 600), 4, '1,900 ms full: 532 ms at level 4, 617 at level 3');
  t.equal(
    overloadLevel(19_000, 0.1, 0.04, 600),
    6,
    'near-only every other tick from level 4: 597 ms at level 6 (without it nothing would fit: 902 ms at 7)',
  );
  t.equal(overloadLevel(1e6, 1, 1, 1), MAX_LEVEL, 'nothing fits: the highest level');
  t.equal(overloadLevel(0, 1, 1, 0), 0, 'no viewers cost nothing');
});

t.test('a tick that would overrun degrades by priority: the nearer half every tick, the rest later', async (t) => {
  const f = new FakeWorld();
  const room = f.room();
  const viewer = f.user(room, 0, 0, 6);
  const others = [100, 200, 300, 1000, 1100, 1200].map((x) => f.user(room, x, 0));
  // A budget nothing fits in: after the first measured tick the ticker goes to the highest level.
  const ticker = new Ticker(f.world, { intervalMs: 1000, budgetShare: 1e-9, onOverload: () => {} });
  ticker.runOnce(0);
  t.equal(ticker.stats.level, 0, 'the first tick is not yet measured: full');
  t.equal(viewer.visible.size, 6);
  const upToDate = () => others.map((u) => viewer.visible.get(u)?.posVersion === u.posVersion);
  const walk = () => others.forEach((u) => f.world.move(u, u.x, u.y + 1, 0, 0));

  // Ticks 1-7 are light for the viewer (the first among the users: its full update comes when
  // ticks % (MAX_LEVEL + 1) is 0); at this level its near-only updates go out on even ticks.
  t.equal(nearEvery(MAX_LEVEL), 2);
  for (let tick = 1; tick < MAX_LEVEL; tick += 2) {
    walk();
    ticker.runOnce(tick * 1000);
    t.equal(ticker.stats.level, MAX_LEVEL, 'degraded to the highest level');
    t.same(upToDate(), [false, false, false, false, false, false], `tick ${tick}: nothing for this viewer`);
    ticker.runOnce((tick + 1) * 1000);
    t.same(upToDate(), [true, true, true, false, false, false], `tick ${tick + 1}: only the nearer half moved`);
  }
  walk();
  ticker.runOnce(MAX_LEVEL * 1000);
  ticker.runOnce((MAX_LEVEL + 1) * 1000);
  t.same(upToDate(), [true, true, true, true, true, true], 'its full update sends the far half too');
  t.ok(ticker.stats.degradedTicks >= MAX_LEVEL, 'degraded ticks are counted');
  t.ok(ticker.updater.counters.nearOnly > 0);

  ticker.setBudgetShare(1);
  ticker.stats.lastMs = 1500;
  ticker.runOnce(100_000);
  t.equal(ticker.stats.level, MAX_LEVEL, 'a tick that overran its interval never lowers the level');
  ticker.stats.lastMs = 10;
  const levels: number[] = [];
  for (let tick = 0; tick < 30 && ticker.stats.level > 0; tick++) {
    ticker.runOnce((MAX_LEVEL + 2 + tick) * 1000);
    levels.push(ticker.stats.level);
  }
  t.same(levels, [6, 5, 4, 3, 2, 1, 0], 'with budget to spare it steps back to full updates, a level a tick');

  const busy = new Ticker(f.world, { intervalMs: 1000, budgetShare: 1, onOverload: () => {} });
  busy.runOnce(0);
  t.equal(busy.stats.level, 0, 'the tick fits its budget');
  busy.stats.lastMs = 1200;
  busy.runOnce(1000);
  t.equal(busy.stats.level, 1, 'but the last one overran its interval (a busy event loop): one level up');
  busy.runOnce(2000);
  t.equal(busy.stats.level, 2, 'and another while it still does');

  // A loop busy past its share (logins and chat wait behind the tick): the tick gives way.
  let busyShare = 0;
  const crowded = new Ticker(f.world, {
    intervalMs: 1000,
    budgetShare: 1,
    loopBusyShare: 0.9,
    loopBusy: () => busyShare,
    onOverload: () => {},
  });
  crowded.runOnce(0);
  t.equal(crowded.stats.level, 0, 'an idle loop: full updates');
  busyShare = 0.95;
  crowded.runOnce(1000);
  crowded.runOnce(2000);
  t.equal(crowded.stats.level, 2, 'a loop busy 95% of the time: up a level a tick, though the tick fits its budget');
  t.equal(crowded.stats.loopBusy, 0.95, 'the busy share is kept for the statistics');
  busyShare = 0.85;
  crowded.runOnce(3000);
  t.equal(crowded.stats.level, 1, 'back under the share: down a level a tick');
  crowded.setBudgetShare(1, 0.8);
  crowded.runOnce(4000);
  t.equal(crowded.stats.level, 2, 'a reload lowering the share applies at the next tick');
  let arrived = 0;
  const steady = new Ticker(f.world, {
    intervalMs: 1000,
    budgetShare: 1,
    loopBusy: () => 0.97,
    arrivals: () => arrived,
    onOverload: () => {},
  });
  steady.runOnce(0);
  steady.runOnce(1000);
  t.equal(steady.stats.level, 0, 'nobody arriving: a busy loop is spent on updates');
  arrived = 3;
  steady.runOnce(2000);
  steady.runOnce(3000);
  t.equal(steady.stats.level, 2, 'connections arriving: the tick gives way to them');
  arrived = 0;
  steady.runOnce(4000);
  t.equal(steady.stats.level, 1, 'and steps back once nobody is arriving');

  // IoThread on: the tick's own time is short, but its writes wait for the I/O thread.
  let lag = 0;
  const behind = new Ticker(f.world, { intervalMs: 1000, budgetShare: 0.3, ioLagMs: () => lag, onOverload: () => {} });
  behind.runOnce(0);
  behind.stats.lastMs = 5;
  lag = 1500;
  for (let tick = 1; tick <= MAX_LEVEL; tick++) behind.runOnce(tick * 1000);
  t.equal(behind.stats.level, MAX_LEVEL, 'an I/O thread a tick behind counts as an overrun: up a level a tick');
  t.equal(behind.lateMs, 1500, 'the updates are as late as the I/O thread');
  t.ok(behind.overloaded, 'and at the highest level with the writes still late, ordinary logins are refused');
  lag = 400;
  behind.runOnce(100_000);
  t.equal(behind.stats.level, MAX_LEVEL, 'a lag within the interval but past the budget does not lower the level');
  t.notOk(behind.overloaded, 'nor refuses logins');
  lag = 0;
  behind.runOnce(101_000);
  t.equal(behind.stats.level, MAX_LEVEL - 1, 'once the I/O thread has caught up, the level steps down');
});

t.test('admission: the Connections limits, then overload, refused with the codes the client shows', async (t) => {
  const limits = { maxOrdinary: 10, maxPriority: 2 };
  const calm = { overloaded: false, lateMs: 120, intervalMs: 1000 };
  const swamped = { overloaded: true, lateMs: 1240, intervalMs: 1000 };
  t.equal(capacityRefusal(false, { ordinaryUsers: 9, priorityUsers: 0 }, limits, calm), null, 'room for one more');
  t.same(capacityRefusal(false, { ordinaryUsers: 10, priorityUsers: 0 }, limits, calm), {
    nak: Nak.MAX_ORDINARY,
    reason: 'server full (10 users)',
    kind: 'full',
  });
  t.same(capacityRefusal(true, { ordinaryUsers: 10, priorityUsers: 2 }, limits, calm), {
    nak: Nak.MAX_PRIORITY,
    reason: 'server full (2 priority users)',
    kind: 'full',
  });
  t.same(capacityRefusal(false, { ordinaryUsers: 3, priorityUsers: 0 }, limits, swamped), {
    nak: Nak.MAX_ORDINARY,
    reason: 'server overloaded (updates take 1240 ms of a 1000 ms interval at the highest overload level)',
    kind: 'overloaded',
  });
  t.equal(
    capacityRefusal(true, { ordinaryUsers: 3, priorityUsers: 0 }, limits, swamped),
    null,
    'a priority user still gets in when overloaded',
  );
});

t.test('Ticker.overloaded: only at the highest level with the interval still missed', async (t) => {
  const f = new FakeWorld();
  const room = f.room();
  for (let i = 0; i < 20; i++) f.user(room, i * 50, 0);
  const ticker = new Ticker(f.world, { intervalMs: 1000, budgetShare: 1e-9, onOverload: () => {} });
  ticker.runOnce(0);
  ticker.runOnce(1000);
  t.equal(ticker.stats.level, MAX_LEVEL);
  t.notOk(ticker.overloaded, 'the last tick took less than the interval');
  ticker.stats.lastMs = 1500;
  t.ok(ticker.overloaded, 'a tick longer than the interval at the highest level');
  ticker.stats.level = MAX_LEVEL - 1;
  t.notOk(ticker.overloaded, 'below the highest level there is still a way to hold the interval');
});

t.test('under overload a user who just arrived, or changed rooms, is shown its neighbours at once', async (t) => {
  const f = new FakeWorld();
  const hall = f.room();
  const annex = f.room();
  for (let i = 0; i < 8; i++) f.user(hall, i * 100, 0);
  f.user(annex, 0, 0);
  const ticker = new Ticker(f.world, { intervalMs: 1000, budgetShare: 1e-9, onOverload: () => {} });
  ticker.runOnce(0);
  ticker.runOnce(1000);
  t.equal(ticker.stats.level, MAX_LEVEL);
  // Nine users before it: its turn in the stride of 8 is not this tick (9 + ticks 2 is not a multiple of 8).
  const late = f.user(hall, 50, 50);
  ticker.runOnce(2000);
  t.equal(late.visible.size, 6, 'a newcomer sees its six nearest with the next tick');
  late.subscriptions.clear();
  hall.subscribers.delete(late);
  late.subscriptions.set(annex.id, { room: annex, x: 0, y: 0, z: 0, distance: -100 });
  annex.subscribers.add(late);
  f.world.place(late, annex, 10, 0, 0, 0);
  ticker.runOnce(3000);
  t.same(
    [...late.visible.keys()].map((u) => u.room),
    [annex],
    'after walking into the annex it shows the annex, with the next tick',
  );
});
