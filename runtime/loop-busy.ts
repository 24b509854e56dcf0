// How busy the event loop has been: the share of wall time it spent running callbacks (not waiting
// in the kernel for events) since the last reading. A loop busy nearly all the time has no room for
// what arrives next: new connections wait in the kernel's accept queue, chat waits behind the tick.

import { performance } from 'node:perf_hooks';

/** A reader of the loop's busy share since its previous reading (0..1). */
export function loopBusySampler(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const since = performance.eventLoopUtilization(now, last);
    last = now;
    return since.utilization;
  };
}
