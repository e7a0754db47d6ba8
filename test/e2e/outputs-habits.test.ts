/**
 * End to end, in light and dark: what a cell's outputs do as Jupyter and VS Code users expect.
 * A type error warns before the cell runs, or stops it where the notebook says so.
 */
import { describe, expect, it } from 'vitest';
import { createNotebook, newCodeCell, serializeNotebook } from '../../src/notebook';
import { browserUnavailable, screenshot } from './browser';
import { openFile, servedSuite, settled } from './page';

const unavailable = browserUnavailable();
const schemes = ['light', 'dark'] as const;
const notebook = (...sources: string[]) =>
  serializeNotebook(createNotebook(sources.map((s) => newCodeCell(s))));
// One notebook per test and scheme: a notebook a window left stays open a minute, edits and all.
const perScheme = (name: string, text: string) =>
  Object.fromEntries(schemes.map((scheme) => [`${name}-${scheme}.ipynb`, text]));

const suite = servedSuite('outputs', () => ({
  ...perScheme('type-errors', notebook("const n: number = 'abc';\nn", '"after"')),
}));

describe.skipIf(unavailable).each(schemes)('outputs (%s)', (scheme) => {
  it('warns of a type error before the cell runs, and stops the run once the menu says so', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `type-errors-${scheme}.ipynb`);
    const cell = page.getByTestId('cell').first();
    await cell.click();
    await page.keyboard.press('Control+Enter');
    await settled(page);
    await expect
      .poll(() => cell.getByTestId('type-errors').textContent())
      .toBe("Type error at line 1: Type 'string' is not assignable to type 'number'.");
    // It ran anyway: notebooks are for trying things.
    await cell.locator('.output .plain', { hasText: 'abc' }).waitFor();
    await screenshot(page, `type-error-warns-${scheme}`);

    await page.getByTestId('menu').click();
    const setting = page.getByRole('menuitemcheckbox', { name: 'Type errors stop runs' });
    expect(await setting.getAttribute('aria-checked')).toBe('false');
    await setting.click();
    await page.getByTestId('menu').click();
    expect(await setting.getAttribute('aria-checked')).toBe('true');
    await screenshot(page, `type-errors-setting-${scheme}`);
    await page.keyboard.press('Escape');

    // Run all: the first cell is stopped, and the one after it with it.
    await page.getByTestId('run-all').click();
    await expect.poll(() => cell.getAttribute('data-state')).toBe('error');
    await settled(page);
    await expect.poll(() => cell.getByTestId('type-errors').textContent()).toMatch(/The cell did not run/);
    expect(await cell.locator('.output').count()).toBe(1);
    expect(await page.getByTestId('cell').nth(1).locator('.output').count()).toBe(0);
    await screenshot(page, `type-error-stops-${scheme}`);
  });
});
