// Why a login failed or a bot was dropped, in the few words an operator can act on: the NAK code
// the server sent (§4.2), a timeout and the step it hit (a timeout at `connect` or `PROPUPD(255)`
// usually means a full accept queue), or the socket error.

import { LoginRefused, TimeoutError } from '../../protocol/client.js';
import { Nak } from '../../protocol/constants.js';

const NAK_NAMES = new Map<number, string>(Object.entries(Nak).map(([name, code]) => [code, name]));

export function failureReason(err: unknown): string {
  if (err instanceof LoginRefused) return `NAK ${err.code} ${NAK_NAMES.get(err.code) ?? 'unknown'}`;
  if (err instanceof TimeoutError) {
    const what = /waiting for (.+)$/.exec(err.message)?.[1] ?? 'a reply';
    return `timeout (${stepName(what)})`;
  }
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code) return socketError(code);
  const text = err instanceof Error ? err.message : String(err);
  const closed = /^connection closed \((.*)\) (?:while waiting for|before) (.+)$/.exec(text);
  if (closed) return `${closedReason(closed[1] as string)} during ${stepName(closed[2] as string)}`;
  return text.slice(0, 80);
}

/** Why a connection the bot was using closed (ClientConnection's closed reason). */
export function closedReason(reason: string): string {
  if (reason === 'closed by server') return 'closed by server';
  const code = /\b(E[A-Z]+)\b/.exec(reason)?.[1];
  return code ? socketError(code) : reason.slice(0, 80);
}

function socketError(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EPIPE':
      return 'connection reset';
    case 'EADDRNOTAVAIL':
      return 'source address unavailable';
    case 'EADDRINUSE':
      return 'source ports exhausted';
    case 'EMFILE':
    case 'ENFILE':
      return 'farm out of file descriptors';
    case 'ETIMEDOUT':
      return 'timeout (TCP)';
    default:
      return code;
  }
}

/** Room ids of ROOMIDRQ steps differ per bot; one reason covers them all. */
function stepName(what: string): string {
  return what.startsWith('room id of ') ? 'ROOMIDRQ' : what;
}
