// Connections per client address (AG-45; `AddressLimit connections unauthenticated`): one address
// may hold only so many sockets, and fewer of them before they log in, so that nobody can take
// every slot of a server with idle sockets (J Solar's servers allowed 16 per address). Both
// servers ask here before they take a socket on; the connection gives its lease back when it
// logs in (no longer unauthenticated) and when it closes (gone).
//
// IPv4 clients are counted per address. An IPv6 client is counted per /64, the block one
// subscriber usually gets, so a host cannot dodge the limit by stepping through its own addresses.

export interface AddressLimitSettings {
  /** Sockets one address may hold, logged in or not. */
  connections: number;
  /** Sockets one address may hold that have not logged in yet. */
  unauthenticated: number;
}

/** What a connection holds while it is open; both calls are idempotent. */
export interface AddressLease {
  /** The address this socket is counted under (an IPv4 address, or an IPv6 /64). */
  readonly group: string;
  /** The socket logged in: it no longer counts as unauthenticated. */
  authenticated(): void;
  /** The socket closed. */
  release(): void;
}

export type Admission = { ok: true; lease: AddressLease } | { ok: false; group: string; reason: string };

interface Counts {
  open: number;
  unauthenticated: number;
}

export class AddressLimits {
  private readonly counts = new Map<string, Counts>();
  /** Sockets refused since start (a statistic). */
  refused = 0;

  /** Takes a socket from `address` on, or says why not. `limits` is read now (reloadable). */
  admit(address: string, limits: Readonly<AddressLimitSettings>): Admission {
    const group = addressGroup(address);
    const c = this.counts.get(group) ?? { open: 0, unauthenticated: 0 };
    if (c.open >= limits.connections) {
      this.refused++;
      return {
        ok: false,
        group,
        reason: `${c.open} connections open from ${group} (AddressLimit ${limits.connections})`,
      };
    }
    if (c.unauthenticated >= limits.unauthenticated) {
      this.refused++;
      return {
        ok: false,
        group,
        reason: `${c.unauthenticated} connections from ${group} not logged in yet (AddressLimit unauthenticated ${limits.unauthenticated})`,
      };
    }
    c.open++;
    c.unauthenticated++;
    this.counts.set(group, c);
    return { ok: true, lease: new Lease(group, c, this.counts) };
  }

  /** Open and not-yet-logged-in sockets of the address's group. */
  held(address: string): Readonly<Counts> {
    return this.counts.get(addressGroup(address)) ?? { open: 0, unauthenticated: 0 };
  }

  /** Groups with at least one open socket. */
  get groups(): number {
    return this.counts.size;
  }
}

/** An IPv4 address as it is; an IPv6 address as its /64 (`2001:db8:0:1::/64`). */
export function addressGroup(address: string): string {
  if (!address.includes(':')) return address;
  const groups = expandIPv6(address);
  if (!groups) return address;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

function expandIPv6(address: string): string[] | null {
  const bare = address.split('%')[0] as string;
  const halves = bare.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? (halves[0] as string).split(':') : [];
  const tail = halves.length === 2 && halves[1] ? (halves[1] as string).split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const all = [...head, ...Array.from({ length: missing }, () => '0'), ...tail];
  return all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? all.map((g) => g.toLowerCase()) : null;
}

/** One socket's place in its group's counts (an object, not closures: every user holds one). */
class Lease implements AddressLease {
  private isAuthenticated = false;
  private released = false;

  constructor(
    readonly group: string,
    private readonly counts: Counts,
    private readonly groups: Map<string, Counts>,
  ) {}

  authenticated(): void {
    if (this.isAuthenticated || this.released) return;
    this.isAuthenticated = true;
    this.counts.unauthenticated--;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.counts.open--;
    if (!this.isAuthenticated) this.counts.unauthenticated--;
    if (this.counts.open === 0) this.groups.delete(this.group);
  }
}
