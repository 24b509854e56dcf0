// AcceptSlots (runtime/listen-copies.ts): one listening socket open several times in this process,
// through a helper process that hands it back; every copy accepts, and closing the set closes all.
import { connect, createServer, type Socket } from 'node:net';
import t from 'tap';
import { ListenerSet, copyListener } from '../../runtime/listen-copies.js';

function connectOnce(port: number): Promise<string> {
  return new Promise((resolve) => {
    const c: Socket = connect(port, '127.0.0.1');
    let said = '';
    c.setEncoding('utf8');
    c.on('data', (d: string) => (said += d));
    c.on('close', () => resolve(said));
    c.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

t.test('copies of a listening socket each accept, and close together', async (t) => {
  const first = createServer();
  await new Promise<void>((r) => first.listen({ port: 0, host: '127.0.0.1' }, r));
  const port = (first.address() as { port: number }).port;
  const copies = await copyListener(first, 3, 511);
  t.equal(copies.length, 3, 'three more servers');
  const set = new ListenerSet([first, ...copies]);
  t.same(set.address(), first.address(), 'the set has the first one’s address');
  const byServer = set.servers.map(() => 0);
  set.servers.forEach((s, i) =>
    s.on('connection', () => {
      byServer[i] = (byServer[i] ?? 0) + 1;
    }),
  );
  let seen = 0;
  set.on('connection', (socket: Socket) => {
    seen++;
    socket.end('hello');
  });
  const answers = await Promise.all(Array.from({ length: 40 }, () => connectOnce(port)));
  t.same(new Set(answers), new Set(['hello']), 'every connection was accepted and answered');
  t.equal(seen, 40, 'the set reported each once');
  t.ok(byServer.filter((n) => n > 0).length > 1, `more than one copy accepted (${byServer.join(', ')})`);
  set.close();
  await Promise.all(set.servers.map((s) => new Promise((r) => (s.listening ? s.once('close', r) : r(null)))));
  t.equal(await connectOnce(port), 'ECONNREFUSED', 'closing the set closes the socket');
});

t.test('a server that is not listening cannot be copied', async (t) => {
  await t.rejects(copyListener(createServer(), 2, 511), /not listening/);
  t.same(await copyListener(createServer(), 0, 511), [], 'no copies asked for');
});
