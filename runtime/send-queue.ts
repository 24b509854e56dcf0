// The slow-consumer rule (ENGINEERING.md practice 9), applied wherever a socket's queue is: by the
// main thread's Connection, or by the I/O thread when the sockets live there (IoThread on). One
// wording for both, so the log reads the same either way.

export interface SendQueueLimits {
  readonly sendQueueBytes: number;
  readonly drainTimeoutMs: number;
}

interface Queue {
  readonly writableLength: number;
}

/** Why a socket must be dropped right after a write (its queue passed the cap), or null. */
export function overQueue(q: Queue, limits: SendQueueLimits): string | null {
  return q.writableLength > limits.sendQueueBytes
    ? `send queue over ${limits.sendQueueBytes} bytes (client not reading)`
    : null;
}

/** A deadline for a queue that must drain: `drop` is called with the reason unless it is cleared first. */
export function drainDeadline(limits: SendQueueLimits, drop: (detail: string) => void): NodeJS.Timeout {
  const timer = setTimeout(
    () => drop(`send queue not drained within ${limits.drainTimeoutMs} ms`),
    limits.drainTimeoutMs,
  );
  timer.unref();
  return timer;
}
