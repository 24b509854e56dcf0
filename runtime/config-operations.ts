// Keywords for running the servers the way the guide's operators do (both servers; extensions, so
// files written for the original parse unchanged): the hourly report period (AG-33), log rotation
// (AG-35) and the log's extra outputs (a JSON stream on stdout, operators' own winston transports).

import { ConfigError, num, str, word, type KeywordSpec } from './config.js';
import type { RotationPeriod } from './log-rotation.js';

export interface OperationsSettings {
  /** ReportInterval: minutes between the "hourly" reports, counted from launch (AG-33). @default 60 */
  reportMinutes: number;
  /** LogRotate; null = the guide's default for the server (UserServer weekly, RoomServer daily). */
  rotate: RotationPeriod | null;
  /** LogFormat json: every .log event also as one JSON line on stdout. @default text only */
  json: boolean;
  /** LogTransport: modules that add winston transports, in file order (loaded at start). */
  transports: { module: string; line: number }[];
}

export function operationsDraft(): OperationsSettings {
  return { reportMinutes: 60, rotate: null, json: false, transports: [] };
}

export function operationsKeywords<D extends { operations: OperationsSettings }>(): KeywordSpec<D>[] {
  return [
    {
      keyword: 'ReportInterval',
      args: [{ name: 'minutes', type: num(0.01, 1_000_000) }],
      apply(d, v) {
        d.operations.reportMinutes = v[0] as number;
      },
    },
    {
      keyword: 'LogRotate',
      args: [{ name: 'daily|weekly|minutes', type: word }],
      apply(d, v, at) {
        const given = str(v, 0);
        const lower = given.toLowerCase();
        if (lower === 'daily' || lower === 'weekly') {
          d.operations.rotate = { kind: lower };
          return;
        }
        const minutes = /^\d+(\.\d+)?$/.test(given) ? Number(given) : NaN;
        if (!(minutes >= 0.001 && minutes <= 1_000_000))
          throw new ConfigError(
            at.file,
            at.line,
            at.keyword,
            `'${given}' must be daily, weekly or minutes (0.001..1000000)`,
          );
        d.operations.rotate = { kind: 'minutes', minutes };
      },
    },
    {
      keyword: 'LogFormat',
      args: [{ name: 'text|json', type: { kind: 'literal', values: ['text', 'json'] } }],
      apply(d, v) {
        d.operations.json = str(v, 0).toLowerCase() === 'json';
      },
    },
    {
      keyword: 'LogTransport',
      repeatable: true,
      args: [{ name: 'module', type: word }],
      apply(d, v, at) {
        d.operations.transports.push({ module: str(v, 0), line: at.line });
      },
    },
  ];
}
