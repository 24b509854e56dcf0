// The control socket (userserver/admin/control.ts) and wsadmin's client for it: mode 0600, stale
// and foreign files, the versioned request/answer lines, and every bound.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlRequest } from '../../userserver/admin/client.js';
import { ControlSocket, type ControlHost } from '../../userserver/admin/control.js';
import { CONTROL_VERSION, LineReader, type ControlRequest } from '../../userserver/admin/protocol.js';

// Socket paths must stay short (about 100 bytes): a directory of its own under the system tmpdir.
const shortDir = () => mkdtempSync(join(tmpdir(), 'ws-ctl-'));

function host(over: Partial<ControlHost> = {}): ControlHost & { notices: string[]; seen: ControlRequest[] } {
  const notices: string[] = [];
  const seen: ControlRequest[] = [];
  return {
    notices,
    seen,
    limits: () => ({ connections: 2, lineBytes: 1024, idleMs: 60_000 }),
    handle: async (r) => {
      seen.push(r);
      return { v: CONTROL_VERSION, id: r.id, ok: true, value: { task: r.task, when: new Date(0) }, summary: 'done' };
    },
    notice: (text) => notices.push(text),
    ...over,
  };
}

async function opened(t: Test, path: string, h: ControlHost): Promise<ControlSocket> {
  const o = await ControlSocket.open(path, h);
  if (!o.ok) throw new Error(o.reason);
  t.teardown(() => o.socket.close());
  return o.socket;
}

/** A raw client: sends `text`, resolves with everything received until the server closes or `lines` arrive. */
function raw(path: string, text: string | Buffer, lines = 1): Promise<{ lines: string[]; closed: boolean }> {
  return new Promise((resolve) => {
    const s: Socket = connect(path);
    let got = '';
    const done = (closed: boolean) => {
      s.destroy();
      resolve({ lines: got.split('\n').filter(Boolean), closed });
    };
    s.on('data', (d) => {
      got += d.toString();
      if (got.split('\n').filter(Boolean).length >= lines && lines > 0) done(false);
    });
    s.on('close', () => done(true));
    s.on('error', () => done(true));
    s.write(text);
  });
}

t.test('mode 0600, one answer per request line, dates revived, removed at close', async (t) => {
  const path = join(shortDir(), 'x.sock');
  const h = host();
  const cs = await opened(t, path, h);
  t.ok(lstatSync(path).isSocket());
  t.equal(lstatSync(path).mode & 0o777, 0o600, 'only the server account (and root) can connect');
  const o = await controlRequest(path, 'report', { pattern: 'Al*' }, 'wsadmin:alice', 5000);
  t.match(o, { kind: 'answer', answer: { v: 1, id: 1, ok: true, summary: 'done', value: { task: 'report' } } });
  t.same(o.kind === 'answer' && o.answer.ok && (o.answer.value as { when: unknown }).when, new Date(0));
  t.match(h.seen[0], { task: 'report', input: { pattern: 'Al*' }, by: 'wsadmin:alice' });
  const two = await raw(path, '{"v":1,"id":5,"task":"a"}\n\n{"v":1,"id":6,"task":"b","by":"x y\\u0007"}\n', 2);
  t.same(
    two.lines.map((l) => (JSON.parse(l) as { id: number }).id),
    [5, 6],
    'in order; blank lines ignored',
  );
  t.equal(h.seen.at(-1)?.by, 'x_y_', 'whitespace and controls never reach the audit line');
  await cs.close();
  t.throws(() => lstatSync(path), 'the socket file is gone');
  t.match(await controlRequest(path, 'report', {}, 'x', 1000), { kind: 'not-running' });
});

t.test('a request of another version or not JSON is answered with a usage error', async (t) => {
  const path = join(shortDir(), 'v.sock');
  await opened(t, path, host());
  const r = await raw(path, '{"v":2,"id":9,"task":"report"}\nnot json\n{"v":1,"id":3}\n', 3);
  t.same(
    r.lines.map((l) => JSON.parse(l) as unknown),
    [
      {
        v: 1,
        id: 9,
        ok: false,
        error: { code: 'usage', message: 'control protocol version 2 is not spoken here (this UserServer speaks 1)' },
      },
      { v: 1, id: 0, ok: false, error: { code: 'usage', message: 'a request is one line of JSON' } },
      { v: 1, id: 3, ok: false, error: { code: 'usage', message: 'task is missing' } },
    ],
  );
});

