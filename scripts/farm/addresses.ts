// Loopback only (TEAM-NOTES "only 127.0.0.0/8 targets"): the farm refuses any other target, and
// every bot connects from a 127.x.y.z source address, which the kernel cannot route anywhere but
// the loopback interface (a connect from there to another network fails with EINVAL). Spreading
// bots over many source addresses keeps each under a server's per-address connection limit.

/** Parses a dotted IPv4 address into a number; null when it is not one. */
export function parseIPv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return null;
    n = n * 256 + octet;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const LOOPBACK_NET = 127 * 2 ** 24;
const LOOPBACK_SIZE = 2 ** 24;

export function isLoopback(text: string): boolean {
  const n = parseIPv4(text);
  return n !== null && n >= LOOPBACK_NET && n < LOOPBACK_NET + LOOPBACK_SIZE;
}

/** `localhost` means 127.0.0.1; anything else must be a literal 127.0.0.0/8 address. */
export function loopbackTarget(host: string): string | null {
  if (host === 'localhost') return '127.0.0.1';
  return isLoopback(host) ? host : null;
}

/**
 * The `index`-th source address counting from `first`, skipping addresses whose last octet is 0
 * or 255 (harmless on the loopback net, but confusing in logs and firewall rules); null once
 * past 127.255.255.254.
 */
export function sourceAddress(first: string, index: number): string | null {
  const start = parseIPv4(first);
  if (start === null || !isLoopback(first)) return null;
  // Position of `first` among usable addresses (254 per /24), then `index` further on.
  const base = Math.floor((start - LOOPBACK_NET) / 256) * 254 + Math.max(0, ((start & 255) - 1) % 256);
  const k = base + index;
  const net = Math.floor(k / 254);
  if (net >= LOOPBACK_SIZE / 256) return null;
  return formatIPv4(LOOPBACK_NET + net * 256 + 1 + (k % 254));
}

/** Source address of bot `bot` when each address carries `perAddress` bots. */
export function botSourceAddress(first: string, perAddress: number, bot: number): string | null {
  return sourceAddress(first, Math.floor(bot / perAddress));
}
