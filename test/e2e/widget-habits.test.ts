/**
 * End to end, in light and dark: the top-10 widget offers the name typed exactly first, the
 * embedding map colours a fitted model's items by an attribute named in `colorBy`, and a live
 * training curve's x-axis counts whole epochs.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIME, createNotebook, newCodeCell, serializeNotebook } from '../../src/notebook';
import { browserUnavailable, screenshot } from './browser';
import { openFile, servedSuite, settled } from './page';

const unavailable = browserUnavailable();
const SCHEMES = ['light', 'dark'] as const;
const notebook = (source: string) => serializeNotebook(createNotebook([newCodeCell(source)]));

// Users 400 … 1 in data order: "30" is far down the list, as MovieLens ids sorted as text are.
const NUMBERED = `const ids = Array.from({ length: 400 }, (_, i) => String(400 - i));
const many = rl.Dataset.fromInteractions({ user: ids, item: ids.map((_, i) => 'item' + (i % 7)) });
const pop = new rl.MostPopular();
await pop.fit(many);
rl.widgets.recommend(pop)`;
const TOWER = `const data = rl.synthetic({ users: 60, items: 40, seed: 5 });
const tower = new rl.TwoTower({ epochs: 3 });
await tower.fit(data);
await rl.charts.embeddings(tower, { colorBy: 'genres' })`;

const suite = servedSuite('widget-habits', () =>
  Object.fromEntries(
    SCHEMES.flatMap((s) => [
      [`numbered-${s}.ipynb`, notebook(NUMBERED)],
      [`tower-${s}.ipynb`, notebook(TOWER)],
    ]),
  ),
);

describe.skipIf(unavailable).each(SCHEMES)('widget and map habits (%s)', (scheme) => {
  it('offers the user name typed exactly first in the top-10 widget', async () => {
    const { page } = await suite.browser(scheme);
    await openFile(page, suite.server.url, `numbered-${scheme}.ipynb`);
    await page
      .getByTestId('cell')
      .first()
      .click({ position: { x: 4, y: 4 } });
    await page.keyboard.press('Shift+Enter');
    const input = page.getByTestId('recommend-input');
    await input.waitFor({ timeout: 60_000 });
    await input.fill('30');
    const offered = page.getByTestId('recommend-suggestions').getByRole('option');
    await expect
      .poll(() => offered.allTextContents().then((t) => t.slice(0, 3).map((s) => s.trim())))
      .toEqual(['30', '300', '301']);
    await screenshot(page, `widget-exact-first-${scheme}`);
    // The list lies on top of what follows, not clipped by the output's box: the first name is what is
    // under its own middle.
    const onTop = await offered.first().evaluate((el) => {
      const r = el.getBoundingClientRect();
      return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
    });
    expect(onTop).toBe(true);
    await offered.first().click();
    await page.getByTestId('recommend-row').first().waitFor();
    expect(await page.getByTestId('recommend-widget').textContent()).toContain('for 30');
  });

  it('colours a fitted model’s items by the attribute colorBy names, and draws its curve in whole epochs', async () => {
    const { page } = await suite.browser(scheme);
    const file = `tower-${scheme}.ipynb`;
    await openFile(page, suite.server.url, file);
    await page
      .getByTestId('cell')
      .first()
      .click({ position: { x: 4, y: 4 } });
    await page.keyboard.press('Control+Enter');
    await settled(page);
    const projector = page.getByTestId('projector');
    await projector.waitFor();
    await projector.locator('.legend .caption').filter({ hasText: 'genres (first value)' }).waitFor();
    expect(await projector.locator('.legend .category').count()).toBeGreaterThan(1);
    await projector.scrollIntoViewIfNeeded();
    await screenshot(page, `colour-by-attribute-${scheme}`);

    // The training curve's saved picture has the live chart's x-axis: epochs 1, 2, 3 and nothing between.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+s');
    await page.getByTestId('dirty').waitFor({ state: 'detached' });
    const saved = JSON.parse(await fs.readFile(path.join(suite.folder, file), 'utf8')) as {
      cells: { outputs: { data?: Record<string, unknown> }[] }[];
    };
    const curve = saved.cells[0].outputs.find((o) => o.data?.[MIME.echarts] && /epoch/.test(svgOf(o.data)));
    expect(curve, 'the fit drew no training curve').toBeDefined();
    const ticks = [...svgOf(curve!.data!).matchAll(/<text[^>]* y="6"[^>]*>([^<]*)<\/text>/g)]
      .map((m) => m[1])
      .filter((t) => t !== 'epoch');
    expect(ticks.length).toBeGreaterThan(1);
    for (const t of ticks) expect(t).toMatch(/^\d+$/);
  });
});

function svgOf(data: Record<string, unknown>): string {
  const svg = data['image/svg+xml'];
  return Array.isArray(svg) ? svg.join('') : String(svg ?? '');
}
