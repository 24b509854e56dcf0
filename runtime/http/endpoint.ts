// The local HTTP endpoint of a server (`StatusHttp port [bindAddr]`, AG-42): a small route table
// on node:http that others mount handlers onto (`mount('/admin', handler)`), with every request
// bounded: connections at once, header size, time to send the request, body size, idle sockets.
// Handlers receive a parsed request and return a response; they never touch sockets, so a slow or
// hostile client can cost at most one bounded request, and a handler that throws costs one 500.

import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalizeAddress } from '../connection.js';
import { listenOn } from '../cli.js';
import type { HttpLimits } from '../stats-config.js';

export type { HttpLimits };

/** Request headers larger than this are refused (431) before any handler runs. */
const MAX_HEADER_BYTES = 16 * 1024;

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  /** The path below the mount prefix, starting with `/` (`/admin/users` mounted at `/admin` → `/users`). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string;
  /** The request body, at most the configured size (a larger one ends the request with 413). */
  body(): Promise<Buffer>;
  /** Whether the client asked for this media type in its Accept header. */
  accepts(type: string): boolean;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export type HttpHandler = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function text(status: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}

export function json(value: unknown, status = 200): HttpResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) };
}

interface Mount {
  prefix: string;
  handler: HttpHandler;
}

export interface EndpointEvents {
  /** A handler failed: the client got a 500. Logged by the server (once per distinct message and minute). */
  onHandlerError(path: string, err: unknown): void;
}

export class HttpEndpoint {
  private readonly mounts: Mount[] = [];

  constructor(
    readonly server: Server,
    /** Read at each request, so a configuration reload reaches it. */
    private readonly limits: () => Readonly<HttpLimits>,
    private readonly events: EndpointEvents,
  ) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.serve(req, res));
    server.on('connection', () => this.applyLimits());
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.applyLimits();
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * Serves every path equal to `prefix` or below it (`/admin`, `/admin/…`) with `handler`; the
   * longest matching prefix wins, so `/` is the fallback. A prefix is mounted once.
   */
  mount(prefix: string, handler: HttpHandler): void {
    if (!/^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/.test(prefix)) throw new Error(`bad mount prefix ${prefix}`);
    if (this.mounts.some((m) => m.prefix === prefix)) throw new Error(`${prefix} is already mounted`);
    this.mounts.push({ prefix, handler });
    this.mounts.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private applyLimits(): void {
    const l = this.limits();
    this.server.maxConnections = l.maxConnections;
    this.server.requestTimeout = l.requestTimeoutMs;
    this.server.headersTimeout = Math.min(l.requestTimeoutMs, 60_000);
    this.server.keepAliveTimeout = Math.min(5_000, l.requestTimeoutMs);
    // A client that stops reading a response is dropped after this much silence.
    this.server.timeout = l.requestTimeoutMs;
  }

  private match(pathname: string): { mount: Mount; path: string } | null {
    for (const m of this.mounts) {
      if (m.prefix === '/') return { mount: m, path: pathname };
      if (pathname === m.prefix || pathname.startsWith(`${m.prefix}/`))
        return { mount: m, path: pathname.slice(m.prefix.length) || '/' };
    }
    return null;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return send(res, req, text(400, 'bad request\n'));
    }
    const found = this.match(url.pathname);
    if (!found) return send(res, req, text(404, 'not found\n'));
    const limit = this.limits().maxBodyBytes;
    const request: HttpRequest = {
      method: req.method ?? 'GET',
      url,
      path: found.path,
      headers: req.headers,
      remoteAddress: normalizeAddress(req.socket.remoteAddress),
      body: () => readBody(req, limit),
      accepts: (type) => (req.headers.accept ?? '').split(',').some((a) => a.trim().split(';')[0] === type),
    };
    let response: HttpResponse;
    try {
      response = await found.mount.handler(request);
    } catch (err) {
      if (err instanceof HttpError) response = text(err.status, `${err.message}\n`);
      else {
        this.events.onHandlerError(url.pathname, err);
        response = text(500, 'internal error; see the server log\n');
      }
    }
    send(res, req, response);
  }
}

/**
 * Sent with every answer unless a handler says otherwise: nothing cached, nothing framed or sniffed,
 * and pages may load scripts, styles and data from this endpoint only (the status page's uPlot
 * comes from here, never a CDN). Pages mounted later (an admin console) get the same protection.
 */
const DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

function send(res: ServerResponse, req: IncomingMessage, r: HttpResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
  res.writeHead(r.status, {
    ...DEFAULT_HEADERS,
    ...r.headers,
    'content-length': String(body.length),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, `request body larger than ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new HttpError(400, 'request body incomplete'));
    });
  });
}

/** Listens for the StatusHttp endpoint, or stops the program with why it cannot (AG-1 style). */
export async function listenHttpOrDie(
  program: string,
  port: number,
  host: string,
): Promise<{ server: Server; address: AddressInfo }> {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false });
  return { server, address: await listenOn(program, 'status (StatusHttp)', server, port, host) };
}
