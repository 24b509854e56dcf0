// The hourly `Resource usage -` block (AG-33), as the original printed getrusage(): the same
// fields in the same order, user and system time in whole minutes. Fields the platform does not
// keep print 0, as they did on the original's Suns.

const MICROS_PER_MINUTE = 60_000_000;

const count = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);

export function resourceUsageLines(u: Partial<NodeJS.ResourceUsage> = process.resourceUsage()): string[] {
  return [
    'Resource usage -',
    `user time = ${Math.floor(count(u.userCPUTime) / MICROS_PER_MINUTE)} minutes`,
    `system time = ${Math.floor(count(u.systemCPUTime) / MICROS_PER_MINUTE)} minutes`,
    `maximum resident set size = ${count(u.maxRSS)}`,
    `integral shared text memory size = ${count(u.sharedMemorySize)}`,
    `integral unshared data size = ${count(u.unsharedDataSize)}`,
    `integral unshared stack size = ${count(u.unsharedStackSize)}`,
    `page reclaims (minor faults) = ${count(u.minorPageFault)}`,
    `page faults (major faults) = ${count(u.majorPageFault)}`,
    `swaps = ${count(u.swappedOut)}`,
    `messages sent = ${count(u.ipcSent)}`,
    `messages received = ${count(u.ipcReceived)}`,
    `voluntary context switches = ${count(u.voluntaryContextSwitches)}`,
    `involuntary context switches = ${count(u.involuntaryContextSwitches)}`,
  ];
}
