/**
 * End to end: `reclab serve` and the built UI in headless Chromium, as a user drives them.
 * Screenshots of the main states go to test-results/screenshots.
 */
import { promises as fs } from 'node:fs';
import { request as httpRequest } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotebook, newCodeCell, serializeNotebook } from '../../src/notebook';
import { startServer } from '../../src/server';
import { browserUnavailable, openBrowser, screenshot, serve, type OpenBrowser, type Served } from './browser';
import { closeBrowser, inkedPixels, openFile, runAll, settled } from './page';
import { nbformatAvailable, validateWithNbformat } from '../helpers/nbformat';

const unavailable = browserUnavailable();
const SAMPLE = path.join(import.meta.dirname, '../../notebooks/getting-started.ipynb');

let folder: string;
let server: Served;

beforeAll(async () => {
  if (unavailable) return;
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-e2e-'));
  await fs.copyFile(SAMPLE, path.join(folder, 'getting-started.ipynb'));
  await fs.writeFile(path.join(folder, 'broken.ipynb'), '{"nbformat": 4, "cells": [');
  await fs.writeFile(
    path.join(folder, 'failing.ipynb'),
    serializeNotebook(
      createNotebook([
        newCodeCell('const fine = 1;\nthrow new Error("boom on line 2");'),
        newCodeCell('1', 'sql'),
      ]),
    ),
  );
  server = await serve(folder, path.join(folder, '.state'));
});

afterAll(async () => {
  await server?.stop();
});

const cells = (page: Page) => page.getByTestId('cell');

let open: OpenBrowser | undefined;
async function browser(scheme: 'light' | 'dark' = 'light') {
  open = await openBrowser(scheme);
  return open;
}

afterEach(async (test) => {
  if (!open) return;
  await closeBrowser(open, test.task.result?.state === 'fail' ? test.task.name : undefined);
  open = undefined;
});

const openFromFiles = (page: Page, name: string) => openFile(page, server.url, name);

async function newNotebook(page: Page, url = server.url): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: 'New notebook' }).click();
  // The name offered (a free Untitled name) is taken as it is.
  await page.getByTestId('name-dialog').getByRole('button', { name: 'Create' }).click();
  await page.locator('[data-testid=kernel-state][data-state=idle]').waitFor({ timeout: 60_000 });
}

/** Waits until the cell's editor has the keyboard, as after a click or a new cell. */
async function editorFocused(page: Page, index: number): Promise<void> {
  await cells(page).nth(index).locator('.monaco-editor.focused').waitFor();
}

async function typeInNewCell(
  page: Page,
  kind: 'sql' | 'typescript' | 'markdown',
  text: string,
): Promise<void> {
  await page.getByTestId(`add-${kind}`).click();
  // A new cell takes the keyboard by itself.
  await editorFocused(page, (await cells(page).count()) - 1);
  // Typed as one input, as a paste would be, so auto-closing brackets do not double.
  await page.keyboard.insertText(text);
}