t.test('bounds: line length, connections at once, requests waiting, silence', async (t) => {
  const path = join(shortDir(), 'b.sock');
  let release: () => void = () => undefined;
  const slow = new Promise<void>((r) => (release = r));
  const h = host({
    limits: () => ({ connections: 2, lineBytes: 1024, idleMs: 300 }),
    handle: async (r) => {
      await slow;
      return { v: 1, id: r.id, ok: true, value: null, summary: 'late' };
    },
  });
  await opened(t, path, h);
  const long = await raw(path, `{"v":1,"id":1,"task":"${'x'.repeat(2000)}"}\n`);
  t.match(JSON.parse(long.lines[0] ?? '{}'), { error: { code: 'usage', message: /longer than 1024 bytes/ } });
  t.ok(long.closed || long.lines.length === 1, 'and the connection ends');
  const unfinished = await raw(path, Buffer.alloc(3000, 0x61), 1);
  t.match(JSON.parse(unfinished.lines[0] ?? '{}'), { error: { code: 'usage' } }, 'an endless line too');
  const flood = await raw(path, '{"v":1,"id":1,"task":"a"}\n'.repeat(40), 1);
  t.match(JSON.parse(flood.lines[0] ?? '{}'), { error: { message: 'too many requests waiting' } });
  // Two slow requests hold both connections; a third client is told to come back.
  const a = raw(path, '{"v":1,"id":1,"task":"a"}\n');
  const b = raw(path, '{"v":1,"id":2,"task":"b"}\n');
  await new Promise((r) => setTimeout(r, 50));
  const third = await raw(path, '{"v":1,"id":3,"task":"c"}\n');
  t.match(JSON.parse(third.lines[0] ?? '{}'), {
    ok: false,
    error: { code: 'refused', message: /already serves 2 wsadmin connections/ },
  });
  release();
  t.match(JSON.parse((await a).lines[0] ?? '{}'), { ok: true, summary: 'late' });
  t.match(JSON.parse((await b).lines[0] ?? '{}'), { ok: true });
  const idle = await raw(path, '', 0);
  t.ok(idle.closed, 'a silent client is closed after idleMs');
  t.ok(
    h.notices.some((n) => /2 already open/.test(n)),
    'refusals are noticed',
  );
});

t.test('a stale socket is replaced; a live one or another file is left alone', async (t) => {
  const dir = shortDir();
  const stale = join(dir, 'stale.sock');
  // A server killed with -9 leaves its socket file behind, with nobody answering on it.
  const child = spawn(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'))`,
  ]);
  await new Promise<void>((r) => child.stdout.once('data', () => r()));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  t.ok(lstatSync(stale).isSocket(), 'the dead server left its socket');
  await opened(t, stale, host());
  t.match(await controlRequest(stale, 'x', {}, 'y', 2000), { kind: 'answer' });

  const live = join(dir, 'live.sock');
  const other = createServer();
  await new Promise<void>((r) => other.listen(live, r));
  t.teardown(() => other.close());
  t.match(await ControlSocket.open(live, host()), { ok: false, reason: `${live} is in use by another running server` });

  const file = join(dir, 'file.sock');
  writeFileSync(file, 'precious');
  t.match(await ControlSocket.open(file, host()), { ok: false, reason: `${file} exists and is not a socket` });
  t.ok(lstatSync(file).isFile(), 'untouched');
});

t.test("wsadmin's client: no answer within its timeout is a failure, not a hang", async (t) => {
  const path = join(shortDir(), 'mute.sock');
  const mute = createServer(() => undefined);
  await new Promise<void>((r) => mute.listen(path, r));
  t.teardown(() => {
    mute.close();
  });
  t.match(await controlRequest(path, 'report', {}, 'x', 200), {
    kind: 'broken',
    why: 'no answer from the UserServer within 0.2 s',
  });
});

t.test('LineReader holds at most maxBytes of an unfinished line', async (t) => {
  const r = new LineReader(() => 8);
  t.same(r.push(Buffer.from('abc\r\nde')), ['abc']);
  t.same(r.push(Buffer.from('f\n')), ['def']);
  t.equal(r.push(Buffer.from('123456789')), null);
  t.equal(new LineReader(() => 4).push(Buffer.from('123456\n')), null, 'a complete line longer than the cap too');
});
