/**
 * `npm run bench`: the core's performance figures, each beside a reference measured in the
 * same run on the same machine, and the target the product holds itself to.
 */
import { fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { KernelClient } from '../src/kernel-client';
import {
  MIME,
  createNotebook,
  newCodeCell,
  parseNotebook,
  serializeNotebook,
  type CodeCell,
  type Notebook,
} from '../src/notebook';
import { readNotebookFile, writeNotebookFile } from '../src/server';
import { chartsBench } from './charts';
import { easeBench } from './ease';
import { recsysBench } from './recsys';
import { RANKING_MODELS, rankingBench } from './ranking';
import { neuralBench } from './recsys-neural';
import { SEQUENCE_MODELS, sequenceBench } from './sequence';
import { servingBench } from './serving';
import { MOVIELENS, printTable, quantile } from './shared';
import { workbenchBench } from './workbench';

interface Row {
  what: string;
  value: number;
  unit: string;
  reference: string;
  referenceValue: number;
  target?: { limit: number; label: string };
}

const rows: Row[] = [];
const median = (xs: number[]) => quantile(xs, 0.5);
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

async function time<T>(f: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

/** A bare Node child with an IPC channel that echoes: the floor under any kernel. */
async function bareChild(): Promise<{ startMs: number; roundTripMs: number }> {
  const source = "process.on('message', (m) => process.send(m)); process.send('ready');";
  const file = path.join(os.tmpdir(), `reclab-echo-${process.pid}.cjs`);
  await fs.writeFile(file, source);
  const starts: number[] = [];
  let roundTripMs = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const child = fork(file, [], { serialization: 'advanced', stdio: 'ignore' });
    await new Promise((r) => child.once('message', r));
    starts.push(performance.now() - t);
    if (i === 4) {
      const trips: number[] = [];
      for (let k = 0; k < 200; k++)
        trips.push(await time(() => new Promise((r) => (child.once('message', r), child.send({ k })))));
      roundTripMs = median(trips);
    }
    child.kill();
  }
  return { startMs: median(starts), roundTripMs };
}

async function kernelFigures(): Promise<void> {
  const bare = await bareChild();
  const starts: number[] = [];
  const firstCells: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const k = await KernelClient.start({ backend: 'wasm' });
    starts.push(performance.now() - t);
    // TypeScript's compiler loads after "ready"; the first cell may wait for it.
    await k.execute('const first: number = 1; first');
    firstCells.push(performance.now() - t);
    await k.shutdown();
  }
  rows.push({
    what: 'kernel ready (process, DuckDB, TensorFlow.js wasm)',
    value: median(starts),
    unit: 'ms',
    reference: 'bare Node child with IPC',
    referenceValue: bare.startMs,
    target: { limit: 1500, label: '< 1.5 s' },
  });
  rows.push({
    what: 'kernel start to first TypeScript cell result',
    value: median(firstCells),
    unit: 'ms',
    reference: 'bare Node child with IPC',
    referenceValue: bare.startMs,
  });

  const kernel = await KernelClient.start({ backend: 'wasm' });
  try {
    for (let i = 0; i < 20; i++) await kernel.execute('1'); // warm up
    const trips: number[] = [];
    for (let i = 0; i < 200; i++) trips.push(await time(() => kernel.execute('1 + 1')));
    rows.push({
      what: 'trivial cell round trip (median of 200)',
      value: median(trips),
      unit: 'ms',
      reference: 'bare IPC echo',
      referenceValue: bare.roundTripMs,
      target: { limit: 10, label: '< 10 ms' },
    });
    await sqlFigures(kernel);
    await movieLensFigures(kernel);
  } finally {
    await kernel.shutdown();
  }
}

const ROWS_10M = 10_000_000;
const CREATE = `CREATE OR REPLACE TABLE interactions AS
  SELECT range AS id, (hash(range) % 100000)::INTEGER AS user_id, (hash(range * 7) % 20000)::INTEGER AS item_id,
         1 + (hash(range * 13) % 5)::INTEGER AS rating
  FROM range(${ROWS_10M})`;
