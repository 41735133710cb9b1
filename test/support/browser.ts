import { existsSync, mkdirSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's chromium (`apt-get install chromium`), or the one `CHROMIUM_PATH` names. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the browser suites write their screenshots (ignored by git; two are kept under docs/). */
export const SCREENSHOTS_DIR = new URL('../../screenshots/', import.meta.url).pathname;

/**
 * Starts headless chromium. A missing chromium fails the suite, naming it: the pages are tested in a real
 * browser or not at all.
 */
export async function launchBrowser(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`chromium is not installed at ${executablePath}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  return puppeteer.launch({
    executablePath,
    headless: true,
    // NOTE: root (CI, containers) has no user namespaces for chromium's sandbox; /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--font-render-hinting=none'],
  });
}
