/** What the end-to-end tests do on a page: in the e2e project only, which has the DOM's types. */
import type { Locator, Page } from 'playwright';
import { screenshot, type OpenBrowser } from './browser';

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
