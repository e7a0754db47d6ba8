/**
 * The charts' figures (`npm run bench -- charts`): a histogram of a million ratings counted
 * by DuckDB where they lie, beside the same histogram counted in JavaScript over the typed
 * array, and beside reading the column out of DuckDB first (what counting in JavaScript
 * costs when the data is in the database), all in the same run.
 */
import * as os from 'node:os';
import { histogram } from '../src/charts';
import { Database } from '../src/data';
import { projectionBench } from './projection';
import { printTable, quantile } from './shared';

const ROWS = 1_000_000;
const RUNS = 15;
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

async function median(f: () => unknown): Promise<number> {
  await f(); // warm up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return quantile(times, 0.5);
}

/**
 * A 1,000,000-value histogram in DuckDB versus in JavaScript, for half-star ratings (0.5 to 5) and a
 * continuous score.
 */
export async function histogramBench(): Promise<void> {
  const db = await Database.open();
  try {
    await db.run(`SELECT setseed(0.42)`);
    await db.run(
      `CREATE TABLE ratings AS
       SELECT round(1 + random() * 9) / 2 AS rating, random() * 10 AS score FROM range(${ROWS})`,
    );
    const lines: string[][] = [];
    for (const [column, what] of [
      ['rating', 'half-star ratings, one bar per value'],
      ['score', 'continuous scores, round bins'],
    ] as const) {
      const values = (await db.query(`SELECT ${column} FROM ratings`)).column(column) as Float64Array;
      const chart = await histogram('ratings', { column, db });
      const same = JSON.stringify(chart.option) === JSON.stringify(histogram({ [column]: values }).option);
      const bins = (chart.option.xAxis as { data: string[] }).data.length;
      const inDuckDB = await median(() => histogram('ratings', { column, db }));
      const inJs = await median(() => histogram({ [column]: values }));
      const read = await median(() => db.query(`SELECT ${column} FROM ratings`));
      lines.push([
        `${(ROWS / 1e6).toFixed(0)}M ${what}`,
        `${ms(inDuckDB)} ms`,
        `${ms(inJs)} ms`,
        `${(inDuckDB / inJs).toFixed(2)}×`,
        `${ms(read + inJs)} ms`,
        `${(inDuckDB / (read + inJs)).toFixed(2)}×`,
        `${bins} bins / ${values.length.toLocaleString('en-US')} values`,
        same ? 'yes' : 'NO',
      ]);
    }
    printTable(
      [
        'histogram',
        'in DuckDB',
        'JS over typed array',
        'ratio',
        'read into JS + JS',
        'ratio',
        'into JS: DuckDB / JS way',
        'same chart',
      ],
      lines,
    );
  } finally {
    db.close();
  }
}

export async function chartsBench(): Promise<void> {
  console.log(
    `\nRecLab charts benchmark — ${os.cpus()[0]?.model.trim()} × ${os.cpus().length}, ` +
      `Node ${process.version} (median of ${RUNS})\n`,
  );
  await histogramBench();
  await projectionBench();
}
