import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  MIME,
  createNotebook,
  newCodeCell,
  newMarkdownCell,
  serializeNotebook,
  type CodeCell,
} from '../src/notebook';
import { readNotebookFile, writeNotebookFile } from '../src/server';
import { nbformatAvailable, validateWithNbformat } from './helpers/nbformat';

const BIN = path.join(__dirname, '..', 'bin', 'reclab.mjs');

function reclab(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RECLAB_TF_BACKEND: 'wasm' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function notebookFile(name: string, cells: Parameters<typeof createNotebook>[0]) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-cli-'));
  const file = path.join(dir, name);
  await writeNotebookFile(file, createNotebook(cells));
  return file;
}

describe('reclab run', () => {
  it('runs every cell in order, prints a line per cell and writes the outputs', async () => {
    const file = await notebookFile('ok.ipynb', [
      newMarkdownCell('# Ratings'),
      newCodeCell('-- name: ratings\nSELECT range AS user_id, range % 5 AS rating FROM range(20)', 'sql'),
      newCodeCell(
        'const bar = progress({ total: 2 });\n' +
          'bar.tick(); bar.tick();\n' +
          'console.log("users", ratings.numRows);\n' +
          'display(rl.chart({ xAxis: { type: "category", data: ["a"] }, yAxis: {}, ' +
          'series: [{ type: "bar", data: [1] }] }));\n' +
          'ratings.numRows * 2',
      ),
    ]);
    const out = file.replace('ok.ipynb', 'out.ipynb');
    const r = reclab('run', file, '-o', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\[1\/2\] cell 2 +sql ok +[\d.]+ m?s$/m);
    expect(r.stdout).toMatch(/^\[2\/2\] cell 3 +ts {2}ok +[\d.]+ m?s$/m);
    const nb = await readNotebookFile(out);
    const [, sql, ts] = nb.cells as CodeCell[];
    expect(sql.execution_count).toBe(1);
    expect(sql.outputs[0]).toMatchObject({
      output_type: 'execute_result',
      data: { [MIME.table]: expect.objectContaining({ numRows: 20 }) },
    });
    expect(ts.outputs.map((o) => o.output_type)).toEqual([
      'display_data',
      'stream',
      'display_data',
      'execute_result',
    ]);
    expect(ts.outputs[0]).toMatchObject({
      data: { [MIME.progress]: expect.objectContaining({ value: 2, done: true }) },
    });
    expect(ts.outputs[3]).toMatchObject({ data: { 'text/plain': '40' } });
    // The input file is untouched when -o is given.
    expect((await readNotebookFile(file)).cells[1]).toMatchObject({ outputs: [] });
    if (nbformatAvailable()) expect(validateWithNbformat(out)).toBe('');
  });

  it('exits 1 naming the failing cell, and keeps the outputs so far', async () => {
    const file = await notebookFile('fail.ipynb', [
      newCodeCell('const a = 1;\na'),
      newCodeCell('const b = 2;\nthrow new Error("bad data")'),
      newCodeCell('"never"'),
    ]);
    const r = reclab('run', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[2\/3\] cell 2 +ts {2}ERROR .* Error: bad data/);
    expect(r.stderr).toMatch(/cell 2 \(id [0-9a-f]+\) failed: Error: bad data/);
    const nb = await readNotebookFile(file);
    expect((nb.cells[0] as CodeCell).outputs[0]).toMatchObject({ data: { 'text/plain': '1' } });
    expect((nb.cells[1] as CodeCell).outputs[0]).toMatchObject({ output_type: 'error', evalue: 'bad data' });
    expect((nb.cells[2] as CodeCell).execution_count).toBeNull();
  });

  it('exits 1 when the kernel dies under a cell, saying so in the cell', async () => {
    const file = await notebookFile('crash.ipynb', [
      newCodeCell('console.log("before");\nprocess.exit(3)'),
      newCodeCell('"never"'),
    ]);
    const r = reclab('run', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /cell 1 \(id [0-9a-f]+\) failed: KernelDied: The kernel process exited with code 3/,
    );
    const nb = await readNotebookFile(file);
    expect(JSON.stringify((nb.cells[0] as CodeCell).outputs)).toContain('exited with code 3');
  });

  it('stops a synchronous loop past --timeout by restarting the kernel', async () => {
    // The first cell waits for the compiler to load; the timeout is meant for the second.
    const file = await notebookFile('spin.ipynb', [newCodeCell('"warm"'), newCodeCell('while (true) {}')]);
    const r = reclab('run', file, '--timeout', '4');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cell 2 +ts {2}TIMEOUT/);
    expect(JSON.stringify((await readNotebookFile(file)).cells[1])).toMatch(/so the kernel was restarted/);
  });

  it('interrupts a cell that runs past --timeout', async () => {
    const file = await notebookFile('slow.ipynb', [
      newCodeCell('await new Promise((r) => setTimeout(r, 60_000));'),
    ]);
    const r = reclab('run', file, '--timeout', '1');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cell 1 +ts {2}TIMEOUT/);
    const nb = await readNotebookFile(file);
    expect(JSON.stringify((nb.cells[0] as CodeCell).outputs)).toContain('ran longer than 1 s (--timeout)');
  });

  it('exits 2 with a clear message for a malformed notebook and leaves it as it was', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-cli-'));
    const file = path.join(dir, 'broken.ipynb');
    await fs.writeFile(file, '{"cells": [}');
    const r = reclab('run', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: not valid JSON`);
    expect(await fs.readFile(file, 'utf8')).toBe('{"cells": [}');
    expect(reclab('run').code).toBe(2);
    expect(reclab('run', file, '--timeout', 'soon').stderr).toMatch(/--timeout takes a number of seconds/);
    expect(reclab('frobnicate').stderr).toMatch(/Unknown command "frobnicate"/);
  });

  it('refuses output it could not write before running anything, and never writes HTML over the notebook', async () => {
    const file = await notebookFile('side-effect.ipynb', [newCodeCell('await Bun.write("x")')]);
    const before = await fs.readFile(file, 'utf8');
    const missing = path.join(path.dirname(file), 'no-such-folder', 'out.ipynb');
    const r = reclab('run', file, '-o', missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${missing}: the folder ${path.dirname(missing)} does not exist`);
    expect(r.stdout).not.toMatch(/cell 1/);
    const self = reclab('export', file, '--to', 'html', '-o', file);
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/that is the notebook itself/);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
  });
});

