/**
 * End to end: one notebook in two windows (two tabs of one browser), as a user who opened
 * it twice would: each sees what the other types, and leaving one leaves the other working.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNotebook, newCodeCell, serializeNotebook } from '../../src/notebook';
import { browserUnavailable, screenshot } from './browser';
import { openFile, servedSuite } from './page';

const unavailable = browserUnavailable();
const suite = servedSuite('windows', () => ({
  'shared.ipynb': serializeNotebook(createNotebook([newCodeCell('1')])),
  'changed.ipynb': serializeNotebook(createNotebook([newCodeCell('1')])),
}));

describe.skipIf(unavailable)('one notebook in two windows', () => {
  it('shows each window what the other types, and leaving one keeps the other saving', async () => {
    const open = await suite.browser('dark');
    const first = open.page;
    const second = await open.context.newPage();
    await openFile(first, suite.server.url, 'shared.ipynb');
    await openFile(second, suite.server.url, 'shared.ipynb');

    await first.getByTestId('cell').first().locator('.view-lines').click();
    await first.keyboard.press('Control+A');
    await first.keyboard.type('const fromFirst = 6 * 7;');
    await second.getByTestId('cell').first().locator('.view-lines', { hasText: 'fromFirst' }).waitFor();
    await screenshot(second, 'two-windows-dark');

    // The first window goes back to the start page; the second types, saves, and nothing was lost.
    // It has unsaved changes, so leaving asks first.
    first.once('dialog', (dialog) => void dialog.accept());
    await first.locator('button.home').click();
    await first.getByTestId('files').waitFor();
    await second.getByTestId('cell').first().locator('.view-lines').click();
    await second.keyboard.press('End');
    await second.keyboard.type(' fromFirst');
    await second.keyboard.press('Control+s');
    await expect
      .poll(() => fs.readFile(path.join(suite.folder, 'shared.ipynb'), 'utf8'), { timeout: 20_000 })
      .toContain('const fromFirst = 6 * 7; fromFirst');
    expect(await second.getByTestId('notice').count()).toBe(0);
    expect(open.errors).toEqual([]);
  });

  it('asks before saving over what another program changed on disk, and saves only on yes', async () => {
    const { page } = await suite.browser('light');
    const file = path.join(suite.folder, 'changed.ipynb');
    await openFile(page, suite.server.url, 'changed.ipynb');
    await page.getByTestId('cell').first().locator('.view-lines').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('const mine = 1;');
    const theirs = serializeNotebook(createNotebook([newCodeCell('"written by another program"')]));
    await fs.writeFile(file, theirs);
    const later = new Date(Date.now() + 5000);
    await fs.utimes(file, later, later);

    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.keyboard.press('Control+s');
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatch(/changed\.ipynb was changed on disk by another program .*\n\nOverwrite it\?$/s);
    expect(await fs.readFile(file, 'utf8')).toBe(theirs);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.keyboard.press('Control+s');
    await expect.poll(() => fs.readFile(file, 'utf8'), { timeout: 20_000 }).toContain('const mine = 1;');
    await page.getByTestId('dirty').waitFor({ state: 'detached' });
  });
});
