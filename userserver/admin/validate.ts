// Checking a task's input, which may come from anywhere (a JSON line on the control socket, a web
// form): each task's `parse` turns `unknown` into its typed input or throws a UsageError whose
// message says which field is wrong and what it must be.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Fields = Readonly<Record<string, unknown>>;

export function fields(input: unknown): Fields {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new UsageError('the input must be an object of named fields');
  return input as Fields;
}

/** A user name as stored (UserRegistration.userName is VARCHAR2(50)): no spaces or controls. */
export function userName(f: Fields, key = 'user'): string {
  const v = text(f, key, 50);
  if (!/^[^\s\p{Cc}]+$/u.test(v)) throw new UsageError(`${key} ${JSON.stringify(v)} is not a user name`);
  return v;
}

export function text(f: Fields, key: string, max: number): string {
  const v = f[key];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`${key} is missing`);
  if (v.length > max) throw new UsageError(`${key} is longer than ${max} characters`);
  return v;
}

export function optionalText(f: Fields, key: string, max: number): string | null {
  return f[key] === undefined || f[key] === null ? null : text(f, key, max);
}

export function flag(f: Fields, key: string): boolean {
  const v = f[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new UsageError(`${key} must be true or false`);
  return v;
}

export function oneOf<T extends string>(f: Fields, key: string, values: readonly T[], fallback?: T): T {
  const v = f[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
    throw new UsageError(`${key} must be one of ${values.join(', ')}`);
  return v as T;
}

export function wholeNumber(f: Fields, key: string, min: number, max: number, fallback?: number): number {
  const v = f[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new UsageError(`${key} must be a whole number from ${min} to ${max}`);
  return v;
}

/** A plausible e-mail address (what mail servers accept is checked by sending to it). */
export function isEmailAddress(s: string): boolean {
  return s.length <= 254 && /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/.test(s);
}

export function email(f: Fields, key = 'email'): string {
  const v = text(f, key, 254);
  if (!isEmailAddress(v)) throw new UsageError(`${key} ${JSON.stringify(v)} is not an e-mail address`);
  return v.toLowerCase();
}

/** A number (fractions allowed) within bounds. */
export function decimal(f: Fields, key: string, min: number, max: number): number {
  const v = f[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw new UsageError(`${key} must be a number from ${min} to ${max}`);
  return v;
}
