import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KernelClient } from '../src/kernel-client';
import { MIME } from '../src/notebook';
import { run, runStarted, startKernel, suiteKernel } from './helpers/kernel';

describe('TypeScript cells', () => {
  let kernel: KernelClient;
  suiteKernel((k) => (kernel = k));

  it('reports its backend, device and versions', () => {
    expect(kernel.info.backend).toBe('wasm');
    expect(kernel.info.device).toMatch(/WebAssembly/);
    expect(kernel.info.duckdbVersion).toMatch(/^v1\./);
    expect(kernel.info.tfjsVersion).toBe('4.22.0');
  });

  it('strips types and shows the value of the last expression', async () => {
    const r = await run(kernel, 'const answer: number = 41;\ninterface Unused { a: string }\nanswer + 1');
    expect(r.reply.status).toBe('ok');
    expect(r.outputs).toEqual([
      {
        output_type: 'execute_result',
        execution_count: r.reply.executionCount,
        data: { 'text/plain': '42' },
        metadata: {},
      },
    ]);
  });

  it('keeps top-level declarations for later cells, and a const can be declared again', async () => {
    await run(
      kernel,
      'const shared = 1;\n' +
        'let counter = 0;\n' +
        'function bump(): number { return ++counter; }\n' +
        'class Box { constructor(public v: number) {} }\n' +
        'const { a, b: [c] } = { a: 5, b: [6] };',
    );
    expect((await run(kernel, 'bump(); bump(); [shared, counter, new Box(3).v, a, c]')).text).toBe(
      '[ 1, 2, 3, 5, 6 ]',
    );
    expect((await run(kernel, 'const shared = 10;\nshared')).text).toBe('10');
    expect((await run(kernel, 'let later;\nlater')).outputs).toEqual([]);
  });

  it('supports top-level await and imports of bundled packages', async () => {
    expect((await run(kernel, 'await new Promise((r) => setTimeout(r, 20));\n"waited"')).text).toBe('waited');
    expect(
      (
        await run(
          kernel,
          "import * as tfjs from '@tensorflow/tfjs';\n" +
            "import { Table } from 'reclab';\n" +
            '[tfjs === tf, Table === rl.Table]',
        )
      ).text,
    ).toBe('[ true, true ]');
    expect((await run(kernel, "import { basename } from 'node:path';\nbasename('/a/b.ts')")).text).toBe(
      'b.ts',
    );
  });

  it('has tf, db, display, progress and rl without imports', async () => {
    expect(
      (
        await run(
          kernel,
          '[typeof tf.tensor, typeof db.query, typeof display, typeof progress, typeof rl.chart]',
        )
      ).text,
    ).toBe("[ 'function', 'function', 'function', 'function', 'function' ]");
  });

  it('turns console output into streams, in order', async () => {
    const r = await run(
      kernel,
      'console.log("one", { n: 1 });\nconsole.error("two");\nconsole.log("three");',
    );
    expect(r.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: ['one { n: 1 }\n'] },
      { output_type: 'stream', name: 'stderr', text: ['two\n'] },
      { output_type: 'stream', name: 'stdout', text: ['three\n'] },
    ]);
  });

  it('names the exception, its message and the line in the cell', async () => {
    const r = await run(
      kernel,
      'type Id = number;\ninterface User {\n  id: Id;\n}\nconst user: User | undefined = undefined;\nuser!.id',
    );
    expect(r.reply).toMatchObject({ status: 'error', errorLine: 6 });
    expect(r.outputs[0]).toMatchObject({ output_type: 'error', ename: 'TypeError' });
    expect(r.text).toContain("Cannot read properties of undefined (reading 'id')");
    expect(r.text).toContain('--> 6 | user!.id');
  });

  it('points at the line inside a function defined in an earlier cell', async () => {
    await run(
      kernel,
      'function fails(x: number): number {\n' +
        '  if (x > 1) {\n' +
        '    throw new RangeError(`too big: ${x}`);\n' +
        '  }\n' +
        '  return x;\n' +
        '}',
    );
    const r = await run(kernel, 'const ok = fails(1);\nfails(2)');
    expect(r.reply).toMatchObject({ status: 'error', errorLine: 2 });
    expect(r.text).toMatch(/RangeError: too big: 2/);
    expect(r.text).toMatch(/line 3 in fails/);
  });

  it('survives a syntax error and keeps its state', async () => {
    await run(kernel, 'const kept = "still here";');
    const bad = await run(kernel, 'const x = ;\n');
    expect(bad.reply).toMatchObject({ status: 'error', errorLine: 1 });
    expect(bad.outputs[0]).toMatchObject({ ename: 'SyntaxError' });
    expect((await run(kernel, 'kept')).text).toBe('still here');
  });

  it('gives the cell line of syntax errors found only when the cell runs', async () => {
    const r = await run(kernel, 'const a = 1;\nconst f = () => { await a; };');
    expect(r.reply).toMatchObject({ status: 'error', errorLine: 2 });
    expect(r.outputs[0]).toMatchObject({ ename: 'SyntaxError' });
    expect(r.text).toContain('--> 2 | const f = () => { await a; };');
    expect((await run(kernel, 'export default 6 * 7;')).text).toBe('42');
    expect((await run(kernel, 'export default class {}')).reply.status).toBe('ok');
  });

  it('refuses to declare globals the kernel needs, and keeps serving', async () => {
    const r = await run(
      kernel,
      'const rows = [1, 2];\nfunction process(xs: number[]) {\n  return xs.length;\n}',
    );
    expect(r.reply).toMatchObject({ status: 'error', errorLine: 2 });
    expect(r.text).toMatch(
      /"process" is a global the kernel itself needs.*Rename it \(for example "myProcess"\)/,
    );
    const sql = await run(kernel, '-- name: console\nSELECT 1', 'sql');
    expect(sql.text).toMatch(/"-- name: console" on line 1: "console" is a global the kernel itself needs/);
    expect((await run(kernel, 'class Map {}')).text).toMatch(/"Map" is a global the kernel itself needs/);
    expect((await run(kernel, 'console.log("alive"); typeof process.send')).text).toBe('alive\n\nfunction');
    // Importing a built-in binds the object the global already holds: allowed.
    expect(
      (
        await run(
          kernel,
          'import process from "node:process";\nimport { Buffer } from "node:buffer";\nBuffer.from("ok").toString()',
        )
      ).text,
    ).toBe('ok');
    expect((await run(kernel, 'function f() {\n  const process = 1;\n  return process;\n}\nf()')).text).toBe(
      '1',
    );
  });

  it('keeps a chart whose option holds functions as a static SVG only', async () => {
    const r = await run(
      kernel,
      'rl.chart({ xAxis: { type: "category", data: ["a", "b"] }, ' +
        'yAxis: { axisLabel: { formatter: (v: number) => `${v} %` } }, ' +
        'series: [{ type: "bar", data: [1, undefined, 3] }] })',
    );
    expect(r.reply.status).toBe('ok');
    const chart = r.outputs[0];
    expect(chart.output_type === 'execute_result' && chart.data['image/svg+xml']).toMatch(/ %<\/text>/);
    expect(chart.output_type === 'execute_result' && chart.data[MIME.echarts]).toBeUndefined();
    expect(r.text).toMatch(/static: its option holds functions/);
  });

  it('displays markdown, tensors and charts with a static SVG form', async () => {
    const r = await run(
      kernel,
      'display.markdown("**bold**");\n' +
        'display(tf.tensor([1, 2]));\n' +
        'display(rl.chart({ xAxis: { type: "category", data: ["a", "b"] }, yAxis: {}, ' +
        'series: [{ type: "bar", data: [1, 3] }] }));',
    );
    expect(r.outputs[0]).toMatchObject({
      output_type: 'display_data',
      data: { 'text/markdown': '**bold**' },
    });
    expect(r.outputs[1]).toMatchObject({ data: { 'text/plain': expect.stringContaining('[1, 2]') } });
    const chart = r.outputs[2];
    expect(chart.output_type === 'display_data' && chart.data['image/svg+xml']).toMatch(
      /^<svg[\s\S]*<\/svg>$/,
    );
    expect(chart.output_type === 'display_data' && chart.data[MIME.echarts]).toMatchObject({
      width: 640,
      height: 360,
    });
  });

  it('shows what an object says of itself, made JSON-safe', async () => {
    const r = await run(
      kernel,
      "({ [Symbol.for('reclab.display')]: () => " +
        "({ 'application/x-counts': { n: 2n ** 64n, share: NaN, at: [1, undefined] } }) })",
    );
    expect(r.reply.status).toBe('ok');
    const data = r.outputs[0].output_type === 'execute_result' ? r.outputs[0].data : {};
    expect(data['application/x-counts']).toEqual({ n: '18446744073709551616', share: null, at: [1, null] });
  });

  it("shows a value by its class's own toString, not a dump of its fields", async () => {
    const r = await run(
      kernel,
      "const ds = rl.Dataset.fromInteractions({ user: ['u1', 'u2'], item: ['a', 'b'] }, { name: 'tiny' });\nds",
    );
    expect(r.reply.status).toBe('ok');
    const data = r.outputs[0].output_type === 'execute_result' ? r.outputs[0].data : {};
    expect(data).toEqual({ 'text/plain': (await run(kernel, 'ds.toString()')).text });
    expect(data['text/plain']).toMatch(/^Dataset "tiny": 2 users, 2 items/);
    // A class without its own toString, and a small object, are inspected as before.
    expect((await run(kernel, 'class Point { x = 1 }\nnew Point()')).text).toBe('Point { x: 1 }');
    expect((await run(kernel, '({ a: 1, b: [1, 2] })')).outputs[0]).toMatchObject({
      data: { 'text/plain': '{ a: 1, b: [ 1, 2 ] }' },
    });
  });

  it('shows a large plain object as a tree to unfold, beside its text', async () => {
    const r = await run(
      kernel,
      "const big = { name: 'runs', ok: true, runs: Array.from({ length: 150 }, (_, i) => ({ i, loss: i / 2 })) };\n" +
        'big.self = big;\nbig',
    );
    const data = r.outputs[0].output_type === 'execute_result' ? r.outputs[0].data : {};
    expect(String(data['text/plain'])).toMatch(/^<ref \*1> \{\n {2}name: 'runs'/);
    const tree = data[MIME.tree] as {
      summary: string;
      entries: { key: string; value: { summary: string; entries?: unknown[]; more?: number } }[];
    };
    expect(tree.summary).toBe("{name: 'runs', ok: true, runs: Array(150), self: {…}}");
    expect(tree.entries.map((e) => [e.key, e.value.summary])).toEqual([
      ['name', "'runs'"],
      ['ok', 'true'],
      ['runs', '(150) [{…}, {…}, {…}, {…}, {…}, …]'],
      ['self', '[Circular]'],
    ]);
    expect(tree.entries[2].value.entries).toHaveLength(100);
    expect(tree.entries[2].value.more).toBe(50);
  });

  it('updates a progress bar in place with count, rate and ETA', async () => {
    const r = await run(
      kernel,
      'const bar = progress({ total: 4, label: "epochs" });\n' +
        'for (let i = 0; i < 4; i++) { await new Promise((r) => setTimeout(r, 120)); bar.tick(); }',
    );
    expect(r.outputs).toHaveLength(1);
    const final = r.outputs[0].output_type === 'display_data' ? r.outputs[0].data : {};
    // The elapsed time is whatever the machine took: a busy one reads 00:01.
    expect(final['text/plain']).toMatch(/^epochs █+ 4\/4 \[\d\d:\d\d, \d+\.\d\d\/s\]$/);
    expect(final[MIME.progress]).toMatchObject({ value: 4, total: 4, done: true });
    expect(r.updates.length).toBeGreaterThanOrEqual(2);
    expect(String(r.updates[0]['text/plain'])).toMatch(/1\/4 \[\d\d:\d\d<\d\d:\d\d/);
  });
});

