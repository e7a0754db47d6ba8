/**
 * A corpus of malformed notebooks, each taken through `reclab export`, `reclab run` and
 * opening in the workbench: every one gives a clear message naming the file, or opens with
 * the bad part marked; none shows a stack trace; every file stays byte for byte as it was.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIME, createNotebook, newCodeCell, newMarkdownCell, serializeNotebook } from '../src/notebook';
import { suiteServer } from './helpers/server';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'reclab.mjs');
const suite = suiteServer('corpus');

/** A notebook's text with its JSON changed by `edit`: one cell `1`, and a second with `outputs`. */
function notebookWith(edit: (root: Record<string, unknown>) => void): string {
  const code = newCodeCell('1');
  const root = JSON.parse(serializeNotebook(createNotebook([newMarkdownCell('# T'), code]))) as Record<
    string,
    unknown
  >;
  edit(root);
  return JSON.stringify(root, null, 1);
}

const cells = (root: Record<string, unknown>) => root.cells as Record<string, unknown>[];
const withOutput = (output: unknown) => notebookWith((root) => (cells(root)[1].outputs = [output]));
const display = (data: unknown) => ({ output_type: 'display_data', data, metadata: {} });

/** Files that are not notebooks RecLab can open: each is refused with a message. */
const UNOPENABLE: Record<string, string | Buffer> = {
  'empty.ipynb': '',
  'blank.ipynb': '  \n\n',
  'truncated.ipynb': serializeNotebook(createNotebook([newCodeCell('1')])).slice(0, 80),
  'array.ipynb': '[]',
  'null.ipynb': 'null',
  'string.ipynb': '"a notebook"',
  'number.ipynb': '4',
  'empty-object.ipynb': '{}',
  'nbformat-3.ipynb': notebookWith((root) => (root.nbformat = 3)),
  'nbformat-5.ipynb': notebookWith((root) => (root.nbformat = 5)),
  'nbformat-text.ipynb': notebookWith((root) => (root.nbformat = 'four')),
  'no-cells.ipynb': notebookWith((root) => delete root.cells),
  'cells-object.ipynb': notebookWith((root) => (root.cells = { 0: {} })),
  'no-metadata.ipynb': notebookWith((root) => delete root.metadata),
  'metadata-list.ipynb': notebookWith((root) => (root.metadata = [])),
  'cell-number.ipynb': notebookWith((root) => (root.cells = [1])),
  'cell-null.ipynb': notebookWith((root) => (root.cells = [null])),
  'no-cell-type.ipynb': notebookWith((root) => delete cells(root)[0].cell_type),
  'no-source.ipynb': notebookWith((root) => delete cells(root)[0].source),
  'source-number.ipynb': notebookWith((root) => (cells(root)[1].source = 42)),
  'source-mixed-list.ipynb': notebookWith((root) => (cells(root)[1].source = ['a', 1])),
  'cell-metadata-list.ipynb': notebookWith((root) => (cells(root)[1].metadata = ['x'])),
  'outputs-object.ipynb': notebookWith((root) => (cells(root)[1].outputs = {})),
  'trailing-garbage.ipynb': `${serializeNotebook(createNotebook([]))}}`,
  'control-character.ipynb': serializeNotebook(createNotebook([newCodeCell('x')])).replace(
    '"x"',
    '"a\u0001b"',
  ),
  'bad-escape.ipynb': serializeNotebook(createNotebook([newCodeCell('x')])).replace('"x"', '"a\\qb"'),
  'deep.ipynb': `{"nbformat": 4, "metadata": {}, "cells": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
  'latin-1.ipynb': Buffer.concat([
    Buffer.from('{"nbformat": 4, "metadata": {"a": "caf'),
    Buffer.from([0xe9]),
    Buffer.from('"}, "cells": []}'),
  ]),
};

/** Notebooks that open, with a part RecLab cannot read: it is marked, and kept. */
const OPENABLE: Record<string, string> = {
  'display-without-data.ipynb': withOutput({ output_type: 'display_data', metadata: {} }),
  'error-without-traceback.ipynb': withOutput({ output_type: 'error', ename: 'E', evalue: 'v' }),
  'stream-number.ipynb': withOutput({ output_type: 'stream', name: 'stdout', text: 42 }),
  'stream-bad-name.ipynb': withOutput({ output_type: 'stream', name: 'stdlog', text: 'x' }),
  'null-output.ipynb': withOutput(null),
  'unknown-output-type.ipynb': withOutput({ output_type: 'widget-state', data: {} }),
  'data-string.ipynb': withOutput({ output_type: 'display_data', data: 'text', metadata: {} }),
  'result-without-count.ipynb': withOutput({ output_type: 'execute_result', data: {}, metadata: {} }),
  'progress-over-total.ipynb': withOutput(
    display({
      [MIME.progress]: {
        label: 'p',
        value: 9,
        total: 4,
        elapsedSeconds: 1,
        rate: 1,
        etaSeconds: 0,
        done: true,
      },
    }),
  ),
  'chart-option-null.ipynb': withOutput(display({ [MIME.echarts]: { option: null, width: 1, height: 1 } })),
  'table-without-rows.ipynb': withOutput(
    display({ [MIME.table]: { tableId: 't', numRows: 3, columns: [] } }),
  ),
  'projector-short-coords.ipynb': withOutput(
    display({
      [MIME.projector]: {
        widgetId: 'w',
        title: 't',
        method: 'pca',
        dims: 2,
        count: 5,
        coords: 'AAAA',
        labels: [],
      },
      'text/plain': 'a map',
    }),
  ),
  'recommend-garbage.ipynb': withOutput(display({ [MIME.recommend]: [1, 2, 3] })),
  'png-not-base64.ipynb': withOutput(display({ 'image/png': '"><b>not base64</b>' })),
  'attachments-null.ipynb': notebookWith((root) => (cells(root)[0].attachments = { 'a.png': null })),
  'heading-cell.ipynb': notebookWith((root) => (cells(root)[0].cell_type = 'heading')),
  'execution-count-text.ipynb': notebookWith((root) => (cells(root)[1].execution_count = 'three')),
  // Some editors on Windows begin UTF-8 with a byte order mark; the text is the same.
  'byte-order-mark.ipynb': `\ufeff${notebookWith(() => undefined)}`,
};

function reclab(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, RECLAB_TF_BACKEND: 'wasm' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

/** A stack trace's frame line, or a JavaScript error's own name: what a user must never see. */
const STACK = /\n\s+at |RangeError|TypeError|ReferenceError|Maximum call stack/;

describe('the malformed-notebook corpus', () => {
  it('holds at least 40 notebooks', () => {
    expect(Object.keys(UNOPENABLE).length + Object.keys(OPENABLE).length).toBeGreaterThanOrEqual(40);
  });

  // Each notebook starts a CLI or two, and the openable ones a kernel each: minutes, not seconds.
  it(
    'refuses each file that is not a notebook with a message naming it, and touches none',
    { timeout: 600_000 },
    async () => {
      const client = await suite.connect();
      try {
        for (const [name, content] of Object.entries(UNOPENABLE)) {
          const file = path.join(suite.work, name);
          await fs.writeFile(file, content);
          const [exported, ran] = await Promise.all([
            reclab('export', file, '--to', 'html', '-o', `${file}.html`),
            reclab('run', file, '-o', `${file}.out.ipynb`),
          ]);
          for (const r of [exported, ran]) {
            expect({ name, code: r.code }).toEqual({ name, code: 2 });
            expect(r.stderr, name).toContain(`reclab: ${file}: `);
            expect(r.stderr, name).not.toMatch(STACK);
          }
          const opened = await client.request('open', { path: file }).then(
            () => 'opened',
            (e: Error) => e.message,
          );
          expect(opened, name).toContain(`${file}: `);
          expect(opened, name).not.toMatch(STACK);
          expect(Buffer.compare(await fs.readFile(file), Buffer.from(content)), name).toBe(0);
        }
      } finally {
        client.close();
      }
    },
  );

  it(
    'opens each notebook with an unreadable part, exports and runs it, and keeps the file as it was',
    { timeout: 600_000 },
    async () => {
      const client = await suite.connect();
      try {
        for (const [name, content] of Object.entries(OPENABLE)) {
          const file = path.join(suite.work, name);
          await fs.writeFile(file, content);
          const exported = await reclab('export', file, '--to', 'html', '-o', `${file}.html`);
          expect({ name, code: exported.code, stderr: exported.stderr }).toEqual({
            name,
            code: 0,
            stderr: '',
          });
          // Running replaces the outputs, here in another file.
          const ran = await reclab('run', file, '-o', `${file}.out.ipynb`);
          expect({ name, code: ran.code, stderr: ran.stderr }).toEqual({ name, code: 0, stderr: '' });
          const { notebook } = await client.request('open', { path: file });
          expect(notebook.cells.length, name).toBe(2);
          await client.request('close', { session: notebook.session });
          expect(await fs.readFile(file, 'utf8'), name).toBe(content);
        }
      } finally {
        client.close();
      }
    },
  );
});
