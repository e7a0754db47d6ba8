/**
 * End to end, in light and dark: what a reader sees without RecLab (the static SVG, the exported
 * page) looks like what the app showed (colours, proportions, alignment, whole legend names),
 * and the projector marks a clicked point's neighbours on the map.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Locator, Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { MIME, createNotebook, newCodeCell, serializeNotebook, type CodeCell } from '../../src/notebook';
import { browserUnavailable, screenshot } from './browser';
import { command, inkedPixels, openFile, runAll, save, servedSuite } from './page';

const unavailable = browserUnavailable();

/** Five genres in five bands, three times as wide as high, so that a stretched copy shows. */
const MAP = `const genres = ['Drama', 'Comedy', "Children's", 'Documentary', 'Science Fiction'];
const rows = Array.from({ length: 400 }, (_, i) => [
  (i % 5) * 3 + Math.cos(i),
  Math.sin(i * 1.3) + (i % 2) * 0.5,
  Math.cos(i * 0.7),
]);
await rl.charts.embeddings(rows, {
  labels: rows.map((_, i) => \`movie \${i}\`),
  colorBy: { name: 'genre', values: rows.map((_, i) => genres[i % 5]) },
  title: 'Movies',
})`;

/** Text and number columns side by side, as a top-10 list has them. */
const TABLE = `SELECT * FROM (VALUES
  (1, 'The Shawshank Redemption', 4.52, 'because of Toy Story'),
  (2, 'Up', 3.9, 'popular')) AS t(rank, title, score, reason)`;

/** A top-10 list with the synthetic sample's titles and reasons ("because of A; B") and a wide column besides. */
const WIDGET = `const data = rl.synthetic({ users: 60, items: 40, seed: 1 });
const model = new rl.ItemCF();
await model.fit(data);
const items = rl.Table.fromColumns({
  item: [...data.itemNames],
  genres: data.itemNames.map(() => 'Adventure|Thriller|Comedy|Science Fiction'),
});
rl.widgets.recommend(model, { items, user: data.userNames[0] })`;

/** Two months of days: a time axis whose end labels ECharts centres on the chart's edges. */
const DAILY = `-- name: daily
SELECT TIMESTAMP '2024-01-01' + INTERVAL (range) DAY AS day, 100 + range % 7 AS clicks FROM range(60)`;

const notebook = (...cells: [string, 'sql'?][]) =>
  serializeNotebook(createNotebook(cells.map(([source, kind]) => newCodeCell(source, kind))));
const SCHEMES = ['light', 'dark'] as const;
const suite = servedSuite('static-forms', () =>
  Object.fromEntries(
    SCHEMES.flatMap((s) => [
      [`neighbours-${s}.ipynb`, notebook([MAP])],
      [`map-${s}.ipynb`, notebook([MAP], [TABLE, 'sql'])],
      [`widget-${s}.ipynb`, notebook([WIDGET])],
      [`time-${s}.ipynb`, notebook([DAILY, 'sql'], ["rl.charts.line(daily, { x: 'day', y: 'clicks' })"])],
    ]),
  ),
);

/** Runs every cell from the UI and waits for them; none may fail. */
async function runClean(page: Page): Promise<void> {
  await runAll(page);
  expect(await page.getByTestId('error-output').allTextContents()).toEqual([]);
}

/** The projector's canvas once all its points are drawn, and where its first point is. */
async function drawnMap(projector: Locator): Promise<{ canvas: Locator; x: number; y: number }> {
  await projector.scrollIntoViewIfNeeded();
  const canvas = projector.getByTestId('projector-canvas');
  await expect.poll(async () => Number(await canvas.getAttribute('data-points'))).toBe(400);
  const [x, y] = (await canvas.getAttribute('data-first-point'))!.split(',').map(Number);
  return { canvas, x, y };
}

/** Width over height of the box holding a canvas's inked pixels. */
function inkedAspect(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let p = 0; p < c.width * c.height; p++) {
      if (data[p * 4 + 3] === 0) continue;
      const [x, y] = [p % c.width, Math.floor(p / c.width)];
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
    return (x1 - x0 + 1) / (y1 - y0 + 1);
  });
}

