/**
 * End to end, what an analyst opens RecLab for: each sample notebook run from the UI with
 * its charts drawn, the embedding projector, the top-10 widget, the data grid's column
 * summaries, copy and one-click chart, and the HTML export opened offline. Screenshots go
 * to test-results/screenshots.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Locator, Page } from 'playwright';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, openBrowser, screenshot, serve, type OpenBrowser, type Served } from './browser';
import { closeBrowser, command, inkedPixels, openFile, runAll, save } from './page';
import { MIME, createNotebook, newCodeCell, serializeNotebook, type CodeCell } from '../../src/notebook';
import { notebookToHtml } from '../../src/server';

const unavailable = browserUnavailable();
const NOTEBOOKS = path.join(import.meta.dirname, '../../notebooks');
const SAMPLES = [
  '01-explore',
  '02-itemcf-usercf',
  '03-autoencoder',
  '04-two-tower',
  '05-compare',
  '06-sequences',
  '08-pipeline',
];

let folder: string;
let server: Served;

beforeAll(async () => {
  if (unavailable) return;
  folder = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-e2e-see-'));
  for (const name of SAMPLES)
    await fs.copyFile(path.join(NOTEBOOKS, `${name}.ipynb`), path.join(folder, `${name}.ipynb`));
  server = await serve(folder, path.join(folder, '.state'));
});

afterAll(async () => {
  await server?.stop();
});

let open: OpenBrowser | undefined;
async function browser(scheme: 'light' | 'dark' = 'light') {
  open = await openBrowser(scheme);
  await open.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(server.url).origin,
  });
  return open;
}

afterEach(async (test) => {
  if (!open) return;
  await closeBrowser(open, test.task.result?.state === 'fail' ? test.task.name : undefined);
  open = undefined;
});

/** The top-10 widget scrolled to the top of the window, and the text of its rows. */
async function widgetRows(page: Page): Promise<{ widget: Locator; rows: string[] }> {
  const widget = page.getByTestId('recommend-widget');
  await widget.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  return { widget, rows: await widget.getByTestId('recommend-row').allTextContents() };
}

/**
 * Opens a sample, runs every cell from the UI, checks that nothing failed and every chart drew, and takes its
 * picture.
 */
async function runSample(page: Page, name: string): Promise<void> {
  await openFile(page, server.url, `${name}.ipynb`);
  await runAll(page, 240_000);
  const states = await page
    .getByTestId('cell')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
  expect(states.filter((s) => s === 'error' || s === 'interrupted')).toEqual([]);
  expect(await page.getByTestId('error-output').allTextContents()).toEqual([]);
  for (const canvas of await page.locator('[data-testid=chart] canvas').all()) {
    await canvas.scrollIntoViewIfNeeded();
    expect(await inkedPixels(canvas)).toBeGreaterThan(500);
  }
  await screenshot(page, `sample-${name}`);
}

/**
 * The map of 04-two-tower once every item is drawn (the sample's 800 less the few nobody
 * rated), and where its first point lies on the canvas.
 */
async function firstPoint(
  projector: Locator,
  points = 790,
): Promise<{ canvas: Locator; x: number; y: number }> {
  const canvas = projector.getByTestId('projector-canvas');
  await expect.poll(async () => Number(await canvas.getAttribute('data-points'))).toBeGreaterThan(points);
  const [x, y] = (await canvas.getAttribute('data-first-point'))!.split(',').map(Number);
  return { canvas, x, y };
}

