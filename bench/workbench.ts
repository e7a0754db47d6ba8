/**
 * The workbench's figures (`npm run bench -- workbench`): opening a long notebook in the
 * browser, typing while a cell trains, scrolling a million-row grid, and fetching its
 * pages. Each beside a floor measured in the same run. Needs the built UI and Chromium.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright';
import { MIME } from '../src/api';
import { KernelClient } from '../src/kernel-client';
import { createNotebook, newCodeCell, newMarkdownCell, serializeNotebook, type Cell } from '../src/notebook';
import { startServer } from '../src/server';
import { CHROMIUM, WorkbenchClient } from '../dev';
import { printTable, quantile } from './shared';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Figure {
  what: string;
  value: string;
  floor: string;
  target: string;
}

const f1 = (x: number) => x.toFixed(1);

/** A notebook like a long analysis: prose, SQL, code, each code cell with saved outputs. */
function longNotebook(cells: number): string {
  const list: Cell[] = [];
  for (let i = 0; i < cells; i++) {
    if (i % 5 === 0) {
      list.push(
        newMarkdownCell(`## Step ${i / 5 + 1}\n\nWhat this part of the analysis does, in a sentence or two.`),
      );
      continue;
    }
    const sql = i % 5 === 1;
    const cell = newCodeCell(
      sql
        ? `-- name: t${i}\nSELECT user_id, count(*) AS n\nFROM ratings\nGROUP BY user_id\nORDER BY n DESC\nLIMIT 20`
        : `const x${i} = tf.tensor1d([1, 2, 3]);\nconst y${i} = x${i}.square().sum();\n` +
            `display(y${i}.dataSync()[0]);\nconsole.log('cell ${i}');`,
      sql ? 'sql' : 'typescript',
    );
    const rows = Array.from({ length: 20 }, (_, r) => [r, 100 - r]);
    cell.outputs = sql
      ? [
          {
            output_type: 'display_data',
            metadata: {},
            data: {
              'text/plain': 'table',
              [MIME.table]: {
                tableId: `old-${i}`,
                numRows: 20,
                columns: [
                  { name: 'user_id', type: 'int32' },
                  { name: 'n', type: 'float64' },
                ],
                rows,
              },
            },
          },
        ]
      : [{ output_type: 'stream', name: 'stdout', text: [`cell ${i}\n`] }];
    list.push(cell);
  }
  return serializeNotebook(createNotebook(list));
}

async function openTimes(page: Page, url: string, cells: number, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await page.goto('about:blank');
    const t = performance.now();
    await page.goto(url);
    // Interactive: every cell is on the page and the first editor takes keys.
    await page.waitForFunction(
      `document.querySelectorAll('[data-testid=cell]').length === ${cells} && ` +
        "!!document.querySelector('.monaco-editor')",
    );
    times.push(performance.now() - t);
    await page.evaluate('sessionStorage.clear()');
  }
  return times;
}

/**
 * In-page code is passed as text: the bench runs through tsx, whose helpers do not exist
 * in the page.
 */
const SCROLL_FRAMES = `(sel, duration) => new Promise((resolve) => {
  const el = document.querySelector(sel);
  const gaps = [];
  let last = performance.now();
  const start = last;
  const step = (now) => {
    gaps.push(now - last);
    last = now;
    el.scrollTop += 240;
    if (now - start < duration) requestAnimationFrame(step);
    else resolve(gaps.slice(1));
  };
  requestAnimationFrame(step);
})`;

/** Frame intervals while the element scrolls a fixed distance each frame for `ms`. */
function scrollFrames(page: Page, selector: string, ms: number): Promise<number[]> {
  return page.evaluate(`(${SCROLL_FRAMES})(${JSON.stringify(selector)}, ${ms})`) as Promise<number[]>;
}

/** Milliseconds from a key press to the frame that shows the character, for `n` keys. */
async function typingLatency(page: Page, n: number): Promise<number[]> {
  await page.evaluate(`
    window.__lat = [];
    window.addEventListener('keydown', () => {
      const t0 = performance.now();
      const lines = document.querySelector('.monaco-editor.focused .view-lines');
      const before = lines ? lines.textContent : '';
      const check = () => {
        if (lines && lines.textContent !== before) window.__lat.push(performance.now() - t0);
        else if (performance.now() - t0 < 2000) requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    }, true);
  `);
  for (let i = 0; i < n; i++) {
    await page.keyboard.type('x');
    await page.waitForTimeout(20);
  }
  return page.evaluate('window.__lat') as Promise<number[]>;
}