/** The static SVG's legend (name → fill) and the aspect of the box around its points' squares. */
function readSvg(svg: string): { legend: Record<string, string>; aspect: number } {
  const legend: Record<string, string> = {};
  // A legend entry is its swatch (a path marked as the legend's, filled) followed by its name.
  const entry = /<path([^>]*ecmeta_ssr_type="legend"[^>]*)>|<text[^>]*>([^<]*)<\/text>/g;
  let fill: string | undefined;
  for (const m of svg.matchAll(entry)) {
    if (m[1]) fill = /fill="(#[0-9a-f]{6})"/.exec(m[1])?.[1] ?? fill;
    else if (fill) {
      legend[m[2].replace(/&#39;/g, "'")] = fill;
      fill = undefined;
    }
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (const m of svg.matchAll(/M(-?[\d.]+) (-?[\d.]+)l3 0/g)) {
    xs.push(Number(m[1]));
    ys.push(Number(m[2]));
  }
  const span = (v: number[]) => Math.max(...v) - Math.min(...v) + 3;
  return { legend, aspect: span(xs) / span(ys) };
}

const hex = (rgb: string) =>
  '#' +
  (rgb.match(/\d+/g) ?? [])
    .slice(0, 3)
    .map((v) => Number(v).toString(16).padStart(2, '0'))
    .join('');

describe.skipIf(unavailable).each(SCHEMES)('static forms (%s)', (scheme) => {
  it("marks a clicked point's ten neighbours on the map and dims the rest until cleared", async () => {
    const { page, errors } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `neighbours-${scheme}.ipynb`);
    await runClean(page);
    const projector = page.getByTestId('projector');
    const { canvas, x, y } = await drawnMap(projector);
    const faint = async () => Number(await canvas.getAttribute('data-faint'));
    expect(await faint()).toBe(0);
    await canvas.click({ position: { x, y } });
    await expect.poll(() => projector.getByTestId('projector-neighbour').count()).toBe(10);
    // The clicked point and its ten neighbours stay bright; every other point is faint.
    await expect.poll(faint).toBe(400 - 11);
    await screenshot(page, `projector-neighbours-marked-${scheme}`);
    // A click on empty ground (the map keeps a margin) clears the selection and the dimming.
    await canvas.click({ position: { x: 3, y: 3 } });
    await expect.poll(() => projector.getAttribute('data-selected')).toBe('');
    await expect.poll(faint).toBe(0);
    expect(errors).toEqual([]);
  });

  it('saves an SVG and exports a page in the colours, proportions and alignment the app shows', async () => {
    const { page, context, errors } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `map-${scheme}.ipynb`);
    await runClean(page);
    const projector = page.getByTestId('projector');
    const { canvas, x, y } = await drawnMap(projector);
    await page.mouse.move(0, 0);
    await screenshot(page, `static-forms-live-${scheme}`);

    // The live legend's colours, and the colour the canvas gives point 0 (a Drama).
    const live: Record<string, string> = {};
    for (const entry of await projector.locator('.legend .category').all()) {
      const name = (await entry.locator('.name').textContent())!.trim();
      live[name] = hex(await entry.locator('.swatch').evaluate((s) => getComputedStyle(s).backgroundColor));
    }
    expect(Object.keys(live)).toEqual(['Drama', 'Comedy', "Children's", 'Documentary', 'Science Fiction']);
    const drawn = await canvas.evaluate(
      (c: HTMLCanvasElement, [px, py]) => {
        const ratio = c.width / c.getBoundingClientRect().width;
        return Array.from(
          c.getContext('2d')!.getImageData(Math.round(px * ratio), Math.round(py * ratio), 1, 1).data,
        );
      },
      [x, y],
    );
    expect(hex(`rgb(${drawn.slice(0, 3).join(',')})`)).toBe(live.Drama);
    const liveAspect = await inkedAspect(canvas);

    // The static SVG saved in the file: the same colour for each name, whole names, the same proportions.
    await save(page);
    const file = JSON.parse(await fs.readFile(path.join(suite.folder, `map-${scheme}.ipynb`), 'utf8')) as {
      cells: CodeCell[];
    };
    const bundle = file.cells[0].outputs.find((o) => 'data' in o && o.data[MIME.projector]);
    const svg = readSvg(String((bundle as { data: Record<string, string> }).data['image/svg+xml']));
    expect(svg.legend).toEqual(live);
    expect(svg.aspect).toBeCloseTo(liveAspect, 1);

    // The exported page: text columns left, numbers right; the map's legend in the same colours, names whole.
    const downloading = page.waitForEvent('download');
    await command(page, 'Export as HTML');
    const exported = path.join(suite.folder, `map-${scheme}.html`);
    await (await downloading).saveAs(exported);
    const offline = await context.newPage();
    await offline.goto(pathToFileURL(exported).href);
    const align = (column: number) =>
      offline
        .locator('table.reclab-table tbody tr')
        .first()
        .locator('td')
        .nth(column)
        .evaluate((td) => getComputedStyle(td).textAlign);
    expect([await align(0), await align(1), await align(2), await align(3)]).toEqual([
      'right',
      'left',
      'right',
      'left',
    ]);
    const map = offline.locator('.chart.map');
    await map.locator('canvas').first().waitFor();
    const shown = await map.evaluate((el) => {
      type Text = { style?: { text?: string } };
      const chart = (
        window as unknown as {
          echarts: {
            getInstanceByDom(el: Element): {
              getOption(): { series: { name: string; itemStyle: { color: string } }[] };
              getZr(): { storage: { getDisplayList(): Text[] } };
            };
          };
        }
      ).echarts.getInstanceByDom(el);
      return {
        colours: Object.fromEntries(chart.getOption().series.map((s) => [s.name, s.itemStyle.color])),
        texts: chart
          .getZr()
          .storage.getDisplayList()
          .map((e) => e.style?.text ?? ''),
      };
    });
    expect(shown.colours).toEqual(live);
    expect(shown.texts).toEqual(expect.arrayContaining(Object.keys(live)));
    await map.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(offline, `static-forms-export-${scheme}`);
    expect(errors).toEqual([]);
  });

  it('gives the top-10 titles and reasons the width the cell has', async () => {
    const { page, errors } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `widget-${scheme}.ipynb`);
    await runClean(page);
    const widget = page.getByTestId('recommend-widget');
    await widget.getByTestId('recommend-row').first().waitFor();
    await widget.scrollIntoViewIfNeeded();
    const list = widget.getByTestId('recommend-list');
    const titles = list.locator('td.clipped').locator('.clip');
    // A title and a reason a row.
    expect(await titles.count()).toBe(2 * (await widget.getByTestId('recommend-row').count()));
    // Titles whole where the list has the room, the full text on hover all the same.
    const cut = await list
      .locator('tbody tr td:nth-child(3) .clip')
      .evaluateAll((spans) => spans.filter((s) => s.scrollWidth > s.clientWidth).map((s) => s.textContent));
    expect(cut).toEqual([]);
    const first = titles.first();
    expect(await first.getAttribute('title')).toBe((await first.textContent())!.trim());
    // The list takes the whole width its side of the widget has; the reasons get what the other columns leave.
    const [table, side] = await list.evaluate((t) => [
      t.getBoundingClientRect().width,
      t.parentElement!.clientWidth,
    ]);
    expect(table).toBeGreaterThanOrEqual(side - 1);
    await screenshot(page, `widget-wide-titles-${scheme}`);
    expect(errors).toEqual([]);
  });

  it("keeps a time axis's labels inside the chart", async () => {
    const { page, errors } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `time-${scheme}.ipynb`);
    await runClean(page);
    const canvas = page.locator('[data-testid=chart] canvas').first();
    await canvas.scrollIntoViewIfNeeded();
    await expect.poll(() => inkedPixels(canvas)).toBeGreaterThan(500);
    // A label running off the edge is cut there: ink in the outermost columns of the canvas.
    const edges = await canvas.evaluate((c: HTMLCanvasElement) => {
      const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      const inked = (x: number) => {
        let n = 0;
        for (let y = 0; y < c.height; y++) if (data[(y * c.width + x) * 4 + 3] > 0) n++;
        return n;
      };
      return [inked(0), inked(1), inked(c.width - 2), inked(c.width - 1)];
    });
    expect(edges).toEqual([0, 0, 0, 0]);
    await screenshot(page, `time-axis-labels-${scheme}`);
    expect(errors).toEqual([]);
  });
});
