/**
 * End to end: what a Jupyter user's hands do without thinking, in light and dark: Esc closes
 * the menu, and a restart asks first, naming what it loses.
 */
import { describe, expect, it } from 'vitest';
import { createNotebook, newCodeCell, serializeNotebook } from '../../src/notebook';
import { browserUnavailable, screenshot } from './browser';
import { openFile, servedSuite } from './page';

const unavailable = browserUnavailable();
const suite = servedSuite('habits', () => ({
  'habits.ipynb': serializeNotebook(createNotebook([newCodeCell('const kept = 6 * 7; kept')])),
}));

describe.skipIf(unavailable).each(['light', 'dark'] as const)('Jupyter habits (%s)', (scheme) => {
  it('closes the ☰ menu with Esc', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, 'habits.ipynb');
    await page.getByTestId('menu').click();
    await page.getByRole('menu').waitFor();
    await screenshot(page, `menu-open-${scheme}`);
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
  });

  it('asks before a restart, naming what is lost, and restarts only on yes', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, 'habits.ipynb');
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
});
