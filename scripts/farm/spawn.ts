// --spawn-rs: a stand-alone RS_v11 started for the run, in a temporary working directory (its log
// files land there), so that one command measures one configuration. The farm reads the port and
// pid the server prints and stops it with SIGTERM at the end, as an operator would.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isLoopback } from './addresses.js';
import { projectRoot } from './root.js';

export interface SpawnedServer {
  proc: ChildProcess;
  pid: number;
  port: number;
  host: string;
  dir: string;
  stop(): Promise<number | string>;
}

const STARTUP_MS = 15_000;

export async function spawnRoomServer(configPath: string): Promise<SpawnedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'botfarm-rs-'));
  const cfg = resolve(configPath);
  const proc = spawn(process.execPath, [join(projectRoot(), 'dist', 'roomserver', 'main.js'), cfg], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((res) => proc.on('exit', (code, sig) => res(code ?? sig ?? 'unknown')));
  const listening = await new Promise<RegExpExecArray | null>((res) => {
    const timer = setTimeout(() => res(null), STARTUP_MS);
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /Listening for users on ([^:\s]+):(\d+)/.exec(out);
      if (m && out.includes('Redirecting server output to file')) {
        clearTimeout(timer);
        res(m);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      res(null);
    });
  });
  if (!listening) {
    proc.kill('SIGKILL');
    throw new Error(`RS_v11 ${configPath} did not start:\n${out}${err}`);
  }
  if (/UserServer: \d/.test(out)) {
    proc.kill('SIGTERM');
    throw new Error(`${configPath} has a UserServer line: --spawn-rs is for stand-alone RoomServers`);
  }
  const bound = listening[1] as string;
  const host = isLoopback(bound) ? bound : '127.0.0.1';
  return {
    proc,
    pid: proc.pid as number,
    port: Number(listening[2]),
    host,
    dir,
    stop: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
