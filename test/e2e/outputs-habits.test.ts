/**
 * End to end, in light and dark: what a cell's outputs do as Jupyter and VS Code users expect.
 * A type error warns before the cell runs, or stops it where the notebook says so; a long
 * output scrolls in a box; O hides a cell's outputs; a value shows its summary, a large object
 * a tree; a saved grid keeps its column distributions, and a cell its run time.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIME, type ColumnSummary, type TableOutput } from '../../src/api';
import { createNotebook, newCodeCell, parseNotebook, serializeNotebook } from '../../src/notebook';
import { browserUnavailable, screenshot } from './browser';
import { openFile, runAll, servedSuite, settled } from './page';

const unavailable = browserUnavailable();
const schemes = ['light', 'dark'] as const;
const notebook = (...sources: string[]) =>
  serializeNotebook(createNotebook(sources.map((s) => newCodeCell(s))));
// One notebook per test and scheme: a notebook a window left stays open a minute, edits and all.
const perScheme = (name: string, text: string) =>
  Object.fromEntries(schemes.map((scheme) => [`${name}-${scheme}.ipynb`, text]));

/** A notebook as RecLab saved it after a run: a grid with its summaries, and the time the run took. */
function savedGrid(): string {
  const summaries: ColumnSummary[] = [
    {
      kind: 'numeric',
      column: 'n',
      type: 'int32',
      rows: 4,
      nulls: 0,
      infinite: 0,
      min: 0,
      max: 3,
      histogram: { start: 0, width: 1, counts: [1, 1, 1, 1], discrete: true },
    },
    {
      kind: 'category',
      column: 'label',
      type: 'string',
      rows: 4,
      nulls: 0,
      distinct: 2,
      distinctCapped: false,
      top: [
        { value: 'a', count: 3 },
        { value: 'b', count: 1 },
      ],
    },
  ];
  const table: TableOutput = {
    // A table of a kernel long gone: nothing can be asked of it.
    tableId: 'gone-t1',
    numRows: 4,
    columns: [
      { name: 'n', type: 'int32' },
      { name: 'label', type: 'string' },
    ],
    rows: [
      [0, 'a'],
      [1, 'a'],
      [2, 'b'],
      [3, 'a'],
    ],
    summaries,
  };
  const cell = newCodeCell(
    "SELECT range AS n, CASE WHEN range = 2 THEN 'b' ELSE 'a' END AS label FROM range(4)",
    'sql',
  );
  cell.execution_count = 1;
  cell.metadata.execution = {
    'iopub.execute_input': '2025-03-01T09:00:00.000Z',
    'shell.execute_reply': '2025-03-01T09:00:01.200Z',
  };
  cell.outputs = [
    {
      output_type: 'execute_result',
      execution_count: 1,
      data: { 'text/plain': '4 rows', [MIME.table]: table as unknown as Record<string, never> },
      metadata: {},
    },
  ];
  return serializeNotebook(createNotebook([cell]));
}

const suite = servedSuite('outputs', () => ({
  ...perScheme('type-errors', notebook("const n: number = 'abc';\nn", '"after"')),
  ...perScheme(
    'long',
    notebook(
      'for (let i = 0; i < 400; i++) console.log(`line ${i}`);',
      'const runs = Array.from({ length: 40 }, (_, i) => ({ epoch: i, loss: 1 / (i + 1) }));\n' +
        "({ name: 'training', runs })",
      "rl.Dataset.fromInteractions({ user: ['u1', 'u2', 'u2'], item: ['a', 'b', 'a'] }, { name: 'tiny' })",
    ),
  ),
  ...perScheme('hide', notebook('console.log("shown, then hidden")', '"below"')),
  ...perScheme('saved-grid', savedGrid()),
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

  it('scrolls a long output in a box, with a toggle to show it all; a large object is a tree', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `long-${scheme}.ipynb`);
    await runAll(page);
    const [log, tree, dataset] = [0, 1, 2].map((i) => page.getByTestId('cell').nth(i));
    // console is the kernel's, as the web's: no type error for it.
    expect(await log.getByTestId('type-errors').count()).toBe(0);
    const box = log.getByTestId('scrolled');
    const viewport = page.viewportSize()!.height;
    const height = () => box.evaluate((b) => b.getBoundingClientRect().height);
    expect(await height()).toBeLessThanOrEqual(Math.round(viewport * 0.6));
    expect(await box.evaluate((b) => b.scrollHeight > b.clientHeight)).toBe(true);
    await screenshot(page, `output-scrolled-${scheme}`);
    await log.getByTestId('output-expand').click();
    await expect.poll(height).toBeGreaterThan(viewport);
    await log.getByTestId('output-expand').click();
    await expect.poll(height).toBeLessThanOrEqual(Math.round(viewport * 0.6));

    // The first level is summarised; entries are drawn when opened.
    const root = tree.getByTestId('tree-toggle').first();
    expect(await root.textContent()).toBe("▸{name: 'training', runs: Array(40)}");
    expect(await tree.getByTestId('tree-toggle').count()).toBe(1);
    await root.click();
    await tree.getByTestId('tree-toggle').nth(1).click();
    await tree.getByText('loss:').first().waitFor();
    expect(await tree.getByTestId('tree-toggle').count()).toBe(42);
    // A Dataset says what it is in one line.
    expect(await dataset.locator('.output').textContent()).toMatch(/^Dataset "tiny": 2 users, 2 items, 3 /);
    await tree.scrollIntoViewIfNeeded();
    await screenshot(page, `output-tree-${scheme}`);
  });

  it("hides a cell's outputs with O, behind a bar that shows them again, and saves that", async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `hide-${scheme}.ipynb`);
    const cell = page.getByTestId('cell').first();
    await cell.click();
    await page.keyboard.press('Shift+Enter');
    await cell.locator('.output', { hasText: 'shown, then hidden' }).waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('k');
    await page.keyboard.press('o');
    await cell.getByTestId('outputs-hidden').waitFor();
    expect(await cell.locator('.output').count()).toBe(0);
    await screenshot(page, `outputs-hidden-${scheme}`);
    await page.keyboard.press('Control+s');
    await page.getByTestId('dirty').waitFor({ state: 'detached' });
    const file = path.join(suite.folder, `hide-${scheme}.ipynb`);
    const saved = parseNotebook(await fs.readFile(file, 'utf8')).cells[0].metadata;
    expect(saved).toMatchObject({ collapsed: true, jupyter: { outputs_hidden: true } });
    await cell.getByTestId('outputs-hidden').click();
    await cell.locator('.output', { hasText: 'shown, then hidden' }).waitFor();
    expect(await cell.getByTestId('outputs-hidden').count()).toBe(0);
  });

  it("shows a saved grid's column distributions and the cell's run time without their kernel", async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `saved-grid-${scheme}.ipynb`);
    const cell = page.getByTestId('cell').first();
    const headers = cell.getByTestId('grid-sparkline');
    await headers.first().waitFor();
    expect(await headers.evaluateAll((all) => all.map((h) => h.getAttribute('data-kind')))).toEqual([
      'histogram',
      'top',
    ]);
    expect((await cell.locator('.time').textContent())?.trim()).toBe('1.2 s');
    await screenshot(page, `saved-grid-${scheme}`);
  });
});
