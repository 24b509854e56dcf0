// A server's own cost as the kernel sees it (AG-44: "the server's CPU and RSS when given its
// pid"): CPU time of the whole process and of its main thread from /proc/<pid>/stat and
// /proc/<pid>/task/<pid>/stat, resident memory from /proc/<pid>/status, open files from
// /proc/<pid>/fd; and the kernel's listen-queue overflow counters, which say when clients were
// turned away before the server ever saw them.

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcSample {
  /** utime + stime of the process, in clock ticks. */
  cpuTicks: number;
  /** stime alone: the kernel's work for the process (on loopback, a write also runs the receiver's TCP). */
  kernelTicks: number;
  /** The same for the main thread (the event loop), in clock ticks. */
  mainTicks: number;
  /**
   * Nanoseconds the main thread spent runnable but waiting for a CPU (/proc/<pid>/task/<pid>/schedstat):
   * time a busy machine took from the server, which its CPU figure cannot show. NaN when unknown.
   */
  mainWaitNs: number;
  rssKiB: number;
  /**
   * System calls that read and that wrote, from /proc/<pid>/io (syscr, syscw): a socket's read and
   * write each count one, so per user per second they show how well output is batched. NaN when
   * the file is not readable (another user's process).
   */
  readCalls: number;
  writeCalls: number;
}

/** Fields 14 and 15 of a stat line (after the parenthesised command name, which may hold spaces). */
export function parseStatTicks(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(rest[11]) + Number(rest[12]);
}

/** Field 15 of a stat line: stime, the ticks spent in the kernel on the process's behalf. */
export function parseStatKernelTicks(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[12]);
}

/** syscr and syscw of /proc/<pid>/io; NaN for either that is missing. */
export function parseIoCalls(io: string): { readCalls: number; writeCalls: number } {
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(io);
    return m ? Number(m[1]) : NaN;
  };
  return { readCalls: field('syscr'), writeCalls: field('syscw') };
}

/** The second field of a schedstat line: time waiting on a run queue, in ns. */
export function parseSchedstatWait(schedstat: string): number {
  const f = schedstat.trim().split(/\s+/);
  return f.length >= 3 ? Number(f[1]) : NaN;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function parseRssKiB(status: string): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return m ? Number(m[1]) : NaN;
}

export function sampleProcess(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return {
      cpuTicks: parseStatTicks(stat),
      kernelTicks: parseStatKernelTicks(stat),
      mainTicks: parseStatTicks(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')),
      mainWaitNs: parseSchedstatWait(readOr(`/proc/${pid}/task/${pid}/schedstat`)),
      rssKiB: parseRssKiB(readFileSync(`/proc/${pid}/status`, 'utf8')),
      ...parseIoCalls(readOr(`/proc/${pid}/io`)),
    };
  } catch {
    return null;
  }
}

export function openFiles(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

export function processLabel(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const interesting = argv.filter((a) => !a.endsWith('/node') && a !== 'node');
    return interesting
      .map((a) => a.split('/').pop() as string)
      .join(' ')
      .slice(0, 60);
  } catch {
    return `pid ${pid}`;
  }
}

export function readLimits(pid: number | 'self'): string {
  try {
    return readFileSync(`/proc/${pid}/limits`, 'utf8');
  } catch {
    return '';
  }
}

/** Clock ticks per second (USER_HZ); 100 on every Linux this runs on, asked for anyway. */
export function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

export interface ListenCounters {
  /** SYNs or handshakes dropped because a listener's accept queue was full. */
  overflows: number;
  /** Every connection a listener dropped (overflows included). */
  drops: number;
}

/** TcpExt ListenOverflows and ListenDrops from /proc/net/netstat (this network namespace). */
export function parseListenCounters(netstat: string): ListenCounters | null {
  const lines = netstat.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const keys = (lines[i] as string).trim().split(/\s+/);
    if (keys[0] !== 'TcpExt:') continue;
    const values = (lines[i + 1] as string).trim().split(/\s+/);
    const at = (k: string) => {
      const j = keys.indexOf(k);
      return j > 0 ? Number(values[j]) : NaN;
    };
    const overflows = at('ListenOverflows');
    const drops = at('ListenDrops');
    return Number.isNaN(overflows) || Number.isNaN(drops) ? null : { overflows, drops };
  }
  return null;
}

export function listenCounters(): ListenCounters | null {
  try {
    return parseListenCounters(readFileSync('/proc/net/netstat', 'utf8'));
  } catch {
    return null;
  }
}

/** CPU time of the whole machine, all cores together, in clock ticks. */
export interface MachineSample {
  busy: number;
  total: number;
  /** The farm's parent process (the workers report their own). */
  self: number;
}

/** The aggregate `cpu` line of /proc/stat: busy = user, nice, system, irq, softirq, steal. */
export function parseMachineTicks(stat: string): { busy: number; total: number } | null {
  const m = /^cpu\s+(.+)$/m.exec(stat);
  if (!m) return null;
  const f = (m[1] as string).trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export function sampleMachine(): MachineSample | null {
  try {
    const m = parseMachineTicks(readFileSync('/proc/stat', 'utf8'));
    const self = parseStatTicks(readFileSync('/proc/self/stat', 'utf8'));
    return m ? { ...m, self } : null;
  } catch {
    return null;
  }
}

/** The 1-minute load average (runnable processes), a quick sign of others' work on the machine. */
export function loadAverage(): number | null {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}
