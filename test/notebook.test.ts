import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  JsonNumberText,
  NotebookFormatError,
  OutputCollector,
  cellKind,
  cellSource,
  clearExecution,
  createNotebook,
  executionMs,
  formatNumber,
  newCodeCell,
  newMarkdownCell,
  outputsHidden,
  parseJson,
  parseNotebook,
  recordExecution,
  serializeNotebook,
  setCellSource,
  setOutputsHidden,
  stringifyJupyter,
  upgradeNotebook,
  type CodeCell,
  type JsonValue,
} from '../src/notebook';
import { readNotebookFile, writeNotebookFile } from '../src/server';
import { validateWithNbformat, nbformatAvailable, writeWithNbformat } from './helpers/nbformat';

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);
const tempDir = () => fs.mkdtemp(path.join(os.tmpdir(), 'reclab-nb-'));

describe('JSON as Jupyter writes it', () => {
  it('formats floats like Python repr', () => {
    expect(formatNumber(1e-5)).toBe('1e-05');
    expect(formatNumber(0.0001)).toBe('0.0001');
    expect(formatNumber(1.5e16)).toBe('1.5e+16');
    expect(formatNumber(2.5)).toBe('2.5');
    expect(formatNumber(-0.125)).toBe('-0.125');
    expect(formatNumber(123456.789)).toBe('123456.789');
    expect(formatNumber(1 / 3)).toBe('0.3333333333333333');
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(1e300)).toBe('1e+300');
  });

  it('keeps number spellings it would not reproduce', () => {
    const v = parseJson('{"a": 1.0, "b": 3E2, "c": 0.5}') as Record<string, unknown>;
    expect(v.a).toBeInstanceOf(JsonNumberText);
    expect((v.a as JsonNumberText).text).toBe('1.0');
    expect(Number(v.b)).toBe(300);
    expect(v.c).toBe(0.5);
  });

  it('reads NaN and infinities as Python writes them, and writes undefined in arrays as null', () => {
    const v = parseJson('{"a": [NaN, Infinity, -Infinity]}') as { a: number[] };
    expect(v.a).toEqual([NaN, Infinity, -Infinity]);
    expect(stringifyJupyter(v)).toBe('{\n "a": [\n  NaN,\n  Infinity,\n  -Infinity\n ]\n}\n');
    const sparse = { data: [1, undefined, 3], skip: undefined, fn: () => 1 } as unknown as JsonValue;
    expect(stringifyJupyter(sparse)).toBe('{\n "data": [\n  1,\n  null,\n  3\n ]\n}\n');
    const odd = { big: 12345678901234567890n, at: new Date(Date.UTC(2024, 0, 2)) } as unknown as JsonValue;
    expect(stringifyJupyter(odd)).toBe(
      '{\n "at": "2024-01-02T00:00:00.000Z",\n "big": 12345678901234567890\n}\n',
    );
  });

  it('reports where the JSON is broken', () => {
    expect(() => parseJson('{\n "a": [1, 2,\n}')).toThrow(/line 3, column 1/);
    expect(() => parseJson('{"a": 1} x')).toThrow(/after the end/);
  });
});

