// The status page in a real browser (AG-42): Debian's Chromium, driven by playwright-core (no
// browser is downloaded), loads the UserServer's and a RoomServer's page of a running galaxy, waits
// for uPlot to draw the charts, and checks that the figures shown are the server's own
// (/stats?format=json of the same sample). Screenshots are kept in .tap/artifacts/.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, haveChromium, launchChromium } from '../helpers/browser.js';
import type { Player } from '../../protocol/player.js';
import { startGalaxy } from '../helpers/galaxy.js';
import type { ServerProcess } from '../helpers/servers.js';
import { get, statusBase, statsJson, type StatJson } from '../helpers/status.js';

// The part of the browser's DOM the page functions below use (this project compiles without DOM types).
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  querySelectorAll(selector: string): { length: number };
};

if (!haveChromium()) {
  // .ci/run installs Debian's chromium; a machine without it cannot run this proof.
  t.fail(`${CHROMIUM} is missing: apt-get install chromium`);
} else {
  await run();
}

interface Spec {
  series: { key: string; stat: string; field: 'value' | 'rate' | 'averageRate'; scale?: number }[];
  cards: { series: string; digits: number }[];
  charts: { title: string }[];
}

/** Figures that do not move between two reads of the same sample: rates, and counts held still here. */
const STEADY = new Set(['users', 'rooms', 'roomservers']);

async function run(): Promise<void> {
  const g = await startGalaxy({
    database: false,
    usExtra: 'StatusHttp 0\nStatsSample 1',
    rsExtra: 'StatusHttp 0\nStatsSample 1',
  });
  t.teardown(() => g.stop());
  const players: Player[] = [];
  for (const [i, world] of ['Alpha', 'Alpha', 'Beta', 'Beta', 'Beta'].entries()) {
    const p = await g.login({ kind: 'anonymous', name: `viewer${i}`, firstConnection: true });
    await p.enter(p.roomName(world, 'Plaza'), { x: i * 50, y: 0 });
    p.say(`hello ${i}`);
    players.push(p);
  }
  t.teardown(async () => {
    for (const p of players) await p.logoff().catch(() => p.crash());
  });

  const context: BrowserContext = await launchChromium(t.testdir(), { width: 1400, height: 1300 });
  t.teardown(() => context.close());

  t.test("the UserServer's page: cards match /stats, charts drawn, every RoomServer in the galaxy panel", async (t) => {
    const page = await open(context, g.us);
    await compareCards(t, page, g.us);
    // Each RoomServer reports its load at its own samples: wait until every row has had one.
    // (A function, not a string: the page's CSP forbids eval.)
    await page.waitForFunction(
      () => {
        type Cell = { textContent: string | null };
        type Row = { querySelectorAll(selector: string): ArrayLike<Cell> };
        const trs = Array.from(document.querySelectorAll('#galaxy-rows tr') as unknown as ArrayLike<Row>);
        return trs.length === 2 && trs.every((tr) => /^\d+$/.test(tr.querySelectorAll('td')[2]?.textContent ?? ''));
      },
      undefined,
      { timeout: 15_000 },
    );
    const rows = await page.$$eval('#galaxy-rows tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    const users = (name: string) => players.filter((p) => p.room?.conn.socket.remotePort === g.rs.get(name)?.port);
    t.same(
      rows.map((r) => [r[0], r[2]]),
      [
        ['first', String(users('first').length)],
        ['second', String(users('second').length)],
      ],
      'each RoomServer with its users',
    );
    t.ok(await page.isVisible('#galaxy-chart canvas'), 'users per RoomServer are charted');
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-userserver.png'), fullPage: true });
  });

  t.test("a RoomServer's page: the same checks", async (t) => {
    const page = await open(context, g.rs.get('first') as ServerProcess);
    await compareCards(t, page, g.rs.get('first') as ServerProcess);
    t.equal(await page.isVisible('#galaxy'), false, 'no galaxy panel on a RoomServer');
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-roomserver.png'), fullPage: true });
  });
}

async function open(context: BrowserContext, server: ServerProcess): Promise<Page> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('requestfailed', (r) => problems.push(`${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(`${statusBase(server)}/`);
  // Two samples make a line; uPlot draws into one canvas per chart.
  await page.waitForFunction(() => Number(document.body.dataset.points ?? '0') >= 2, undefined, { timeout: 20_000 });
  const spec = await specOf(server);
  await page.waitForFunction((n) => document.querySelectorAll('#charts canvas').length >= n, spec.charts.length);
  if (problems.length) throw new Error(`the page reported: ${problems.join('; ')}`);
  return page;
}

async function specOf(server: ServerProcess): Promise<Spec> {
  return (JSON.parse((await get(server, '/status.json')).body) as { spec: Spec }).spec;
}

function figure(r: StatJson | undefined, s: Spec['series'][number]): number | null {
  if (!r) return null;
  const raw = s.field === 'value' ? r.value : s.field === 'rate' ? (r.rate ?? 0) : (r.averageRate ?? 0);
  return raw * (s.scale ?? 1);
}

/** Compares the cards with /stats?format=json of the sample the page shows. */
async function compareCards(t: Test, page: Page, server: ServerProcess): Promise<void> {
  const spec = await specOf(server);
  t.equal(await page.locator('.card').count(), spec.cards.length, 'one card per figure of the spec');
  const titles = await page.$$eval('#charts .chart h3', (hs) => hs.map((h) => h.textContent ?? ''));
  t.same(
    titles.map((x) => x.replace(/ \(.*\)$/, '')),
    spec.charts.map((c) => c.title),
    'one chart per chart of the spec',
  );
  for (let attempt = 0; ; attempt++) {
    const server_ = await statsJson(server);
    // Wait for the page to show this very sample (it polls twice per sample period).
    const shown = await page
      .waitForFunction((at) => document.body.dataset.sampledAt === String(at), server_.sampledAt, { timeout: 3000 })
      .then(() => true)
      .catch(() => false);
    if (!shown) {
      if (attempt < 10) continue;
      throw new Error('the page never showed the sample the server reported');
    }
    const cards = await page.$$eval('.card', (cs) =>
      cs.map((c) => [
        (c as unknown as { dataset: Record<string, string | undefined> }).dataset.series ?? '',
        c.querySelector('.value')?.textContent ?? '',
      ]),
    );
    const sampled = await page.evaluate(() => document.body.dataset.sampledAt);
    if (sampled !== String(server_.sampledAt)) continue; // a newer sample arrived meanwhile
    let compared = 0;
    for (const [key, text] of cards) {
      const s = spec.series.find((x) => x.key === key);
      const card = spec.cards.find((c) => c.series === key);
      if (!s || !card) {
        t.fail(`card ${key} is not in the spec`);
        continue;
      }
      const v = figure(server_.stats.get(s.stat), s);
      if (s.field !== 'value' || STEADY.has(key)) {
        t.equal(text, v === null ? '—' : v.toFixed(card.digits), `${key}: the page shows the server's figure`);
        compared++;
      } else t.match(text, /^(\d+(\.\d+)?|—)$/, `${key}: a figure (it moves between reads: ${text})`);
    }
    t.ok(compared >= 5, `${compared} figures compared exactly`);
    const users = cards.find(([k]) => k === 'users')?.[1];
    t.equal(users, String(server_.stats.get('users')?.value), 'the user count');
    return;
  }
}
