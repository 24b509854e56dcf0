// Keywords of the administration control socket (README extension table). The socket lives in the
// UserServer's working directory, named after its Server name, unless AdminSocket moves it or
// turns it off.

import { int, n, num, str, word, type KeywordSpec } from '../../runtime/config.js';
import { ConfigError } from '../../runtime/config.js';

export interface AdminSettings {
  /** AdminSocket: the control socket's path; '' = `<Server>US.sock` here; null = off. */
  adminSocket: string | null;
  adminSocketLimits: {
    /** Clients connected at once; more are told the server is busy. @default 8 */
    connections: number;
    /** Longest request line. @default 64 KiB */
    lineBytes: number;
    /** A connection silent this long is closed. @default 60 s */
    idleMs: number;
  };
}

export function adminDraft(): AdminSettings {
  return { adminSocket: '', adminSocketLimits: { connections: 8, lineBytes: 64 * 1024, idleMs: 60_000 } };
}

/** UNIX socket paths are limited to about 100 bytes (sun_path). */
const MAX_SOCKET_PATH = 100;

export function adminKeywords<D extends AdminSettings>(): KeywordSpec<D>[] {
  return [
    {
      keyword: 'AdminSocket',
      args: [{ name: 'path', type: word }],
      apply(d, v, at) {
        const path = str(v, 0);
        if (path.toLowerCase() === 'off') {
          d.adminSocket = null;
          return;
        }
        if (Buffer.byteLength(path) > MAX_SOCKET_PATH)
          throw new ConfigError(at.file, at.line, at.keyword, `path is longer than ${MAX_SOCKET_PATH} bytes`);
        d.adminSocket = path;
      },
    },
    {
      keyword: 'AdminSocketLimits',
      args: [
        { name: 'connections', type: int(1, 1000) },
        { name: 'kilobytes', type: int(1, 1024) },
        { name: 'idleSeconds', type: num(0.05, 86_400) },
      ],
      apply(d, v) {
        d.adminSocketLimits = { connections: n(v, 0), lineBytes: n(v, 1) * 1024, idleMs: n(v, 2) * 1000 };
      },
    },
  ];
}

/** Where the control socket of this configuration is (relative to the working directory), or null. */
export function controlSocketPath(cfg: Readonly<AdminSettings & { serverName: string }>): string | null {
  if (cfg.adminSocket === null) return null;
  return cfg.adminSocket === '' ? `${cfg.serverName}US.sock` : cfg.adminSocket;
}
