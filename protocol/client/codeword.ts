// The real client's codeword.pl request (protocol/signup.ts): a GET through java.net.URL's
// HttpURLConnection, which sends these request headers, and the first line of the answer read as
// the client reads it. Tests use it to prove that New User in an unmodified client completes.

import { request } from 'node:http';
import { codewordUrl, firstLine, serialFromAnswer } from '../signup.js';

/** HttpURLConnection's defaults (Java 1.4 … 8). */
export const JAVA_HEADERS = {
  'User-Agent': 'Java/1.4.2_03',
  Accept: 'text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2',
  Connection: 'keep-alive',
};

export interface CodewordFetch {
  url: string;
  status: number;
  /** With a Last-Modified date the client's cache would keep the answer and never ask again. */
  lastModified: string | undefined;
  line: string | null;
  /** What LoginWizard does next: register with the serial, "does not match", or "error accessing". */
  outcome: { kind: 'serial'; serial: string } | { kind: 'no-match' } | { kind: 'error' };
}

export function fetchCodeword(scriptServer: string, handshakeId: string, codeword: string): Promise<CodewordFetch> {
  const url = codewordUrl(scriptServer, handshakeId, codeword);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: JAVA_HEADERS, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const line = firstLine(Buffer.concat(chunks));
        const serial = line === null ? null : serialFromAnswer(line);
        const outcome: CodewordFetch['outcome'] =
          status >= 400 ? { kind: 'error' } : serial !== null ? { kind: 'serial', serial } : { kind: 'no-match' };
        resolve({ url, status, lastModified: res.headers['last-modified'], line, outcome });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
