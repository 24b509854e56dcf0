// What the farm's parent and its worker processes tell each other over the IPC channel.

import type { FarmOptions } from './options.js';
import type { Sample } from './stats.js';

/** How bots log in, decided once by the parent from the entry server's type (§4.3). */
export type ResolvedLogin = 'direct' | 'register' | 'authenticate' | 'guest' | 'anonymous';

export interface WorkerSetup {
  worker: number;
  workers: number;
  options: FarmOptions;
  login: ResolvedLogin;
  /** Serial for each bot index this worker runs (registration only). */
  serials: Record<number, string>;
  /** Epoch ms of second 0: bot i starts to log in at startAt + i / rate. */
  startAt: number;
}

export type ToWorker = { type: 'setup'; setup: WorkerSetup } | { type: 'stop' };

export type FromWorker =
  | { type: 'ready'; worker: number }
  | { type: 'sample'; sample: Sample }
  /** The worker stopped its bots; the last sample covers the drain. */
  | { type: 'final'; sample: Sample; unfinishedLogins: number }
  | { type: 'done'; worker: number }
  | { type: 'fatal'; worker: number; message: string };
