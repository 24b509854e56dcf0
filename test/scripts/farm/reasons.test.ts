import t from 'tap';
import { LoginRefused, TimeoutError } from '../../../protocol/client.js';
import { closedReason, failureReason } from '../../../scripts/farm/reasons.js';

t.test('failed logins are grouped by what the operator can act on', async (t) => {
  t.equal(failureReason(new LoginRefused(2)), 'NAK 2 MAX_ORDINARY');
  t.equal(failureReason(new LoginRefused(13)), 'NAK 13 BAD_PASSWORD');
  t.equal(failureReason(new TimeoutError('connect', 30_000)), 'timeout (connect)');
  t.equal(failureReason(new TimeoutError('PROPUPD(255)', 30_000)), 'timeout (PROPUPD(255))');
  t.equal(failureReason(new TimeoutError('room id of Farm#Room3<dimension-1>', 30_000)), 'timeout (ROOMIDRQ)');
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5100'), { code: 'ECONNREFUSED' });
  t.equal(failureReason(refused), 'connection refused');
  t.equal(failureReason(Object.assign(new Error('x'), { code: 'EMFILE' })), 'farm out of file descriptors');
  t.equal(
    failureReason(new Error('connection closed (closed by server) while waiting for SESSIONINIT')),
    'closed by server during SESSIONINIT',
  );
  t.equal(failureReason(new Error('connection closed (read ECONNRESET) before sync')), 'connection reset during sync');
});

t.test('drops', async (t) => {
  t.equal(closedReason('closed by server'), 'closed by server');
  t.equal(closedReason('read ECONNRESET'), 'connection reset');
});
