import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIME } from '../src/api';
import {
  parseJson,
  parseNotebook,
  stringifyJupyter,
  createNotebook,
  newCodeCell,
  serializeNotebook,
} from '../src/notebook';
import { notebookToHtml, readNotebookText } from '../src/server';

const BIN = path.join(__dirname, '..', 'bin', 'reclab.mjs');
let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-malformed-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

function exportHtml(file: string) {
  const r = spawnSync(process.execPath, [BIN, 'export', file, '--to', 'html', '-o', `${file}.html`], {
    encoding: 'utf8',
  });
  return { code: r.status, stderr: r.stderr };
}

/** A notebook whose one code cell carries `outputs` as given, written as nbformat text. */
function withOutputs(outputs: unknown[]): string {
  const notebook = createNotebook([newCodeCell('1')]);
  const text = serializeNotebook(notebook);
  return text.replace('"outputs": []', `"outputs": ${JSON.stringify(outputs)}`);
}

describe('deeply nested JSON', () => {
  const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const deep = `{"cells": [], "metadata": {"x": ${nested}}, "nbformat": 4, "nbformat_minor": 5}`;

  it('is refused with the file and the depth, not a stack overflow', () => {
    expect(() => parseNotebook(deep, 'deep.ipynb')).toThrow(
      /^deep\.ipynb: not valid JSON: nested more than 512 levels deep at line 1, column \d+/,
    );
  });

  it('gives the CLI a clear message without a stack trace, and leaves the file as it was', async () => {
    const file = path.join(dir, 'deep.ipynb');
    await fs.writeFile(file, deep);
    const r = exportHtml(file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${file}: not valid JSON: nested more than 512 levels deep`);
    expect(r.stderr).not.toMatch(/RangeError|\n\s+at /);
    expect(await fs.readFile(file, 'utf8')).toBe(deep);
  });
});

describe('a "__proto__" key', () => {
  it('is kept as a field, byte for byte, and does not change the object', () => {
    const text = '{\n "__proto__": {\n  "polluted": true\n },\n "a": 1\n}\n';
    const value = parseJson(text) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as { polluted?: boolean }).polluted).toBeUndefined();
    expect(stringifyJupyter(value as never)).toBe(text);
  });
});

describe('bytes that are not UTF-8', () => {
  it('are named with their line, and the file is left as it was', async () => {
    const file = path.join(dir, 'latin1.ipynb');
    const good = serializeNotebook(createNotebook([newCodeCell('"caf\u00e9"')]));
    const bytes = Buffer.from(good.replace('caf\u00e9', 'caf\u0000'), 'utf8');
    bytes[bytes.indexOf(0)] = 0xe9; // é in Latin-1
    await fs.writeFile(file, bytes);
    const line = good.slice(0, good.indexOf('caf')).split('\n').length;
    await expect(readNotebookText(file)).rejects.toThrow(
      new RegExp(`latin1\\.ipynb: is not valid UTF-8 \\(line ${line}, byte \\d+\\)\\. .*re-save it as UTF-8`),
    );
    expect(exportHtml(file).stderr).toContain('is not valid UTF-8');
    expect(Buffer.compare(await fs.readFile(file), bytes)).toBe(0);
  });
});

describe('outputs that are JSON but not the shape nbformat describes', () => {
  const broken = [
    { output_type: 'display_data', metadata: {} },
    { output_type: 'error', ename: 'E', evalue: 'v' },
    { output_type: 'stream', name: 'stdout', text: 42 },
    null,
  ];
  const odd = [
    {
      output_type: 'display_data',
      metadata: {},
      data: {
        [MIME.progress]: {
          label: 'p',
          value: 9,
          total: 4,
          elapsedSeconds: 1,
          rate: 1,
          etaSeconds: 0,
          done: true,
        },
        'text/plain': 'p 9/4',
      },
    },
    {
      output_type: 'display_data',
      metadata: {},
      data: { [MIME.echarts]: { option: null, width: 10, height: 10 }, 'text/plain': 'a chart' },
    },
  ];

  it('are shown as unreadable in the export, with what is wrong, and the rest still renders', () => {
    const notebook = parseNotebook(withOutputs([...broken, ...odd]), 'odd.ipynb');
    const html = notebookToHtml(notebook, 'odd');
    const unreadable = [...html.matchAll(/<pre class="unreadable">Unreadable output: ([^<]*)\.<\/pre>/g)].map(
      (m) => m[1],
    );
    expect(unreadable).toEqual([
      '&#34;data&#34; is missing',
      '&#34;traceback&#34; is missing',
      '&#34;text&#34; must be a string or an array, not number',
      'the output must be an object, not null',
    ]);
    // Past its total, a progress bar is full; a chart whose option is null falls back to its text.
    expect(html).toContain('<progress max="4" value="9"></progress>');
    expect(html).toContain('<pre class="text">a chart</pre>');
  });

  it('keep the export going from the command line, and the file unchanged', async () => {
    const file = path.join(dir, 'odd.ipynb');
    const text = withOutputs([...broken, ...odd]);
    await fs.writeFile(file, text);
    const r = exportHtml(file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await fs.readFile(`${file}.html`, 'utf8')).toContain('Unreadable output');
    expect(await fs.readFile(file, 'utf8')).toBe(text);
  });
});
