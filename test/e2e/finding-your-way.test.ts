/**
 * End to end, in light and dark: finding your way around a notebook and its files. Samples
 * open as copies, New notebook and Save As ask for a name in the page, data files open as SQL
 * cells, the sidebar shows the contents, the kernel's variables and the files, and find and
 * replace works across cells and outputs.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { createNotebook, newCodeCell, newMarkdownCell, serializeNotebook } from '../../src/notebook';
import { browserUnavailable, screenshot } from './browser';
import { openFile, runAll, servedSuite } from './page';

const unavailable = browserUnavailable();
const SAMPLE = path.join(import.meta.dirname, '../../notebooks/01-explore.ipynb');
const SCHEMES = ['light', 'dark'] as const;
const RATINGS = 'user,item,rating\nana,Alien,5\nana,Heat,3\nbo,Alien,4\n';

const suite = servedSuite('finding', () =>
  Object.fromEntries(
    SCHEMES.flatMap((s) => [
      [`ratings-${s}.csv`, RATINGS],
      [`tags-${s}.tsv`, 'item\ttag\nAlien\tspace\nHeat\tcrime\n'],
      [
        `outline-${s}.ipynb`,
        serializeNotebook(
          createNotebook([
            newMarkdownCell('# Ratings\nWhat users gave.'),
            newCodeCell("-- name: ratings\nSELECT 'rating' AS word, 5 AS rating", 'sql'),
            newMarkdownCell('## Models'),
            newCodeCell('const ratingCount = ratings.numRows;\nconst rated = new Float32Array(8);'),
            ...Array.from({ length: 8 }, (_, i) => newCodeCell(`// filler ${i}\n`.repeat(6))),
            newMarkdownCell('## Rating the models'),
            newCodeCell('console.log("rating printed")'),
          ]),
        ),
      ],
    ]),
  ),
);

const names = (page: Page) => page.getByTestId('notebook-name').textContent();

async function savedSources(page: Page, file: string): Promise<string[]> {
  await page.keyboard.press('Control+s');
  await page.getByTestId('dirty').waitFor({ state: 'detached' });
  const saved = JSON.parse(await fs.readFile(path.join(suite.folder, file), 'utf8')) as {
    cells: { source: string[] }[];
  };
  return saved.cells.map((c) => c.source.join(''));
}

describe.skipIf(unavailable).each(SCHEMES)('finding your way (%s)', (scheme) => {
  it('opens a sample as the user’s own copy and leaves the shipped file alone', async () => {
    const before = await fs.readFile(SAMPLE, 'utf8');
    const { page } = await suite.browser(scheme);
    await page.goto(suite.server.url);
    await page.getByTestId('samples').getByRole('button', { name: '01-explore.ipynb', exact: true }).click();
    await page
      .getByTestId('notice')
      .filter({ hasText: 'your own copy of the sample 01-explore.ipynb' })
      .waitFor();
    const name = (await names(page))!;
    expect(name).toMatch(/^01-explore(-\d+)?\.ipynb$/);
    await screenshot(page, `sample-copy-${scheme}`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+s');
    await page.getByTestId('dirty').waitFor({ state: 'detached' });
    expect(await fs.readFile(path.join(suite.folder, name), 'utf8')).toBe(before);
    expect(await fs.readFile(SAMPLE, 'utf8')).toBe(before);
  });

  it('asks for the name of a new notebook in the page, and says why a name is refused', async () => {
    const { page } = await suite.browser(scheme);
    await page.goto(suite.server.url);
    await page.getByRole('button', { name: 'New notebook' }).click();
    const dialog = page.getByTestId('name-dialog');
    await expect.poll(() => dialog.getByRole('textbox').inputValue()).toMatch(/^Untitled(-\d+)?\.ipynb$/);
    await dialog.getByRole('textbox').fill(`named-${scheme}`);
    await screenshot(page, `new-notebook-dialog-${scheme}`);
    await page.keyboard.press('Enter');
    await page
      .getByTestId('notebook-name')
      .filter({ hasText: `named-${scheme}.ipynb` })
      .waitFor();
    await expect(fs.stat(path.join(suite.folder, `named-${scheme}.ipynb`))).resolves.toBeTruthy();

    await page.getByTestId('menu').click();
    await page.getByRole('menuitem', { name: 'New Notebook' }).click();
    await dialog.getByRole('textbox').fill(`named-${scheme}.ipynb`);
    await page.keyboard.press('Enter');
    await dialog
      .getByRole('alert')
      .filter({ hasText: `named-${scheme}.ipynb already exists` })
      .waitFor();
    await screenshot(page, `new-notebook-refused-${scheme}`);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // Save As asks in the page too, offering the path relative to the folder served.
    await page
      .getByTestId('files')
      .getByRole('button', { name: `named-${scheme}.ipynb` })
      .click();
    await page.locator('[data-testid=kernel-state][data-state=idle]').waitFor({ timeout: 60_000 });
    await page.keyboard.press('Control+Shift+S');
    expect(await dialog.getByRole('textbox').inputValue()).toBe(`named-${scheme}.ipynb`);
    await dialog.getByRole('textbox').fill(`saved-as-${scheme}`);
    await page.keyboard.press('Enter');
    await page
      .getByTestId('notebook-name')
      .filter({ hasText: `saved-as-${scheme}.ipynb` })
      .waitFor();
    await expect(fs.stat(path.join(suite.folder, `saved-as-${scheme}.ipynb`))).resolves.toBeTruthy();
  });

  it('opens a data file as a SQL cell with its grid, from the start page and from the sidebar', async () => {
    const { page } = await suite.browser(scheme);
    await page.goto(suite.server.url);
    await page
      .getByTestId('files')
      .getByRole('button', { name: `ratings-${scheme}.csv` })
      .click();
    const dialog = page.getByTestId('name-dialog');
    expect(await dialog.getByRole('textbox').inputValue()).toBe(`ratings-${scheme}.ipynb`);
    await page.keyboard.press('Enter');
    const first = page.getByTestId('cell').first();
    await first.getByTestId('table-grid').waitFor({ timeout: 60_000 });
    expect(await first.getByTestId('table-grid').getAttribute('data-rows')).toBe('3');
    await first.getByTestId('grid-sparkline').first().waitFor();
    await screenshot(page, `data-file-opened-${scheme}`);

    await page.getByTestId('menu').click();
    await page.getByRole('menuitem', { name: 'Files' }).click();
    await page
      .getByTestId('sidebar')
      .getByRole('button', { name: `tags-${scheme}.tsv` })
      .click();
    const second = page.getByTestId('cell').nth(1);
    await second.getByTestId('table-grid').waitFor({ timeout: 60_000 });
    expect(await second.getByTestId('table-grid').getAttribute('data-rows')).toBe('2');
    await screenshot(page, `data-file-sidebar-${scheme}`);
    expect(await savedSources(page, `ratings-${scheme}.ipynb`)).toEqual([
      `-- name: ratings_${scheme}\nSELECT * FROM read_csv('ratings-${scheme}.csv')`,
      `-- name: tags_${scheme}\nSELECT * FROM read_csv('tags-${scheme}.tsv')`,
    ]);
  });

  it('shows the contents and the variables in the sidebar', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `outline-${scheme}.ipynb`);
    await runAll(page);
    await page.getByTestId('menu').click();
    await page.getByRole('menuitem', { name: 'Table of contents' }).click();
    const contents = page.getByTestId('contents');
    expect(await contents.getByRole('button').allTextContents()).toEqual([
      'Ratings',
      'Models',
      'Rating the models',
    ]);
    await contents.getByRole('button', { name: 'Rating the models' }).click();
    const target = page.getByTestId('cell').nth(12);
    await expect.poll(() => target.getAttribute('class')).toContain('active');
    await expect.poll(() => target.isVisible()).toBe(true);
    expect(await target.boundingBox().then((b) => b!.y)).toBeLessThan(400);
    await screenshot(page, `contents-${scheme}`);

    await page.getByTestId('sidebar').getByRole('tab', { name: 'Variables' }).click();
    const rows = page.getByTestId('variable');
    const table = () =>
      rows.evaluateAll((all) =>
        all.map((row) =>
          [...row.querySelectorAll('[data-field]')].map((c) => c.textContent!.trim()).join(' | '),
        ),
      );
    await expect.poll(table).toHaveLength(3);
    const [rated, count, ratings] = await table();
    expect(rated).toBe('rated | Float32Array | 32 B | 8 elements');
    expect(count).toBe('ratingCount | number |  | 1');
    expect(ratings).toMatch(/^ratings \| Table \| .* \| 1 row × 2 columns: word, rating$/);
    await rows.getByRole('button', { name: 'ratings', exact: true }).click();
    await page.getByTestId('variable-shown').getByTestId('table-grid').waitFor();
    await screenshot(page, `variables-${scheme}`);
  });

  it('finds across cells and outputs, marks the matches and replaces in the sources', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `outline-${scheme}.ipynb`);
    await runAll(page);
    await page
      .getByTestId('cell')
      .first()
      .click({ position: { x: 4, y: 4 } });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+f');
    await page.getByTestId('find').getByRole('textbox', { name: 'Find' }).fill('rating');
    // Sources: "rating" twice in the SQL, once in "ratingCount" and "ratings.numRows", once in "## Rating",
    // once in the print; outputs: the grid's header and cell, and the printed line.
    const count = page.getByTestId('find-count');
    await expect.poll(() => count.textContent()).toMatch(/^1 of \d+$/);
    const total = Number((await count.textContent())!.split(' of ')[1]);
    expect(total).toBeGreaterThanOrEqual(9);
    await page.keyboard.press('Enter');
    await expect.poll(() => count.textContent()).toBe(`2 of ${total}`);
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.press('Shift+Enter');
    await expect.poll(() => count.textContent()).toBe(`${total} of ${total}`);
    expect(await page.evaluate(() => CSS.highlights.has('reclab-find'))).toBe(true);
    expect(await page.locator('.find-match').count()).toBeGreaterThan(0);
    await screenshot(page, `find-${scheme}`);

    await page.keyboard.press('Control+h');
    await page.getByTestId('find').getByRole('textbox', { name: 'Replace with' }).fill('score');
    await page.getByTestId('find').getByTitle('Match case').click();
    await page.getByTestId('find').getByRole('button', { name: 'Replace all' }).click();
    await page
      .getByTestId('find')
      .getByRole('status')
      .filter({ hasText: /Replaced \d+ in \d+ cells/ })
      .waitFor();
    await screenshot(page, `replaced-${scheme}`);
    await page.keyboard.press('Escape');
    const sources = await savedSources(page, `outline-${scheme}.ipynb`);
    expect(sources[1]).toBe("-- name: scores\nSELECT 'score' AS word, 5 AS score");
    expect(sources[12]).toBe('## Rating the models');
    expect(sources[13]).toBe('console.log("score printed")');
    // Outputs are what the cells printed: they change when a cell runs again.
    await page.getByTestId('cell').nth(13).locator('.output', { hasText: 'rating printed' }).waitFor();
  });
});
