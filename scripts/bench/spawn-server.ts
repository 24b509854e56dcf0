// A US_v11 or RS_v11 started for a benchmark in a temporary working directory (its log files land
// there), as an operator would start it: the bot farm's --spawn-rs and the scripts that replay
// attacks or churn (bench-abuse, bench-room-churn, load-roomserver) all start theirs here. The
// server's printed particulars give its ports and log file; it is ready once its log says so.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { projectRoot } from '../farm/root.js';

export interface BenchServer {
  proc: ChildProcess;
  pid: number;
  /** Ports by what the particulars say they listen for: `users`, `RoomServers`, `status`… */
  ports: Record<string, number>;
  /** The users port, and the address it is bound to. */
  port: number;
  host: string;
  dir: string;
  /** What the server printed before it redirected its output to its log. */
  particulars: string;
  /** Its log file and its debug output (AG-3). */
  log: string;
  debugOut: string;
  stop(): Promise<number | string>;
}

export interface SpawnOptions {
  kind: 'RS' | 'US';
  /** A configuration file, or the text of one (written to `bench.cfg` in the directory). */
  config: { path: string } | { text: string };
  /** Prefix of the temporary directory's name. */
  dirPrefix?: string;
  /** Another build's `main.js` (to compare checkouts); this one's by default. */
  main?: string;
  env?: NodeJS.ProcessEnv;
  startupMs?: number;
  /** Looks at what the server printed before it is ready: a reason not to go on, or null. */
  refuse?: (particulars: string) => string | null;
}

export async function spawnServer(o: SpawnOptions): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), o.dirPrefix ?? `bench-${o.kind.toLowerCase()}-`));
  let cfg: string;
  if ('path' in o.config) cfg = resolve(o.config.path);
  else {
    cfg = join(dir, 'bench.cfg');
    writeFileSync(cfg, o.config.text.endsWith('\n') ? o.config.text : `${o.config.text}\n`);
  }
  const main = o.main ?? join(projectRoot(), 'dist', o.kind === 'US' ? 'userserver' : 'roomserver', 'main.js');
  const proc = spawn(process.execPath, [main, cfg], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: o.env ?? process.env,
  });
  let out = '';
  let err = '';
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((res) => proc.on('exit', (code, sig) => res(code ?? sig ?? 'unknown')));
  const fail = (why: string): never => {
    proc.kill('SIGKILL');
    throw new Error(`${o.kind}_v11 ${cfg} ${why}:\n${out}${err}`);
  };
  const deadline = Date.now() + (o.startupMs ?? 15_000);
  const redirected = await new Promise<boolean>((res) => {
    const timer = setTimeout(() => res(false), deadline - Date.now());
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('Redirecting server output to file')) {
        clearTimeout(timer);
        res(true);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      res(false);
    });
  });
  if (!redirected) fail('did not start');
  const ports = Object.fromEntries(
    [...out.matchAll(/Listening for (\S+) on (\S*):(\d+)/g)].map((m) => [m[1] as string, Number(m[3])]),
  );
  const users = /Listening for users on (\S*):(\d+)/.exec(out);
  const base = /Log file: (\S+)\.log/.exec(out)?.[1];
  if (!users || !base) return fail('printed no users port or log file');
  const refusal = o.refuse?.(out);
  if (refusal) {
    proc.kill('SIGTERM');
    throw new Error(refusal);
  }
  const log = join(dir, `${base}.log`);
  while (!/^Ready to serve$/m.test(existsSync(log) ? readFileSync(log, 'utf8') : '')) {
    if (proc.exitCode !== null || Date.now() > deadline) fail('was not ready to serve');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    pid: proc.pid as number,
    ports,
    port: Number(users[2]),
    host: users[1] as string,
    dir,
    particulars: out,
    log,
    debugOut: join(dir, `${base}.out`),
    stop: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
