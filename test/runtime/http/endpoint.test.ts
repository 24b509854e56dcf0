// The StatusHttp endpoint (AG-42): a route table others mount onto, every request bounded.
import t, { type Test } from 'tap';
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { HttpEndpoint, HttpError, json, text, type HttpRequest } from '../../../runtime/http/endpoint.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../../../runtime/stats-config.js';

async function endpoint(t: Test, limits: Partial<HttpLimits> = {}) {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const errors: string[] = [];
  const ep = new HttpEndpoint(server, () => ({ ...DEFAULT_HTTP_LIMITS, ...limits }), {
    onHandlerError: (path, err) => errors.push(`${path}: ${(err as Error).message}`),
  });
  t.teardown(() => ep.close());
  return { ep, errors, base: `http://127.0.0.1:${ep.port}` };
}

function call(
  url: string,
  opts: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

t.test('mounts: the longest prefix wins, the handler sees the path below it', async (t) => {
  const { ep, base } = await endpoint(t);
  const seen: string[] = [];
  const echo = (name: string) => (req: HttpRequest) => {
    seen.push(`${name} ${req.path} ${req.url.searchParams.get('q') ?? ''}`);
    return text(200, name);
  };
  ep.mount('/', echo('root'));
  ep.mount('/admin', echo('admin'));
  t.throws(() => ep.mount('/admin', echo('again')), /already mounted/);
  t.throws(() => ep.mount('admin', echo('bad')), /bad mount prefix/);
  t.equal((await call(`${base}/admin/users?q=bob`)).body, 'admin');
  t.equal((await call(`${base}/admin`)).body, 'admin');
  t.equal((await call(`${base}/administrator`)).body, 'root', 'a prefix matches whole path segments');
  t.equal((await call(`${base}/stats`)).body, 'root');
  t.same(seen, ['admin /users bob', 'admin / ', 'root /administrator ', 'root /stats ']);
});

t.test('responses: length, no caching, nosniff; HEAD gets headers only; JSON helper; Accept', async (t) => {
  const { ep, base } = await endpoint(t);
  ep.mount('/', (req) => (req.accepts('application/json') ? json({ a: 1 }) : text(200, 'plain')));
  const r = await call(base, { headers: { accept: 'text/html, application/json;q=0.9' } });
  t.equal(r.body, '{"a":1}');
  t.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  t.equal(r.headers['content-length'], '7');
  t.equal(r.headers['cache-control'], 'no-store');
  t.equal(r.headers['x-content-type-options'], 'nosniff');
  t.equal(r.headers['x-frame-options'], 'DENY');
  t.match(r.headers['content-security-policy'], /default-src 'self'/, 'scripts and data from this endpoint only');
  const head = await call(base, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(head.body, '');
  t.equal(head.headers['content-length'], '5');
});

t.test(
  'bodies are limited; handler errors are 500 and reported once per request; HttpError keeps its status',
  async (t) => {
    const { ep, base, errors } = await endpoint(t, { maxBodyBytes: 16 });
    ep.mount('/echo', async (req) => text(200, (await req.body()).toString()));
    ep.mount('/boom', () => {
      throw new Error('kaput');
    });
    ep.mount('/teapot', () => {
      throw new HttpError(418, 'short and stout');
    });
    t.equal((await call(`${base}/echo`, { method: 'POST', body: 'hello' })).body, 'hello');
    const big = await call(`${base}/echo`, { method: 'POST', body: 'x'.repeat(100) });
    t.equal(big.status, 413);
    t.match(big.body, /larger than 16 bytes/);
    const chunked = await call(`${base}/echo`, {
      method: 'POST',
      body: 'y'.repeat(100),
      headers: { 'transfer-encoding': 'chunked' },
    });
    t.equal(chunked.status, 413, 'also when the client does not say how long it is');
    const boom = await call(`${base}/boom`);
    t.equal(boom.status, 500);
    t.notMatch(boom.body, /kaput/, 'internals are not shown to the client');
    t.same(errors, ['/boom: kaput']);
    t.same([(await call(`${base}/teapot`)).status], [418]);
    t.equal((await call(`${base}/nothing-mounted-here`)).status, 404);
  },
);

t.test('a client that never finishes its request is cut off; connections beyond the limit are refused', async (t) => {
  const { ep, base } = await endpoint(t, { requestTimeoutMs: 200, maxConnections: 2 });
  ep.mount('/', () => text(200, 'ok'));
  const port = ep.port;
  const slow = connect(port, '127.0.0.1');
  await new Promise((r) => slow.once('connect', r));
  slow.write('GET / HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
  const started = Date.now();
  await new Promise((r) => slow.once('close', r));
  t.ok(Date.now() - started < 5000, `closed after ${Date.now() - started} ms`);

  const held = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
  await Promise.all(held.map((s) => new Promise((r) => s.once('connect', r))));
  t.teardown(() => held.forEach((s) => s.destroy()));
  const third = connect(port, '127.0.0.1');
  const closed = await new Promise<boolean>((resolve) => {
    third.once('close', () => resolve(true));
    third.once('data', () => resolve(false));
    third.on('error', () => {});
    third.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  t.ok(closed, 'a third connection is closed without an answer');
  held.forEach((s) => s.destroy());
  await new Promise((r) => setTimeout(r, 50));
  t.equal((await call(base)).body, 'ok', 'served again once the others left');
});
