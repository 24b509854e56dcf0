// HTML of the pages the servers serve (sign-up, admin console): every page is one document of
// this shape, and escapes in element content and quoted attribute values what it did not write.

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);

/** A whole page: `title` is escaped here; `style` and `body` are markup already. */
export function htmlDocument(title: string, style: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style>`,
    '</head><body>',
    body,
    '</body></html>',
    '',
  ].join('\n');
}
