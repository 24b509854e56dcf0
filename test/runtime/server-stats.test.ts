// Stats both servers keep the same way: connections by state and by how they ended, traffic, and
// logins refused by NAK code.
import t from 'tap';
import { Nak } from '../../protocol/constants.js';
import { connectionTotals } from '../../runtime/connection.js';
import { LoginCounts, perTurn, registerConnectionStats, registerLoginStats } from '../../runtime/server-stats.js';
import { StatsRegistry } from '../../runtime/stats.js';

t.test('connections by state are counted when read; closes by reason carry a family label', async (t) => {
  const reg = new StatsRegistry('roomserver', 'first');
  const sessions = [{ state: 'live' }, { state: 'live' }, { state: 'awaiting-login' }];
  registerConnectionStats(reg, ['awaiting-login', 'live'], () => sessions);
  t.equal(reg.read('connections')?.value, 3);
  t.equal(reg.read('connections_live')?.value, 2);
  t.equal(reg.read('connections_awaiting_login')?.value, 1);
  t.same(reg.read('connections_live')?.family?.labels, { state: 'live' });
  const before = reg.read('flood_closes')?.value ?? -1;
  connectionTotals.closed.flood++;
  t.equal(reg.read('flood_closes')?.value, before + 1, 'read from the totals the connections bump');
  t.same(reg.read('slow_consumer_evictions')?.family, {
    name: 'connections_closed',
    help: 'Client connections ended, by why they ended',
    labels: { reason: 'slow' },
  });
  for (const n of ['frames_received', 'frames_sent', 'bytes_received', 'bytes_sent', 'send_queue_dropped_bytes'])
    t.equal(reg.read(n)?.kind, 'change', n);
});

t.test('perTurn: one walk per event-loop turn however many stats read it', async (t) => {
  let walks = 0;
  const read = perTurn(() => ++walks);
  t.equal(read(), 1);
  t.equal(read(), 1);
  await new Promise((r) => setImmediate(r));
  t.equal(read(), 2, 'walked again in a later turn');
});

t.test('logins and refusals by NAK code; the failure ratio', async (t) => {
  const reg = new StatsRegistry('userserver', 'Galaxy');
  const c = new LoginCounts();
  registerLoginStats(reg, c, 'on the UserServer');
  c.logins += 6;
  c.refuse(Nak.BAD_PASSWORD);
  c.refuse(Nak.BAD_PASSWORD);
  c.refuse(Nak.NO_SUCH_USER);
  c.refuse(Nak.FATAL);
  t.equal(reg.read('logins_refused_bad_password')?.value, 2);
  t.equal(reg.read('logins_refused_no_such_user')?.value, 1);
  t.same(reg.read('logins_refused_bad_password')?.family?.labels, { nak: '13', reason: 'bad_password' });
  t.notOk(reg.has('logins_refused_ack'), 'ACK is no refusal');
  const ratio = reg.read('login_failure_ratio');
  t.equal(ratio?.numerator, 4);
  t.equal(ratio?.denominator, 10);
  t.equal(ratio?.value, 40);
});
