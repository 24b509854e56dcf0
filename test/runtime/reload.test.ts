// AG-29: what a configuration reload applies, what it keeps until a restart, and how it says so.
import t from 'tap';
import { DEFAULT_LIMITS, type Limits } from '../../runtime/config-common.js';
import { currentLimits, planReload } from '../../runtime/reload.js';
import { parseConfigText } from '../../runtime/config.js';
import { ROOMSERVER_KEYWORDS, roomServerDraft, type RoomServerConfig } from '../../roomserver/config.js';

const parse = (text: string): RoomServerConfig =>
  parseConfigText(text, 'x.cfg', ROOMSERVER_KEYWORDS, roomServerDraft('x.cfg'));

const BASE = ['Server Galaxy', 'UserServer 127.0.0.1 5101 first def456', 'Users 5100', 'World earth'];

t.test('live keywords apply, restart keywords keep their old value and are named', async (t) => {
  const old = parse(BASE.join('\n'));
  const fresh = parse(
    [
      ...BASE.slice(0, 2),
      'Users 5200',
      'World earth',
      'World Mars',
      'ClientUpdates 12 500000',
      'ChatLimit 5 10',
      'LogRotate 30',
    ].join('\n'),
  );
  const plan = planReload(old, fresh, ['usersPort', 'serverName'], {
    worlds: 'World',
    maxAvatars: 'ClientUpdates',
    updateIntervalUs: 'ClientUpdates',
  });
  t.same(plan.applied.sort(), ['ChatLimit', 'ClientUpdates', 'LogRotate', 'World']);
  t.same(plan.restart, ['Users']);
  t.equal(plan.next.usersPort, 5100, 'the port the server listens on stays what it is');
  t.same(
    plan.next.worlds.map((w) => w.world),
    ['earth', 'Mars'],
  );
  t.equal(plan.next.limits.chatLines, 5);
  t.same(plan.next.operations.rotate, { kind: 'minutes', minutes: 30 });
  t.ok(Object.isFrozen(plan.next.limits), 'the result is frozen like a loaded configuration');
  t.ok(plan.changed.has('updateIntervalUs'));
});

t.test('nothing changed: nothing applied; moving a line is no change', async (t) => {
  const a = parse([...BASE, 'LogTransport syslog.mjs'].join('\n'));
  const b = parse(['# a comment moves every line down', ...BASE, 'LogTransport syslog.mjs'].join('\n'));
  const plan = planReload(a, b, ['operations.transports']);
  t.same([plan.applied, plan.restart], [[], []]);
});

t.test('a nested restart path: a change of one field, or of the whole object', async (t) => {
  type Cfg = { db: { service: string; minutes: number } | null };
  const restart = ['db.service'];
  const one = planReload<Cfg>({ db: { service: 'a', minutes: 60 } }, { db: { service: 'b', minutes: 5 } }, restart, {
    db: 'UserDatabase',
  });
  t.same([one.applied, one.restart], [['UserDatabase'], ['UserDatabase']]);
  t.same(one.next.db, { service: 'a', minutes: 5 }, 'the minutes apply, the service stays');
  const gone = planReload<Cfg>({ db: { service: 'a', minutes: 60 } }, { db: null }, restart);
  t.same(gone.next.db, { service: 'a', minutes: 60 }, 'removing the database needs a restart');
  t.same(gone.restart, ['db']);
});

t.test('connections read their limits from the current configuration', async (t) => {
  let cfg: Readonly<Limits> = DEFAULT_LIMITS;
  const view = currentLimits(() => cfg);
  t.equal(view.chatLines, DEFAULT_LIMITS.chatLines);
  cfg = { ...DEFAULT_LIMITS, chatLines: 3 };
  t.equal(view.chatLines, 3, 'a reload reaches a view created before it');
  t.same(Object.keys(view).sort(), Object.keys(DEFAULT_LIMITS).sort());
});
