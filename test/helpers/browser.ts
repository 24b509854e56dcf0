// Debian's Chromium, driven by playwright-core, for the tests that look at pages in a real browser
// (no browser is ever downloaded). Screenshots go to .tap/artifacts/, which is never committed.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ROOT } from './servers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, '.tap', 'artifacts');

/** Whether this machine can run the browser tests (.ci/run installs Debian's chromium). */
export const haveChromium = (): boolean => existsSync(CHROMIUM);

/** A headless browser with its profile in `dir` (a test's own directory). */
export async function launchChromium(
  dir: string,
  viewport: { width: number; height: number },
): Promise<BrowserContext> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport,
  });
}