/** 100,000 points in 10 clusters of 32 dimensions, named and coloured by cluster. */
const PROJECTOR_CELL = `const n = 100000, dim = 32;
const vectors = new Float32Array(n * dim);
const centres = Array.from({ length: 10 }, () => Array.from({ length: dim }, () => Math.random() * 4 - 2));
for (let i = 0; i < n; i++)
  for (let d = 0; d < dim; d++) vectors[i * dim + d] = centres[i % 10][d] + (Math.random() - 0.5);
await rl.charts.embeddings(
  { data: vectors, dim },
  {
    method: 'pca',
    labels: Array.from({ length: n }, (_, i) => 'point ' + i),
    colorBy: Array.from({ length: n }, (_, i) => 'cluster ' + (i % 10)),
  },
)`;

/**
 * Moves the pointer over a canvas \`n\` times and measures each move to the next painted
 * frame, counting the moves after which a tooltip names a point.
 */
const HOVER_LATENCY = `async (selector, n) => {
  const canvas = document.querySelector(selector);
  const box = canvas.getBoundingClientRect();
  const latencies = [];
  let labelled = 0;
  for (let i = 0; i < n; i++) {
    const x = box.left + box.width * (0.2 + 0.6 * Math.random());
    const y = box.top + box.height * (0.2 + 0.6 * Math.random());
    const t = performance.now();
    canvas.dispatchEvent(
      new PointerEvent('pointermove', { clientX: x, clientY: y, bubbles: true, pointerType: 'mouse' }),
    );
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    latencies.push(performance.now() - t);
    if (document.querySelector('[data-testid=projector-tooltip]')) labelled++;
  }
  return { latencies, labelled };
}`;

