/**
 * End to end: a notebook written to attack whoever opens it, with script in every output
 * type, in chart options, in metadata and in attachments, and links to remote images. Opened
 * in the workbench and as its exported page in Chromium, nothing of it runs and nothing is
 * fetched.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { MIME, createNotebook, newCodeCell, newMarkdownCell, serializeNotebook } from '../../src/notebook';
import { notebookToHtml } from '../../src/server';
import { browserUnavailable, screenshot } from './browser';
import { openFile, servedSuite } from './page';

const unavailable = browserUnavailable();
/** Where a fetch would go: nothing listens there, and no request may even be tried. */
const REMOTE = 'http://127.0.0.1:9';
const run = (n: number) => `window.__pwned = ${n}`;
const suite = servedSuite('hostile', () => ({ 'hostile.ipynb': serializeNotebook(hostileNotebook()) }));

function hostileNotebook() {
  const markdown = newMarkdownCell(
    `# Hello\n<img src=x onerror="${run(1)}"><script>${run(2)}</script>\n` +
      `[click](javascript:${run(3)}) ![remote](${REMOTE}/remote.png) ![attached](attachment:a.png)\n` +
      `<div style="background: url(${REMOTE}/bg.png)">styled</div>\n`,
  );
  markdown.attachments = { 'a.png': { 'image/png': `"><script>${run(4)}</script>` } };
  markdown.metadata = { tags: [`<script>${run(5)}</script>`] };
  const code = newCodeCell('1');
  const bundle = (data: Record<string, unknown>) => ({ output_type: 'display_data', data, metadata: {} });
  code.outputs = [
    { output_type: 'stream', name: 'stdout', text: [`<script>${run(6)}</script>\n`] },
    { output_type: 'error', ename: `<img src=x onerror="${run(7)}">`, evalue: '<b>x</b>', traceback: [] },
    bundle({ 'text/html': `<img src="${REMOTE}/a.png" onerror="${run(8)}"><script>${run(9)}</script>` }),
    bundle({ 'image/png': `"><script>${run(10)}</script>`, 'text/plain': 'not an image' }),
    bundle({ 'text/markdown': `<iframe src="javascript:${run(11)}"></iframe>**bold**` }),
    bundle({ 'image/svg+xml': `<svg xmlns="http://www.w3.org/2000/svg"><script>${run(12)}</script></svg>` }),
    bundle({
      [MIME.progress]: { label: 'p', value: `"><script>${run(13)}</script>`, total: 4 },
      'text/plain': 'progress',
    }),
    bundle({
      [MIME.echarts]: {
        width: 300,
        height: 200,
        option: {
          title: { text: `<img src=x onerror="${run(14)}">`, link: `javascript:${run(15)}` },
          tooltip: { formatter: `<img src=x onerror="${run(16)}">` },
          toolbox: { feature: { dataView: { lang: [`<img src=x onerror="${run(17)}">`] } } },
          xAxis: { type: 'category', data: ['a'] },
          yAxis: {},
          series: [{ type: 'bar', data: [1] }],
        },
      },
    }),
  ] as never;
  const notebook = createNotebook([markdown, code]);
  notebook.metadata.title = `<script>${run(18)}</script>`;
  return notebook;
}

/** Every request the page makes that is not to `allowed`. */
function foreignRequests(page: Page, allowed: (url: string) => boolean): string[] {
  const seen: string[] = [];
  page.on('request', (r) => void (allowed(r.url()) || seen.push(r.url())));
  return seen;
}

async function hoverEverything(page: Page): Promise<void> {
  for (const canvas of await page.locator('canvas').all()) {
    const box = await canvas.boundingBox();
    if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  }
  await page.waitForTimeout(300);
}

describe.skipIf(unavailable)('a hostile notebook', () => {
  it('runs and fetches nothing when opened in the workbench', async () => {
    const { page } = await suite.browser('light');
    const foreign = foreignRequests(
      page,
      (url) => url.startsWith(suite.server.url.replace(/\/\?.*$/, '')) || url.startsWith('data:'),
    );
    await openFile(page, suite.server.url, 'hostile.ipynb');
    await page.getByText('styled').waitFor();
    await page.getByText('progress', { exact: true }).waitFor();
    await hoverEverything(page);
    await screenshot(page, 'hostile-notebook-light');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(foreign).toEqual([]);
  });

  it('runs and fetches nothing in its exported page', async () => {
    const file = path.join(suite.folder, 'hostile.html');
    const notebook = JSON.parse(await fs.readFile(path.join(suite.folder, 'hostile.ipynb'), 'utf8'));
    await fs.writeFile(file, notebookToHtml(notebook, 'hostile'));
    const { page } = await suite.browser('dark');
    const foreign = foreignRequests(page, (url) => url.startsWith('file:') || url.startsWith('data:'));
    await page.goto(pathToFileURL(file).href);
    await page.getByText('styled').waitFor();
    await hoverEverything(page);
    for (const link of await page.locator('a').all())
      await link.click({ timeout: 2000 }).catch(() => undefined);
    await screenshot(page, 'hostile-notebook-export-dark');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(foreign).toEqual([]);
  });
});
