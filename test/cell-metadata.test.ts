/**
 * What the server keeps of a run besides the outputs, in the window and in the file: the type
 * errors a cell had when it ran (and whether they stopped it), how long it took, the column
 * summaries of the tables it showed; and whether its outputs are hidden.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIME, type WireCell } from '../src/api';
import {
  createNotebook,
  newCodeCell,
  parseNotebook,
  serializeNotebook,
  type DisplayDataOutput,
} from '../src/notebook';
import type { WorkbenchClient } from '../dev';
import { suiteServer } from './helpers/server';

const suite = suiteServer('cell-metadata');

async function open(name: string, sources: string[]) {
  const file = path.join(suite.work, name);
  await fs.writeFile(file, serializeNotebook(createNotebook(sources.map((s) => newCodeCell(s)))));
  const client = await suite.connect();
  const { notebook } = await client.request('open', { path: file });
  return { file, client, notebook, handles: notebook.cells.map((c) => c.handle) };
}

async function ran(client: WorkbenchClient, session: string, handle: string): Promise<WireCell> {
  await client.waitFor((e) => e.event === 'run' && e.run.cell === handle && e.run.state === 'done');
  const state = await client.request('attach', { session });
  return state.cells.find((c) => c.handle === handle)!;
}

const typeError = { line: 1, column: 7, message: "Type 'string' is not assignable to type 'number'." };

describe('type errors', () => {
  it('are shown before the cell runs, and the cell runs', async () => {
    const { client, notebook, handles } = await open('warn.ipynb', ["const n: number = 'abc' as any;\nn"]);
    await client.request('execute', {
      session: notebook.session,
      cells: handles,
      typeErrors: { [handles[0]]: [typeError] },
    });
    const cell = await ran(client, notebook.session, handles[0]);
    expect(cell.outputs.map((o) => o.output_type)).toEqual(['display_data', 'execute_result']);
    expect(cell.outputs[0]).toEqual({
      output_type: 'display_data',
      data: {
        'text/plain': "Type error at line 1: Type 'string' is not assignable to type 'number'.",
        [MIME.typeErrors]: { errors: [typeError], stopped: false },
      },
      metadata: {},
    });
    expect(JSON.stringify(cell.outputs[1])).toContain('abc');
    await client.request('close', { session: notebook.session });
    client.close();
  });

  it("stop the run, and the queue after it, where the notebook says 'stop'; the setting is saved", async () => {
    const { file, client, notebook, handles } = await open('stop.ipynb', [
      "const s: number = 'x';\ns",
      '"after"',
    ]);
    expect(notebook.typeErrors).toBe('warn');
    await client.request('edit', {
      session: notebook.session,
      client: 'w',
      seq: 1,
      edits: [{ op: 'typeErrors', policy: 'stop' }],
    });
    await client.request('execute', {
      session: notebook.session,
      cells: handles,
      typeErrors: { [handles[0]]: [typeError] },
    });
    const done = await client.waitFor(
      (e) => e.event === 'run' && e.run.cell === handles[0] && e.run.state === 'done',
    );
    expect(done.event === 'run' && done.run).toMatchObject({ status: 'error', errorLine: 1 });
    const state = await client.request('attach', { session: notebook.session });
    expect(state.typeErrors).toBe('stop');
    const [first, second] = state.cells;
    expect(first.executionCount).toBeNull();
    expect(first.outputs).toHaveLength(1);
    expect(JSON.stringify(first.outputs[0])).toContain('"stopped":true');
    expect(JSON.stringify(first.outputs[0])).toContain('The cell did not run');
    expect(second.outputs).toEqual([]);

    await client.request('save', { session: notebook.session });
    expect(parseNotebook(await fs.readFile(file, 'utf8')).metadata.reclab).toEqual({ typeErrors: 'stop' });
    // Back to the default: the key goes, and so does the empty object.
    await client.request('edit', {
      session: notebook.session,
      client: 'w',
      seq: 2,
      edits: [{ op: 'typeErrors', policy: 'warn' }],
    });
    await client.request('save', { session: notebook.session });
    expect(parseNotebook(await fs.readFile(file, 'utf8')).metadata.reclab).toBeUndefined();
    await client.request('close', { session: notebook.session });
    client.close();
  });
});

describe('a notebook saved and opened again', () => {
  it("keeps hidden outputs, the run's time and the grid's column summaries", async () => {
    const { file, client, notebook, handles } = await open('kept.ipynb', [
      'await new Promise((r) => setTimeout(r, 30));\ndb.query("SELECT * FROM range(4) t(n)")',
      '"second"',
    ]);
    await client.request('execute', { session: notebook.session, cells: handles });
    const done = await client.waitFor(
      (e) => e.event === 'run' && e.run.cell === handles[0] && e.run.state === 'done',
    );
    const durationMs = done.event === 'run' ? done.run.durationMs! : 0;
    await ran(client, notebook.session, handles[1]);
    await client.request('edit', {
      session: notebook.session,
      client: 'w',
      seq: 1,
      edits: [{ op: 'outputsHidden', cell: handles[1], hidden: true }],
    });
    await client.request('save', { session: notebook.session });
    await client.request('close', { session: notebook.session });

    const saved = parseNotebook(await fs.readFile(file, 'utf8'));
    const [table, second] = saved.cells;
    expect(second.metadata).toMatchObject({ collapsed: true, jupyter: { outputs_hidden: true } });
    const execution = table.metadata.execution as Record<string, string>;
    expect(Date.parse(execution['shell.execute_reply']) - Date.parse(execution['iopub.execute_input'])).toBe(
      Math.round(durationMs),
    );
    const output = (table.cell_type === 'code' ? table.outputs : [])[0] as DisplayDataOutput;
    expect(output.data[MIME.table]).toMatchObject({
      numRows: 4,
      summaries: [{ kind: 'numeric', column: 'n', rows: 4, min: 0, max: 3 }],
    });

    const { notebook: reopened } = await client.request('open', { path: file });
    expect(reopened.cells.map((c) => c.outputsHidden)).toEqual([false, true]);
    expect(reopened.cells[0].durationMs).toBe(Math.round(durationMs));

    // Clearing the outputs clears the time they took; showing them drops the keys.
    await client.request('edit', {
      session: reopened.session,
      client: 'w',
      seq: 1,
      edits: [{ op: 'clearOutputs' }, { op: 'outputsHidden', cell: reopened.cells[1].handle, hidden: false }],
    });
    await client.request('save', { session: reopened.session });
    expect(parseNotebook(await fs.readFile(file, 'utf8')).cells.map((c) => c.metadata)).toEqual([{}, {}]);
    await client.request('close', { session: reopened.session });
    client.close();
  });
});