describe.skipIf(!!unavailable)(
  `seeing it in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  { timeout: 300_000, retry: 1 },
  () => {
    it(
      '01-explore runs from the UI: every chart draws; ' +
        'the grid summarises columns, copies a range and charts a column',
      async () => {
        const { page, errors } = await browser('light');
        await runSample(page, '01-explore');
        expect(await page.locator('[data-testid=chart] canvas').count()).toBeGreaterThanOrEqual(5);

        // The popularity table: its header summarises each column.
        const grid = page.getByTestId('table-grid').nth(1);
        await grid.scrollIntoViewIfNeeded();
        await grid.getByTestId('grid-sparkline').first().waitFor();
        expect(await grid.locator('[data-testid=grid-header][data-column=ratings]').textContent()).toMatch(
          /ratings/,
        );

        // A range of cells, copied as tab-separated text with its header.
        await grid.locator('[data-testid=grid-cell][data-row="0"][data-col="0"]').click();
        await grid
          .locator('[data-testid=grid-cell][data-row="2"][data-col="1"]')
          .click({ modifiers: ['Shift'] });
        await page.keyboard.press('ControlOrMeta+C');
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        const lines = copied.trim().split('\n');
        expect(lines).toHaveLength(4);
        expect(lines[0]).toBe('item\tratings');
        expect(lines[1]).toMatch(/^item\d+\t\d+$/);

        // One click: a chart of a column under the grid.
        await grid
          .locator('[data-testid=grid-header][data-column=ratings] [data-testid=grid-chart-button]')
          .click();
        const columnChart = page.getByTestId('grid-column-chart').locator('canvas').first();
        await columnChart.waitFor();
        await expect.poll(() => inkedPixels(columnChart), { timeout: 10_000 }).toBeGreaterThan(500);
        await grid.scrollIntoViewIfNeeded();
        await screenshot(page, 'grid-summary-chart-light');
        // The theme follows the OS as it changes: the same grid and chart in dark.
        await page.emulateMedia({ colorScheme: 'dark' });
        await expect.poll(() => inkedPixels(columnChart), { timeout: 10_000 }).toBeGreaterThan(500);
        // Redrawn for the theme, the bars grow in: the picture is taken once they stand still.
        await expect
          .poll(
            async () =>
              (await inkedPixels(columnChart)) ===
              (await page.waitForTimeout(250), await inkedPixels(columnChart)),
            { timeout: 10_000 },
          )
          .toBe(true);
        await screenshot(page, 'grid-summary-chart-dark');
        expect(errors).toEqual([]);
      },
    );

    it(
      '02-itemcf-usercf: typing a user name shows the top 10 and history; ' +
        'an unknown name says so; models switch',
      async () => {
        const { page, errors } = await browser('light');
        await runSample(page, '02-itemcf-usercf');
        const widget = page.getByTestId('recommend-widget');
        await widget.scrollIntoViewIfNeeded();
        // The list run with the cell, then one typed.
        expect(await widget.getByTestId('recommend-row').count()).toBe(10);
        const input = widget.getByTestId('recommend-input');
        await input.fill('');
        await input.pressSequentially('b', { delay: 30 });
        await widget.getByTestId('recommend-suggestions').waitFor();
        const first = (await widget
          .getByTestId('recommend-suggestions')
          .getByRole('option')
          .first()
          .textContent())!.trim();
        expect(first.toLowerCase().startsWith('b')).toBe(true);
        await input.press('ArrowDown');
        await input.press('Enter');
        await expect.poll(() => widget.locator('h4').first().textContent()).toContain(first);
        expect(await widget.getByTestId('recommend-row').count()).toBe(10);
        expect(await widget.getByTestId('recommend-history').locator('tbody tr').count()).toBeGreaterThan(0);
        await widget.evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await screenshot(page, 'widget-top10-light');

        await widget.getByTestId('recommend-model').selectOption('usercf');
        await expect.poll(() => widget.locator('h4').first().textContent()).toContain('usercf');
        expect(await widget.getByTestId('recommend-row').count()).toBe(10);

        await input.fill('no-such-user-xyz');
        await input.press('Enter');
        await expect(widget.getByTestId('recommend-error').textContent()).resolves.toMatch(
          /Unknown user "no-such-user-xyz".*Closest user names/,
        );
        await save(page);
        expect(errors).toEqual([]);
      },
    );

    it(
      '04-two-tower: the projector draws every item, names a point on hover, ' +
        'lists its neighbours on click, and finds by name',
      async () => {
        const { page, errors } = await browser('light');
        await runSample(page, '04-two-tower');
        const projector = page.getByTestId('projector');
        await projector.scrollIntoViewIfNeeded();
        const { canvas, x, y } = await firstPoint(projector);
        expect(await inkedPixels(canvas)).toBeGreaterThan(500);

        // Positions relative to the canvas at the moment of the move: outputs above may still be laying out.
        await canvas.hover({ position: { x, y } });
        await expect(projector.getByTestId('projector-tooltip').textContent()).resolves.toMatch(/\w/);
        await canvas.click({ position: { x, y } });
        await expect
          .poll(() => projector.getByTestId('projector-neighbour').count(), { timeout: 10_000 })
          .toBe(10);
        await screenshot(page, 'projector-neighbours-light');

        // Search picks another point: its neighbours replace the clicked one's.
        const clicked = await projector.getAttribute('data-selected');
        await projector.getByTestId('projector-search').fill('The');
        const matches = projector.locator('.matches button');
        expect(await matches.count()).toBeGreaterThan(1);
        const other =
          (await matches.nth(0).textContent()) ===
          (await projector.locator('.neighbours strong').textContent())
            ? matches.nth(1)
            : matches.nth(0);
        const name = (await other.textContent())!;
        await other.click();
        await expect.poll(() => projector.locator('.neighbours strong').textContent()).toBe(name);
        expect(await projector.getAttribute('data-selected')).not.toBe(clicked);
        await expect
          .poll(() => projector.getByTestId('projector-neighbour').count(), { timeout: 10_000 })
          .toBe(10);
        expect(errors).toEqual([]);
        await save(page);
      },
    );

    it('03-autoencoder and 05-compare run from the UI with every chart drawn', async () => {
      const { context, errors } = await browser('light');
      for (const name of ['03-autoencoder', '05-compare']) {
        // A window of its own for each: a window reopens the notebook it showed last.
        const page = await context.newPage();
        await runSample(page, name);
        expect(await page.getByTestId('recommend-widget').count()).toBe(1);
      }
      expect(errors).toEqual([]);
    });

    it(
      '06-sequences runs from the UI in dark: ' +
        'the attention heatmaps draw and the widget gives the models’ reasons',
      async () => {
        const { page, errors } = await browser('dark');
        await runSample(page, '06-sequences');
        const heatmaps = page.locator('[data-testid=chart]').filter({ has: page.locator('canvas') });
        const sasrec = heatmaps.nth((await heatmaps.count()) - 2);
        await sasrec.evaluate((el) => el.scrollIntoView({ block: 'start' }));
        expect(await inkedPixels(sasrec.locator('canvas').first())).toBeGreaterThan(5000);
        await screenshot(page, 'sequence-attention-dark');
        const { widget, rows: reasons } = await widgetRows(page);
        expect(reasons).toHaveLength(10);
        expect(reasons.every((r) => r.includes('after '))).toBe(true);
        // The selector names the models the notebook holds by their variables.
        await widget.getByTestId('recommend-model').selectOption('gru4rec');
        await expect.poll(() => widget.locator('h4').first().textContent()).toContain('gru4rec');
        expect(
          (await widget.getByTestId('recommend-row').allTextContents()).every((r) => r.includes('after ')),
        ).toBe(true);
        await screenshot(page, 'sequence-widget-dark');
        expect(errors).toEqual([]);
      },
    );

    it('08-pipeline runs from the UI: the widget over the pipeline, served answers, the latency chart', async () => {
      const { page, errors } = await browser('light');
      await runSample(page, '08-pipeline');
      const { rows } = await widgetRows(page);
      expect(rows).toHaveLength(10);
      expect(rows.every((r) => r.includes('found by '))).toBe(true);
      await screenshot(page, 'pipeline-widget-light');
      const served = page.locator('.output', { hasText: 'Pipeline server at http://127.0.0.1:' });
      await served.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await screenshot(page, 'pipeline-served-light');
      const reading = page.locator('.output', { hasText: 'The server now answers version 2.' });
      await reading.evaluate((el) => el.scrollIntoView({ block: 'end' }));
      await screenshot(page, 'pipeline-reading-light');
      expect(errors).toEqual([]);
    });

    it('exports to one HTML file that shows every chart and the embedding map offline', async () => {
      const { context, page, errors } = await browser('light');
      await openFile(page, server.url, '04-two-tower.ipynb');
      const downloading = page.waitForEvent('download');
      await command(page, 'Export as HTML');
      const download = await downloading;
      expect(download.suggestedFilename()).toBe('04-two-tower.html');
      const file = path.join(folder, 'exported.html');
      await download.saveAs(file);

      await context.setOffline(true);
      const offline = await context.newPage();
      const requests: string[] = [];
      offline.on(
        'request',
        (r) => void (r.url().startsWith('file:') || r.url().startsWith('data:') || requests.push(r.url())),
      );
      await offline.goto(pathToFileURL(file).href);
      const charts = offline.locator('.chart canvas');
      await charts.first().waitFor();
      // The bar chart of metrics, the line of the index, and the embedding map.
      expect(await charts.count()).toBeGreaterThanOrEqual(3);
      for (const canvas of await charts.all()) expect(await inkedPixels(canvas)).toBeGreaterThan(500);
      expect(await offline.locator('table').count()).toBeGreaterThan(2);
      expect(requests).toEqual([]);
      const map = offline.locator('.chart.map');
      await map.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      expect(await inkedPixels(map.locator('canvas').first())).toBeGreaterThan(500);
      await screenshot(offline, 'export-offline');
      expect(errors).toEqual([]);
    });

    it(
      'draws tooltips from a notebook file as text: ' +
        'a hostile label or formatter runs nothing, in the app or the export',
      async () => {
        const hostile = '<img src=x onerror="window.__pwned = 1">';
        const cell = newCodeCell('// outputs written by hand, as a hostile file could hold them') as CodeCell;
        const coords = Buffer.from(new Float32Array([0, 0, 1, 1, 2, 0]).buffer).toString('base64');
        cell.outputs = [
          {
            output_type: 'display_data',
            metadata: {},
            data: {
              'text/plain': 'map',
              [MIME.projector]: {
                widgetId: 'x-w1',
                title: 'hostile',
                method: 'pca',
                dims: 2,
                count: 3,
                coords,
                labels: [hostile, hostile, hostile],
              },
            },
          },
          {
            output_type: 'display_data',
            metadata: {},
            data: {
              'text/plain': 'chart',
              [MIME.echarts]: {
                width: 400,
                height: 300,
                option: {
                  tooltip: { trigger: 'item', formatter: `${hostile}{b}` },
                  xAxis: { type: 'category', data: ['a', 'b'] },
                  yAxis: {},
                  series: [{ type: 'bar', data: [3, 5] }],
                },
              },
            },
          },
        ];
        const file = path.join(folder, 'hostile.ipynb');
        await fs.writeFile(file, serializeNotebook(createNotebook([cell])));
        const exported = path.join(folder, 'hostile.html');
        await fs.writeFile(exported, notebookToHtml(createNotebook([cell]), 'hostile'));

        const { context, page } = await browser('light');
        const hoverAll = async (p: Page, canvases: string) => {
          for (const canvas of await p.locator(canvases).all()) {
            const box = (await canvas.boundingBox())!;
            for (let x = 0.1; x < 1; x += 0.1)
              for (let y = 0.1; y < 1; y += 0.1)
                await p.mouse.move(box.x + box.width * x, box.y + box.height * y);
          }
        };
        await openFile(page, server.url, 'hostile.ipynb');
        await page.getByTestId('chart').waitFor();
        await hoverAll(page, '[data-testid=chart] canvas');
        // The hostile label is shown, as text.
        const map = await firstPoint(page.getByTestId('projector'), 2);
        await map.canvas.hover({ position: { x: map.x, y: map.y } });
        await expect(page.getByTestId('projector-tooltip').textContent()).resolves.toContain(
          '<img src=x onerror=',
        );
        await context.setOffline(true);
        const offline = await context.newPage();
        await offline.goto(pathToFileURL(exported).href);
        await offline.locator('.chart canvas').first().waitFor();
        await hoverAll(offline, '.chart canvas');
        for (const p of [page, offline]) {
          expect(await p.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
          expect(await p.locator('img[src=x]').count()).toBe(0);
        }
      },
    );

    it(
      'reopened by a new server with no kernel behind it, the widget and projector still show what was saved, ' +
        'and say how to make them live (dark)',
      async () => {
        await server.stop();
        server = await serve(folder, path.join(folder, '.state'));
        const { context, page, errors } = await browser('dark');
        await openFile(page, server.url, '02-itemcf-usercf.ipynb');
        const widget = page.getByTestId('recommend-widget');
        await widget.scrollIntoViewIfNeeded();
        await widget.getByTestId('recommend-offline').waitFor();
        expect(await widget.getByTestId('recommend-offline').textContent()).toMatch(/run its cell again/);
        expect(await widget.getByTestId('recommend-row').count()).toBe(10);
        await widget.evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await screenshot(page, 'widget-saved-dark');

        // A second window (a window reopens the notebook it showed last).
        const second = await context.newPage();
        await openFile(second, server.url, '04-two-tower.ipynb');
        const projector = second.getByTestId('projector');
        await projector.scrollIntoViewIfNeeded();
        const { canvas, x, y } = await firstPoint(projector);
        await canvas.click({ position: { x, y } });
        await expect.poll(() => projector.getAttribute('data-selected')).not.toBe('');
        // The answer comes once the new server has started a kernel for the notebook: seconds on a loaded machine.
        await expect
          .poll(() => projector.getByTestId('projector-neighbours').textContent(), { timeout: 60_000 })
          .toMatch(/run its cell again/);
        await screenshot(second, 'projector-saved-dark');
        expect(errors).toEqual([]);
      },
    );
  },
);
