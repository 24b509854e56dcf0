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
    fairness: Pick<FairQueueOptions, 'windowMs' | 'penalty'> = { windowMs: () => 600_000, penalty: () => 0 },
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
