// Signals as the guide describes them (AG-36, AG-37): `kill pid` (SIGTERM) or Ctrl-C shuts down
// cleanly, finishing all database work first, and a repeated kill does not interrupt it;
// `kill -USR1 pid` toggles command logging into the .out file; `kill -HUP pid` reopens the log
// files, re-reads the message of the hour and reloads the configuration (AG-21, AG-29, AG-35).

import type { ServerLog } from './log.js';

export interface LifecycleHooks {
  log: ServerLog;
  /** Orderly shutdown: stop accepting, close clients, finish database work. */
  shutdown(reason: string): Promise<void>;
  toggleTracing(): void;
  /** SIGHUP: reopen the logs, re-read the message of the hour and the configuration file. */
  hangup(): void;
  /** Longest a shutdown may take before the process gives up and exits non-zero. */
  shutdownWatchdogMs?: number;
}

export function installLifecycle(h: LifecycleHooks): { shutdown(reason: string): Promise<void> } {
  let shuttingDown: Promise<void> | null = null;

  const shutdown = (reason: string): Promise<void> => {
    if (shuttingDown) {
      h.log.event(`${reason} received while shutting down; still finishing database work, please wait`);
      return shuttingDown;
    }
    h.log.event(`Shutting down (${reason})`);
    const watchdog = setTimeout(() => {
      h.log.event('Shutdown did not finish in time; exiting without completing it');
      h.log.close();
      process.exit(1);
    }, h.shutdownWatchdogMs ?? 300_000);
    watchdog.unref();
    shuttingDown = h
      .shutdown(reason)
      .then(() => {
        h.log.event('Shutdown complete');
        h.log.close();
        process.exit(0);
      })
      .catch((err: unknown) => {
        h.log.error(null, `shutdown failed: ${describe(err)}`);
        h.log.close();
        process.exit(1);
      });
    return shuttingDown;
  };

  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    if (!shuttingDown) h.hangup();
  });
  process.on('SIGUSR1', () => h.toggleTracing());
  // A throw in synchronous code may have left shared state half-updated: exit. A rejected promise
  // nobody handled failed one piece of asynchronous work whose stack has already unwound: log it
  // with its stack and keep serving everyone else.
  process.on('uncaughtException', (err) => fatal(h.log, err));
  process.on('unhandledRejection', (err) => {
    h.log.error(null, `internal error (unhandled rejection), server continues: ${describe(err)}`);
    if (err instanceof Error && err.stack) h.log.debug(err.stack);
  });
  return { shutdown };
}

function fatal(log: ServerLog, err: unknown): never {
  log.error(null, `internal error, exiting: ${describe(err)}`);
  if (err instanceof Error && err.stack) log.debug(err.stack);
  log.close();
  process.exit(1);
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
