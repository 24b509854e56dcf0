// Passwords (AG-38 decision): salted scrypt hashes stored as `scrypt$<log2N>$<r>$<p>$<salt>$<key>`
// (base64). crypto.scrypt runs on libuv's worker pool, so hashing never blocks the event loop; a
// small limiter keeps hashing from taking every worker (file and DNS work share that pool) and
// refuses work beyond a queue cap instead of letting logins pile up without bound.
// A password stored in plain text (a database imported from the original servers) is accepted
// once; the caller is told to store a hash instead.

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

export class HashingOverloaded extends Error {
  constructor(queued: number) {
    super(`${queued} password checks already waiting`);
    this.name = 'HashingOverloaded';
  }
}

export interface VerifyResult {
  ok: boolean;
  /** The stored form should be replaced by a fresh hash (plain text, or an older cost). */
  needsRehash: boolean;
}

export class PasswordHasher {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  hashes = 0;

  constructor(
    /** scrypt cost of new hashes (PasswordCost; a configuration reload may change it). */
    public logN: number,
    private readonly maxConcurrent = 2,
    private readonly maxQueued = 2000,
  ) {}

  private derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
    const N = 2 ** logN;
    return this.limited(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          scrypt(password, salt, KEY_BYTES, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
            err ? reject(err) : resolve(key),
          );
        }),
    );
  }

  private async limited<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent) {
      if (this.queue.length >= this.maxQueued) throw new HashingOverloaded(this.queue.length);
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
    this.running++;
    try {
      this.hashes++;
      return await job();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await this.derive(password, salt, this.logN, R, P);
    return `scrypt$${this.logN}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  async verify(password: string, stored: string): Promise<VerifyResult> {
    const parts = stored.split('$');
    if (parts[0] !== 'scrypt' || parts.length !== 6) {
      const a = Buffer.from(password, 'utf8');
      const b = Buffer.from(stored, 'utf8');
      const ok = a.length === b.length && timingSafeEqual(a, b);
      return { ok, needsRehash: ok };
    }
    const [, logN, r, p, salt, key] = parts as [string, string, string, string, string, string];
    const expected = Buffer.from(key, 'base64');
    const got = await this.derive(password, Buffer.from(salt, 'base64'), Number(logN), Number(r), Number(p));
    const ok = got.length === expected.length && timingSafeEqual(got, expected);
    return { ok, needsRehash: ok && Number(logN) !== this.logN };
  }
}
