// `npm start`: the guide's deployment on the shipped configuration: one UserServer
// (wc_config/PrivateUS.cfg) and two RoomServers (firstRS.cfg, secondRS.cfg) on the embedded
// database, all in ./run/ (logs and world.db live there), their screen output on this terminal.
// On first run the database gets its tables and 20 serial numbers, so accounts can be registered.
// Ctrl-C stops every server cleanly.
//
//   npm start                 the full WorldServer (UserServer on 5110, RoomServers on 5100/5101)
//   npm start -- standalone   one stand-alone anonymous RoomServer on 5100
//   npm start -- redundant    two redundant WorldServers (AG-23): East (EastUS.cfg, eastRS.cfg) on
//                             127.0.0.1 and West (WestUS.cfg, westRS.cfg) on 127.0.0.2, both on 5110
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = join(root, 'run');
mkdirSync(run, { recursive: true });
if (!existsSync(join(run, 'moth'))) copyFileSync(join(root, 'wc_config', 'moth'), join(run, 'moth'));

const standalone = process.argv.includes('standalone');
const redundant = process.argv.includes('redundant');
const US = 'dist/userserver/main.js';
const RS = 'dist/roomserver/main.js';
const servers = standalone
  ? [{ name: 'RoomServer', main: RS, cfg: 'wc_config/standaloneRS.cfg' }]
  : redundant
    ? [
        // East is the BackupServer: West, the BackupClient, links to it as soon as it is up.
        { name: 'East', main: US, cfg: 'wc_config/EastUS.cfg' },
        { name: 'east', main: RS, cfg: 'wc_config/eastRS.cfg' },
        { name: 'West', main: US, cfg: 'wc_config/WestUS.cfg' },
        { name: 'west', main: RS, cfg: 'wc_config/westRS.cfg' },
      ]
    : [
        { name: 'UserServer', main: US, cfg: 'wc_config/PrivateUS.cfg' },
        { name: 'first', main: RS, cfg: 'wc_config/firstRS.cfg' },
        { name: 'second', main: RS, cfg: 'wc_config/secondRS.cfg' },
      ];

/** First run: the tables of sql/*.sql and a batch of serials, so that users can register. */
function prepareDatabase() {
  const file = join(run, 'world.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const has = (t) => db.prepare("select 1 from sqlite_master where type = 'table' and lower(name) = lower(?)").get(t);
  if (!has('UserRegistration')) db.exec(readFileSync(join(root, 'sql', 'createUserTables.sql'), 'utf8'));
  if (!has('RoomProperties')) db.exec(readFileSync(join(root, 'sql', 'createRoomTables.sql'), 'utf8'));
  const free = db.prepare("select count(*) n from SerialNumbers where serialStatus = '0'").get().n;
  if (free === 0) {
    const seed = randomBytes(16).toString('hex');
    execFileSync(process.execPath, [
      join(root, 'scripts', 'SerialGen.mjs'),
      '--seed',
      seed,
      '--prefix',
      'PRIV',
      '--count',
      '20',
      '--dialect',
      'sqlite',
      '--out',
      run,
      '--start',
      String(Date.now() % 1e6),
    ]);
    db.exec(readFileSync(join(run, 'NewSerials.sql'), 'utf8'));
  }
  const serials = db
    .prepare("select serialNumber s from SerialNumbers where serialStatus = '0' order by serialNumber limit 5")
    .all()
    .map((r) => r.s);
  db.close();
  return serials;
}

const children = [];
const statusPages = [];
let stopping = false;

function start(s) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(process.execPath, [join(root, s.main), join(root, s.cfg)], {
      cwd: run,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let text = '';
    let poll = null;
    child.stdout.setEncoding('utf8').on('data', (d) => {
      process.stdout.write(d.replace(/^(?=.)/gm, `[${s.name}] `));
      text += d;
      const log = /Log file: (\S+\.log)/.exec(text);
      if (log && text.includes('Redirecting') && !poll) {
        // Wait for "Ready to serve": RoomServers need a UserServer that accepts them.
        poll = setInterval(() => {
          const path = join(run, log[1]);
          if (existsSync(path) && /^Ready to serve$/m.test(readFileSync(path, 'utf8'))) {
            clearInterval(poll);
            const status = /Listening for status on (\S+):(\d+)/.exec(text);
            if (status) statusPages.push(`${s.name}: http://${status[1]}:${status[2]}/`);
            resolveStart(child);
          }
        }, 100);
      }
    });
    child.on('exit', (code) => {
      if (poll) clearInterval(poll);
      if (!stopping) {
        console.error(`[${s.name}] exited with status ${code}`);
        reject(new Error(`${s.name} stopped`));
      }
    });
  });
}

function stop() {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping: each server finishes its database work and exits.');
  for (const c of [...children].reverse()) c.kill('SIGTERM');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const serials = standalone ? [] : prepareDatabase();
try {
  for (const s of servers) await start(s);
  const addrs = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4')
    .map((a) => a.address);
  const port = standalone ? 5100 : 5110;
  console.log(`\nThe world is up. Logs: ${run}/*.log (tail -f them); Ctrl-C to stop.`);
  if (redundant) {
    const pid = (name) => children[servers.findIndex((s) => s.name === name)]?.pid;
    console.log(
      `Point a WorldsPlayer at: worldserver://127.0.0.1;127.0.0.2:${port}/ (both WorldServers; the first to answer)`,
    );
    console.log(`To see a failover: kill -9 ${pid('East')} (East's UserServer): its users log in again through West;`);
    console.log(`then start it again: (cd run && node ../${US} ../wc_config/EastUS.cfg) and the two link up again.`);
  } else console.log(`Point a WorldsPlayer at: ${addrs.map((a) => `worldserver://${a}:${port}/`).join('  ')}`);
  console.log("(WorldServer=... in the client's override.ini)");
  if (statusPages.length) console.log(`Status pages (statistics, /metrics for Prometheus): ${statusPages.join('  ')}`);
  if (!standalone) {
    console.log('\nTo register an account: in the client choose New User and give one of these serial numbers as the');
    console.log('codeword (a codeword longer than 6 characters is taken as the serial). Or log in as "guest".');
    for (const s of serials) console.log(`  ${s}`);
    console.log(
      `More: sqlite3 ${join(run, 'world.db')} "select serialNumber from SerialNumbers where serialStatus = '0';"`,
    );
  }
} catch (err) {
  console.error(String(err.message));
  stop();
  process.exitCode = 1;
}
await Promise.all(
  children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.on('exit', r)))),
);
