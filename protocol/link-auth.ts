// Challenge-response on the RoomServers password (AG-19): each side proves it knows the password
// by an HMAC over both sides' fresh nonces, under a label of its own role, so the password never
// crosses the wire and a proof cannot be replayed or reflected (protocol/LINK.md "Handshake").

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const NONCE_BYTES = 32;

export function linkNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

function hmac(password: string, label: string, parts: readonly (Buffer | string)[]): Buffer {
  const h = createHmac('sha256', password);
  h.update(label);
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(b.length);
    h.update(len);
    h.update(b);
  }
  return h.digest();
}

/** The UserServer's proof, sent in CHALLENGE. */
export function userServerProof(password: string, rsNonce: Buffer, usNonce: Buffer): Buffer {
  return hmac(password, 'worlds-link-v1/userserver', [rsNonce, usNonce]);
}

/** The RoomServer's proof, sent in AUTH; bound to its name so it cannot be used by another. */
export function roomServerProof(password: string, usNonce: Buffer, rsNonce: Buffer, rsName: string): Buffer {
  return hmac(password, 'worlds-link-v1/roomserver', [usNonce, rsNonce, rsName]);
}

export function proofsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
