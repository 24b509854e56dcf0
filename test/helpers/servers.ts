// Starts the compiled servers as real processes (`node dist/.../main.js <cfg>`), each in its own
// temporary working directory on an ephemeral port, and waits for what they print and log.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RS_MAIN = join(ROOT, 'dist', 'roomserver', 'main.js');
export const US_MAIN = join(ROOT, 'dist', 'userserver', 'main.js');

export interface ServerProcess {
  proc: ChildProcess;
  pid: number;
  dir: string;
  port: number;
  /** Every port the server printed, by what it listens for ("users", "RoomServers"). */
  ports: Map<string, number>;
  logPath: string;
  outPath: string;
  stdout(): string;
  stderr(): string;
  log(): string;
  out(): string;
  waitLog(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  waitOut(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
  stop(): Promise<number | string>;
}

export function tempDir(prefix = 'ws-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Resolves when `path` contains text matching `re` (file-change events, with a slow poll as backstop). */
export function waitForFile(path: string, re: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    let watcher: ReturnType<typeof watch> | null = null;
    let poll: NodeJS.Timeout | null = null;
    const done = (err: Error | null, m?: RegExpMatchArray) => {
      watcher?.close();
      if (poll) clearInterval(poll);
      clearTimeout(timer);
      if (err) reject(err);
      else resolvePromise(m as RegExpMatchArray);
    };
    const check = () => {
      if (!existsSync(path)) return;
      const m = readFileSync(path, 'utf8').match(re);
      if (m) done(null, m);
    };
    const timer = setTimeout(() => {
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '<missing>';
      done(new Error(`timed out waiting for ${re} in ${path}; it holds:\n${text.slice(-2000)}`));
    }, timeoutMs);
    try {
      watcher = watch(dirname(path), () => check());
    } catch {
      watcher = null;
    }
    poll = setInterval(check, 200);
    check();
  });
}

export interface StartOptions {
  dir?: string;
  /** Config file name inside the working directory. */
  cfgName?: string;
  /** Extra files to create in the working directory. */
  files?: Record<string, string>;
  args?: string[];
  /** Resolve once stdout says it redirected (default) or only once the log says Ready. */
  waitReady?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Open-file limit of the process (ulimit -n), to drive it into EMFILE. */
  fileLimit?: number;
}

export async function startServer(
  main: string,
  kind: 'RS' | 'US',
  cfg: string,
  opts: StartOptions = {},
): Promise<ServerProcess> {
  const dir = opts.dir ?? tempDir();
  const cfgName = opts.cfgName ?? `test${kind}.cfg`;
  writeFileSync(join(dir, cfgName), cfg);
  for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), text);
  const argv = [main, cfgName, ...(opts.args ?? [])];
  // The shell sets the limit, then becomes node (exec): the pid is the server's.
  const [cmd, args] =
    opts.fileLimit === undefined
      ? [process.execPath, argv]
      : ['/bin/sh', ['-c', `ulimit -n ${opts.fileLimit} && exec "$0" "$@"`, process.execPath, ...argv]];
  const proc = spawn(cmd, args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
  });
  let stdout = '';
  let stderr = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | string>((res) =>
    proc.on('exit', (code, signal) => res(code ?? signal ?? 'unknown')),
  );
  const pid = proc.pid as number;
  const redirected = await new Promise<boolean>((res) => {
    const onData = () => {
      if (
        stdout.includes('Redirecting server output to file') ||
        ((opts.args ?? []).includes('--stdout') && /Listening/.test(stdout))
      ) {
        proc.stdout?.off('data', onData);
        res(true);
      }
    };
    proc.stdout?.on('data', onData);
    void exited.then(() => res(false));
  });
  if (!redirected) {
    await exited;
    throw new Error(`${kind} exited during startup:\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
  const ports = new Map<string, number>();
  for (const m of stdout.matchAll(/Listening for (\S+) on \S*:(\d+)/g)) ports.set(m[1] as string, Number(m[2]));
  // `--stdout` names no .log file; the .out file is always named.
  const name = /debug output: (\S+)\.out/.exec(stdout)?.[1] ?? '';
  const logPath = join(dir, `${name}.log`);
  const outPath = join(dir, `${name}.out`);
  const sp: ServerProcess = {
    proc,
    pid,
    dir,
    port: ports.get('users') ?? 0,
    ports,
    logPath,
    outPath,
    stdout: () => stdout,
    stderr: () => stderr,
    log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    out: () => (existsSync(outPath) ? readFileSync(outPath, 'utf8') : ''),
    waitLog: (re, t) => waitForFile(logPath, re, t),
    waitOut: (re, t) => waitForFile(outPath, re, t),
    exited,
    kill: (signal = 'SIGTERM') => void proc.kill(signal),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
  if (opts.waitReady !== false) await sp.waitLog(/^Ready to serve$/m);
  return sp;
}

/** Runs a server binary to completion (for configuration errors). */
export function runToExit(
  main: string,
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const proc = spawn(process.execPath, [main, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.on('exit', (code) => res({ code, stdout, stderr }));
  });
}

/**
 * Per-address limits protect a public server from one address; a test suite talks to its servers
 * from 127.0.0.1 all day, so tests get wide ones unless their own lines set the keyword (the
 * tests of the limits themselves).
 */
export const TEST_LIMITS: readonly string[] = ['AddressLimit 100000 100000'];

/** `extra` followed by each line of `limits` whose keyword `extra` does not set itself. */
export function withTestLimits(extra: string, limits: readonly string[] = TEST_LIMITS): string {
  const set = new Set(
    extra
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0]?.toLowerCase() ?? '')
      .filter((k) => k !== '' && !k.startsWith('#')),
  );
  return [extra, ...limits.filter((l) => !set.has((l.split(' ')[0] as string).toLowerCase()))].join('\n');
}

export function standaloneConfig(extra = ''): string {
  return ['Server Testworld', 'Users 0', 'BindAddr 127.0.0.1', 'ClientUpdates 24 50000', withTestLimits(extra)].join(
    '\n',
  );
}
