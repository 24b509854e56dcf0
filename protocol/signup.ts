// New User in the real client (spec §6.3 step 4), as LoginWizard does it (decompiled WorldsPlayer,
// NET/worlds/console/LoginWizard.java; facts only): it opens
// `<script server>register.pl?id=<handshake id>` in a browser, the person types the codeword that
// arrives by e-mail, and the client fetches `<script server>codeword.pl?id=<handshake id>&codeword=
// <codeword>` (GET, through its download cache, the codeword unencoded) and reads the first line
// of the answer: `1,0,` or `1,1,` followed by the serial number; any other line shows "codeword
// does not match", an HTTP error "error accessing". A codeword longer than 6 characters is taken
// as the serial number itself, without asking.

/** The client stores the script server with a `/` at the end (WorldServer.setScriptServer). */
export function scriptBase(scriptServer: string): string {
  return scriptServer.endsWith('/') ? scriptServer : `${scriptServer}/`;
}

export function registerUrl(scriptServer: string, handshakeId: string): string {
  return `${scriptBase(scriptServer)}register.pl?id=${handshakeId}`;
}

export function codewordUrl(scriptServer: string, handshakeId: string, codeword: string): string {
  return `${scriptBase(scriptServer)}codeword.pl?id=${handshakeId}&codeword=${codeword}`;
}

/** LoginWizard.AwaitCodeword: longer than 6 characters is the serial number, asked of nobody. */
export const MAX_CODEWORD_LENGTH = 6;

export function isDirectSerial(codeword: string): boolean {
  return codeword.length > MAX_CODEWORD_LENGTH;
}

/**
 * The first line as java.io.DataInputStream.readLine reads it: bytes as characters up to `\n`,
 * `\r` or `\r\n`; null when there are no bytes at all (the client would then fail outright).
 */
export function firstLine(body: Buffer): string | null {
  if (body.length === 0) return null;
  let end = 0;
  while (end < body.length && body[end] !== 0x0a && body[end] !== 0x0d) end++;
  return body.subarray(0, end).toString('latin1');
}

/** The serial in a codeword.pl answer line, or null when the client would say "does not match". */
export function serialFromAnswer(line: string): string | null {
  return line.startsWith('1,0,') || line.startsWith('1,1,') ? line.slice(4) : null;
}
