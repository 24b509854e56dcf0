// The admin web console in a real browser (issue 10): Debian's Chromium, driven by playwright-core
// (no browser is downloaded), against a running galaxy whose UserServer has StatusHttp and an
// AdminPassword: a wrong password first (refused and logged), then a login, a user report with a
// wildcard, deactivating every account of an e-mail address (listed on the page and done in the
// database), a broadcast that a client on a RoomServer receives, and POSTs without the CSRF token
// (the form's token removed in the page, and a fetch from outside) refused with 403 and logged.
// Last, a changed AdminPassword applied by kill -HUP ends the session. Screenshots are kept in
// .tap/artifacts/.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, haveChromium, launchChromium } from '../helpers/browser.js';
import type { Player } from '../../protocol/player.js';
import { startGalaxy } from '../helpers/galaxy.js';
import { statusBase } from '../helpers/status.js';

// The part of the browser's DOM the page function below uses (this project compiles without DOM types).
declare const document: { querySelector(selector: string): { remove(): void } | null };

const PASSWORD = 'console-secret-1';

if (!haveChromium()) {
  // .ci/run installs Debian's chromium; a machine without it cannot run this proof.
  t.fail(`${CHROMIUM} is missing: apt-get install chromium`);
} else {
  await run();
}

async function run(): Promise<void> {
  const g = await startGalaxy({ usExtra: `StatusHttp 0\nAdminPassword ${PASSWORD}` });
  t.teardown(() => g.stop());
  await g.us.waitLog(/admin console at http:\/\/127\.0\.0\.1:\d+\/admin \(AdminPassword given as a plain password/);
  const [serial] = g.serials(1);
  // Two accounts of one e-mail address, as the database holds them (property 11), and Bob online.
  for (const [lower, name, s] of [
    ['alice', 'Alice', 'MAIL000000000001'],
    ['alan', 'Alan', 'MAIL000000000002'],
  ] as const) {
    g.sql(
      'insert into UserRegistration (userNameLower, userName, serialNumber, password, clientVersion, accountStatus, registrationDate, timesOn, totalMinutes, userPrivileges) ' +
        `values ('${lower}', '${name}', '${s}', 'x', '96070215', 1, '2024-01-01 00:00:00', 0, 0, 0);`,
    );
    g.sql(`insert into UserProperties values ('${name}', 11, 128, 3, 'pat@example.com', NULL);`);
  }
  const bob: Player = await g.login({ kind: 'register', name: 'Bob', password: 'secret1', serial: serial as string });
  t.teardown(() => bob.logoff().catch(() => bob.crash()));
  const room = await bob.enter(bob.roomName('Alpha', 'Plaza'), { x: 0, y: 0 });

  const context: BrowserContext = await launchChromium(t.testdir(), { width: 1300, height: 1100 });
  t.teardown(() => context.close());
  const base = `${statusBase(g.us)}/admin`;
  const page: Page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  // Console errors (a CSP violation, say), less the statuses this test provokes (403, 404 favicon).
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of/.test(m.text()))
      problems.push(m.text());
  });

  t.test('a wrong password is refused and logged; the right one opens a session', async (t) => {
    await page.goto(base);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    t.equal(await page.textContent('[role=alert]'), 'Wrong password.');
    await g.us.waitLog(
      /\(127\.0\.0\.1\) - admin console: wrong password \(1 of 5 allowed from this address in 15 minutes\)/,
    );
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL(base), page.click('button[type=submit]')]);
    t.match(await page.textContent('header'), /Administration of Galaxy\s+session 127\.0\.0\.1#1/);
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'ws_admin');
    t.match(cookie, { path: '/admin', httpOnly: true, sameSite: 'Strict', secure: false });
    await g.us.waitLog(/admin console: session 127\.0\.0\.1#1 opened/);
  });

  t.test('a user report with a wildcard', async (t) => {
    const form = page.locator('#form-report');
    await form.locator('input[name=pattern]').fill('Al*');
    await Promise.all([page.waitForLoadState(), form.locator('button').click()]);
    t.match(await page.textContent('#result'), /report: 2 accounts by name Al\*/);
    const names = await page.$$eval('#report tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    t.same(names, ['Alan', 'Alice']);
    t.match(await page.textContent('#report'), /pat@example\.com/);
    await g.us.waitLog(/admin web:127\.0\.0\.1#1: report Al\*: 2 accounts by name Al\*/);
  });

  t.test("deactivating an e-mail address's accounts lists them and deactivates them", async (t) => {
    const form = page.locator('#form-deactivate');
    await form.locator('input[name=email]').fill('pat@example.com');
    await Promise.all([page.waitForLoadState(), form.locator('button').click()]);
    t.match(await page.textContent('#result'), /deactivated 2 accounts of pat@example\.com: Alan, Alice/);
    const rows = await page.$$eval('#result tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    t.same(
      rows.map((r) => [r[0], r[2], r[3]]),
      [
        ['Alan', 'inactive', 'active'],
        ['Alice', 'inactive', 'active'],
      ],
    );
    t.equal(
      g
        .sql("select group_concat(accountStatus) from UserRegistration where userNameLower in ('alice', 'alan');")
        .trim(),
      '0,0',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'admin-console.png'), fullPage: true });
    await g.us.waitLog(
      /admin web:127\.0\.0\.1#1: deactivate every account of pat@example\.com: deactivated 2 accounts/,
    );
  });

  t.test('a broadcast reaches a client on a RoomServer', async (t) => {
    const form = page.locator('#form-broadcast');
    await form.locator('input[name=text]').fill('The world restarts at noon');
    const heard = room.conn.expectCmd('TEXT', (x) => x.text === 'The world restarts at noon');
    await Promise.all([page.waitForLoadState(), form.locator('button').click()]);
    t.match(await page.textContent('#result'), /broadcast: broadcast to 2 RoomServers/);
    t.equal((await heard).sender, 'WORLDSMASTER');
  });

  t.test('a POST without the CSRF token is refused with 403 and logged', async (t) => {
    const form = page.locator('#form-broadcast');
    await page.evaluate(() => document.querySelector('#form-broadcast input[name=csrf]')?.remove());
    await form.locator('input[name=text]').fill('forged from the page');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/admin/task/broadcast')),
      form.locator('button').click(),
    ]);
    t.equal(answer.status(), 403);
    t.match(await page.textContent('body'), /Refused: this form's security token is missing or wrong/);
    await g.us.waitLog(
      /\(127\.0\.0\.1\) - admin console: POST \/admin\/task\/broadcast \(session 127\.0\.0\.1#1\) refused: CSRF token missing/,
    );

    // From outside the page: the session cookie, but no token.
    const session = (await context.cookies()).find((c) => c.name === 'ws_admin')?.value ?? '';
    const r = await fetch(`${base}/task/broadcast`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `ws_admin=${session}` },
      body: 'text=forged+by+fetch',
    });
    t.equal(r.status, 403);
    await page.goto(base);
    t.match(await page.textContent('header'), /session 127\.0\.0\.1#1/, 'the session itself goes on');
    t.notMatch(g.us.log(), /admin web:.*broadcast "forged/, 'no forged broadcast ran');
    t.same(problems, [], 'no errors in the pages (they have no scripts; nothing the CSP refuses)');
  });

  t.test('kill -HUP with a new AdminPassword ends the session', async (t) => {
    const cfg = join(g.dir, 'galaxyUS.cfg');
    writeFileSync(
      cfg,
      readFileSync(cfg, 'utf8').replace(`AdminPassword ${PASSWORD}`, 'AdminPassword another-secret-2'),
    );
    g.us.kill('SIGHUP');
    await g.us.waitLog(/AdminPassword changed; 1 console session ended/);
    await page.reload();
    t.ok(await page.isVisible('input[name=password]'), 'back at the login page');
    await page.fill('input[name=password]', 'another-secret-2');
    await Promise.all([page.waitForURL(base), page.click('button[type=submit]')]);
    t.match(await page.textContent('header'), /session 127\.0\.0\.1#2/);
  });
}
