// userPrivileges bits by name (AG-12; guide Appendix III; the client's VAR_PRIV, spec §4.1).

import { Priv } from '../../protocol/constants.js';

export const PRIVILEGES = {
  build: Priv.BUILD,
  broadcast: Priv.BROADCAST,
  property: Priv.PROPERTY,
  vip: Priv.VIP,
  fullvip: Priv.VIP2,
  specialguest: Priv.SPECIALGUEST,
} as const;

export type PrivilegeName = keyof typeof PRIVILEGES;

export const PRIVILEGE_NAMES = Object.keys(PRIVILEGES) as PrivilegeName[];

const ALIASES: Readonly<Record<string, PrivilegeName>> = {
  vip2: 'fullvip',
  'full-vip': 'fullvip',
  'special-guest': 'specialguest',
};

/** A privilege by name, any case, or null. */
export function privilegeNamed(name: string): PrivilegeName | null {
  const key = name.toLowerCase();
  if (key in PRIVILEGES) return key as PrivilegeName;
  return ALIASES[key] ?? null;
}

export function privilegeBits(names: readonly PrivilegeName[]): number {
  return names.reduce((bits, n) => bits | PRIVILEGES[n], 0);
}

/** `broadcast, vip` (or `none`); bits without a name are shown as numbers. */
export function describePrivileges(bits: number): string {
  const names: string[] = PRIVILEGE_NAMES.filter((n) => (bits & PRIVILEGES[n]) !== 0);
  const known = privilegeBits(PRIVILEGE_NAMES);
  for (let bit = 1; bit <= 512; bit <<= 1) if (bits & bit & ~known) names.push(String(bit));
  return names.length ? names.join(', ') : 'none';
}
