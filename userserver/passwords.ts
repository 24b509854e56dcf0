// Passwords (AG-38 decision): salted scrypt hashes stored as `scrypt$<log2N>$<r>$<p>$<salt>$<key>`
// (base64). crypto.scrypt runs on libuv's worker pool, so hashing never blocks the event loop; the
// queue in hash-queue.ts keeps hashing from taking every worker (file and DNS work share that
// pool), shares it fairly between client addresses, and refuses work beyond its cap instead of
// letting logins pile up without bound. Every hash is done for a key, the client's address.
// A password stored in plain text (a database imported from the original servers) is accepted
// once; the caller is told to store a hash instead.

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { FairQueue, type FairQueueOptions } from './hash-queue.js';

export { HashingOverloaded } from './hash-queue.js';

const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

export interface VerifyResult {
  ok: boolean;
  /** The stored form should be replaced by a fresh hash (plain text, or an older cost). */
  needsRehash: boolean;
}

export class PasswordHasher {
  readonly queue: FairQueue;

  constructor(
    /** scrypt cost of new hashes (PasswordCost; a configuration reload may change it). */
    public logN: number,
    fairness: Pick<FairQueueOptions, 'windowMs' | 'penalty' | 'suspect'> = {
      windowMs: () => 600_000,
      penalty: () => 0,
    },
    maxConcurrent = 2,
    maxQueued = 2000,
  ) {
    this.queue = new FairQueue({ ...fairness, maxConcurrent, maxQueued });
  }

  /** Hashes computed since start. */
  get hashes(): number {
    return this.queue.jobs;
  }

  private derive(key: string, password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
    const N = 2 ** logN;
    return this.queue.run(
      key,
      () =>
        new Promise<Buffer>((resolve, reject) => {
          scrypt(password, salt, KEY_BYTES, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
            err ? reject(err) : resolve(key),
          );
        }),
    );
  }

  /** A fresh salted hash of `password`, computed in the turn of `key` (the client's address). */
  async hash(password: string, key: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const derived = await this.derive(key, password, salt, this.logN, R, P);
    return `scrypt$${this.logN}$${R}$${P}$${salt.toString('base64')}$${derived.toString('base64')}`;
  }

  /** Checks `password` against a stored hash, in the turn of `key` (the client's address). */
  async verify(password: string, stored: string, key: string): Promise<VerifyResult> {
    const parts = stored.split('$');
    if (parts[0] !== 'scrypt' || parts.length !== 6) {
      const a = Buffer.from(password, 'utf8');
      const b = Buffer.from(stored, 'utf8');
      const ok = a.length === b.length && timingSafeEqual(a, b);
      return { ok, needsRehash: ok };
    }
    const [, logN, r, p, salt, hash] = parts as [string, string, string, string, string, string];
    const expected = Buffer.from(hash, 'base64');
    const got = await this.derive(key, password, Buffer.from(salt, 'base64'), Number(logN), Number(r), Number(p));
    const ok = got.length === expected.length && timingSafeEqual(got, expected);
    return { ok, needsRehash: ok && Number(logN) !== this.logN };
  }
}

/** Largest scrypt memory a stored hash may ask for: what PasswordCost's highest setting (20) uses. */
const MAX_SCRYPT_MEMORY = 128 * 2 ** 20 * R;

/**
 * Why `stored` is not a hash this module can check (`scrypt$<log2N>$<r>$<p>$<salt>$<key>`, as
 * `hash` writes it), or null when it is one. Hashes written elsewhere (an operator's configuration
 * file) are checked with this first: a cost beyond these bounds would take the server's memory.
 */
export function scryptHashProblem(stored: string): string | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return 'is not scrypt$log2N$r$p$salt$key';
  const [, logN, r, p, salt, key] = parts as [string, string, string, string, string, string];
  const whole = (s: string, min: number, max: number) => /^\d{1,2}$/.test(s) && Number(s) >= min && Number(s) <= max;
  if (!whole(logN, 10, 20)) return 'log2N must be 10 to 20';
  if (!whole(r, 1, 32) || !whole(p, 1, 4)) return 'r must be 1 to 32 and p 1 to 4';
  if (128 * 2 ** Number(logN) * Number(r) > MAX_SCRYPT_MEMORY) return `log2N and r ask for more than 1 GiB`;
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (!base64.test(salt) || Buffer.from(salt, 'base64').length < 8) return 'salt must be at least 8 bytes of base64';
  if (!base64.test(key) || Buffer.from(key, 'base64').length !== KEY_BYTES)
    return `key must be ${KEY_BYTES} bytes of base64`;
  return null;
}
