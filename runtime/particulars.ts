// Startup particulars both servers print about their operations keywords and output files (AG-2).

import type { OperationsSettings } from './config-operations.js';
import { describePeriod, type RotationPeriod } from './log-rotation.js';

export function operationsParticulars(ops: Readonly<OperationsSettings>, defaultRotation: RotationPeriod): string[] {
  return [
    `Reports: every ${ops.reportMinutes} minutes from launch (ReportInterval)`,
    `Log rotation: ${describePeriod(ops.rotate ?? defaultRotation)} (LogRotate; kill -HUP ${process.pid} reopens the log files and reloads the configuration)`,
  ];
}

/** Where output goes; `--stdout` names no .log file, since none is written (AG-37). */
export function outputParticulars(baseName: string, toStdout: boolean, json: boolean): string {
  const log = toStdout
    ? `Log: standard output${json ? ' as JSON lines (LogFormat json)' : ''} (--stdout)`
    : `Log file: ${baseName}.log${json ? ', and JSON lines on standard output (LogFormat json)' : ''}`;
  return `${log}, debug output: ${baseName}.out`;
}
