/**
 * End to end, in light and dark: the cell commands a Jupyter user's hands know. C, X, V and
 * Shift+V copy, cut and paste cells (outputs too, into another notebook as well), Shift+M
 * merges, Ctrl+Shift+− splits at the cursor, the arrow keys move the selection, and Ctrl+Z
 * in command mode brings a deleted cell back. What the server holds is read from the saved file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { createNotebook, newCodeCell, serializeNotebook } from '../../src/notebook';
import { browserUnavailable, screenshot } from './browser';
import { openFile, servedSuite } from './page';

const unavailable = browserUnavailable();
const notebook = (...sources: string[]) =>
  serializeNotebook(createNotebook(sources.map((s) => newCodeCell(s))));
const suite = servedSuite('cells', () =>
  Object.fromEntries(
    (['light', 'dark'] as const).flatMap((s) => [
      [`from-${s}.ipynb`, notebook('const copied = 6 * 7; copied', 'const stays = 1')],
      [`to-${s}.ipynb`, notebook('const first = 1', 'const last = 2')],
      [`merge-${s}.ipynb`, notebook('const top = 1', 'const bottom = 2', 'const third = 3')],
      [`split-${s}.ipynb`, notebook('const head = 1\nconst tail = 2')],
    ]),
  ),
);

/** The sources the server holds, after Ctrl+S writes them. */
async function savedSources(page: Page, file: string): Promise<string[]> {
  await page.keyboard.press('Control+s');
  await page.locator('[data-testid=dirty]').waitFor({ state: 'detached' });
  const saved = JSON.parse(await fs.readFile(path.join(suite.folder, file), 'utf8')) as {
    cells: { source: string | string[]; outputs?: unknown[] }[];
  };
  return saved.cells.map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
}

const activeIndex = (page: Page) =>
  page.getByTestId('cell').evaluateAll((cells) => cells.findIndex((c) => c.classList.contains('active')));

describe.skipIf(unavailable).each(['light', 'dark'] as const)('cell commands (%s)', (scheme) => {
  it('copies a cell with its output into another notebook, above and below; X cuts', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `from-${scheme}.ipynb`);
    await page.getByTestId('cell').first().click();
    await page.keyboard.press('Shift+Enter');
    await page.getByTestId('cell').first().locator('.output', { hasText: '42' }).waitFor();
    await page.keyboard.press('Escape');
    await page
      .getByTestId('cell')
      .first()
      .click({ position: { x: 4, y: 4 } });
    await page.keyboard.press('c');

    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByTitle('Start page').click();
    await page
      .getByTestId('files')
      .getByRole('button', { name: `to-${scheme}.ipynb` })
      .click();
    await page.locator('[data-testid=kernel-state][data-state=idle]').waitFor({ timeout: 60_000 });
    await page
      .getByTestId('cell')
      .first()
      .click({ position: { x: 4, y: 4 } });
    await page.keyboard.press('v');
    await page.getByTestId('cell').nth(1).locator('.output', { hasText: '42' }).waitFor();
    await page.keyboard.press('Shift+V');
    await expect.poll(() => page.getByTestId('cell').count()).toBe(4);
    await screenshot(page, `cells-pasted-${scheme}`);
    expect(await savedSources(page, `to-${scheme}.ipynb`)).toEqual([
      'const first = 1',
      'const copied = 6 * 7; copied',
      'const copied = 6 * 7; copied',
      'const last = 2',
    ]);
    const saved = JSON.parse(await fs.readFile(path.join(suite.folder, `to-${scheme}.ipynb`), 'utf8')) as {
      cells: { outputs: { data?: Record<string, unknown> }[] }[];
    };
    expect(saved.cells[2].outputs[0].data?.['text/plain']).toEqual('42');

    // X takes the selected cell out; V puts it back below the one selected next.
    await page
      .getByTestId('cell')
      .nth(3)
      .click({ position: { x: 4, y: 4 } });
    await page.keyboard.press('x');
    await expect.poll(() => page.getByTestId('cell').count()).toBe(3);
    await page
      .getByTestId('cell')
      .first()
      .click({ position: { x: 4, y: 4 } });
    await page.keyboard.press('v');
    expect(await savedSources(page, `to-${scheme}.ipynb`)).toEqual([
      'const first = 1',
      'const last = 2',
      'const copied = 6 * 7; copied',
      'const copied = 6 * 7; copied',
    ]);
  });

  it('merges with Shift+M, moves with the arrow keys and undoes a delete with Ctrl+Z', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `merge-${scheme}.ipynb`);
    await page
      .getByTestId('cell')
      .first()
      .click({ position: { x: 4, y: 4 } });
    // A fresh browser has copied nothing: V says so and adds no cell.
    await page.keyboard.press('v');
    await page.getByTestId('notice').filter({ hasText: 'There are no copied cells to paste' }).waitFor();
    expect(await page.getByTestId('cell').count()).toBe(3);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await activeIndex(page)).toBe(2);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await activeIndex(page)).toBe(0);
    await page.keyboard.press('Shift+M');
    await expect.poll(() => page.getByTestId('cell').count()).toBe(2);
    await screenshot(page, `cells-merged-${scheme}`);
    expect(await savedSources(page, `merge-${scheme}.ipynb`)).toEqual([
      'const top = 1\n\nconst bottom = 2',
      'const third = 3',
    ]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('d');
    await page.keyboard.press('d');
    await expect.poll(() => page.getByTestId('cell').count()).toBe(1);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('cell').count()).toBe(2);
    expect(await savedSources(page, `merge-${scheme}.ipynb`)).toEqual([
      'const top = 1\n\nconst bottom = 2',
      'const third = 3',
    ]);
  });

  it('lists the cell, find and view keys in the keyboard help (H)', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `merge-${scheme}.ipynb`);
    await page
      .getByTestId('cell')
      .first()
      .click({ position: { x: 4, y: 4 } });
    await page.keyboard.press('h');
    const help = page.getByTestId('help');
    await help.waitFor();
    const rows = await help
      .locator('tr')
      .evaluateAll((all) => all.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent!.trim())));
    for (const row of [
      ['C', 'Copy cell'],
      ['X', 'Cut cell'],
      ['V', 'Paste cells below'],
      ['Shift+V', 'Paste cells above'],
      ['Shift+M', 'Merge with the cell below'],
      ['Ctrl+Shift+-', 'Split cell at the cursor'],
      ['J / Down', 'Select cell below'],
      ['K / Up', 'Select cell above'],
      ['Z / Ctrl+Z', 'Undo cell deletion'],
      ['Ctrl+F', 'Find in the notebook'],
      ['Ctrl+H', 'Find and replace'],
    ])
      expect(rows).toContainEqual(row);
    await screenshot(page, `help-keys-${scheme}`);
  });

  it('splits a cell at the cursor with Ctrl+Shift+−', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `split-${scheme}.ipynb`);
    await page.getByTestId('cell').first().locator('.view-lines').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Control+Shift+Minus');
    await expect.poll(() => page.getByTestId('cell').count()).toBe(2);
    // The cursor goes with the text below, as in JupyterLab.
    await expect.poll(() => activeIndex(page)).toBe(1);
    await screenshot(page, `cell-split-${scheme}`);
    await page.keyboard.press('Escape');
    expect(await savedSources(page, `split-${scheme}.ipynb`)).toEqual(['const head = 1', 'const tail = 2']);
  });
});
