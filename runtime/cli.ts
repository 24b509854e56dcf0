// Command-line handling shared by US_v11 and RS_v11 (AG-1): `<program> <file.cfg> [--stdout]`.
// Every failure is one line on stderr naming what to fix, and a non-zero exit status.

import { createServer, type AddressInfo, type Server } from 'node:net';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConfigError, resolveConfigPath } from './config.js';

export interface CliArgs {
  configArg: string;
  /** AG-3: keep normal output on stdout instead of redirecting it to the .log file. */
  stdout: boolean;
}

export function parseCli(program: string, argv = process.argv): CliArgs {
  const parsed = yargs(hideBin(argv))
    .scriptName(program)
    .usage(`Usage: ${program} <config-file> [--stdout]`)
    .command('$0 <config-file>', 'start the server with this configuration file')
    .positional('config-file', { type: 'string', describe: 'e.g. firstRS.cfg (looked up in ./wc_config/ too)' })
    .option('stdout', {
      type: 'boolean',
      default: false,
      describe: 'write the log to stdout instead of <name>.<pid>.log',
    })
    .strict()
    .help()
    .version(false)
    .fail((msg, err) => {
      process.stderr.write(`${program}: ${err?.message ?? msg}\nUsage: ${program} <config-file> [--stdout]\n`);
      process.exit(2);
    })
    .parseSync();
  return { configArg: String(parsed['config-file']), stdout: parsed.stdout };
}

export function die(program: string, message: string): never {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(1);
}

export function resolveConfigOrDie(program: string, arg: string): string {
  const path = resolveConfigPath(arg, process.cwd());
  if (!path) die(program, `configuration file ${arg} not found (looked in . and ./wc_config/)`);
  return path;
}

/** Loads a configuration, turning a ConfigError into `file:line: keyword: problem` and exit 1. */
export function loadOrDie<T>(program: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) die(program, `configuration error: ${err.message}`);
    throw err;
  }
}

export function createListener(): Server {
  return createServer({ noDelay: true, pauseOnConnect: false });
}

/**
 * Connections the kernel completes before the server accepts them. A login ramp of hundreds a
 * second meets a tick that keeps the event loop busy for a moment: 4096 (Linux's default
 * somaxconn, which caps it) is more than ten seconds of logins at 300 a second (issue 9).
 */
export const LISTEN_BACKLOG = 4096;

/** Starts listening; rejects with a sentence naming what and where (address in use…). */
export async function listen(server: Server, what: string, port: number, host: string | null): Promise<AddressInfo> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: host ?? undefined, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    throw listenFailure(what, port, host, err);
  }
  return server.address() as AddressInfo;
}

/** `cannot listen for users on *:5100: address already in use`. */
export function listenFailure(what: string, port: number, host: string | null, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'EADDRINUSE' ? 'address already in use' : e.code === 'EACCES' ? 'permission denied' : e.message;
  return new Error(`cannot listen for ${what} on ${host ?? '*'}:${port}: ${why}`);
}

export async function listenOrDie(
  program: string,
  what: string,
  port: number,
  host: string | null,
): Promise<{ server: Server; address: AddressInfo }> {
  const server = createListener();
  try {
    return { server, address: await listen(server, what, port, host) };
  } catch (err) {
    die(program, (err as Error).message);
  }
}

/** Listens with any server (TCP, HTTP), or stops the program saying why it cannot. */
export async function listenOn(
  program: string,
  what: string,
  server: Server,
  port: number,
  host: string | null,
): Promise<AddressInfo> {
  try {
    return await listen(server, what, port, host);
  } catch (err) {
    die(program, (err as Error).message);
  }
}

/**
 * Prints the startup particulars, then the guide's hand-over line (AG-2). With `--stdout` the log
 * itself prints them there (as text or JSON lines), so they are not printed twice.
 */
export function printParticulars(lines: readonly string[], toStdout: boolean): void {
  if (toStdout) return;
  for (const l of lines) process.stdout.write(`${l}\n`);
  process.stdout.write('Redirecting server output to file\n');
}
