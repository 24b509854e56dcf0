// IoThread on (runtime/io-thread/): the client sockets live on a thread of their own. The same
// robustness suite as with the sockets on the main thread, then what the thread adds to: the
// startup line, address limits through the thread, presence and chat, and a clean shutdown.
import t from 'tap';
import { ClientConnection } from '../../protocol/client.js';
import { enterRoom, joinStandalone, say, waitAppear } from '../helpers/clients.js';
import { robustnessSuite } from '../helpers/robustness-suite.js';
import { RS_MAIN, standaloneConfig, startServer } from '../helpers/servers.js';
import { statsJson } from '../helpers/status.js';

await robustnessSuite('IoThread on');

t.test('IoThread on: two users see each other, chat and whisper; limits and shutdown as before', async (t) => {
  const rs = await startServer(
    RS_MAIN,
    'RS',
    standaloneConfig('IoThread on\nAddressLimit 3 2\nStatusHttp 0\nStatsSample 1'),
  );
  t.match(rs.stdout(), /Listening for users on 127\.0\.0\.1:\d+ \(sockets on the I\/O thread\)/);
  const ann = await joinStandalone(rs.port, 'Ann');
  const ben = await joinStandalone(rs.port, 'Ben');
  await enterRoom(ann, 'World#Hall<dimension-1>', { x: 0, y: 0 });
  await enterRoom(ben, 'World#Hall<dimension-1>', { x: 100, y: 0 });
  await waitAppear(ben, 'Ann');
  await waitAppear(ann, 'Ben');
  say(ann, 'hello through the thread');
  t.equal((await ann.expectCmd('TEXT', (x) => x.text === 'hello through the thread')).sender, 'Ann', 'echo');
  t.equal((await ben.expectCmd('TEXT', (x) => x.text === 'hello through the thread')).sender, 'Ann', 'heard');
  ann.send({ cmd: 'WHISPER', objId: 'Ben', sender: '', text: 'psst' });
  t.equal((await ben.expectCmd('WHISPER', (x) => x.text === 'psst')).sender, 'Ann', 'whisper');

  // The thread's statistics: the bytes it carried, and how far behind its writes are.
  for (let sample = 0; ; sample++) {
    const { sampledAt, stats } = await statsJson(rs);
    if ((stats.get('io_thread_bytes_in')?.value ?? 0) > 0) {
      t.ok((stats.get('io_thread_bytes_out')?.value ?? 0) > 0, 'bytes written through the thread are counted');
      t.ok((stats.get('io_thread_messages')?.value ?? 0) > 0, 'and the messages that carried them');
      t.ok((stats.get('io_thread_lag')?.value ?? -1) >= 0, 'the I/O thread lag is a statistic');
      break;
    }
    if (sample > 20) throw new Error('the I/O thread statistics never counted a byte');
    // The next sample (StatsSample 1) comes within a second.
    while ((await statsJson(rs)).sampledAt === sampledAt) await new Promise((r) => setTimeout(r, 100));
  }

  const third = await ClientConnection.connect('127.0.0.1', rs.port);
  await third.handshake();
  const fourth = await ClientConnection.connect('127.0.0.1', rs.port);
  t.equal(await fourth.closed, 'closed by server', 'a fourth socket from the address is refused');
  await rs.waitLog(/\(127\.0\.0\.1\) - connection refused: 3 connections open from 127\.0\.0\.1 \(AddressLimit 3\)/);
  third.close();
  await rs.waitLog(/\(127\.0\.0\.1\) - left before logging in: connection closed/);

  const code = rs.stop();
  await Promise.all([ann.closed, ben.closed]);
  t.pass('every client is closed');
  t.equal(await code, 0, 'SIGTERM exits 0');
  t.match(rs.log(), /shutdown: 2 users disconnected/);
  t.match(rs.log(), /Ann \(127\.0\.0\.1\)\non since/, 'session records written');
  t.match(rs.log(), /Ben \(127\.0\.0\.1\)\non since/);
});
