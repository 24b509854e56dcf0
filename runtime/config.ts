// The original keyword-file format (guide Appendix I and II): one keyword per line followed by its
// arguments, separated by white space; a line beginning with '#' is a comment. Each server declares
// its keywords in a table (roomserver/config.ts, userserver/config.ts); this module lexes, checks
// arity and argument types, and reports every problem with file, line and keyword.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly keyword: string,
    detail: string,
  ) {
    super(`${file}:${line}: ${keyword}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export type ArgType =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'number'; min: number; max: number }
  | { kind: 'port'; allowZero?: boolean }
  | { kind: 'word' }
  | { kind: 'ipv4' }
  | { kind: 'literal'; values: readonly string[] };

export interface ArgSpec {
  name: string;
  type: ArgType;
  optional?: boolean;
}

/** One line's arguments, already converted: numbers for numeric types, strings otherwise. */
export type ArgValues = (string | number | undefined)[];

export interface KeywordSpec<Draft> {
  keyword: string;
  args: readonly ArgSpec[];
  repeatable?: boolean;
  required?: boolean;
  apply(draft: Draft, values: ArgValues, at: LineRef): void;
}

export interface LineRef {
  file: string;
  line: number;
  keyword: string;
}

export const int = (min: number, max: number): ArgType => ({ kind: 'int', min, max });
export const num = (min: number, max: number): ArgType => ({ kind: 'number', min, max });
export const port: ArgType = { kind: 'port' };
export const portOrZero: ArgType = { kind: 'port', allowZero: true };
export const word: ArgType = { kind: 'word' };
export const ipv4: ArgType = { kind: 'ipv4' };

/**
 * AG-1: a bare file name that is not in the working directory is looked up in ./wc_config/.
 * Returns the path to read, or null when neither exists.
 */
export function resolveConfigPath(arg: string, cwd: string): string | null {
  const direct = join(cwd, arg);
  if (existsSync(arg) || existsSync(direct)) return existsSync(arg) ? arg : direct;
  if (basename(arg) === arg) {
    const inDir = join(cwd, 'wc_config', arg);
    if (existsSync(inDir)) return inDir;
  }
  return null;
}

export function parseConfigText<Draft>(
  text: string,
  file: string,
  table: readonly KeywordSpec<Draft>[],
  draft: Draft,
): Draft {
  const byName = new Map(table.map((k) => [k.keyword.toLowerCase(), k]));
  const seenOn = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const tokens = trimmed.split(/\s+/);
    const given = tokens[0] as string;
    const spec = byName.get(given.toLowerCase());
    if (!spec) {
      throw new ConfigError(file, lineNo, given, `unknown keyword (known: ${table.map((k) => k.keyword).join(', ')})`);
    }
    const at: LineRef = { file, line: lineNo, keyword: spec.keyword };
    const first = seenOn.get(spec.keyword);
    if (first !== undefined && !spec.repeatable) {
      throw new ConfigError(file, lineNo, spec.keyword, `given twice (first on line ${first})`);
    }
    seenOn.set(spec.keyword, lineNo);
    const args = tokens.slice(1);
    const min = spec.args.filter((a) => !a.optional).length;
    if (args.length < min || args.length > spec.args.length) {
      const usage = spec.args.map((a) => (a.optional ? `[${a.name}]` : a.name)).join(' ');
      const expected = min === spec.args.length ? `${min}` : `${min} to ${spec.args.length}`;
      throw new ConfigError(
        file,
        lineNo,
        spec.keyword,
        `expects ${expected} argument(s) (${spec.keyword} ${usage}), got ${args.length}`,
      );
    }
    const values: ArgValues = spec.args.map((a, i) => {
      const v = args[i];
      return v === undefined ? undefined : convert(v, a, at);
    });
    spec.apply(draft, values, at);
  });
  const lastLine = Math.max(1, lines.length - (lines[lines.length - 1] === '' ? 1 : 0));
  for (const k of table) {
    if (k.required && !seenOn.has(k.keyword)) {
      throw new ConfigError(file, lastLine, k.keyword, 'required keyword is missing');
    }
  }
  return draft;
}

export function parseConfigFile<Draft>(path: string, table: readonly KeywordSpec<Draft>[], draft: Draft): Draft {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, 0, '-', `cannot read configuration file: ${(err as Error).message}`);
  }
  return parseConfigText(text, path, table, draft);
}

function convert(v: string, a: ArgSpec, at: LineRef): string | number {
  const fail = (why: string): never => {
    throw new ConfigError(at.file, at.line, at.keyword, `${a.name} '${v}' ${why}`);
  };
  const t = a.type;
  switch (t.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(v)) fail('is not a whole number');
      const n = Number(v);
      if (n < t.min || n > t.max) fail(`is outside ${t.min}..${t.max}`);
      return n;
    }
    case 'number': {
      if (!/^\d+(\.\d+)?$/.test(v)) fail('is not a number');
      const n = Number(v);
      if (n < t.min || n > t.max) fail(`is outside ${t.min}..${t.max}`);
      return n;
    }
    case 'port': {
      if (!/^\d+$/.test(v)) fail('is not a port number');
      const n = Number(v);
      if (n > 65535 || (n === 0 && !t.allowZero))
        fail(`is not a port number (1..65535${t.allowZero ? ', or 0 for any' : ''})`);
      return n;
    }
    case 'ipv4': {
      const parts = v.split('.');
      if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
        fail('is not an IPv4 address (a.b.c.d)');
      }
      return v;
    }
    case 'literal':
      if (!t.values.some((x) => x.toLowerCase() === v.toLowerCase())) fail(`must be ${t.values.join(' or ')}`);
      return v;
    case 'word':
      return v;
  }
}

export function str(values: ArgValues, i: number): string {
  return values[i] as string;
}

export function n(values: ArgValues, i: number): number {
  return values[i] as number;
}