describe('SQL cells', () => {
  let kernel: KernelClient;
  suiteKernel((k) => (kernel = k));

  it('binds a named result to a variable for TypeScript cells', async () => {
    const r = await run(
      kernel,
      '-- name: ratings\n' +
        "SELECT range::INTEGER AS user_id, (range % 5) + 0.5 AS rating, 'u' || range AS name FROM range(1000)",
      'sql',
    );
    expect(r.reply.status).toBe('ok');
    const data = r.outputs[0].output_type === 'execute_result' ? r.outputs[0].data : {};
    expect(data['text/plain']).toContain('1,000 rows × 3 columns (first 10 shown)');
    // Numbers marked to be right-aligned in a static page, text left as it is.
    expect(data['text/html']).toContain('<th class="num" title="int32">user_id</th>');
    expect(data['text/html']).toContain('<th title="string">name</th>');
    expect(data['text/html']).toContain('<tr><td class="num">1</td><td class="num">1.5</td><td>u1</td></tr>');
    const table = data[MIME.table] as { numRows: number; rows: unknown[][]; tableId: string };
    expect(table.numRows).toBe(1000);
    expect(table.rows).toHaveLength(50);
    expect(table.rows[1]).toEqual([1, 1.5, 'u1']);
    const ts = await run(
      kernel,
      'const ids = ratings.column("user_id");\n' +
        '[ids instanceof Int32Array, ratings.numRows, ratings.rows(2, 3)[0].name]',
    );
    expect(ts.text).toBe("[ true, 1000, 'u2' ]");
  });

  it('serves further pages, sorted, from the kernel', async () => {
    const r = await run(
      kernel,
      'SELECT range AS n, CASE WHEN range % 3 = 0 THEN NULL ELSE range % 7 END AS m FROM range(100000)',
      'sql',
    );
    const { tableId } = (
      r.outputs[0].output_type === 'execute_result' ? r.outputs[0].data[MIME.table] : {}
    ) as { tableId: string };
    const page = await kernel.query('page', { tableId, offset: 99_990, limit: 50 });
    expect(page.rows).toHaveLength(10);
    // 99,999 is a multiple of 3, so its second column is NULL.
    expect(page.rows[9]).toEqual([99_999, null]);
    const sorted = await kernel.query('page', {
      tableId,
      offset: 0,
      limit: 3,
      sort: { column: 'n', descending: true },
    });
    expect(sorted.rows.map((row) => row[0])).toEqual([99_999, 99_998, 99_997]);
    const nullsLast = await kernel.query('page', {
      tableId,
      offset: 99_997,
      limit: 3,
      sort: { column: 'm' },
    });
    expect(nullsLast.rows.map((row) => row[1])).toEqual([null, null, null]);
    await expect(kernel.query('page', { tableId: 't999', offset: 0, limit: 1 })).rejects.toThrow(
      /t999 was made by an earlier kernel/,
    );
  });

  it("summarises a result's columns for the grid's headers", async () => {
    const r = await run(
      kernel,
      'SELECT range AS n, range % 4 AS k, ' +
        "CASE WHEN range % 10 = 0 THEN NULL ELSE 'g' || (range % 3) END AS g FROM range(1000)",
      'sql',
    );
    const { tableId } = (
      r.outputs[0].output_type === 'execute_result' ? r.outputs[0].data[MIME.table] : {}
    ) as { tableId: string };
    const [n, k, g] = await kernel.query('columnSummary', { tableId });
    expect(n).toMatchObject({
      kind: 'numeric',
      column: 'n',
      rows: 1000,
      nulls: 0,
      min: 0,
      max: 999,
      histogram: { discrete: false },
    });
    // Bins on round edges, as the histogram's: 0 to 999 in about 16 bins is 10 bins 100 wide.
    expect(n.kind === 'numeric' && n.histogram).toEqual({
      start: 0,
      width: 100,
      counts: Array(10).fill(100),
      discrete: false,
    });
    expect(k).toMatchObject({
      kind: 'numeric',
      histogram: { start: 0, width: 1, counts: [250, 250, 250, 250], discrete: true },
    });
    expect(g).toMatchObject({
      kind: 'category',
      type: 'string',
      nulls: 100,
      distinct: 3,
      distinctCapped: false,
    });
    const [wide] = await kernel.query('columnSummary', { tableId, column: 'n', bins: 40 });
    expect(wide.kind === 'numeric' && wide.histogram.counts.reduce((a, b) => a + b)).toBe(1000);
    expect(wide.kind === 'numeric' && wide.histogram.counts).toHaveLength(40);
    await expect(kernel.query('columnSummary', { tableId, column: 'nope' })).rejects.toThrow(
      /No column "nope"/,
    );
    await expect(kernel.query('columnSummary', { tableId: 't999' })).rejects.toThrow(
      /t999 was made by an earlier kernel/,
    );
  });

  it('runs queries from TypeScript and registers tables back into DuckDB', async () => {
    const r = await run(
      kernel,
      'const t = await db.query("SELECT ?::INTEGER AS k, ? AS label", [7, "seven"]);\n' +
        'await db.register("mine", ' +
        'rl.Table.fromColumns({ id: new Int32Array([1, 2, 3]), score: new Float64Array([0.5, NaN, 2]) }));\n' +
        'const back = await db.query("SELECT sum(id) AS s, count(score) AS c FROM mine");\n' +
        '[t.rows()[0], back.rows()[0]]',
    );
    expect(r.text).toBe("[ { k: 7, label: 'seven' }, { s: 6, c: 2 } ]");
  });

  it("shows DuckDB's message and the failing line, and keeps the kernel's state", async () => {
    await run(kernel, '-- name: before\nSELECT 1 AS one', 'sql');
    const r = await run(kernel, 'SELECT 1\nFROM missing_table', 'sql');
    expect(r.reply).toMatchObject({ status: 'error', errorLine: 2 });
    expect(r.outputs[0]).toMatchObject({ output_type: 'error', ename: 'Catalog Error' });
    expect(r.text).toContain('Table with name missing_table does not exist');
    expect((await run(kernel, 'before.numRows')).text).toBe('1');
  });

  it('rejects a name line that is not a variable name', async () => {
    const r = await run(kernel, '-- name: 2fast\nSELECT 1', 'sql');
    expect(r.reply.status).toBe('error');
    expect(r.text).toMatch(/"-- name: 2fast" on line 1 is not a valid variable name/);
  });
});