// One retry: a cold headless Chromium on a loaded 2-core machine is timing-sensitive. A
// retried failure still prints its screenshot name and the page's notices in the log.
describe.skipIf(!!unavailable)(
  `the workbench in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  { timeout: 180_000, retry: 1 },
  () => {
    it('refuses a request without the token', async () => {
      const status = await new Promise<number>((resolve, reject) =>
        httpRequest({ host: '127.0.0.1', port: server.port, path: '/' }, (res) =>
          resolve(res.statusCode ?? 0),
        )
          .on('error', reject)
          .end(),
      );
      expect(status).toBe(403);
    });

    it(
      'runs the sample, takes new SQL and TypeScript cells, saves, ' +
        'and shows it all again after a reload',
      async () => {
        const { page, errors } = await browser('light');
        await page.goto(server.url);
        await page.getByTestId('welcome').waitFor();
        await screenshot(page, 'welcome-light');
        await openFromFiles(page, 'getting-started.ipynb');
        await expect(page.getByTestId('backend').textContent()).resolves.toMatch(
          /TF\.js (wasm|cpu|tensorflow|webgpu)/,
        );
        // Every command is in the menu too (the desktop app has native menus instead).
        await page.getByTestId('menu').click();
        await screenshot(page, 'menu-light');
        await page.getByRole('menuitem', { name: 'Clear all outputs' }).click();
        expect(await page.getByTestId('table-grid').count()).toBe(0);

        await runAll(page);
        const states = await cells(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
        expect(states.filter((s) => s === 'error' || s === 'interrupted')).toEqual([]);
        expect(await page.getByTestId('table-grid').count()).toBeGreaterThan(2);
        await page.locator('[data-testid=progress][data-done=true]').first().waitFor();
        // Every chart has drawn onto its canvas.
        const charts = page.locator('[data-testid=chart] canvas');
        expect(await charts.count()).toBeGreaterThanOrEqual(2);
        for (const canvas of await charts.all()) expect(await inkedPixels(canvas)).toBeGreaterThan(1000);
        await screenshot(page, 'notebook-ran-light');
        await page.locator('[data-testid=progress]').first().scrollIntoViewIfNeeded();
        await screenshot(page, 'notebook-training-light');

        await typeInNewCell(
          page,
          'sql',
          '-- name: per_rating\nSELECT rating, count(*) AS n FROM ratings GROUP BY rating ORDER BY rating',
        );
        await page.keyboard.press('Shift+Enter');
        await settled(page);
        // Shift+Enter on the last cell added a TypeScript cell and put the cursor in it.
        await expect(cells(page).last().getAttribute('data-kind')).resolves.toBe('typescript');
        await editorFocused(page, (await cells(page).count()) - 1);
        await page.keyboard.insertText(
          'display.markdown("ratings " + per_rating.numRows + " and total " + ' +
            'Array.from(per_rating.column("n") as Float64Array).reduce((a, b) => a + Number(b), 0))',
        );
        await page.keyboard.press('Control+Enter');
        await settled(page);
        await cells(page)
          .last()
          .filter({ hasText: /ratings 5 and total \d+/ })
          .waitFor();
        expect(await page.getByTestId('dirty').count()).toBe(1);
        await screenshot(page, 'new-cells-light');

        await page.keyboard.press('Control+s');
        await page.getByTestId('dirty').waitFor({ state: 'detached' });
        const file = path.join(folder, 'getting-started.ipynb');
        await expect
          .poll(() => fs.readFile(file, 'utf8'), { timeout: 10_000 })
          .toContain('-- name: per_rating');
        expect(await fs.readFile(file, 'utf8')).toMatch(/ratings 5 and total \d+/);
        if (nbformatAvailable()) expect(validateWithNbformat(file)).toBe('');

        await page.reload();
        await page.locator('[data-testid=kernel-state][data-state=idle]').waitFor();
        await cells(page)
          .last()
          .filter({ hasText: /ratings 5 and total \d+/ })
          .waitFor();
        expect(await page.getByTestId('table-grid').count()).toBeGreaterThan(2);
        expect(await page.getByTestId('dirty').count()).toBe(0);

        // Command mode: Esc, then H shows the shortcuts.
        await page.locator('[data-testid=notebook-name]').click();
        await page.keyboard.press('h');
        await page.getByTestId('help').waitFor();
        await screenshot(page, 'help-light');
        expect(errors).toEqual([]);
      },
    );

    it('looks right in the dark theme', async () => {
      const { page, errors } = await browser('dark');
      await page.goto(server.url);
      await page.getByTestId('welcome').waitFor();
      await screenshot(page, 'welcome-dark');
      await openFromFiles(page, 'getting-started.ipynb');
      await page.getByTestId('table-grid').first().waitFor();
      await screenshot(page, 'notebook-dark');
      await page.locator('[data-testid=chart]').first().scrollIntoViewIfNeeded();
      await screenshot(page, 'chart-dark');
      expect(errors).toEqual([]);
    });

    it('interrupts a long cell, restarts the kernel, and recovers from a killed kernel', async () => {
      const { page } = await browser('light');
      await newNotebook(page);
      await typeInNewCell(
        page,
        'typescript',
        'let ticks = 0;\nwhile (true) { ticks++; await new Promise((r) => setTimeout(r, 5)); }',
      );
      await page.keyboard.press('Control+Enter');
      await page.locator('[data-testid=kernel-state][data-state=busy]').waitFor();
      await page.getByTestId('interrupt').click();
      await page.locator('[data-testid=cell][data-state=interrupted]').waitFor();
      await expect(page.getByTestId('error-output').textContent()).resolves.toMatch(/Interrupt/);

      const pidBefore = await page.getByTestId('kernel-state').getAttribute('data-pid');
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByTestId('restart').click();
      await page.waitForFunction((pid) => {
        const el = document.querySelector('[data-testid=kernel-state]');
        return el?.getAttribute('data-state') === 'idle' && el.getAttribute('data-pid') !== pid;
      }, pidBefore);

      const pid = Number(await page.getByTestId('kernel-state').getAttribute('data-pid'));
      process.kill(pid, 'SIGKILL');
      await page.getByTestId('kernel-dead').waitFor();
      await expect(page.getByTestId('kernel-dead').textContent()).resolves.toMatch(/killed/);
      await screenshot(page, 'kernel-dead-light');
      await page.getByTestId('kernel-dead').getByRole('button', { name: 'Restart kernel' }).click();
      await page.locator('[data-testid=kernel-state][data-state=idle]').waitFor();
      await cells(page).first().locator('.monaco-editor .view-lines').click();
      await editorFocused(page, 0);
      await page.keyboard.press('Control+a');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText('6 * 7');
      await cells(page).first().locator('.view-lines', { hasText: '6 * 7' }).waitFor();
      await page.keyboard.press('Control+Enter');
      await cells(page).first().locator('.output', { hasText: /^42$/ }).waitFor();
    });

    it('pages through a million-row result from the kernel', async () => {
      const { page } = await browser('light');
      await newNotebook(page);
      await typeInNewCell(
        page,
        'sql',
        'SELECT range AS i, range % 7 AS k, md5(range::VARCHAR) AS h FROM range(1000000)',
      );
      await page.keyboard.press('Control+Enter');
      await settled(page);
      const grid = page.getByTestId('table-grid');
      await expect(grid.getAttribute('data-rows')).resolves.toBe('1000000');
      const scroller = grid.locator('.scroller');
      await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await grid.locator('td.index', { hasText: /^999999$/ }).waitFor();
      await page.waitForFunction(
        () => !document.querySelector('[data-testid=table-grid] td:not(.index)')?.textContent?.includes('…'),
      );
      await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
      await grid
        .locator('td.index', { hasText: /^50000\d$/ })
        .first()
        .waitFor();
      // Sorting is done by the kernel, over all the rows.
      await grid.locator('th', { hasText: 'i' }).first().click();
      await grid.locator('th', { hasText: 'i' }).first().click();
      await scroller.evaluate((el) => (el.scrollTop = 0));
      await grid.locator('tbody tr:nth-child(2) td:nth-child(2)', { hasText: '999999' }).waitFor();
      await screenshot(page, 'million-rows-light');
    });

    it('marks the line an error points to, and follows a cell changed from SQL to TypeScript', async () => {
      const { page } = await browser('light');
      await openFromFiles(page, 'failing.ipynb');
      await cells(page).first().click();
      await page.keyboard.press('Control+Enter');
      await cells(page)
        .first()
        .locator('[data-testid=error-output]', { hasText: 'boom on line 2' })
        .waitFor();
      // The editor was made when the cell scrolled into view, after the page loaded.
      await cells(page).first().locator('.error-line').waitFor();
      const top = await cells(page).first().locator('.error-line').boundingBox();
      const lines = await cells(page).first().locator('.view-line').all();
      expect(Math.abs(top!.y - (await lines[1].boundingBox())!.y)).toBeLessThan(3);
      await screenshot(page, 'error-line-light');
      await cells(page).nth(1).click();
      await cells(page).nth(1).getByLabel('Cell kind').selectOption('typescript');
      await cells(page).nth(1).locator('.view-lines').click();
      await page.keyboard.press('End');
      await page.keyboard.insertText(' + 1');
      await page.keyboard.press('Control+Enter');
      await cells(page).nth(1).locator('.output', { hasText: /^2$/ }).waitFor();
    });

    it('shows a notebook that does not parse as an error page naming the problem', async () => {
      const { page } = await browser('light');
      await page.goto(`${server.url}&path=${encodeURIComponent(path.join(folder, 'broken.ipynb'))}`);
      await page.goto(
        `http://127.0.0.1:${server.port}/?path=${encodeURIComponent(path.join(folder, 'broken.ipynb'))}`,
      );
      await page.getByTestId('error-page').waitFor();
      await expect(page.getByTestId('error-page').textContent()).resolves.toMatch(
        /broken\.ipynb: not valid JSON/,
      );
      await screenshot(page, 'error-page-light');
    });
  },
);

