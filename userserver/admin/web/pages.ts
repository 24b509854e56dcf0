// The console's HTML: a login page and one page with every task's form and, above them, the
// answer to the last one. Server-rendered, no scripts (the endpoint's CSP allows none inline
// anyway), everything not written here escaped.

import { escapeHtml as esc, htmlDocument } from '../../../runtime/http/html.js';
import type { StatusChange } from '../../../runtime/db/admin-types.js';
import type { ReportValue } from '../report.js';
import { reportFields, when } from '../text.js';
import type { AdminResult, OnlineUser } from '../types.js';
import { SECTIONS, type Field, type Form } from './forms.js';

export const CONSOLE_PATH = '/admin';

const STYLE = `
body{font:15px/1.4 system-ui,sans-serif;margin:0;color:#1d2329;background:#f4f5f7}
header{display:flex;justify-content:space-between;align-items:center;padding:.6em 1.2em;background:#243447;color:#fff}
header h1{font-size:1.15em;margin:0}header form{margin:0}
main{padding:1em 1.2em;max-width:80em}
h2{font-size:1.05em;margin:1.2em 0 .4em;border-bottom:1px solid #c9ced6}
.forms{display:grid;grid-template-columns:repeat(auto-fill,minmax(19em,1fr));gap:.8em}
form.task{background:#fff;border:1px solid #d5d9e0;border-radius:4px;padding:.6em .8em}
form.task h3{font-size:1em;margin:0 0 .2em}form.task p{margin:0 0 .5em;color:#58616b;font-size:.9em}
label{display:block;margin:.25em 0}label input[type=text],label input[type=email],label input[type=number],label input[type=password]{width:100%;box-sizing:border-box}
fieldset{border:0;padding:0;margin:.25em 0}fieldset label{display:inline-block;margin-right:.6em}
button{margin-top:.4em}
#result{background:#fff;border:1px solid #d5d9e0;border-left:4px solid #2f7d32;padding:.6em .8em;margin-bottom:1em;overflow-x:auto}
#result.failed{border-left-color:#b3261e}#result p{margin:.2em 0}
table{border-collapse:collapse;font-size:.9em}th,td{text-align:left;padding:.2em .6em;border-bottom:1px solid #e3e6ea;vertical-align:top}
.login{max-width:22em;margin:4em auto;background:#fff;border:1px solid #d5d9e0;padding:1em 1.4em}
.alert{color:#b3261e;font-weight:600}
`;

const page = (title: string, body: string): string => htmlDocument(title, STYLE, body);

export function loginPage(server: string, loginToken: string, message = ''): string {
  return page(
    `Administration of ${server}`,
    [
      '<main class="login">',
      `<h1>Administration of ${esc(server)}</h1>`,
      message ? `<p class="alert" role="alert">${esc(message)}</p>` : '',
      `<form method="post" action="${CONSOLE_PATH}/login">`,
      `<input type="hidden" name="login" value="${esc(loginToken)}">`,
      '<label>Password <input type="password" name="password" required autofocus autocomplete="current-password"></label>',
      '<button type="submit">Log in</button>',
      '</form>',
      '</main>',
    ].join('\n'),
  );
}

/** What the page shows above the forms: a task's answer, or a message of the console's own. */
export type Shown = { task: string; result: AdminResult<unknown> } | { message: string } | null;

export interface ConsoleView {
  server: string;
  /** `127.0.0.1#3`: whose session this is. */
  who: string;
  csrf: string;
  shown: Shown;
  /** The form just posted, shown again with what was typed into it. */
  posted: { task: string; values: URLSearchParams } | null;
}

export function consolePage(v: ConsoleView): string {
  return page(
    `Administration of ${v.server}`,
    [
      '<header>',
      `<h1>Administration of ${esc(v.server)}</h1>`,
      `<form method="post" action="${CONSOLE_PATH}/logout"><span>session ${esc(v.who)}</span> `,
      csrfField(v.csrf),
      '<button type="submit">Log out</button></form>',
      '</header>',
      '<main>',
      shownHtml(v.shown),
      ...SECTIONS.map(
        (s) =>
          `<h2>${esc(s.title)}</h2>\n<div class="forms">\n${s.forms
            .map((f) => formHtml(f, v.csrf, v.posted?.task === f.task ? v.posted.values : null))
            .join('\n')}\n</div>`,
      ),
      '</main>',
    ].join('\n'),
  );
}

const csrfField = (token: string) => `<input type="hidden" name="csrf" value="${esc(token)}">`;

function formHtml(f: Form, csrf: string, values: URLSearchParams | null): string {
  return [
    `<form class="task" id="form-${esc(f.task)}" method="post" action="${CONSOLE_PATH}/task/${esc(f.task)}">`,
    `<h3>${esc(f.title)}</h3><p>${esc(f.help)}</p>`,
    csrfField(csrf),
    ...f.fields.map((x) => fieldHtml(x, values)),
    `<button type="submit">${esc(f.button)}</button>`,
    '</form>',
  ].join('\n');
}