describe('interrupt, restart and death', () => {
  let kernel: KernelClient;
  suiteKernel((k) => (kernel = k), { interruptGraceMs: 1500 });

  it('cancels a cell at its next await and keeps the kernel', async () => {
    await run(kernel, 'const survivor = 7; let steps = 0;');
    const { result: pending, started } = runStarted(
      kernel,
      // Counts before its first await, so any run at all leaves steps > 0, however slow the machine.
      'while (true) { steps++; await new Promise((r) => setTimeout(r, 10)); }',
    );
    await started;
    await new Promise((r) => setTimeout(r, 200));
    const pid = kernel.info.pid;
    await kernel.interrupt();
    const r = await pending;
    expect(r.reply.status).toBe('interrupted');
    expect(r.outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'Interrupted' });
    const after = await run(
      kernel,
      'const before = steps;\nawait new Promise((r) => setTimeout(r, 100));\n[survivor, steps > 0, steps === before]',
    );
    expect(after.text).toBe('[ 7, true, true ]');
    expect(kernel.info.pid).toBe(pid);
  });

  it('lets a second interrupt share the first, and restarts share one restart', async () => {
    let restarts = 0;
    const count = () => restarts++;
    kernel.on('restarted', count);
    const { result: pending, started } = runStarted(kernel, 'while (true) {}');
    await started;
    await Promise.all([kernel.interrupt(), kernel.interrupt()]);
    const r = await pending;
    expect(r.reply.status).toBe('interrupted');
    expect(r.outputs.filter((o) => o.output_type === 'error' && o.ename === 'KernelRestarted')).toHaveLength(
      1,
    );
    expect(restarts).toBe(1);
    const [a, b] = await Promise.all([kernel.restart(), kernel.restart()]);
    expect(a.pid).toBe(b.pid);
    expect(restarts).toBe(2);
    kernel.off('restarted', count);
    expect((await run(kernel, '2 + 2')).text).toBe('4');
  });

  it('interrupts a cell sent just before, even before the kernel says it is busy', async () => {
    const pid = kernel.info.pid;
    const pending = run(kernel, 'await new Promise(() => {});');
    await kernel.interrupt();
    expect((await pending).reply.status).toBe('interrupted');
    // Stopped by the interrupt itself, not by the restart after the grace period.
    expect(kernel.info.pid).toBe(pid);
  });

  it('cancels a cell that awaits something that never settles', async () => {
    const pending = run(kernel, 'await new Promise(() => {});');
    await new Promise((r) => setTimeout(r, 200));
    await kernel.interrupt();
    expect((await pending).reply.status).toBe('interrupted');
  });

  it('restarts the kernel when a synchronous loop ignores the interrupt', async () => {
    await run(kernel, 'const lost = 1;');
    const pid = kernel.info.pid;
    const { result: pending, started } = runStarted(kernel, 'while (true) {}');
    await started;
    await kernel.interrupt();
    const r = await pending;
    expect(r.reply.status).toBe('interrupted');
    expect(r.text).toMatch(/did not stop within 1\.5 s of the interrupt .* so the kernel was restarted/);
    expect(kernel.info.pid).not.toBe(pid);
    expect((await run(kernel, 'typeof lost')).text).toBe('undefined');
  });

  it('gives a clean context on restart', async () => {
    await run(kernel, 'const temp = 1;');
    await kernel.restart();
    expect((await run(kernel, 'typeof temp')).text).toBe('undefined');
  });

  it('reports a kernel that dies, and a restart brings it back', async () => {
    const died = new Promise<Error>((resolve) => kernel.once('died', resolve));
    const pending = run(kernel, 'await new Promise((r) => setTimeout(r, 5000));');
    await new Promise((r) => setTimeout(r, 200));
    process.kill(kernel.info.pid, 'SIGKILL');
    await expect(pending).rejects.toThrow(/kernel process was killed \(SIGKILL\)/);
    expect((await died).name).toBe('KernelDied');
    expect(kernel.state).toBe('dead');
    await expect(kernel.execute('1')).rejects.toThrow(/not running/);
    await kernel.restart();
    expect((await run(kernel, '1 + 1')).text).toBe('2');
  });
});

