// The console's cookies: the session (`ws_admin`) and the login form's token (`ws_admin_login`),
// both limited to the console's path, out of reach of scripts and never sent by other sites.

export const SESSION_COOKIE = 'ws_admin';
export const LOGIN_COOKIE = 'ws_admin_login';
const PATH = '/admin';

/** `a=1; b=2` → the value of `name`, or null (the first one when a client sends it twice). */
export function cookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** A Set-Cookie value; without `value` the cookie is removed. */
export function setCookie(name: string, value: string | null, secure: boolean): string {
  return [
    `${name}=${value ?? ''}`,
    `Path=${PATH}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
    ...(value === null ? ['Max-Age=0'] : []),
  ].join('; ');
}
