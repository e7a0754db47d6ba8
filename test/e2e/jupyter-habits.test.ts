/**
 * End to end: what a Jupyter user's hands do without thinking, in light and dark: Esc closes
 * the menu, a restart asks first, naming what it loses, and running a cell closes the
 * completion list typed open.
 */
import { describe, expect, it } from 'vitest';
import { createNotebook, newCodeCell, serializeNotebook } from '../../src/notebook';
import { browserUnavailable, screenshot } from './browser';
import { openFile, servedSuite } from './page';

const unavailable = browserUnavailable();
// One notebook per test and scheme: a notebook a window left stays open a minute, edits and all.
const names = ['menu', 'restart', 'complete'].flatMap((t) => [`${t}-light.ipynb`, `${t}-dark.ipynb`]);
const oneRow = serializeNotebook(createNotebook([newCodeCell("SELECT 42 AS answer, 'x' AS label", 'sql')]));
const suite = servedSuite('habits', () => ({
  ...Object.fromEntries(
    names.map((n) => [n, serializeNotebook(createNotebook([newCodeCell('const kept = 6 * 7; kept')]))]),
  ),
  'one-row-light.ipynb': oneRow,
  'one-row-dark.ipynb': oneRow,
}));

describe.skipIf(unavailable).each(['light', 'dark'] as const)('Jupyter habits (%s)', (scheme) => {
  it('closes the ☰ menu with Esc', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `menu-${scheme}.ipynb`);
    await page.getByTestId('menu').click();
    await page.getByRole('menu').waitFor();
    // Every group fits in the window: none runs past its right or bottom edge.
    const box = (await page.getByRole('menu').boundingBox())!;
    const view = page.viewportSize()!;
    expect(box.x + box.width).toBeLessThanOrEqual(view.width);
    expect(box.y + box.height).toBeLessThanOrEqual(view.height);
    await screenshot(page, `menu-open-${scheme}`);
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
  });

  it('asks before a restart, naming what is lost, and restarts only on yes', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `restart-${scheme}.ipynb`);
    await page.getByTestId('cell').first().click();
    await page.keyboard.press('Shift+Enter');
    await page.getByTestId('cell').first().locator('.output', { hasText: '42' }).waitFor();
    const pid = () => page.getByTestId('kernel-state').getAttribute('data-pid');
    const before = await pid();
    // Command mode, then 0 0 as in Jupyter; the first answer is no.
    await page.keyboard.press('Escape');
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.keyboard.press('0');
    await page.keyboard.press('0');
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toBe('Restart the kernel? Every variable the cells made is lost.');
    expect(await pid()).toBe(before);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.keyboard.press('0');
    await page.keyboard.press('0');
    await expect.poll(pid, { timeout: 60_000 }).not.toBe(before);
    await page.locator('[data-testid=kernel-state][data-state=idle]').waitFor();
  });

  it('closes the completion list when the cell runs, so the next Enter does not take a suggestion', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `complete-${scheme}.ipynb`);
    await page.getByTestId('cell').first().locator('.view-lines').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText('Math.');
    await page.keyboard.press('Control+Space');
    await page.locator('.suggest-widget.visible').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+Enter');
    await page.locator('.suggest-widget.visible').waitFor({ state: 'detached' });
    await screenshot(page, `ran-with-completions-${scheme}`);
  });

  it('draws no distribution for a column of one value', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `one-row-${scheme}.ipynb`);
    await page.getByTestId('cell').first().click();
    await page.keyboard.press('Shift+Enter');
    const headers = page.getByTestId('cell').first().getByTestId('grid-sparkline');
    await headers.first().waitFor();
    await expect
      .poll(() => headers.evaluateAll((all) => all.map((h) => h.getAttribute('data-kind'))))
      .toEqual(['single', 'top']);
    await screenshot(page, `one-row-grid-${scheme}`);
  });
});
