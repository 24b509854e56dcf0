// One worker process of the farm: runs its share of the bots (bot i belongs to worker i mod W),
// starts each login at its time in the ramp, paces moves, chat, whispers and avatar changes
// evenly over their periods, and sends the parent one Sample per second of the run.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Bot, type BotHost } from './bot.js';
import type { FromWorker, ResolvedLogin, ToWorker, WorkerSetup } from './messages.js';
import type { FarmOptions } from './options.js';
import { botPlan, botsOfWorker, loginOffsetMs } from './plan.js';
import { Tally, type Sample } from './stats.js';

const SCHEDULER_MS = 20;
/** How long to wait at the end for chat echoes and whispers still on their way. */
const DRAIN_MS = 2_000;
/** How long bots may take to say goodbye before their sockets are destroyed. */
const LEAVE_MS = 5_000;

/** Runs `act` on `count(elapsed)` bots per call, round robin, spreading each bot's period evenly. */
class Pacer {
  private due = 0;
  private cursor = 0;

  constructor(
    private readonly periodMs: number,
    private readonly act: (b: Bot, online: readonly Bot[]) => void,
  ) {}

  run(online: readonly Bot[], elapsedMs: number): void {
    if (this.periodMs <= 0 || online.length === 0) return;
    this.due += (online.length * elapsedMs) / this.periodMs;
    // After a long stall catch up at most one round: a burst would distort what is measured.
    const n = Math.min(Math.floor(this.due), online.length);
    this.due -= Math.floor(this.due);
    for (let i = 0; i < n; i++) {
      this.cursor = this.cursor >= online.length ? 0 : this.cursor;
      this.act(online[this.cursor++] as Bot, online);
    }
  }
}

