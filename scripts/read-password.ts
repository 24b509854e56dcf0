// A password for a command-line tool: the first line of stdin when it is piped in (`wsadmin
// PrivateUS.cfg hash-password < file`), or typed at the terminal without being shown.

const MAX_BYTES = 4096;

/** The password, or null when stdin ended without one. */
export function readPassword(prompt: string): Promise<string | null> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const typed = input.isTTY === true;
    const finish = (value: string | null) => {
      input.off('data', onData);
      input.off('end', onEnd);
      if (typed) {
        input.setRawMode(false);
        process.stderr.write('\n');
      }
      input.pause();
      resolve(value);
    };
    const onEnd = () => finish(text === '' ? null : text);
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\n' || ch === '\r') return finish(text);
        if (typed && ch === '\u0003') {
          finish(null);
          return reject(new Error('interrupted'));
        }
        if (typed && (ch === '\u007f' || ch === '\b')) text = text.slice(0, -1);
        else text += ch;
        if (text.length > MAX_BYTES) return finish(text);
      }
    };
    if (typed) {
      process.stderr.write(prompt);
      input.setRawMode(true);
    }
    input.setEncoding('utf8');
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
