/** What the end-to-end tests do on a page: in the e2e project only, which has the DOM's types. */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { browserUnavailable, openBrowser, screenshot, serve, type OpenBrowser, type Served } from './browser';

/**
 * Opens notebook `name` from the served folder's list (never the samples of the repository) and waits for its
 * kernel.
 */
export async function openFile(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('files').getByRole('button', { name }).click();
  await page.locator('[data-testid=kernel-state][data-state=idle]').waitFor({ timeout: 60_000 });
}

/** Waits until no cell is queued or running. */
export async function settled(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () =>
      !document.querySelector(
        '[data-testid=cell][data-state=running], [data-testid=cell][data-state=queued]',
      ),
    null,
    { timeout },
  );
}

/**
 * Runs every cell with Run all and waits until each code cell has run again (or one failed, which stops the rest)
 * and none is queued or running. Waiting for a running cell to show instead would miss cells that finish before the
 * page is looked at.
 */
export async function runAll(page: Page, timeout = 120_000): Promise<void> {
  const code = '[data-testid=cell]:not([data-kind=markdown])';
  const before = await page
    .locator(code)
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-execution')));
  await page.getByTestId('run-all').click();
  await page.waitForFunction(
    ([selector, counts]) => {
      const cells = [...document.querySelectorAll(selector)];
      const failed = cells.some((e) => ['error', 'interrupted'].includes(e.getAttribute('data-state') ?? ''));
      return failed || cells.every((e, i) => e.getAttribute('data-execution') !== counts[i]);
    },
    [code, before] as const,
    { timeout },
  );
  await settled(page, timeout);
}

/** Runs a command from the ☰ Menu, by its label (the item also shows its keys). */
export async function command(page: Page, label: string): Promise<void> {
  await page.getByTestId('menu').click();
  await page
    .getByRole('menuitem')
    .filter({ has: page.getByText(label, { exact: true }) })
    .click();
}

export async function save(page: Page): Promise<void> {
  await command(page, 'Save');
  await page.getByTestId('dirty').waitFor({ state: 'detached' });
}

/** How many pixels of a canvas something has drawn on. */
export function inkedPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
}

/**
 * Closes a test's browser. A failed test (`failed` names it) first leaves a picture of what
 * the user would have seen, and the page's notices in the log.
 */
export async function closeBrowser(open: OpenBrowser, failed: string | undefined): Promise<void> {
  if (failed !== undefined) {
    await screenshot(open.page, `FAILED-${failed.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    const notices = await open.page
      .getByTestId('notice')
      .allTextContents()
      .catch(() => []);
    if (notices.length) console.log(`Notices on the page: ${notices.join(' | ')}`);
    // What the page and the server said last: a retried failure leaves its cause in the log.
    console.log(`Last workbench messages of "${failed}":\n${open.frames.join('\n')}`);
  }
  await open.context.close();
}

export interface ServedSuite {
  /** The temporary folder `reclab serve` serves, holding the files given. */
  folder: string;
  server: Served;
  /** A browser for one test, closed after it (with a picture when the test failed). */
  browser(scheme?: 'light' | 'dark'): Promise<OpenBrowser>;
}

/**
 * For the tests of one file: `reclab serve` on a temporary folder holding `files` (name →
 * text), stopped and removed after them; each test's browser is closed after it.
 */
export function servedSuite(name: string, files: () => Record<string, string>): ServedSuite {
  let open: OpenBrowser | undefined;
  const suite = {
    browser: async (scheme: 'light' | 'dark' = 'light') => (open = await openBrowser(scheme)),
  } as ServedSuite;
  beforeAll(async () => {
    if (browserUnavailable()) return;
    suite.folder = await fs.mkdtemp(path.join(os.tmpdir(), `reclab-e2e-${name}-`));
    for (const [file, text] of Object.entries(files()))
      await fs.writeFile(path.join(suite.folder, file), text);
    suite.server = await serve(suite.folder, path.join(suite.folder, '.state'));
  });
  afterAll(async () => {
    await suite.server?.stop();
    if (suite.folder) await fs.rm(suite.folder, { recursive: true, force: true });
  });
  afterEach(async (test) => {
    if (!open) return;
    await closeBrowser(open, test.task.result?.state === 'fail' ? test.task.name : undefined);
    open = undefined;
  });
  return suite;
}
