// `npm start`: runs a working world on the shipped configuration in ./run/ (logs and the embedded
// database live there), with each server's output on this terminal. Ctrl-C stops them cleanly.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = join(root, 'run');
mkdirSync(run, { recursive: true });
if (!existsSync(join(run, 'moth'))) copyFileSync(join(root, 'wc_config', 'moth'), join(run, 'moth'));

const servers = [
  { name: 'RoomServer', main: 'dist/roomserver/main.js', cfg: 'wc_config/standaloneRS.cfg', port: 5100 },
];
const children = [];

function start(s) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(process.execPath, [join(root, s.main), join(root, s.cfg)], {
      cwd: run,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      process.stdout.write(d.replace(/^(?=.)/gm, `[${s.name}] `));
      text += d;
      if (text.includes('Redirecting server output to file')) resolveStart(child);
    });
    child.on('exit', (code) => {
      if (!text.includes('Redirecting')) reject(new Error(`${s.name} exited with status ${code}`));
      else if (!stopping) console.error(`[${s.name}] exited with status ${code}`);
    });
  });
}

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping: each server finishes its work and exits.');
  for (const c of children) c.kill('SIGTERM');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

try {
  for (const s of servers) await start(s);
} catch (err) {
  console.error(String(err.message));
  stop();
  process.exitCode = 1;
}
if (!stopping) {
  const addrs = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4')
    .map((a) => a.address);
  console.log(`\nThe world is up. Logs: ${run}/*.log (tail -f them); Ctrl-C to stop.`);
  console.log(
    `Point a WorldsPlayer at one of: ${addrs.map((a) => `worldserver://${a}:${servers[0].port}/`).join('  ')}`,
  );
  console.log("(set WorldServer=... in the client's override.ini)");
}
await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r)))));
