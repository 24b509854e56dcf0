// The process's open-file limit (ulimit -n) as a budget for client sockets. A server that reaches
// the limit cannot accept: libuv then takes each pending connection and closes it at once, without
// telling the program, so clients would be dropped with no line in any log (issue 6 finding 10).
// So the servers stop short of it: a socket that would leave fewer than MARGIN descriptors free is
// refused by the server itself, which logs it (once per window) and serves the others on.

import { readdirSync, readFileSync } from 'node:fs';

/** Descriptors kept free for what the server opens besides client sockets (database, links, logs). */
export const MARGIN = 32;

/** The soft open-file limit, or null when it cannot be read (not Linux) or is unlimited. */
export function openFileLimit(limitsText?: string): number | null {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return null;
    }
  }
  const m = /^Max open files\s+(\S+)/m.exec(text);
  if (!m || m[1] === 'unlimited') return null;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : null;
}

/** Descriptors open now, or null when they cannot be counted. */
export function openFiles(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

export class FileBudget {
  /** Client sockets that fit: the limit less what was open at start and the margin. */
  readonly sockets: number;

  constructor(
    readonly limit: number | null = openFileLimit(),
    baseline: number | null = openFiles(),
  ) {
    this.sockets = limit === null ? Infinity : Math.max(0, limit - (baseline ?? 0) - MARGIN);
  }

  /** Why `open` client sockets leave no room for one more; null while there is room. */
  refusal(open: number): string | null {
    if (open < this.sockets) return null;
    return `the process's open-file limit is nearly reached (ulimit -n ${this.limit}, ${open} client sockets open); raise the limit or lower Connections`;
  }

  /** A startup warning when `Connections` cannot all be served under the limit, else null. */
  warning(connections: number): string | null {
    if (connections <= this.sockets) return null;
    return `WARNING: Connections allows ${connections} connections but the open-file limit (ulimit -n ${this.limit}) leaves room for about ${this.sockets}; raise it (ulimit -n, or LimitNOFILE in a systemd unit)`;
  }
}
