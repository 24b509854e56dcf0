// Codewords: what the sign-up pages e-mail and the person types into WorldsPlayer. At most 6
// characters, because the client takes anything longer as the serial number itself
// (LoginWizard.AwaitCodeword); letters and digits only, because the client puts it into the
// codeword.pl URL as typed, unencoded; no 0/O, 1/I/L, which people mix up.

import { randomInt } from 'node:crypto';

export const CODEWORD_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODEWORD_LENGTH = 6;

/** 31^6 ≈ 8.9e8 codewords, each bound to one handshake id. */
export function newCodeword(): string {
  let s = '';
  for (let i = 0; i < CODEWORD_LENGTH; i++) s += CODEWORD_ALPHABET[randomInt(CODEWORD_ALPHABET.length)];
  return s;
}

/** What a person typed, as stored (upper case), or null when it cannot be a codeword. */
export function normalizeCodeword(typed: string): string | null {
  const c = typed.trim().toUpperCase();
  if (c.length !== CODEWORD_LENGTH) return null;
  for (const ch of c) if (!CODEWORD_ALPHABET.includes(ch)) return null;
  return c;
}

/** The client's handshake id is a decimal number; anything of a similar shape is accepted. */
export function isHandshakeId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,32}$/.test(id);
}