describe('ipynb round trip', () => {
  it('reproduces a Jupyter-written notebook byte for byte', async () => {
    const text = await fs.readFile(fixture('jupyter-written.ipynb'), 'utf8');
    const nb = parseNotebook(text);
    expect(serializeNotebook(nb)).toBe(text);
    // Unicode, attachments and multi-line sources read as expected.
    expect(cellSource(nb.cells[0])).toContain('überblick 🎬');
    expect(nb.cells[0].cell_type === 'markdown' && nb.cells[0].attachments?.['chart.png']).toBeTruthy();
    expect(cellKind(nb.cells[1])).toBe('typescript');
  });

  it.skipIf(!nbformatAvailable())(
    'reproduces what the installed nbformat writes, NaN and all, byte for byte',
    async () => {
      const file = path.join(await tempDir(), 'made-by-nbformat.ipynb');
      writeWithNbformat(
        file,
        `nb = v4.new_notebook()
nb.metadata["custom"] = {"z": 1, "a": [1.0, "é"], "nested": {"b": None, "a": True}}
nb.cells = [
    v4.new_markdown_cell("# Ünïcode ✓ 日本語 \\u2028 tab\\t"),
    v4.new_code_cell("x = 1", execution_count=1, outputs=[
        v4.new_output("execute_result", execution_count=1, data={
            "text/plain": "line 1\\nline 2",
            "application/json": {"v": [float("nan"), float("inf"), 1e-5, 0.1, 1.5e16, 12345678901234567890, -0.0]},
        }),
        v4.new_output("stream", name="stdout", text="out\\n"),
    ]),
]`,
      );
      const text = await fs.readFile(file, 'utf8');
      expect(text).toContain('NaN');
      expect(serializeNotebook(parseNotebook(text, file))).toBe(text);
    },
  );

  it('reproduces a RecLab-written notebook byte for byte', async () => {
    const nb = createNotebook([
      newMarkdownCell('# Hi ✓\n'),
      newCodeCell('SELECT 1', 'sql'),
      newCodeCell('const x = 1.5;\nx'),
    ]);
    (nb.cells[2] as CodeCell).outputs.push({
      output_type: 'execute_result',
      execution_count: 1,
      data: { 'text/plain': '1.5', 'application/json': { v: 1e-7 } },
      metadata: {},
    });
    const text = serializeNotebook(nb);
    expect(serializeNotebook(parseNotebook(text))).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n "cells": [\n  {\n');
  });

  it('reads a VS Code notebook with a SQL cell and keeps unknown fields and output types', async () => {
    const text = await fs.readFile(fixture('vscode-sql.ipynb'), 'utf8');
    const nb = parseNotebook(text);
    expect(cellKind(nb.cells[0])).toBe('sql');
    expect(cellSource(nb.cells[0])).toBe('-- name: ratings\nSELECT 1 AS user_id, 4.5 AS rating');
    expect(cellSource(nb.cells[1])).toBe('const n = ratings.numRows;\nn');
    expect(cellKind(nb.cells[2])).toBe('raw');
    const again = parseNotebook(serializeNotebook(nb));
    const json = JSON.parse(serializeNotebook(again));
    expect(json.metadata.unknown_tool).toEqual({ setting: true });
    expect(json.cells[1].custom_field).toEqual({ kept: [1, 2.5, 300] });
    expect(serializeNotebook(again)).toContain('2.50');
    expect(json.cells[1].outputs[0]).toEqual({ output_type: 'future_output', payload: { z: 1 } });
    // A single-string source stays a single string until the cell is edited.
    expect(json.cells[0].source).toBe('-- name: ratings\nSELECT 1 AS user_id, 4.5 AS rating');
    setCellSource(nb.cells[0], 'SELECT 2\nFROM t');
    expect(nb.cells[0].source).toEqual(['SELECT 2\n', 'FROM t']);
  });

  it('names the file and the problem for malformed notebooks', () => {
    expect(() => parseNotebook('{"cells": [', 'a.ipynb')).toThrow(/a\.ipynb: not valid JSON: .*line 1/);
    expect(() => parseNotebook('[]', 'b.ipynb')).toThrow(/b\.ipynb: not a Jupyter notebook: the top level/);
    expect(() => parseNotebook('{"nbformat": 3, "metadata": {}, "cells": []}', 'c.ipynb')).toThrow(
      /nbformat 3 is not supported/,
    );
    expect(() => parseNotebook('{"nbformat": 4, "metadata": {}}', 'd.ipynb')).toThrow(/"cells" is missing/);
    expect(() =>
      parseNotebook(
        '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}',
        'e.ipynb',
      ),
    ).toThrow(/cell 1 has no "source"/);
  });

  it('upgrades older notebooks with cell ids only when asked', () => {
    const nb = parseNotebook(
      '{"nbformat": 4, "nbformat_minor": 2, "metadata": {}, "cells": ' +
        '[{"cell_type": "code", "source": "1", "metadata": {}, "outputs": [], "execution_count": null}]}',
    );
    expect(nb.cells[0].id).toBeUndefined();
    upgradeNotebook(nb);
    expect(nb.nbformat_minor).toBe(5);
    expect(nb.cells[0].id).toMatch(/^[0-9a-f]{12}$/);
    expect(nb.metadata.kernelspec).toEqual({
      name: 'reclab-ts',
      display_name: 'TypeScript (RecLab)',
      language: 'typescript',
    });
  });
});

describe('cell metadata', () => {
  const cellWith = (metadata: string) =>
    parseNotebook(
      `{"cells": [{"cell_type": "code", "execution_count": null, "id": "a1", "metadata": ${metadata}, ` +
        `"outputs": [], "source": ["1"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`,
    );

  it('hides outputs under the keys JupyterLab and nbformat use, and keeps the keys it does not know', () => {
    const notebook = cellWith('{"jupyter": {"source_hidden": true}, "tags": ["x"]}');
    const before = serializeNotebook(notebook);
    const [cell] = notebook.cells;
    expect(outputsHidden(cell)).toBe(false);
    setOutputsHidden(cell, true);
    expect(outputsHidden(cell)).toBe(true);
    expect(cell.metadata).toEqual({
      collapsed: true,
      jupyter: { outputs_hidden: true, source_hidden: true },
      tags: ['x'],
    });
    // Keys sorted as Jupyter writes them, whatever order they were set in.
    expect(serializeNotebook(notebook)).toContain(
      '"metadata": {\n    "collapsed": true,\n    "jupyter": {\n' +
        '     "outputs_hidden": true,\n     "source_hidden": true\n',
    );
    setOutputsHidden(cell, false);
    expect(serializeNotebook(notebook)).toBe(before);
    // Either key alone, as another tool may write it, hides them.
    expect(outputsHidden(cellWith('{"collapsed": true}').cells[0])).toBe(true);
    expect(outputsHidden(cellWith('{"jupyter": {"outputs_hidden": true}}').cells[0])).toBe(true);
  });

  it("records how long the last run took as JupyterLab does, and reads JupyterLab's own times", () => {
    const notebook = cellWith('{}');
    const [cell] = notebook.cells;
    expect(executionMs(cell)).toBeUndefined();
    recordExecution(cell, new Date('2025-01-02T03:04:05.678Z'), 1234);
    expect(cell.metadata.execution).toEqual({
      'iopub.execute_input': '2025-01-02T03:04:04.444Z',
      'shell.execute_reply': '2025-01-02T03:04:05.678Z',
    });
    expect(executionMs(cell)).toBe(1234);
    clearExecution(cell);
    expect(cell.metadata).toEqual({});
    const jupyterlab = cellWith(
      '{"execution": {"iopub.execute_input": "2024-05-01T10:00:00.250118Z", "iopub.status.busy": ' +
        '"2024-05-01T10:00:00.249Z", "shell.execute_reply": "2024-05-01T10:00:01.450421Z"}}',
    );
    expect(executionMs(jupyterlab.cells[0])).toBe(1200);
    expect(executionMs(cellWith('{"execution": {"shell.execute_reply": "soon"}}').cells[0])).toBeUndefined();
  });
});

describe('notebook files', () => {
  it('never overwrites or damages a file it cannot read', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'broken.ipynb');
    await fs.writeFile(file, '{"cells": [');
    await expect(readNotebookFile(file)).rejects.toBeInstanceOf(NotebookFormatError);
    await expect(readNotebookFile(path.join(dir, 'missing.ipynb'))).rejects.toThrow(
      /missing\.ipynb: cannot be read: no such file/,
    );
    expect(await fs.readFile(file, 'utf8')).toBe('{"cells": [');
  });

  it('saves atomically and leaves no temporary files', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'nb.ipynb');
    const nb = createNotebook([newCodeCell('1 + 1')]);
    await writeNotebookFile(file, nb);
    await writeNotebookFile(file, nb);
    expect(await fs.readdir(dir)).toEqual(['nb.ipynb']);
    expect(serializeNotebook(await readNotebookFile(file))).toBe(await fs.readFile(file, 'utf8'));
  });

  it('replaces the file in one step: a reader of the old file never sees a partial new one', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'nb.ipynb');
    await writeNotebookFile(file, createNotebook([newCodeCell('old')]));
    const before = await fs.readFile(file, 'utf8');
    const reader = await fs.open(file, 'r');
    try {
      await writeNotebookFile(file, createNotebook([newCodeCell('new '.repeat(100_000))]));
      // Written in place (truncate, write), the open handle would now read the new text.
      expect(await reader.readFile('utf8')).toBe(before);
    } finally {
      await reader.close();
    }
    expect(await fs.readFile(file, 'utf8')).toContain('new new');
  });

  it('keeps the old file when the notebook cannot be serialized', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'nb.ipynb');
    await writeNotebookFile(file, createNotebook([newCodeCell('old')]));
    const before = await fs.readFile(file, 'utf8');
    const cyclic = createNotebook([newCodeCell('new')]);
    (cyclic.metadata as Record<string, unknown>).self = {
      get bad(): never {
        throw new Error('boom');
      },
    };
    await expect(writeNotebookFile(file, cyclic)).rejects.toThrow();
    expect(await fs.readFile(file, 'utf8')).toBe(before);
  });

  it.skipIf(!nbformatAvailable())(
    'writes notebooks that the official nbformat validator accepts',
    async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'valid.ipynb');
      const nb = createNotebook([newMarkdownCell('# t'), newCodeCell('SELECT 1', 'sql'), newCodeCell('x')]);
      (nb.cells[2] as CodeCell).outputs.push(
        { output_type: 'stream', name: 'stdout', text: ['a\n'] },
        { output_type: 'error', ename: 'Error', evalue: 'e', traceback: ['Error: e'] },
      );
      await writeNotebookFile(file, nb);
      expect(validateWithNbformat(file)).toBe('');
    },
  );
});

