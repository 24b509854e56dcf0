// The sign-up pages a person sees in the browser WorldsPlayer opens (register.pl), and the one-line
// answers of codeword.pl that the client itself reads.

import { escapeHtml as escape, htmlDocument } from '../../runtime/http/html.js';

const STYLE =
  'body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em;line-height:1.4}\n' +
  '.codeword{font-size:2em;font-family:monospace;letter-spacing:.2em}';

function page(title: string, body: string): string {
  return htmlDocument(title, STYLE, `<h1>${escape(title)}</h1>\n${body}`);
}

export function formPage(serverName: string, handshakeId: string, error = ''): string {
  return page(
    `New user of ${serverName}`,
    [
      error ? `<p role="alert"><strong>${escape(error)}</strong></p>` : '',
      '<p>Give your e-mail address. We send you a codeword; type it into WorldsPlayer to get your serial number.</p>',
      '<form method="post">',
      `<input type="hidden" name="id" value="${escape(handshakeId)}">`,
      '<label>E-mail address <input type="email" name="email" required maxlength="254" autofocus></label>',
      '<button type="submit">Send me a codeword</button>',
      '</form>',
    ].join('\n'),
  );
}

export function mailedPage(serverName: string, email: string, validMinutes: number): string {
  return page(
    'Check your e-mail',
    `<p>A codeword for ${escape(serverName)} is on its way to <strong>${escape(email)}</strong>. ` +
      `Type it into WorldsPlayer's Codeword box and press Next. It is valid for ${validMinutes} minutes.</p>`,
  );
}

export function shownPage(serverName: string, codeword: string, validMinutes: number): string {
  return page(
    'Your codeword',
    `<p class="codeword">${escape(codeword)}</p>` +
      `<p>Type it into WorldsPlayer's Codeword box and press Next to get your serial number for ${escape(serverName)}. ` +
      `It is valid for ${validMinutes} minutes.</p>`,
  );
}

export function messagePage(title: string, text: string): string {
  return page(title, `<p>${escape(text)}</p>`);
}

/**
 * codeword.pl: the client reads the first line and takes everything after `1,0,` (or `1,1,`) as
 * the serial; any other first line makes it show its "codeword does not match" message.
 */
export const codewordAnswer = (serial: string): string => `1,0,${serial}\n`;
export const codewordRefusal = (code: number, reason: string): string => `0,${code},${reason}\n`;
