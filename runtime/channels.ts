// Channel populations (AG-16, guide Appendix I/II MaxChannelPopulation): a new user goes to the
// first channel `dimension-1`, `dimension-2`, … whose population is below the limit, a new channel
// when all are full. The limit is a hint, not enforced: users may change into a full channel.
// A redundant UserServer appends its ChannelSuffix (`dimension-1;2`), so that the two WorldServers'
// server virtual spaces stay disjoint (guide Appendix II).

export class ChannelPopulation {
  private readonly counts = new Map<string, number>();

  constructor(
    /** Replaced when MaxChannelPopulation changes (configuration reload). */
    public limit: number,
    readonly suffix: string | null = null,
  ) {}

  choose(): string {
    const tail = this.suffix === null ? '' : `;${this.suffix}`;
    for (let i = 1; ; i++) {
      const name = `dimension-${i}${tail}`;
      if ((this.counts.get(name) ?? 0) < this.limit) return name;
    }
  }

  join(channel: string): void {
    this.counts.set(channel, (this.counts.get(channel) ?? 0) + 1);
  }

  leave(channel: string): void {
    const n = (this.counts.get(channel) ?? 0) - 1;
    if (n > 0) this.counts.set(channel, n);
    else this.counts.delete(channel);
  }

  count(channel: string): number {
    return this.counts.get(channel) ?? 0;
  }

  /** Channels with at least one user. */
  get size(): number {
    return this.counts.size;
  }
}
