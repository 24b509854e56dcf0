// The script server WorldsPlayer is pointed at (ScriptServer, property 25) for New User: any path
// ending in register.pl (a page in the person's browser) or codeword.pl (read by the client
// itself, spec §6.3 step 4). A public listener, so everything about it is bounded: connections at
// once, header and request time, header size, body size; nothing it serves is cached.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalizeAddress } from '../../runtime/connection.js';
import { describe } from '../../runtime/lifecycle.js';
import { isEmailAddress } from '../admin/validate.js';
import { isHandshakeId } from './codeword.js';
import { codewordAnswer, codewordRefusal, formPage, mailedPage, messagePage, shownPage } from './pages.js';
import type { RequestOutcome, Signup, SignupConfig, SignupLog } from './signup.js';

const MAX_HEADER_BYTES = 8 * 1024;
const KEEP_ALIVE_MS = 5_000;

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  // An exact length and no Last-Modified: the client's download cache drops an answer without a
  // modification time once read, so a second try of the same codeword asks again.
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': bytes.length });
  res.end(bytes);
}

const html = (res: ServerResponse, status: number, body: string) => send(res, status, 'text/html; charset=utf-8', body);

/** The request body, or null when it is longer than `max` bytes (the rest is not read). */
function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function refusalText(o: Extract<RequestOutcome, { kind: 'refused' }>): string {
  switch (o.reason) {
    case 'address-limit':
      return `Too many requests from your address. Try again in ${o.minutes ?? 60} minutes.`;
    case 'email-limit':
      return 'Too many codewords were sent to this e-mail address lately. Use the one you have, or try again tomorrow.';
    case 'no-serial':
      return 'No new accounts can be made right now. Please try again later.';
    case 'mail-failed':
      return 'The codeword could not be e-mailed. Check the address, or try again later.';
    case 'database':
      return 'Sign-up is not available right now. Please try again later.';
  }
}

export class SignupHttp {
  private constructor(
    private readonly server: Server,
    private readonly signup: Signup,
    private readonly cfg: () => Readonly<SignupConfig>,
    private readonly log: SignupLog,
  ) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: unknown) => {
        this.log.error(normalizeAddress(req.socket.remoteAddress), `sign-up page failed: ${describe(err)}`);
        if (!res.headersSent) html(res, 500, messagePage('Error', 'Something went wrong. Please try again later.'));
        else res.destroy();
      });
    });
    server.on('connection', () => {
      // Read at every connection, so that a configuration reload reaches them.
      const limits = this.cfg().signupHttpLimits;
      server.maxConnections = limits.connections;
      server.headersTimeout = limits.headerMs;
      server.requestTimeout = limits.headerMs * 2;
    });
    server.on('clientError', (_err, socket) => socket.destroy());
  }

  static async listen(
    signup: Signup,
    cfg: () => Readonly<SignupConfig>,
    log: SignupLog,
  ): Promise<{ http: SignupHttp; address: AddressInfo }> {
    const c = cfg();
    const at = c.signupHttp;
    if (!at) throw new Error('SignupHttp is not configured');
    const limits = c.signupHttpLimits;
    const server = createServer({
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: limits.headerMs,
      requestTimeout: limits.headerMs * 2,
      keepAliveTimeout: KEEP_ALIVE_MS,
      connectionsCheckingInterval: Math.min(1_000, limits.headerMs / 2),
    });
    server.maxConnections = limits.connections;
    server.maxRequestsPerSocket = 16;
    server.maxHeadersCount = 64;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: at.port, host: at.bindAddr ?? c.bindAddr ?? undefined }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return { http: new SignupHttp(server, signup, cfg, log), address: server.address() as AddressInfo };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://signup.invalid');
    } catch {
      return html(res, 400, messagePage('Bad request', 'That address is not valid.'));
    }
    const script = url.pathname.slice(url.pathname.lastIndexOf('/') + 1).toLowerCase();
    const address = normalizeAddress(req.socket.remoteAddress);
    const method = req.method ?? 'GET';
    if (script === 'codeword.pl') {
      if (method !== 'GET' && method !== 'HEAD') return html(res, 405, messagePage('Not allowed', 'Use GET.'));
      return this.codeword(res, url.searchParams, address);
    }
    if (script === 'register.pl') {
      if (method === 'GET' || method === 'HEAD') return this.form(res, url.searchParams.get('id') ?? '');
      if (method === 'POST') return this.register(req, res, url, address);
      return html(res, 405, messagePage('Not allowed', 'Use GET or POST.'));
    }
    html(res, 404, messagePage('Not found', 'There is no such page here.'));
  }

  private async codeword(res: ServerResponse, q: URLSearchParams, address: string): Promise<void> {
    const text = (body: string) => send(res, 200, 'text/plain; charset=utf-8', body);
    const id = q.get('id') ?? '';
    if (!isHandshakeId(id)) return text(codewordRefusal(1, 'no such codeword'));
    const r = await this.signup.redeem(id, q.get('codeword') ?? '', address);
    if (r.ok) return text(codewordAnswer(r.serial));
    if (r.reason === 'too-many') return text(codewordRefusal(2, 'too many wrong codewords; try again later'));
    if (r.reason === 'database') return text(codewordRefusal(3, 'sign-up is not available right now'));
    text(codewordRefusal(1, 'no such codeword, or it has expired'));
  }

  private form(res: ServerResponse, id: string): void {
    const name = this.cfg().serverName;
    if (!isHandshakeId(id))
      return html(
        res,
        400,
        messagePage(`New user of ${name}`, 'Start from WorldsPlayer: choose New User when you sign in.'),
      );
    html(res, 200, formPage(name, id));
  }

  private async register(req: IncomingMessage, res: ServerResponse, url: URL, address: string): Promise<void> {
    const cfg = this.cfg();
    const body = await readBody(req, cfg.signupHttpLimits.bodyBytes);
    if (body === null) {
      res.setHeader('Connection', 'close');
      return html(res, 413, messagePage('Too large', 'That request is too large.'));
    }
    const form = new URLSearchParams(body);
    const id = form.get('id') ?? url.searchParams.get('id') ?? '';
    const email = (form.get('email') ?? '').trim().toLowerCase();
    if (!isHandshakeId(id))
      return html(
        res,
        400,
        messagePage(`New user of ${cfg.serverName}`, 'Start from WorldsPlayer: choose New User when you sign in.'),
      );
    if (!isEmailAddress(email)) return html(res, 400, formPage(cfg.serverName, id, 'That is not an e-mail address.'));
    const o = await this.signup.request(id, email, address);
    switch (o.kind) {
      case 'mailed':
        return html(res, 200, mailedPage(cfg.serverName, o.email, o.validMinutes));
      case 'shown':
        return html(res, 200, shownPage(cfg.serverName, o.codeword, o.validMinutes));
      case 'refused':
        return html(res, o.reason === 'address-limit' ? 429 : 503, messagePage('Sorry', refusalText(o)));
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