describe('output collector', () => {
  it('merges consecutive stream text and updates displays in place', () => {
    const c = new OutputCollector();
    c.add({ output_type: 'stream', name: 'stdout', text: 'a\n' });
    c.add({ output_type: 'stream', name: 'stdout', text: 'b' });
    c.add({ output_type: 'stream', name: 'stderr', text: 'e\n' });
    c.add({ output_type: 'display_data', data: { 'text/plain': '0%' }, metadata: {} }, 'bar');
    expect(
      c.update('bar', { output_type: 'display_data', data: { 'text/plain': '100%' }, metadata: {} }),
    ).toBe(true);
    expect(c.update('nope', { output_type: 'display_data', data: {}, metadata: {} })).toBe(false);
    expect(c.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: ['a\n', 'b'] },
      { output_type: 'stream', name: 'stderr', text: ['e\n'] },
      { output_type: 'display_data', data: { 'text/plain': '100%' }, metadata: {} },
    ]);
  });

  it('says from which output things changed, so a viewer redraws only those', () => {
    const c = new OutputCollector();
    const from = (n: number) => ({ kind: 'outputs', from: n });
    c.add({ output_type: 'display_data', data: { 'text/plain': 'chart' }, metadata: {} });
    c.add({ output_type: 'display_data', data: { 'text/plain': '0%' }, metadata: {} }, 'bar');
    expect(c.takeChanged()).toEqual(from(0));
    expect(c.takeChanged()).toEqual(from(2));
    c.update('bar', { output_type: 'display_data', data: { 'text/plain': '50%' }, metadata: {} });
    expect(c.takeChanged()).toEqual(from(1));
    c.add({ output_type: 'stream', name: 'stdout', text: 'a' });
    c.add({ output_type: 'stream', name: 'stdout', text: 'b\n' });
    expect(c.takeChanged()).toEqual(from(2));
    // A log that only grew says from which of its lines: the unfinished one and what follows.
    c.add({ output_type: 'stream', name: 'stdout', text: 'c\nd' });
    expect(c.takeChanged()).toEqual({ kind: 'stream', index: 2, fromLine: 1 });
    c.add({ output_type: 'stream', name: 'stdout', text: 'e\n' });
    expect(c.takeChanged()).toEqual({ kind: 'stream', index: 2, fromLine: 2 });
    expect(c.outputs[2]).toMatchObject({ text: ['ab\n', 'c\n', 'de\n'] });
    // Once something else changes, the outputs from the log on are new again.
    c.add({ output_type: 'stream', name: 'stdout', text: 'f\n' });
    c.add({ output_type: 'stream', name: 'stderr', text: 'oops\n' });
    expect(c.takeChanged()).toEqual(from(2));
  });

  it('keeps a stream output up to its cap and hands the whole text to the overflow', () => {
    const overflow: string[] = [];
    const c = new OutputCollector([], {
      maxStreamChars: 10,
      overflow: (stream, text) => (overflow.push(text), `/state/${stream}.txt`),
    });
    c.add({ output_type: 'stream', name: 'stdout', text: 'one\ntwo\n' });
    c.takeChanged();
    c.add({ output_type: 'stream', name: 'stdout', text: 'three\nfour\n' });
    expect(c.outputs[0]).toMatchObject({
      text: [
        'one\n',
        'two\n',
        '[RecLab kept the first 8 characters of this output and left out 11 characters more. ' +
          'The whole output is in /state/stdout.txt]\n',
      ],
    });
    expect(c.takeChanged()).toEqual({ kind: 'stream', index: 0, fromLine: 2 });
    c.add({ output_type: 'stream', name: 'stdout', text: 'five\n' });
    expect((c.outputs[0] as { text: string[] }).text).toHaveLength(3);
    expect((c.outputs[0] as { text: string[] }).text[2]).toContain('left out 16 characters more');
    expect(overflow.join('')).toBe('one\ntwo\nthree\nfour\nfive\n');
  });
});
