// A strict reader of the Prometheus text exposition format (version 0.0.4): every line must be a
// HELP, a TYPE, a sample of the family last declared, or empty. It throws on the first line that
// is not, naming it; otherwise it returns the samples for the test to look at.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const NUMBER = '[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?Inf|NaN';
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL}=${LABEL_VALUE})(?:,${LABEL}=${LABEL_VALUE})*,?)?\\})? (${NUMBER})(?: (-?\\d+))?$`,
);
const PAIR = new RegExp(`(${LABEL})=(${LABEL_VALUE})`, 'g');
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

function unescape(v: string): string {
  return v.slice(1, -1).replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** Which sample names a family of this type may have. */
function belongs(sample: string, f: Family): boolean {
  if (sample === f.name) return f.type !== 'histogram';
  if (f.type === 'histogram') return [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`].includes(sample);
  if (f.type === 'summary') return [`${f.name}_sum`, `${f.name}_count`].includes(sample);
  return false;
}

export function parseExposition(text: string): { samples: Sample[]; families: Map<string, Family> } {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a line feed');
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const samples: Sample[] = [];
  const series = new Set<string>();
  let current: Family | null = null;
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, i) => {
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const help = HELP.exec(line);
      if (help) {
        const [, name, doc] = help as unknown as [string, string, string];
        if (helps.has(name)) fail('a second HELP for this metric');
        if (doc.replace(/\\[\\n]/g, '').includes('\\')) fail('HELP text with an invalid escape');
        helps.set(name, doc);
        return;
      }
      const type = TYPE.exec(line);
      if (type) {
        const [, name, kind] = type as unknown as [string, string, string];
        if (families.has(name)) fail('a second TYPE for this metric');
        current = { name, type: kind, help: helps.get(name) ?? '' };
        families.set(name, current);
        return;
      }
      if (/^# (HELP|TYPE) /.test(line)) fail('malformed HELP or TYPE line');
      return; // any other comment
    }
    const m = SAMPLE.exec(line);
    if (!m) return fail('not a valid sample line');
    const [, name, labelText, value] = m as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    for (const [, k, v] of (labelText ?? '').matchAll(PAIR)) {
      if ((k as string) in labels) fail(`label ${k} given twice`);
      if ((k as string).startsWith('__')) fail(`reserved label name ${k}`);
      labels[k as string] = unescape(v as string);
    }
    const f = current as Family | null;
    if (!f || !belongs(name, f)) fail(`sample outside its metric's TYPE block (${f ? f.name : 'none yet'})`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) fail('the same series twice');
    series.add(key);
    const n = value === '+Inf' || value === 'Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value);
    if (f?.type === 'counter' && !(n >= 0)) fail('a counter below zero');
    samples.push({ name, labels, value: n });
  });
  return { samples, families };
}