describe.skipIf(!!unavailable)(
  `editing help and resilience in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  { timeout: 180_000 },
  () => {
    const suggestions = (page: Page) => page.locator('.suggest-widget.visible .monaco-list-row');

    it(
      'completes and shows types for the kernel globals and names declared in other cells, ' +
        'and completes the DuckDB catalog',
      async () => {
        const { page } = await browser('light');
        await newNotebook(page);
        await typeInNewCell(page, 'typescript', 'const ratingsPerUser = 60;');
        await typeInNewCell(page, 'sql', 'CREATE TABLE interactions AS SELECT 1 AS user_id, 2 AS item_id');
        await page.keyboard.press('Shift+Enter');
        await page.locator('[data-testid=cell][data-state=ok]').first().waitFor();

        await typeInNewCell(page, 'typescript', 'rl.');
        await page.keyboard.press('Control+Space');
        // The library's models are there, declared from its own source (typed into view: the list is long).
        await page.keyboard.insertText('Ite');
        await suggestions(page).filter({ hasText: 'ItemCF' }).first().waitFor({ timeout: 30_000 });
        for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
        await page.keyboard.insertText('Tab');
        await suggestions(page).filter({ hasText: 'Table' }).first().waitFor();
        await page.keyboard.press('Escape');
        await page.keyboard.insertText('le;\nratingsPer');
        await page.keyboard.press('Control+Space');
        await suggestions(page).filter({ hasText: 'ratingsPerUser' }).first().waitFor();
        await page.keyboard.press('Escape');
        await page.keyboard.insertText('User;\ntf.tens');
        await page.keyboard.press('Control+Space');
        await suggestions(page).filter({ hasText: 'tensor2d' }).first().waitFor();
        await screenshot(page, 'completion-typescript-light');
        await page.keyboard.press('Escape');
        // Hovering a name shows its type, from the library's own declarations.
        await cells(page)
          .last()
          .locator('.view-line span', { hasText: /^ratingsPerUser/ })
          .last()
          .hover({ position: { x: 8, y: 5 } });
        await page.locator('.monaco-hover', { hasText: 'const ratingsPerUser: 60' }).waitFor();
        await page.mouse.move(0, 0);
        await cells(page)
          .last()
          .locator('.view-line span', { hasText: /^rl/ })
          .first()
          .hover({ position: { x: 4, y: 5 } });
        await page
          .locator('.monaco-hover', { hasText: /const rl: .*readonly charts: LibraryCharts/s })
          .waitFor();
        await screenshot(page, 'hover-light');

        await typeInNewCell(page, 'sql', 'SELECT * FROM inter');
        await page.keyboard.press('Control+Space');
        await suggestions(page).filter({ hasText: 'interactions' }).first().waitFor();
        await page.keyboard.press('Escape');
        await page.keyboard.insertText(' WHERE item');
        await page.keyboard.press('Control+Space');
        await suggestions(page).filter({ hasText: 'item_id' }).first().waitFor();
        await screenshot(page, 'completion-sql-light');
      },
    );

    it('runs a cell on Shift+Enter even while completions are open', async () => {
      const { page } = await browser('light');
      await newNotebook(page);
      // "s" is the start of keywords (SELECT, SUM, …): the list opens with one focused.
      await typeInNewCell(page, 'sql', 'SELECT 42 AS s');
      await page.keyboard.press('Control+Space');
      await page.locator('.suggest-widget.visible .monaco-list-row.focused').waitFor({ timeout: 30_000 });
      await page.keyboard.press('Shift+Enter');
      const ran = cells(page).last().locator('xpath=preceding::*[@data-testid="cell"][1]');
      await ran.locator('[data-testid=table-grid]').waitFor();
      expect(await ran.getAttribute('data-state')).toBe('ok');
      expect(await ran.locator('[data-testid=table-grid]').textContent()).toContain('42');
    });

    it('takes the Jupyter keys in command mode', async () => {
      const { page } = await browser('light');
      await newNotebook(page);
      await typeInNewCell(page, 'typescript', '"second"');
      const kinds = () => cells(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
      const texts = () =>
        cells(page).evaluateAll((els) =>
          els.map((e) => e.querySelector('.view-lines, .markdown')?.textContent ?? ''),
        );
      await page.keyboard.press('Escape');
      await page.locator('[data-testid=notebook][data-mode=command]').waitFor();
      await page.keyboard.press('b'); // a cell below the second
      expect(await cells(page).count()).toBe(3);
      await page.keyboard.press('m'); // …made Markdown
      await page.keyboard.press('k'); // up to the second
      await page.keyboard.press('a'); // a cell above it
      expect(await kinds()).toEqual(['typescript', 'typescript', 'typescript', 'markdown']);
      await page.keyboard.press('j'); // down to the second again
      await page.keyboard.press('d');
      await page.keyboard.press('d'); // deleted
      expect(await cells(page).count()).toBe(3);
      await page.getByRole('button', { name: 'Undo delete (Z)' }).waitFor();
      expect((await texts()).join('|')).not.toContain('second');
      await page.keyboard.press('z'); // and back, where it was
      expect(await cells(page).count()).toBe(4);
      await page.getByRole('button', { name: 'Undo delete (Z)' }).waitFor({ state: 'detached' });
      await expect.poll(async () => (await texts())[2]).toContain('second');
      await page.keyboard.press('s'); // to SQL
      expect((await kinds())[2]).toBe('sql');
      await page.keyboard.press('y'); // and back to TypeScript
      await page.keyboard.press('Shift+Enter');
      await cells(page).nth(2).locator('.output', { hasText: 'second' }).waitFor();
    });

    it('shows HTML and Markdown from a notebook without running the scripts in them', async () => {
      const { page } = await browser('light');
      await newNotebook(page);
      await typeInNewCell(
        page,
        'typescript',
        'display.html(\'<b id="bold">kept</b><img src="x" onerror="window.__xss = 1">' +
          "<script>window.__xss = 2</script>')",
      );
      await page.keyboard.press('Control+Enter');
      await page.locator('#bold', { hasText: 'kept' }).waitFor();
      await typeInNewCell(page, 'markdown', '# Title\n\n<img src="y" onerror="window.__xss = 3">');
      await page.keyboard.press('Shift+Enter');
      await page.locator('.markdown h1', { hasText: 'Title' }).waitFor();
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.locator('[onerror]').count()).toBe(0);
      // Clicking rendered Markdown after editing code selects it, without opening its source.
      await cells(page).nth(1).locator('.view-lines').click();
      await page.locator('[data-testid=notebook][data-mode=edit]').waitFor();
      await page.locator('.markdown h1', { hasText: 'Title' }).click();
      await page.locator('[data-testid=notebook][data-mode=command]').waitFor();
      expect(await page.locator('.markdown h1', { hasText: 'Title' }).count()).toBe(1);
    });

    it('says why a save failed and keeps the edits', async () => {
      const { page } = await browser('light');
      await newNotebook(page);
      await typeInNewCell(page, 'typescript', '// not lost');
      const name = (await page.getByTestId('notebook-name').textContent())!;
      // A read-only file makes the save fail, whoever runs the test (root included).
      await fs.chmod(path.join(folder, name), 0o444);
      try {
        await page.keyboard.press('Control+s');
        await page
          .getByTestId('notice')
          .filter({ hasText: /Could not save .*Your edits are kept/ })
          .waitFor();
        await screenshot(page, 'save-failed-light');
        expect(await page.getByTestId('dirty').count()).toBe(1);
        await cells(page).last().locator('.view-lines', { hasText: 'not lost' }).waitFor();
      } finally {
        await fs.chmod(path.join(folder, name), 0o644);
      }
      await page.keyboard.press('Control+s');
      await page.getByTestId('dirty').waitFor({ state: 'detached' });
      await expect(fs.readFile(path.join(folder, name), 'utf8')).resolves.toContain('// not lost');
      // Save As (a dialog in the page): the title and the address follow the new name.
      await page.getByTestId('menu').click();
      await page.getByRole('menuitem', { name: 'Save As…' }).click();
      await page.getByTestId('name-dialog').getByRole('textbox').fill('renamed-copy');
      await page.keyboard.press('Enter');
      await page.getByTestId('notebook-name').filter({ hasText: 'renamed-copy.ipynb' }).waitFor();
      await expect.poll(() => page.title()).toBe('renamed-copy.ipynb — RecLab');
      expect(decodeURIComponent(page.url())).toContain('renamed-copy.ipynb');
      await expect(fs.readFile(path.join(folder, 'renamed-copy.ipynb'), 'utf8')).resolves.toContain(
        '// not lost',
      );
    });

    it('reconnects after a lost connection without losing typed text, and catches up on outputs', async () => {
      // A server in this process, so the test can cut its connections.
      const local = await startServer({
        folder,
        rendererDir: path.join(import.meta.dirname, '../../out/renderer'),
        samplesFolder: folder,
        stateDir: path.join(folder, '.state'),
      });
      try {
        const { page } = await browser('light');
        await newNotebook(page, local.url);
        await typeInNewCell(
          page,
          'typescript',
          'await new Promise((r) => setTimeout(r, 2000));\n"finished while away"',
        );
        await page.keyboard.press('Control+Enter');
        await page.locator('[data-testid=cell][data-state=running]').waitFor();
        local.dropConnections();
        await page.keyboard.insertText('\n// typed while the connection was down');
        await cells(page)
          .last()
          .locator('.output', { hasText: 'finished while away' })
          .waitFor({ timeout: 30_000 });
        await page.keyboard.press('Control+s');
        await page.getByTestId('dirty').waitFor({ state: 'detached' });
        const name = (await page.getByTestId('notebook-name').textContent())!;
        const saved = await fs.readFile(path.join(folder, name), 'utf8');
        expect(saved).toContain('// typed while the connection was down');
        expect(saved).toContain('finished while away');
      } finally {
        await open?.context.close();
        open = undefined;
        await local.close();
      }
    });

    it('offers the unsaved edits back after the server was killed', async () => {
      const { page } = await browser('light');
      await newNotebook(page);
      await typeInNewCell(page, 'typescript', '// precious, never saved');
      // The recovery copy is written within a few seconds of the edit.
      const name = (await page.getByTestId('notebook-name').textContent())!;
      await page.waitForTimeout(3500);
      await server.kill();
      server = await serve(folder, path.join(folder, '.state'));
      await page.goto(`${server.url}`);
      await page.getByTestId('files').getByRole('button', { name }).click();
      await page.getByTestId('recovery').waitFor();
      await screenshot(page, 'recovery-light');
      await page.getByTestId('recovery').getByRole('button', { name: 'Restore them' }).click();
      await cells(page).last().locator('.view-lines', { hasText: 'precious, never saved' }).waitFor();
      expect(await page.getByTestId('dirty').count()).toBe(1);
    });
  },
);