const AGGREGATE = `SELECT rating, count(*) AS n, avg(item_id) AS mean_item, count(DISTINCT user_id) AS users
FROM interactions GROUP BY rating ORDER BY rating`;

/**
 * Runs `sql` on a DuckDB of this process and as a kernel cell, alternately, `times` times.
 * On two cores query times wander by tens of milliseconds from run to run; alternating
 * keeps both sides under the same conditions, and the paired differences cancel the drift.
 */
async function paired(kernel: KernelClient, sql: string, times: number, setup?: string) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  if (setup) await Promise.all([connection.run(setup), kernel.execute(setup, 'sql')]);
  const direct: number[] = [];
  const cell: number[] = [];
  const differences: number[] = [];
  try {
    for (let i = 0; i < times; i++) {
      // Read into JS values, as the cell does.
      direct.push(await time(async () => (await connection.runAndReadAll(sql)).getColumns()));
      cell.push(await time(() => kernel.execute(sql, 'sql')));
      differences.push(cell[i] - direct[i]);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { direct: median(direct), cell: median(cell), overhead: median(differences) };
}

async function sqlFigures(kernel: KernelClient): Promise<void> {
  const aggregate = await paired(kernel, AGGREGATE, 15, CREATE);
  await kernel.execute('DROP TABLE interactions', 'sql');
  const trivial = await paired(kernel, 'SELECT 42 AS answer', 100);

  rows.push({
    what: `SQL cell: aggregate over ${ROWS_10M / 1e6}M rows, end to end`,
    value: aggregate.cell,
    unit: 'ms',
    reference: 'same query on DuckDB directly',
    referenceValue: aggregate.direct,
  });
  rows.push({
    what: 'RecLab overhead on that SQL cell (median paired diff.)',
    value: aggregate.overhead,
    unit: 'ms',
    reference: 'DuckDB time',
    referenceValue: aggregate.direct,
    target: { limit: 20, label: '< 20 ms' },
  });
  rows.push({
    what: 'SQL cell `SELECT 42`, end to end (median of 100)',
    value: trivial.cell,
    unit: 'ms',
    reference: 'same query on DuckDB directly',
    referenceValue: trivial.direct,
    target: { limit: 20, label: '< 20 ms' },
  });
}

async function movieLensFigures(kernel: KernelClient): Promise<void> {
  const csv = path.join(MOVIELENS, 'ratings.csv');
  if (!(await fs.stat(csv).catch(() => null))) {
    console.log(
      `(MovieLens figures skipped: ${csv} not found; set RECLAB_MOVIELENS to the ml-latest-small folder)`,
    );
    return;
  }
  const ratings = await paired(
    kernel,
    `-- name: ratings\nSELECT * FROM read_csv('${csv.replaceAll("'", "''")}')`,
    9,
  );
  rows.push({
    what: 'SQL cell binding MovieLens ratings.csv (100,836 rows) as a Table',
    value: ratings.cell,
    unit: 'ms',
    reference: 'read into JS values by DuckDB directly',
    referenceValue: ratings.direct,
  });
}

/** A notebook of about 20 MB: 220 cells with text, tables and images in their outputs. */
function bigNotebook() {
  const cells: CodeCell[] = [];
  const png = Buffer.alloc(48_000, 7).toString('base64');
  for (let i = 0; i < 220; i++) {
    const cell = newCodeCell(
      `// cell ${i}\nconst r${i} = await db.query("SELECT * FROM t LIMIT ${i}");\nr${i}`,
    );
    const rowsText = Array.from(
      { length: 200 },
      (_, r) => `${r} │ user_${r} │ ${(r * 0.37).toFixed(3)} │ ✓ ünïcode`,
    ).join('\n');
    cell.outputs.push(
      { output_type: 'stream', name: 'stdout', text: rowsText.split('\n').map((l) => l + '\n') },
      {
        output_type: 'execute_result',
        execution_count: i + 1,
        metadata: {},
        data: {
          'text/plain': rowsText,
          'image/png': png,
          [MIME.table]: {
            tableId: `t${i}`,
            numRows: 200,
            columns: [{ name: 'a', type: 'float64' }],
            rows: Array.from({ length: 200 }, (_, r) => [r * 0.5]),
          },
        },
      },
    );
    cell.execution_count = i + 1;
    cells.push(cell);
  }
  return createNotebook(cells);
}

async function notebookFigures(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reclab-bench-'));
  const file = path.join(dir, 'big.ipynb');
  await writeNotebookFile(file, bigNotebook());
  const size = (await fs.stat(file)).size;
  const text = await fs.readFile(file, 'utf8');
  const opens: number[] = [];
  const saves: number[] = [];
  const nativeParse: number[] = [];
  const nativeStringify: number[] = [];
  for (let i = 0; i < 5; i++) {
    let nb!: Notebook;
    opens.push(await time(async () => (nb = await readNotebookFile(file))));
    saves.push(await time(() => writeNotebookFile(file, nb)));
    let plain: unknown;
    nativeParse.push(await time(async () => (plain = JSON.parse(await fs.readFile(file, 'utf8')))));
    nativeStringify.push(
      await time(() => fs.writeFile(path.join(dir, 'plain.json'), JSON.stringify(plain, null, 1))),
    );
  }
  const unchanged = serializeNotebook(parseNotebook(text)) === text;
  const mb = (size / 1e6).toFixed(1);
  rows.push({
    what: `open a ${mb} MB notebook`,
    value: median(opens),
    unit: 'ms',
    reference: 'JSON.parse of the file',
    referenceValue: median(nativeParse),
    target: { limit: 500, label: '< 500 ms' },
  });
  rows.push({
    what: `save a ${mb} MB notebook (byte-identical: ${unchanged ? 'yes' : 'NO'})`,
    value: median(saves),
    unit: 'ms',
    reference: 'JSON.stringify + write',
    referenceValue: median(nativeStringify),
    target: { limit: 500, label: '< 500 ms' },
  });
  await fs.rm(dir, { recursive: true, force: true });
}

function print(): void {
  console.log(
    `\nRecLab core benchmark — ${os.cpus()[0]?.model.trim()} × ${os.cpus().length}, Node ${process.version}\n`,
  );
  printTable(
    ['figure', 'RecLab', 'reference', 'ratio', 'target'],
    rows.map((r) => [
      r.what,
      `${ms(r.value)} ${r.unit}`,
      `${ms(r.referenceValue)} ${r.unit} (${r.reference})`,
      `${(r.value / r.referenceValue).toFixed(2)}×`,
      r.target ? `${r.target.label} ${r.value < r.target.limit ? 'met' : 'MISSED'}` : '',
    ]),
  );
}

// `npm run bench -- SECTION…` runs only the sections named: core, recsys, ease, sequence, ranking, serving,
// workbench, charts. `--models NAME,…` keeps only those models in the sequence and ranking sections.
const asked = process.argv
  .slice(2)
  .filter((a) =>
    ['core', 'recsys', 'ease', 'sequence', 'ranking', 'serving', 'workbench', 'charts'].includes(a),
  );
const wants = (section: string) => asked.length === 0 || asked.includes(section);
const modelsAt = process.argv.indexOf('--models');
const models = modelsAt >= 0 ? (process.argv[modelsAt + 1] ?? '').split(',').filter(Boolean) : null;
// A misspelt name would leave a section with nothing to run, silently.
const known = [...(wants('sequence') ? SEQUENCE_MODELS : []), ...(wants('ranking') ? RANKING_MODELS : [])];
const unknown = models?.filter((m) => !known.includes(m)) ?? [];
if (models && (unknown.length || !models.length))
  throw new Error(
    `--models: ${unknown.length ? `no model ${unknown.map((m) => `"${m}"`).join(', ')}` : 'no names given'} ` +
      `in the sections asked for; they have: ${known.join(', ')}`,
  );
if (wants('core')) {
  await kernelFigures();
  await notebookFigures();
  print();
}
if (wants('recsys')) {
  await recsysBench();
  await neuralBench();
}
if (wants('ease')) await easeBench();
if (wants('sequence')) await sequenceBench(models);
if (wants('ranking')) await rankingBench(models);
if (wants('serving')) await servingBench();
if (wants('workbench')) await workbenchBench();
if (wants('charts')) await chartsBench();
