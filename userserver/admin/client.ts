// wsadmin's end of the control socket: one request, one answer. "Not running" is an answer too:
// no socket file, or nobody listening on it (a server that died and left it behind).

import { connect } from 'node:net';
import { CONTROL_VERSION, LineReader, encodeLine, reviveDates, type ControlAnswer } from './protocol.js';

export type ControlOutcome =
  { kind: 'answer'; answer: ControlAnswer } | { kind: 'not-running'; why: string } | { kind: 'broken'; why: string };

const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export function controlRequest(
  path: string,
  task: string,
  input: unknown,
  by: string,
  timeoutMs: number,
): Promise<ControlOutcome> {
  return new Promise((resolve) => {
    const s = connect(path);
    let settled = false;
    const finish = (o: ControlOutcome) => {
      if (settled) return;
      settled = true;
      s.destroy();
      resolve(o);
    };
    s.setTimeout(timeoutMs, () =>
      finish({ kind: 'broken', why: `no answer from the UserServer within ${timeoutMs / 1000} s` }),
    );
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')
        finish({ kind: 'not-running', why: `nothing listens on ${path}` });
      else finish({ kind: 'broken', why: `${path}: ${err.message}` });
    });
    s.once('connect', () => s.write(encodeLine({ v: CONTROL_VERSION, id: 1, task, input, by })));
    const reader = new LineReader(() => MAX_ANSWER_BYTES);
    s.on('data', (chunk: Buffer) => {
      const lines = reader.push(chunk);
      const line = lines?.[0];
      if (lines === null) return finish({ kind: 'broken', why: 'the answer is too long' });
      if (line === undefined) return;
      try {
        finish({ kind: 'answer', answer: JSON.parse(line, reviveDates) as ControlAnswer });
      } catch {
        finish({ kind: 'broken', why: 'the UserServer sent an answer that is not JSON' });
      }
    });
    s.once('close', () => finish({ kind: 'broken', why: 'the UserServer closed the connection without answering' }));
  });
}