describe('the notebook folder', () => {
  it('runs in the notebook folder and imports modules from it', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-cwd-'));
    await fs.writeFile(path.join(dir, 'helper.cjs'), 'module.exports = { twice: (x) => 2 * x };');
    const kernel = await startKernel({ cwd: dir });
    try {
      const r = await run(
        kernel,
        "import { twice } from './helper.cjs';\n" +
          "import * as fs from 'node:fs';\n" +
          "[twice(21), fs.existsSync('helper.cjs')]",
      );
      expect(r.text).toBe('[ 42, true ]');
      const missing = await run(kernel, "import nothing from 'no-such-package';");
      expect(missing.text).toMatch(/Cannot find module "no-such-package"/);
      // SQL reads relative paths from the notebook's folder: the README's header-less TSV example.
      await fs.mkdir(path.join(dir, 'ml-100k'));
      await fs.writeFile(
        path.join(dir, 'ml-100k', 'u.data'),
        '196\t242\t3\t881250949\n186\t302\t3\t891717742\n',
      );
      const tsv = await run(
        kernel,
        "SELECT * FROM read_csv('ml-100k/u.data', delim = '\\t', header = false,\n" +
          "  columns = {'user_id': 'INTEGER', 'item_id': 'INTEGER', 'rating': 'DOUBLE', 'timestamp': 'BIGINT'})",
        'sql',
      );
      expect(tsv.reply.status).toBe('ok');
      expect(tsv.text).toMatch(/user_id.*item_id.*rating.*timestamp/s);
      expect(tsv.text).toMatch(/196.*242/s);
    } finally {
      await kernel.shutdown();
    }
  });
});