class Worker implements BotHost {
  readonly tally = new Tally();
  stopping = false;
  readonly options: FarmOptions;
  readonly login: ResolvedLogin;
  private readonly bots: Bot[];
  private readonly online: Bot[] = [];
  private nextLogin = 0;
  private pending = 0;
  private readonly maxPending: number;
  /** Worst lateness of a login start since the last sample. */
  private rampLag = 0;
  private readonly pacers: Pacer[];
  private scheduler: NodeJS.Timeout | null = null;
  private lastRun = performance.now();
  private second = 0;
  private sampleTimer: NodeJS.Timeout | null = null;
  private lastSampleAt = performance.now();
  private botSeconds = 0;
  private onlineSince = performance.now();
  private cpu = process.cpuUsage();
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });
  /** Run totals of what must come back before the end (samples reset the tally). */
  private readonly totals = { chatsSent: 0, echoes: 0, whispersSent: 0, whispersIn: 0 };

  constructor(private readonly setup: WorkerSetup) {
    this.options = setup.options;
    this.login = setup.login;
    const o = this.options;
    this.bots = botsOfWorker(setup.worker, setup.workers, o.bots).map(
      (i) => new Bot(botPlan(o, i), this, setup.serials[i]),
    );
    this.maxPending = Math.max(1, Math.ceil(o.maxPending / setup.workers));
    this.pacers = [
      new Pacer(o.moveEveryS * 1000, (b) => b.move()),
      new Pacer(o.chatEveryS * 1000, (b) => b.say()),
      new Pacer(o.whisperEveryS * 1000, (b, online) => {
        if (online.length < 2) return;
        let to = online[Math.floor(Math.random() * online.length)] as Bot;
        if (to === b) to = online[(to.slot + 1) % online.length] as Bot;
        b.whisper(to.name);
      }),
      new Pacer(o.avatarEveryS * 1000, (b) => b.changeAvatar()),
    ];
  }

  get index(): number {
    return this.setup.worker;
  }

  start(): void {
    this.loop.enable();
    const wait = Math.max(0, this.setup.startAt - Date.now());
    setTimeout(() => {
      this.lastRun = performance.now();
      this.lastSampleAt = performance.now();
      this.onlineSince = performance.now();
      this.cpu = process.cpuUsage();
      this.loop.reset();
      this.scheduler = setInterval(() => this.run(), SCHEDULER_MS);
      this.scheduleSample();
    }, wait);
  }

  private run(): void {
    const now = performance.now();
    const elapsed = now - this.lastRun;
    this.lastRun = now;
    this.launchDue();
    if (this.stopping) return;
    for (const p of this.pacers) p.run(this.online, elapsed);
  }

  private launchDue(): void {
    if (this.stopping) return;
    const since = Date.now() - this.setup.startAt;
    while (this.nextLogin < this.bots.length && this.pending < this.maxPending) {
      const bot = this.bots[this.nextLogin] as Bot;
      const offset = loginOffsetMs(bot.plan.index, this.options.rate);
      if (offset > since) break;
      if (since - offset > this.rampLag) this.rampLag = since - offset;
      this.nextLogin++;
      this.pending++;
      void bot.login().finally(() => this.pending--);
    }
  }

  /**
   * Joins the round robin at a random place: bots of one room log in one after the other, and in
   * login order they would all move in the same few milliseconds of every second, which real users
   * never do (the viewer would see one batch a second whatever the update interval).
   */
  cameOnline(b: Bot): void {
    this.integrate();
    const j = Math.floor(Math.random() * (this.online.length + 1));
    const displaced = this.online[j];
    this.online[j] = b;
    b.slot = j;
    if (displaced) {
      displaced.slot = this.online.length;
      this.online.push(displaced);
    }
  }

  wentOffline(b: Bot): void {
    if (b.slot < 0) return;
    this.integrate();
    const last = this.online.pop() as Bot;
    if (last !== b) {
      this.online[b.slot] = last;
      last.slot = b.slot;
    }
    b.slot = -1;
  }

  /** Adds bots × time since the online count last changed. */
  private integrate(): void {
    const now = performance.now();
    this.botSeconds += (this.online.length * (now - this.onlineSince)) / 1000;
    this.onlineSince = now;
  }

  private scheduleSample(): void {
    const due = this.setup.startAt + (this.second + 1) * 1000;
    this.sampleTimer = setTimeout(
      () => {
        this.second++;
        void send({ type: 'sample', sample: this.sample(this.second) });
        if (!this.stopping) this.scheduleSample();
      },
      Math.max(0, due - Date.now()),
    );
  }

  private sample(second: number): Sample {
    this.integrate();
    const now = performance.now();
    let bytesIn = 0;
    let bytesOut = 0;
    for (const b of this.bots) {
      if (b.state === 'waiting') continue;
      const { read, written } = b.takeBytes();
      bytesIn += read;
      bytesOut += written;
    }
    const cpu = process.cpuUsage(this.cpu);
    this.cpu = process.cpuUsage();
    const taken = this.tally.take();
    for (const k of ['chatsSent', 'echoes', 'whispersSent', 'whispersIn'] as const) this.totals[k] += taken.counts[k];
    taken.counts.bytesIn += bytesIn;
    taken.counts.bytesOut += bytesOut;
    const s: Sample = {
      worker: this.setup.worker,
      second,
      dtS: (now - this.lastSampleAt) / 1000,
      online: this.online.length,
      pending: this.pending,
      botSeconds: this.botSeconds,
      ...taken,
      cpuUs: cpu.user + cpu.system,
      kernelUs: cpu.system,
      loopDelayMaxMs: this.loop.max / 1e6,
      rampLagMaxMs: this.rampLag,
    };
    this.rampLag = 0;
    this.loop.reset();
    this.botSeconds = 0;
    this.lastSampleAt = now;
    return s;
  }

  /** Stop moving and talking, let answers in flight arrive, report, say goodbye, exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sampleTimer) clearTimeout(this.sampleTimer);
    const until = performance.now() + DRAIN_MS;
    while (performance.now() < until && !this.drained()) await sleep(50);
    if (this.scheduler) clearInterval(this.scheduler);
    const unfinishedLogins = this.pending;
    void send({ type: 'final', sample: this.sample(this.second + 1), unfinishedLogins });
    const left = Promise.all(this.bots.map((b) => b.leave()));
    await Promise.race([left, sleep(LEAVE_MS)]);
    for (const b of this.bots) b.crash();
    await send({ type: 'done', worker: this.setup.worker });
  }

  /** Every chat line and whisper sent so far has come back (or been delivered). */
  private drained(): boolean {
    const c = this.tally.counts;
    const t = this.totals;
    return (
      t.chatsSent + c.chatsSent <= t.echoes + c.echoes && t.whispersSent + c.whispersSent <= t.whispersIn + c.whispersIn
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function send(m: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

let worker: Worker | null = null;
process.on('message', (m: ToWorker) => {
  if (m.type === 'setup') {
    worker = new Worker(m.setup);
    worker.start();
  } else if (m.type === 'stop') {
    void worker?.stop().then(() => process.exit(0));
  }
});
process.on('disconnect', () => {
  // The parent is gone: nothing may outlive it.
  if (!worker?.stopping) process.exit(1);
});
process.on('uncaughtException', (err) => {
  void send({ type: 'fatal', worker: worker?.index ?? -1, message: err.stack ?? err.message }).then(() =>
    process.exit(1),
  );
});
void send({ type: 'ready', worker: -1 });