export async function workbenchBench(): Promise<void> {
  console.log('\nRecLab workbench benchmark (headless Chromium, wasm backend)\n');
  if (!existsSync(CHROMIUM) || !existsSync(path.join(ROOT, 'out/renderer/index.html'))) {
    console.log(`skipped: needs ${CHROMIUM} and the built UI (npm run build)`);
    return;
  }
  const figures: Figure[] = [];
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-bench-ui-'));
  const file = path.join(dir, 'long.ipynb');
  const CELLS = 200;
  await fs.writeFile(file, longNotebook(CELLS));
  const server = await startServer({
    folder: dir,
    rendererDir: path.join(ROOT, 'out/renderer'),
    samplesFolder: dir,
    stateDir: path.join(dir, '.state'),
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    // The page's CSP forbids eval; the measuring code is passed as text.
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(server.url);

    // 1. Opening a 200-cell notebook until it takes keys.
    const opens = await openTimes(
      page,
      `http://127.0.0.1:${server.port}/?path=${encodeURIComponent(file)}`,
      CELLS,
      5,
    );
    // The floor: the start page, the same UI bundle without a notebook.
    const shell: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto('about:blank');
      const t = performance.now();
      await page.goto(`http://127.0.0.1:${server.port}/`);
      await page.getByTestId('welcome').waitFor();
      shell.push(performance.now() - t);
    }
    figures.push({
      what: `open a ${CELLS}-cell notebook until interactive (median of 5)`,
      value: `${f1(quantile(opens, 0.5))} ms`,
      floor: `${f1(quantile(shell, 0.5))} ms (the start page, same UI)`,
      target: `< 2000 ms ${quantile(opens, 0.5) < 2000 ? 'met' : 'MISSED'}`,
    });

    // 2. Pages of a million-row result, through the WebSocket, against the kernel directly.
    const client = await WorkbenchClient.connect(server.port, server.token);
    const big = path.join(dir, 'big.ipynb');
    await fs.writeFile(
      big,
      serializeNotebook(
        createNotebook([
          newCodeCell(
            'SELECT range AS i, range % 7 AS k, md5(range::VARCHAR) AS h FROM range(1000000)',
            'sql',
          ),
        ]),
      ),
    );
    const { notebook } = await client.request('open', { path: big });
    await client.waitFor((e) => e.event === 'kernel' && e.kernel.state === 'idle');
    await client.request('execute', { session: notebook.session, cells: [notebook.cells[0].handle] });
    await client.waitFor((e) => e.event === 'run' && e.run.state === 'done' && !!e.run.status);
    const state = await client.request('attach', { session: notebook.session });
    const output = state.cells[0].outputs[0];
    const tableId =
      output.output_type === 'execute_result' ? (output.data[MIME.table] as { tableId: string }).tableId : '';
    const viaServer: number[] = [];
    const sorted: number[] = [];
    // What a click on a column header costs: the first page of a new sort, then one deep in it.
    const sortStarts: number[] = [];
    for (const column of ['h', 'k']) {
      for (const offset of [0, 500_000]) {
        const t = performance.now();
        await client.request('query', {
          session: notebook.session,
          query: 'page',
          params: { tableId, offset, limit: 200, sort: { column, descending: true } },
        });
        sortStarts.push(performance.now() - t);
      }
    }
    for (let i = 0; i < 100; i++) {
      const offset = Math.floor(Math.random() * 999_800);
      let t = performance.now();
      await client.request('query', {
        session: notebook.session,
        query: 'page',
        params: { tableId, offset, limit: 200 },
      });
      viaServer.push(performance.now() - t);
      t = performance.now();
      await client.request('query', {
        session: notebook.session,
        query: 'page',
        params: { tableId, offset, limit: 200, sort: { column: 'h', descending: true } },
      });
      sorted.push(performance.now() - t);
    }
    const kernel = await KernelClient.start({ cwd: dir });
    const direct: number[] = [];
    // A kernel just started is still loading what its first cell will need: let it settle.
    for (let i = 0; i < 20; i++)
      await kernel.query('page', { tableId: 'unknown', offset: 0, limit: 0 }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      await kernel.query('page', { tableId: 'unknown', offset: 0, limit: 0 }).catch(() => undefined);
      direct.push(performance.now() - t);
    }
    await kernel.shutdown();
    figures.push({
      what: 'page of 200 rows from a 1M-row result (p99 of 100)',
      value: `${f1(quantile(viaServer, 0.99))} ms`,
      floor: `${f1(quantile(direct, 0.99))} ms (bare kernel round trip)`,
      target: `< 50 ms ${quantile(viaServer, 0.99) < 50 ? 'met' : 'MISSED'}`,
    });
    const [textFirst, textDeep, intFirst, intDeep] = sortStarts;
    figures.push({
      what: 'first page of a new sort: text column / integer column',
      value: `${f1(textFirst)} / ${f1(intFirst)} ms`,
      floor: '',
      target: `< 50 ms ${Math.max(textFirst, intFirst) < 50 ? 'met' : 'MISSED'}`,
    });
    figures.push({
      what: 'then a page in the middle (sorts every row once)',
      value: `${f1(textDeep)} / ${f1(intDeep)} ms`,
      floor: '',
      target: 'once per column',
    });
    figures.push({
      what: 'random pages of a sorted result (p99 of 100)',
      value: `${f1(quantile(sorted, 0.99))} ms (p50 ${f1(quantile(sorted, 0.5))})`,
      floor: '',
      target: `< 50 ms ${quantile(sorted, 0.99) < 50 ? 'met' : 'MISSED'}`,
    });

    // 3. Scrolling that grid in the UI, frame by frame.
    await page.goto(`http://127.0.0.1:${server.port}/?path=${encodeURIComponent(big)}`);
    await page.locator('[data-testid=kernel-state][data-state=idle]').waitFor({ timeout: 60_000 });
    await page.getByTestId('run-all').click();
    await page.getByTestId('table-grid').waitFor({ timeout: 60_000 });
    const gaps = await scrollFrames(page, '[data-testid=table-grid] .scroller', 3000);
    await page.setContent(
      '<div id="s" style="height:400px;overflow:auto"><div style="height:24000000px"></div></div>',
    );
    const floorGaps = await scrollFrames(page, '#s', 3000);
    const dropped = (xs: number[]) => xs.filter((g) => g > 1000 / 60 + 8).length;
    figures.push({
      what: 'scroll the 1M-row grid, 240 px a frame for 3 s: frame interval p95',
      value: `${f1(quantile(gaps, 0.95))} ms, ${dropped(gaps)} of ${gaps.length} frames late`,
      floor: `${f1(quantile(floorGaps, 0.95))} ms, ${dropped(floorGaps)} of ${floorGaps.length} late (empty scroller)`,
      target: 'no dropped frames at 60 Hz',
    });

    // 4. Typing while a cell trains in the kernel.
    const train = path.join(dir, 'train.ipynb');
    await fs.writeFile(
      train,
      serializeNotebook(
        createNotebook([
          newCodeCell(
            'const m = tf.sequential({ layers: [' +
              'tf.layers.dense({ inputShape: [64], units: 256, activation: "relu" }), ' +
              'tf.layers.dense({ units: 1 })] });\n' +
              'm.compile({ optimizer: "adam", loss: "meanSquaredError" });\n' +
              'await m.fit(tf.randomNormal([20000, 64]), tf.randomNormal([20000, 1]), ' +
              '{ epochs: 50, batchSize: 256, verbose: 0 });',
          ),
          newCodeCell('// type here\n'),
        ]),
      ),
    );
    await page.goto(`http://127.0.0.1:${server.port}/?path=${encodeURIComponent(train)}`);
    await page.locator('[data-testid=kernel-state][data-state=idle]').waitFor({ timeout: 60_000 });
    await page.getByTestId('cell').nth(1).locator('.view-lines').click();
    const idle = await typingLatency(page, 40);
    await page.getByTestId('run-all').click();
    await page.locator('[data-testid=kernel-state][data-state=busy]').waitFor();
    await page.getByTestId('cell').nth(1).locator('.view-lines').click();
    const busy = await typingLatency(page, 40);
    await page.getByTestId('interrupt').click();
    figures.push({
      what: 'typing: key press to frame (p95 of 40) while a cell trains',
      value: `${f1(quantile(busy, 0.95))} ms`,
      floor: `${f1(quantile(idle, 0.95))} ms (kernel idle)`,
      target: 'unaffected',
    });

    // 5. Hovering an embedding map of 100,000 points.
    const map = path.join(dir, 'map.ipynb');
    await fs.writeFile(map, serializeNotebook(createNotebook([newCodeCell(PROJECTOR_CELL)])));
    await page.goto(`http://127.0.0.1:${server.port}/?path=${encodeURIComponent(map)}`);
    await page.locator('[data-testid=kernel-state][data-state=idle]').waitFor({ timeout: 60_000 });
    const t = performance.now();
    await page.getByTestId('run-all').click();
    const canvas = page.getByTestId('projector-canvas');
    await page.locator('[data-testid=projector-canvas][data-points="100000"]').waitFor({ timeout: 120_000 });
    const shown = performance.now() - t;
    await canvas.scrollIntoViewIfNeeded();
    const hover = (await page.evaluate(`(${HOVER_LATENCY})('[data-testid=projector-canvas]', 100)`)) as {
      latencies: number[];
      labelled: number;
    };
    await page.setContent('<canvas id="c" width="600" height="400"></canvas>');
    const floorHover = (await page.evaluate(`(${HOVER_LATENCY})('#c', 100)`)) as { latencies: number[] };
    figures.push({
      what: 'embedding map, 100,000 points: run (PCA) to drawn',
      value: `${f1(shown)} ms`,
      floor: '',
      target: '',
    });
    figures.push({
      what: 'hover on it: pointer move to painted frame (p95 of 100)',
      value: `${f1(quantile(hover.latencies, 0.95))} ms, ${hover.labelled} of 100 moves named a point`,
      floor: `${f1(quantile(floorHover.latencies, 0.95))} ms (a bare canvas)`,
      target: `< 50 ms ${quantile(hover.latencies, 0.95) < 50 ? 'met' : 'MISSED'}`,
    });
    await context.close();
  } finally {
    await browser.close();
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
  printTable(
    ['figure', 'RecLab', 'floor in the same run', 'target'],
    figures.map((f) => [f.what, f.value, f.floor, f.target]),
  );
}
