import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium, which `tools/ensure-chromium.mjs` installs for `npm test`. */
const CHROMIUM = process.env.CNF_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** The flags of a quiet, headless, throwaway chromium. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless chromium with a fresh profile, closed and deleted by `close`. */
interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts chromium with a fresh user-data-dir. A machine without it fails the
 * test, with what to do: the browser tests never pass silently.
 *
 * @throws Error when chromium is not installed.
 */
async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`The browser tests need chromium at ${CHROMIUM}: run node tools/ensure-chromium.mjs (apt-get install chromium) first.`);
  const profile = mkdtempSync(join(tmpdir(), 'cnf-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export { CHROMIUM, launchBrowser };
export type { TestBrowser };
