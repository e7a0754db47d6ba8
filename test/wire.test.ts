import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  KERNEL_QUERIES,
  KernelOutboundSchema,
  MIME,
  WORKBENCH_PARAMS,
  checked,
  firstProblem,
  readPayload,
} from '../src/api';
import { KernelClient } from '../src/kernel-client';
import { run, startKernel } from './helpers/kernel';

describe('the contract checks what crosses the wire', () => {
  it('names the field that is wrong, in a tagged union by the member its tag names', () => {
    const edit = (edits: unknown) => () =>
      checked(WORKBENCH_PARAMS.edit, { session: 's', client: 'c', seq: 1, edits }, 'edit');
    expect(edit([{ op: 'insert', index: 0, cell: 'h', kind: 'sql', source: 1 }])).toThrow(
      'edit: "edits.0.source" must be a string, not number.',
    );
    expect(edit([{ op: 'insert', index: 0, cell: 'h', kind: 'python', source: '' }])).toThrow(
      'edit: "edits.0.kind" must be one of "typescript", "sql", "markdown", "raw".',
    );
    expect(edit([{ op: 'delete' }])).toThrow('edit: "edits.0.cell" is missing.');
    expect(edit([{ op: 'source', cell: 'h', source: 'x' }])()).toMatchObject({ seq: 1 });
  });

  it('checks a query against its own parameters', () => {
    expect(() => checked(KERNEL_QUERIES.page.params, { tableId: 't', offset: -1, limit: 1 }, 'page')).toThrow(
      /page: "offset": expected integer to be greater or equal to 0/,
    );
    expect(firstProblem(KERNEL_QUERIES.catalog.params, {})).toBeUndefined();
  });

  it('tells a reply that is not ok from one that is, by every fixed field', () => {
    expect(firstProblem(KernelOutboundSchema, { type: 'reply', id: 1, ok: false })).toBe(
      '"error" is missing',
    );
    expect(firstProblem(KernelOutboundSchema, { type: 'reply', id: 1, ok: true, result: 3 })).toBeUndefined();
    expect(firstProblem(KernelOutboundSchema, { type: 'hello' })).toMatch(
      /^"type" must be one of "reply", "reply", "ready", "status", "output", "update_display"$/,
    );
    expect(
      firstProblem(KernelOutboundSchema, {
        type: 'output',
        execId: 1,
        output: { output_type: 'error', ename: 'E', evalue: 'v' },
      }),
    ).toBe('"output.traceback" is missing');
  });

  it('reads a RecLab payload only when it fits its schema', () => {
    const progress = {
      label: 'x',
      value: 2,
      total: 4,
      elapsedSeconds: 1,
      rate: 2,
      etaSeconds: 1,
      done: false,
    };
    expect(readPayload(MIME.progress, progress)).toEqual({ ok: true, value: progress });
    expect(readPayload(MIME.progress, { ...progress, value: '"><script>' })).toEqual({
      ok: false,
      error: `${MIME.progress}: "value" must be a number, not string`,
    });
    expect(readPayload(MIME.echarts, null)).toMatchObject({
      ok: false,
      error: /must be an object, not null/,
    });
    expect(readPayload(MIME.table, { tableId: 't', numRows: 1, columns: [], rows: [[1]] }).ok).toBe(true);
  });
});

describe('a kernel that breaks the contract', () => {
  it('is stopped, alone, with the reason, and a restart brings it back', async () => {
    const kernel = await startKernel();
    try {
      const died = new Promise<Error>((resolve) => kernel.once('died', resolve));
      const cell = run(
        kernel,
        "process.send({ type: 'reply', id: 'x', ok: true, result: 1 }); await new Promise(() => {});",
      );
      await expect(cell).rejects.toThrow(/outside RecLab's kernel contract \("id" must be a whole number/);
      expect((await died).message).toMatch(/a cell may have called process\.send\. .*restart the kernel/i);
      expect(kernel.state).toBe('dead');
      await kernel.restart();
      expect((await run(kernel, '1 + 1')).text).toBe('2');
    } finally {
      await kernel.shutdown();
    }
  });

  it('that speaks another protocol version is refused at start', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-wire-'));
    const entry = path.join(dir, 'old-kernel.mjs');
    await fs.writeFile(
      entry,
      "process.send({ type: 'ready', protocol: 0, info: { backend: 'cpu', device: 'cpu', " +
        "tfjsVersion: '', duckdbVersion: '', nodeVersion: '', pid: process.pid, skipped: [] } });\n" +
        'setInterval(() => {}, 1000);',
    );
    try {
      await expect(KernelClient.start({ entry })).rejects.toThrow(
        /outside RecLab's kernel contract \(it speaks protocol 0 and this server 1; reinstall RecLab\)/,
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
