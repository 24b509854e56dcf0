// Secrets of the console: session ids and CSRF tokens are 256 random bits, and every comparison of
// a secret a client sends is made in constant time (both sides hashed first, so that their lengths
// are equal too and nothing about the expected value leaks through timing).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_BYTES = 32;
/** What `newToken` returns: 43 base64url characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function isToken(s: string | null | undefined): s is string {
  return typeof s === 'string' && TOKEN.test(s);
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Whether the client's `given` equals `expected`, in time independent of where they differ. */
export function sameToken(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/** What a session is filed under: its id's hash, so that the table holds no usable id. */
export function tokenKey(token: string): string {
  return digest(token).toString('base64url');
}
