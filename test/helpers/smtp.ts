// A mail server on 127.0.0.1 for tests: accepts every message (no TLS, no authentication) and
// hands each one to whoever waits for it.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  from: string;
  to: string[];
  text: string;
}

export interface MailSink {
  port: number;
  mails: Mail[];
  /** The next message (or one already received and not yet taken). */
  next(timeoutMs?: number): Promise<Mail>;
  close(): Promise<void>;
}

export async function startMailSink(): Promise<MailSink> {
  const mails: Mail[] = [];
  const waiting: ((m: Mail) => void)[] = [];
  let taken = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const m: Mail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          text: Buffer.concat(chunks).toString('utf8'),
        };
        mails.push(m);
        waiting.shift()?.(m);
        done();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const port = (smtp.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    next(timeoutMs = 10_000) {
      const ready = mails[taken];
      if (ready) {
        taken++;
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail within ${timeoutMs} ms`)), timeoutMs);
        waiting.push((m) => {
          clearTimeout(timer);
          taken++;
          resolve(m);
        });
      });
    },
    close: () => new Promise<void>((r) => smtp.close(() => r())),
  };
}

/** The codeword in a mail the sign-up pages sent. */
export function codewordIn(text: string): string {
  const m = /codeword for .* is: ([A-Z0-9]{6})/.exec(text);
  if (!m) throw new Error(`no codeword in ${text}`);
  return m[1] as string;
}