describe('reclab export --to html', () => {
  it('writes one offline page with every cell, interactive charts and sanitized HTML', async () => {
    const file = await notebookFile('report.ipynb', [
      newMarkdownCell('# Report\n<script>alert("x")</script><b onclick="evil()">bold</b>'),
      newCodeCell('x'),
    ]);
    const nb = await readNotebookFile(file);
    (nb.cells[1] as CodeCell).outputs.push(
      { output_type: 'stream', name: 'stdout', text: ['<not html>\n'] },
      {
        output_type: 'display_data',
        metadata: {},
        data: {
          'text/plain': 'chart',
          'image/svg+xml': '<svg></svg>',
          [MIME.echarts]: { option: { series: [{ type: 'bar', data: [1] }] }, width: 300, height: 200 },
        },
      },
      {
        output_type: 'display_data',
        metadata: {},
        data: { 'text/html': '<table><tr><td>1</td></tr></table><img src=x onerror="evil()">' },
      },
    );
    await writeNotebookFile(file, nb);
    const r = reclab('export', file, '--to', 'html');
    expect(r.code).toBe(0);
    const html = await fs.readFile(file.replace(/\.ipynb$/, '.html'), 'utf8');
    expect(html).toContain('<h1>Report</h1>');
    expect(html).toContain('&#60;not html&#62;');
    expect(html).toContain('<div class="chart" id="chart-1" style="width:300px;height:200px"></div>');
    expect(html).toMatch(/echarts/);
    expect(html).toContain('<td>1</td>');
    const page = html.slice(html.indexOf('<main>'), html.indexOf('</main>'));
    expect(page).toContain('<b>bold</b>');
    expect(page).not.toMatch(/alert\("x"\)|onclick|onerror|<script/);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="(?!data:)/);
    expect(html).toMatch(/<link rel="icon" href="data:image\/svg\+xml;base64,/);
    expect(reclab('export', file, '--to', 'pdf').code).toBe(2);
  });

  it(
    'draws an embedding map as an interactive scatter with a series for missing colours, ' +
      'and falls back to the static picture for a payload that does not hold together',
    async () => {
      const b64 = (a: ArrayBufferView) =>
        Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
      const map = (count: number, coords: string) => ({
        widgetId: 'k-w1',
        title: 'map',
        method: 'pca',
        dims: 2,
        count,
        coords,
        labels: Array.from({ length: count }, (_, i) => `p${i}`),
        color: {
          name: 'genre',
          kind: 'category',
          categories: ['a', 'b'],
          values: b64(new Uint16Array([0, 1, 2])),
        },
      });
      const file = await notebookFile('maps.ipynb', [newCodeCell('good'), newCodeCell('bad')]);
      const nb = await readNotebookFile(file);
      (nb.cells[0] as CodeCell).outputs.push({
        output_type: 'display_data',
        metadata: {},
        data: {
          'text/plain': 'good map',
          'image/svg+xml': '<svg id="good"></svg>',
          [MIME.projector]: map(3, b64(new Float32Array([0, 0, 1, 1, 2, 2]))),
        },
      });
      // A billion points claimed over six numbers: refused before anything is decoded.
      (nb.cells[1] as CodeCell).outputs.push({
        output_type: 'display_data',
        metadata: {},
        data: {
          'text/plain': 'bad map',
          'image/svg+xml': '<svg id="bad"></svg>',
          [MIME.projector]: { ...map(3, 'AAAA'), count: 1e9 },
        },
      });
      // The right length, in characters base64 does not have.
      (nb.cells[1] as CodeCell).outputs.push({
        output_type: 'display_data',
        metadata: {},
        data: {
          'text/plain': 'bad map',
          'image/svg+xml': '<svg id="bad2"></svg>',
          [MIME.projector]: map(3, '!'.repeat(32)),
        },
      });
      await writeNotebookFile(file, nb);
      expect(reclab('export', file, '--to', 'html').code).toBe(0);
      const html = await fs.readFile(file.replace(/\.ipynb$/, '.html'), 'utf8');
      expect(html.match(/class="chart map"/g)).toHaveLength(1);
      const charts = JSON.parse(html.match(/var charts = (\[.*\]);/)![1]) as {
        option: { series: { name: string; data: unknown[] }[] };
      }[];
      expect(charts[0].option.series.map((s) => [s.name, s.data.length])).toEqual([
        ['a', 1],
        ['b', 1],
        ['(missing)', 1],
      ]);
      for (const id of ['bad', 'bad2'])
        expect(html).toContain(
          '<img class="image" alt="chart" src="data:image/svg+xml;base64,' +
            Buffer.from(`<svg id="${id}"></svg>`).toString('base64'),
        );
    },
  );
});

describe('sample notebooks', () => {
  const dir = path.join(__dirname, '..', 'notebooks');
  // The numbered workflow samples have their own, deeper test (sample-notebooks.test.ts).
  const samples = readdirSync(dir).filter((f) => f.endsWith('.ipynb') && !/^\d\d-/.test(f));

  it('ships at least one', () => expect(samples.length).toBeGreaterThan(0));

  it.each(samples)('%s runs headless without errors and stays a valid notebook', async (name) => {
    const source = path.join(dir, name);
    const before = await fs.readFile(source, 'utf8');
    const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-sample-')), name);
    const r = reclab('run', source, '-o', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await fs.readFile(source, 'utf8')).toBe(before);
    // Shipped without outputs, and in RecLab's canonical form, so a save changes nothing.
    const shipped = await readNotebookFile(source);
    expect(shipped.cells.every((c) => c.cell_type !== 'code' || c.outputs.length === 0)).toBe(true);
    expect(serializeNotebook(shipped)).toBe(before);
    const ran = await readNotebookFile(out);
    const outputs = ran.cells.flatMap((c) => (c.cell_type === 'code' ? c.outputs : []));
    expect(outputs.filter((o) => o.output_type === 'error')).toEqual([]);
    expect(outputs.length).toBeGreaterThan(0);
    if (nbformatAvailable()) expect(validateWithNbformat(out)).toBe('');
  });
});

describe('reclab serve', () => {
  it('refuses a bad port or folder before starting anything', () => {
    const port = reclab('serve', '--port', 'eighty');
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port takes a port number \(0 to 65535\), not "eighty"/);
    const folder = reclab('serve', path.join(os.tmpdir(), 'reclab-no-such-folder'));
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/reclab-no-such-folder is not a folder/);
  });
});

describe('process boundary', () => {
  it('keeps DuckDB out of the server and the command line: only kernels load it', () => {
    const probe = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "await import('./src/server/index.ts'); await import('./src/cli/main.ts'); " +
          "console.log(process.report.getReport().sharedObjects.filter((s) => s.includes('duckdb')).length);",
      ],
      { cwd: path.resolve(import.meta.dirname, '..'), encoding: 'utf8' },
    );
    expect(probe.stderr).toBe('');
    expect(probe.stdout.trim()).toBe('0');
  });
});
