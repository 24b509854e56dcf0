// New User in an unmodified client, end to end (spec §6.3 step 4): the script server the
// UserServer announces (property 25) is its SignupHttp listener; the person gives an e-mail address
// on register.pl, the codeword arrives through a test SMTP server on 127.0.0.1, the client fetches
// codeword.pl exactly as WorldsPlayer does, registers with the serial and signs in again; the
// e-mail address stays with the account (property 11) and the user report finds it.
import t from 'tap';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ClientConnection } from '../../protocol/client.js';
import { fetchCodeword } from '../../protocol/client/codeword.js';
import { Var } from '../../protocol/constants.js';
import { registerUrl } from '../../protocol/signup.js';
import { startGalaxy } from '../helpers/galaxy.js';
import { ROOT, runToExit } from '../helpers/servers.js';
import { codewordIn, startMailSink } from '../helpers/smtp.js';

/** A port that was free a moment ago: ScriptServer must name it before the UserServer starts. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

t.test('New User: register.pl, the codeword by mail, codeword.pl, REGISTER, sign in again', async (t) => {
  const sink = await startMailSink();
  t.teardown(() => sink.close());
  const port = await freePort();
  const g = await startGalaxy({
    rsNames: ['first'],
    usExtra: [
      `SignupHttp ${port} 127.0.0.1`,
      `ScriptServer http://127.0.0.1:${port}/cgi-bin`,
      `SmtpServer 127.0.0.1:${sink.port}`,
      'MailDomain worlds.example',
    ].join('\n'),
  });
  t.teardown(() => g.stop());
  g.serials(3);
  await g.us.waitLog(/sign-up pages \(register\.pl, codeword\.pl\) listening on 127\.0\.0\.1:\d+/);

  // The client learns the script server from the UserServer (property 25).
  const probe = await ClientConnection.connect('127.0.0.1', g.usPort);
  await probe.handshake();
  const script = probe.serverProps.get(Var.SCRIPT_SERVER) ?? '';
  probe.close();
  t.equal(script, `http://127.0.0.1:${port}/cgi-bin`);

  // WorldsPlayer opens register.pl?id=<handshake id> in a browser; the person gives an address.
  const handshakeId = '1394563';
  const page = await fetch(registerUrl(script, handshakeId));
  t.equal(page.status, 200);
  const sent = await fetch(registerUrl(script, handshakeId), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `id=${handshakeId}&email=Newbie%40Example.com`,
  });
  t.match(await sent.text(), /on its way to <strong>newbie@example.com<\/strong>/);
  const mail = await sink.next();
  t.same(mail.to, ['newbie@example.com']);
  const codeword = codewordIn(mail.text);

  // The client's own GET of codeword.pl, its first line read as the client reads it.
  const answer = await fetchCodeword(script, handshakeId, codeword);
  t.equal(answer.status, 200);
  t.equal(answer.lastModified, undefined, 'nothing the client would cache');
  t.match(answer.line, /^1,0,TEST\d{12}$/);
  if (answer.outcome.kind !== 'serial') throw new Error('no serial');
  const serial = answer.outcome.serial;

  // REGISTER with name, password (at least 6 characters for a new user) and the serial.
  const p = await g.login({ kind: 'register', name: 'Newbie', password: 'secret12', serial });
  t.equal(p.name, 'Newbie');
  await p.enter(p.roomName('Signup', 'Hall'), { x: 0, y: 0 });
  await p.logoff();
  await g.us.waitOut(/usage of Newbie written: \+1 logons/);
  const again = await g.login({ kind: 'authenticate', name: 'Newbie', password: 'secret12', firstConnection: true });
  t.equal(again.name, 'Newbie', 'signs in again');
  await again.logoff();

  t.equal(
    g
      .sql(
        "select propertyId, propertyFlags, propertyAccess, propertyStringValue from UserProperties where userName = 'Newbie';",
      )
      .trim(),
    '11|128|3|newbie@example.com',
    'the e-mail address stays with the account across logoffs',
  );
  t.equal(
    g.sql(`select userName, serialStatus from SerialNumbers where serialNumber = '${serial}';`).trim(),
    'Newbie|1',
  );
  t.match(await fetchCodeword(script, handshakeId, codeword), { outcome: { kind: 'no-match' } }, 'used up');
  const report = await runToExit(
    join(ROOT, 'dist', 'scripts', 'wsadmin.js'),
    ['galaxyUS.cfg', 'report', 'newbie@*'],
    g.dir,
  );
  t.equal(report.code, 0, report.stderr);
  t.match(report.stdout, /^Newbie\n {2}e-mail {7} newbie@example\.com\n {2}serial {7} TEST\d{12}/);
  await g.us.waitLog(new RegExp(`registered Newbie with serial ${serial} from 127\\.0\\.0\\.1`));
  t.match(g.us.log(), new RegExp(`sign-up: codeword for serial ${serial} mailed to newbie@example\\.com`));
});
