// The RoomServer's hourly report (AG-33, guide "Monitoring the Servers", "User Statistics"), in the
// guide's format and indentation: the guide's sample was converted from HTML, where a run of N
// spaces became N-1 non-breaking spaces and one space, so "Serving" lines are indented by five
// spaces and room lines by seven:
//
//   Tue Jun 25 20:08:00 1996 - Hub:
//        Serving 151 users
//        Serving 11 rooms
//          sky_1301 - 87 Users
//
// Rooms are the occupied ones (the guide's counts add up: its room lines sum to its users), by
// name. After the guide's lines and its Resource usage block come this project's tick statistics
// over the period (issue 9): duration median and 99th percentile (over the period's last 8192
// ticks at most: a whole hour at the guide's one update a second), intervals missed (AG-31), and
// ticks that held the interval only by updating far avatars less often (TickBudget).

import { ctime } from '../runtime/ctime.js';
import type { Ticker } from './tick.js';

/** What the report reads of the World. */
export interface ReportedWorld {
  readonly users: { readonly size: number };
  readonly rooms: { all(): Iterable<{ readonly name: string; readonly population: number }> };
}

export function roomServerReport(now: Date, name: string, world: ReportedWorld): string[] {
  const rooms = [...world.rooms.all()]
    .filter((r) => r.population > 0)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [
    `${ctime(now)} - ${name}:`,
    `     Serving ${world.users.size} users`,
    `     Serving ${rooms.length} rooms`,
    ...rooms.map((r) => `       ${r.name} - ${r.population} Users`),
  ];
}

/** Tick figures since the previous report; each call starts a new period. */
export class TickReport {
  private ticks = 0;
  private missed = 0;
  private degraded = 0;

  constructor(private readonly ticker: Ticker) {}

  lines(): string[] {
    const s = this.ticker.stats;
    const d = this.ticker.periodDurations;
    const ticks = s.ticks - this.ticks;
    const missed = s.missed - this.missed;
    const degraded = s.degradedTicks - this.degraded;
    this.ticks = s.ticks;
    this.missed = s.missed;
    this.degraded = s.degradedTicks;
    const lines = [
      `tick duration p50 = ${ms(d.quantile(0.5))} ms`,
      `tick duration p99 = ${ms(d.quantile(0.99))} ms`,
      `ticks = ${ticks}`,
      `update intervals missed = ${missed}`,
      `ticks degraded by overload = ${degraded} (level now ${s.level})`,
    ];
    d.clear();
    return lines;
  }
}

function ms(v: number): string {
  return v.toFixed(v >= 100 ? 0 : 2);
}
