// SerialGen (AG-39, guide "Generating Serial Numbers"): serial numbers for the SerialNumbers table.
//
//   scripts/SerialGen --seed <secret> --prefix QAQA --count 1000 [--start 0] [--out dir] [--dialect oracle|sqlite]
//
// A serial is the 4-letter prefix and 12 digits: 10 body digits and 2 check digits.
// - Body: the serial's index (start, start+1, ...) put through a keyed permutation of 0..10^10-1
//   (an 8-round Feistel network on two 5-digit halves, rounds keyed by HMAC-SHA256 of the seed and
//   prefix). A permutation cannot repeat, so no two indices of one seed and prefix share a serial,
//   and the same seed always gives the same list; batches with different --start never overlap.
// - Check: HMAC-SHA256(seed, prefix + body) mod 100. A guessed serial passes it once in a hundred
//   tries even before the database is asked, and `--verify` tells a typo from a real serial for
//   whoever holds the seed. Without the seed the digits look random.
// The seed itself is never written out; files name it by an id (the first 8 hex digits of its
// SHA-256) so batches can be told apart.
//
// Files written (to --out, default the current directory):
//   NewSerials.sql          INSERTs of free serials (userName 'none', serialStatus '0') for
//                           `@NewSerials` in SQL*Plus, ending in COMMIT; with --dialect sqlite
//                           wrapped in BEGIN TRANSACTION; ... COMMIT; for `sqlite3 users.db < NewSerials.sql`,
//                           because sqlite3 rejects a COMMIT with no transaction open.
//   serials-master.txt      for administrators: index, serial, date generated, seed id.
//   serials-production.txt  for production of the client packaging: one serial per line.

import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

const HALF = 100_000; // 5 digits
const BODY_SPACE = HALF * HALF; // 10 digits
const ROUNDS = 8;

const hmac = (key, text) => createHmac('sha256', key).update(text).digest();

/** A bijection of 0..BODY_SPACE-1 keyed by seed and prefix. */
function permute(index, seed, prefix) {
  let left = Math.floor(index / HALF);
  let right = index % HALF;
  for (let round = 0; round < ROUNDS; round++) {
    const f = hmac(seed, `SerialGen/1 ${prefix} round ${round} ${right}`).readUIntBE(0, 6) % HALF;
    [left, right] = [right, (left + f) % HALF];
  }
  return left * HALF + right;
}

export function checkDigits(seed, prefix, body) {
  const value = hmac(seed, `SerialGen/1 ${prefix} check ${body}`).readUIntBE(0, 6) % 100;
  return String(value).padStart(2, '0');
}

export function serialAt(index, seed, prefix) {
  const body = String(permute(index, seed, prefix)).padStart(10, '0');
  return `${prefix}${body}${checkDigits(seed, prefix, body)}`;
}

export function verifySerial(serial, seed) {
  const m = /^([A-Z]{4})(\d{10})(\d{2})$/.exec(serial);
  return m !== null && checkDigits(seed, m[1], m[2]) === m[3];
}

export const seedId = (seed) => createHash('sha256').update(seed).digest('hex').slice(0, 8);

function sqlScript(serials, dialect, header) {
  const lines = header.map((h) => `-- ${h}`);
  if (dialect === 'sqlite') lines.push('BEGIN TRANSACTION;');
  for (const s of serials) {
    lines.push(`INSERT INTO SerialNumbers (serialNumber, userName, serialStatus) VALUES ('${s}', 'none', '0');`);
  }
  lines.push('COMMIT;', '');
  return lines.join('\n');
}

function masterList(serials, start, generated, id, prefix) {
  const lines = [
    `# SerialGen master list: prefix ${prefix}, ${serials.length} serials, seed id ${id}, generated ${generated}`,
    '# Keep with the seed: the same seed, prefix and index regenerate the same serial.',
    '# index\tserial\tgenerated\tseed',
  ];
  serials.forEach((s, i) => lines.push(`${start + i}\t${s}\t${generated}\t${id}`));
  return lines.join('\n') + '\n';
}

function main() {
  const argv = yargs(hideBin(process.argv))
    .scriptName('SerialGen')
    .usage('$0 --seed <secret> --prefix <4 letters> --count <n>\n\nGenerates serial numbers for SerialNumbers.')
    .option('seed', { type: 'string', demandOption: true, describe: 'secret the serials derive from; keep it' })
    .option('prefix', { type: 'string', describe: 'four letters that start every serial, e.g. QAQA' })
    .option('count', { type: 'number', describe: 'how many serials to generate' })
    .option('start', { type: 'number', default: 0, describe: 'index of the first serial (for later batches)' })
    .option('out', { type: 'string', default: '.', describe: 'directory for the three files' })
    .option('dialect', {
      choices: ['oracle', 'sqlite'],
      default: 'oracle',
      describe: 'NewSerials.sql for SQL*Plus (oracle) or the sqlite3 command line (sqlite)',
    })
    .option('verify', { type: 'string', describe: 'only check that this serial carries the seed check digits' })
    .check((a) => {
      if (a.seed.length === 0) throw new Error('--seed must not be empty');
      if (a.verify !== undefined) return true;
      if (a.prefix === undefined || !/^[A-Za-z]{4}$/.test(a.prefix)) throw new Error('--prefix must be 4 letters');
      if (a.count === undefined || !Number.isInteger(a.count) || a.count < 1) {
        throw new Error('--count must be a whole number of at least 1');
      }
      if (!Number.isInteger(a.start) || a.start < 0 || a.start + a.count > BODY_SPACE) {
        throw new Error(`--start and --count must stay within 0..${BODY_SPACE - 1}`);
      }
      return true;
    })
    .strict()
    .help()
    .parseSync();

  if (argv.verify !== undefined) {
    const ok = verifySerial(argv.verify, argv.seed);
    console.log(`${argv.verify}: ${ok ? 'valid for this seed' : 'NOT valid for this seed'}`);
    process.exitCode = ok ? 0 : 1;
    return;
  }

  const prefix = argv.prefix.toUpperCase();
  const serials = Array.from({ length: argv.count }, (_, i) => serialAt(argv.start + i, argv.seed, prefix));
  const generated = new Date().toISOString().slice(0, 10);
  const id = seedId(argv.seed);
  const out = resolve(argv.out);
  mkdirSync(out, { recursive: true });
  const header = [
    `SerialGen: ${serials.length} serials ${prefix}, indices ${argv.start}..${argv.start + serials.length - 1}, seed id ${id}, ${generated}`,
    argv.dialect === 'sqlite' ? 'Load with: sqlite3 <users.db> < NewSerials.sql' : 'Load in SQL*Plus with: @NewSerials',
  ];
  const files = {
    'NewSerials.sql': sqlScript(serials, argv.dialect, header),
    'serials-master.txt': masterList(serials, argv.start, generated, id, prefix),
    'serials-production.txt': serials.join('\n') + '\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(out, name), text);
  console.log(
    `SerialGen: ${serials.length} serials with prefix ${prefix} written to ${Object.keys(files).join(', ')} in ${out}`,
  );
}

main();
