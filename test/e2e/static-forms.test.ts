/**
 * End to end, in light and dark: what a reader sees without RecLab (the static SVG, the exported
 * page) looks like what the app showed (colours, proportions, alignment, whole legend names),
 * and the projector marks a clicked point's neighbours on the map.
 */
import type { Locator, Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { createNotebook, newCodeCell, serializeNotebook } from '../../src/notebook';
import { browserUnavailable, screenshot } from './browser';
import { openFile, servedSuite, settled } from './page';

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

const notebook = (...sources: string[]) =>
  serializeNotebook(createNotebook(sources.map((s) => newCodeCell(s))));
const SCHEMES = ['light', 'dark'] as const;
const suite = servedSuite('static-forms', () =>
  Object.fromEntries(SCHEMES.flatMap((s) => [[`neighbours-${s}.ipynb`, notebook(MAP)]])),
);

/** Runs every cell from the UI and waits for them; none may fail. */
async function runAll(page: Page): Promise<void> {
  await page.getByTestId('run-all').click();
  await page.locator('[data-testid=cell][data-state=running]').first().waitFor();
  await settled(page);
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

describe.skipIf(unavailable).each(SCHEMES)('static forms (%s)', (scheme) => {
  it("marks a clicked point's ten neighbours on the map and dims the rest until cleared", async () => {
    const { page, errors } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `neighbours-${scheme}.ipynb`);
    await runAll(page);
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
});