function fieldHtml(f: Field, values: URLSearchParams | null): string {
  const value = values?.get(f.name) ?? '';
  const name = `name="${esc(f.name)}"`;
  switch (f.kind) {
    case 'text':
      return `<label>${esc(f.label)} <input type="${f.type ?? 'text'}" ${name} maxlength="${f.max}"${f.required ? ' required' : ''} value="${esc(value)}"></label>`;
    case 'number':
      return `<label>${esc(f.label)} <input type="number" ${name} min="${f.min}" max="${f.max}" step="${f.step}" value="${esc(value)}"></label>`;
    case 'choice':
      return select(f.label, name, [...(f.optional ? [''] : []), ...f.options], value);
    case 'onoff':
      return select(f.label, name, ['on', 'off'], value);
    case 'flag':
      return `<label><input type="checkbox" ${name} value="1"${values?.has(f.name) ? ' checked' : ''}> ${esc(f.label)}</label>`;
    case 'checks': {
      const checked = new Set(values?.getAll(f.name) ?? []);
      return `<fieldset><legend>${esc(f.label)}</legend>${f.options
        .map(
          (o) =>
            `<label><input type="checkbox" ${name} value="${esc(o)}"${checked.has(o) ? ' checked' : ''}> ${esc(o)}</label>`,
        )
        .join('')}</fieldset>`;
    }
  }
}

function select(label: string, name: string, options: readonly string[], value: string): string {
  const opts = options.map(
    (o) => `<option value="${esc(o)}"${o === value ? ' selected' : ''}>${o === '' ? '—' : esc(o)}</option>`,
  );
  return `<label>${esc(label)} <select ${name}>${opts.join('')}</select></label>`;
}

function shownHtml(shown: Shown): string {
  if (!shown) return '';
  if ('message' in shown) return `<section id="result" role="status"><p>${esc(shown.message)}</p></section>`;
  const r = shown.result;
  if (!r.ok) {
    // Usage messages name the task already (`vip: months must be …`).
    const m = r.error.message.startsWith(`${shown.task}: `)
      ? r.error.message.slice(shown.task.length + 2)
      : r.error.message;
    return `<section id="result" class="failed" role="alert"><p><strong>${esc(shown.task)}</strong>: ${esc(m)}</p></section>`;
  }
  return [
    '<section id="result" role="status">',
    `<p><strong>${esc(shown.task)}</strong>: ${esc(r.summary)}</p>`,
    details(shown.task, r.value),
    '</section>',
  ].join('\n');
}

/** The lists behind a summary: the report's accounts, who is online, the accounts a status change touched. */
function details(task: string, value: unknown): string {
  switch (task) {
    case 'report':
      return reportTable(value as ReportValue);
    case 'online': {
      const users = (value as { users: OnlineUser[] }).users;
      return table(
        ['User', 'Kind', 'Address', 'RoomServers', 'Since'],
        users.map((u) => [
          u.name,
          u.kind,
          u.address,
          u.worldServer ? `WorldServer ${u.worldServer}` : u.roomServers.join(', ') || '-',
          when(u.loginAt),
        ]),
      );
    }
    case 'deactivate':
    case 'reactivate': {
      const list = (value as { accounts: StatusChange[] }).accounts;
      return table(
        ['Account', 'Serial', 'Status now', 'Was'],
        list.map((a) => [a.userName, a.serialNumber, status(a.accountStatus), status(a.before)]),
      );
    }
    default:
      return '';
  }
}

const status = (s: number) => (s === 1 ? 'active' : 'inactive');

function reportTable(v: ReportValue): string {
  const rows = v.records.map((r) => {
    // A label-less field continues the one before it (more login addresses).
    const cells: [string, string[]][] = [];
    for (const [label, value] of reportFields(r)) {
      const last = cells[cells.length - 1];
      if (label === '' && last) last[1].push(value);
      else cells.push([label, [value]]);
    }
    return { name: r.user.userName, cells };
  });
  const labels = rows[0]?.cells.map(([l]) => l) ?? [];
  return [
    '<table id="report"><thead><tr><th>User</th>',
    ...labels.map((l) => `<th>${esc(l)}</th>`),
    '</tr></thead><tbody>',
    ...rows.map(
      (r) =>
        `<tr><td>${esc(r.name)}</td>${r.cells.map(([, vs]) => `<td>${vs.map(esc).join('<br>')}</td>`).join('')}</tr>`,
    ),
    '</tbody></table>',
  ].join('');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  return [
    '<table><thead><tr>',
    ...head.map((h) => `<th>${esc(h)}</th>`),
    '</tr></thead><tbody>',
    ...rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('');
}
