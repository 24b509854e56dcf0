// Boot bans (AG-20): after `!boot Name`, logins by that name or from that address are refused for
// 30 minutes ("Bad IP address", NAK 16), because the client would otherwise retry at once.

export const BOOT_BAN_MS = 30 * 60_000;

export class BanList {
  private readonly names = new Map<string, number>();
  private readonly addresses = new Map<string, number>();

  constructor(
    private readonly durationMs = BOOT_BAN_MS,
    private readonly now: () => number = Date.now,
  ) {}

  ban(nameKey: string, address: string | null): void {
    const until = this.now() + this.durationMs;
    this.names.set(nameKey, until);
    if (address) this.addresses.set(address, until);
  }

  isBanned(nameKey: string, address: string): boolean {
    return this.active(this.names, nameKey) || this.active(this.addresses, address);
  }

  private active(map: Map<string, number>, key: string): boolean {
    const until = map.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    map.delete(key);
    return false;
  }
}
