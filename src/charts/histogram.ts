/**
 * A histogram of one numeric column. Over values in memory it counts in one pass; over a
 * DuckDB table or query the database counts, and only the bins come back. Both ways bin
 * through ./bins, so they draw the same chart from the same data.
 */
import { formatCount } from '../api';
import { randomBytes } from 'node:crypto';
import { SqlError, quoteIdentifier, type Database } from '../data';
import {
  binCountSql,
  binEdge,
  binLayout,
  binParams,
  binStats,
  binStatsOf,
  binStatsSql,
  binWidth,
  countBins,
  type BinLayout,
  type BinStats,
} from './bins';
import { Chart } from './chart';
import { chartDatabase } from './chart-database';
import { ChartInput, describeValue, isValues, leftOut, type ChartData, type ChartValues } from './chart-data';
import { heading } from './heading';

export interface HistogramOptions {
  /** The column to count; may be left out when the data has one column. */
  column?: string;
  /**
   * About how many equal-width bins, on round edges (whole-number widths for whole numbers).
   * Without it: 30, except that whole or half-step numbers (ratings) taking at most 60
   * steps get one bar per value.
   */
  bins?: number;
  title?: string;
  /** The value axis' name (default: the column's). */
  xName?: string;
}

export interface SqlHistogramOptions extends HistogramOptions {
  /** The database to query (default: the kernel's `db`). */
  db?: Database;
}

const DEFAULT_BINS = 30;
const MAX_DISCRETE = 60;
const MAX_BINS = 1000;

/**
 * A table or view name, or a SELECT query, is counted by DuckDB (a promise of the chart);
 * a `Table`, named columns or one array of values is counted here.
 */
export function histogram(source: string, options?: SqlHistogramOptions): Promise<Chart>;
export function histogram(data: ChartData | ChartValues, options?: HistogramOptions): Chart;
export function histogram(
  data: string | ChartData | ChartValues,
  options: SqlHistogramOptions = {},
): Chart | Promise<Chart> {
  if (typeof data === 'string') return sqlHistogram(data, options);
  checkBins(options.bins);
  const { name, values } = valuesOf(data, options.column);
  const stats = binStats(values);
  const layout = layoutOf(stats, options.bins, name);
  return draw(name, countBins(values, layout), layout, stats, options);
}

function checkBins(bins: number | undefined): void {
  if (bins !== undefined && !(Number.isInteger(bins) && bins >= 1 && bins <= MAX_BINS)) {
    throw new Error(
      `histogram: bins must be a whole number from 1 to ${MAX_BINS}, got ${describeValue(bins)}.`,
    );
  }
}

function valuesOf(
  data: ChartData | ChartValues,
  column: string | undefined,
): { name: string; values: ArrayLike<number> } {
  if (isValues(data)) {
    if (column !== undefined)
      throw new Error(
        `histogram: option column "${column}" names a column, but the data is one array of values; leave column out.`,
      );
    return valuesOf({ value: data }, 'value');
  }
  const input = new ChartInput('histogram', data);
  const name = column ?? soleColumn(input.names);
  const c = input.numbers(name, 'column');
  if (c.kind === 'time') throw timesRefused(name);
  return { name, values: c.values };
}

function soleColumn(names: readonly string[]): string {
  if (names.length === 1) return names[0];
  throw new Error(
    `histogram: say which column to count with { column }; the columns are ${names.join(', ')}.`,
  );
}

/** Bins are laid out on numbers; times would get edges in milliseconds, in both ways alike refused. */
function timesRefused(name: string): Error {
  return new Error(
    `histogram: column "${name}" holds dates or times, which it does not bin; ` +
      'count a number made from them instead (such as the year, or epoch() in SQL).',
  );
}

function layoutOf(s: BinStats, bins: number | undefined, column: string): BinLayout {
  if (s.total === 0) throw new Error(`histogram: column "${column}" has no values; nothing to count.`);
  if (s.finite === 0)
    throw new Error(
      `histogram: column "${column}" has no finite values ` +
        `(all ${formatCount(s.total)} are missing, NaN or infinite); nothing to count.`,
    );
  // Bins asked for are bins: then only a single value gets a bar of its own.
  return binLayout(s, { bins: bins ?? DEFAULT_BINS, maxDiscrete: bins === undefined ? MAX_DISCRETE : 1 });
}

/** Decimals that show every edge of a layout exactly. */
function decimalsOf(width: number): number {
  let d = 0;
  while (d < 12 && Math.abs(Math.round(width * 10 ** d) - width * 10 ** d) > 1e-6) d++;
  return d;
}

function draw(
  column: string,
  counts: Float64Array,
  layout: BinLayout,
  stats: BinStats,
  options: HistogramOptions,
): Chart {
  const width = binWidth(layout);
  const d = decimalsOf(width);
  const labels = Array.from({ length: layout.count }, (_, i) =>
    layout.discrete
      ? String(stats.min + i * width)
      : `${binEdge(layout, i).toFixed(d)} to ${binEdge(layout, i + 1).toFixed(d)}`,
  );
  return new Chart({
    ...heading(
      options.title ?? `Distribution of ${column}`,
      [`${formatCount(stats.finite)} values`, leftOut(stats.total - stats.finite, stats.total, 'values')],
      false,
    ),
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      name: options.xName ?? column,
      nameLocation: 'middle',
      nameGap: 28,
      data: labels,
    },
    yAxis: { type: 'value', name: 'count' },
    series: [
      {
        type: 'bar',
        name: 'count',
        data: Array.from(counts),
        barCategoryGap: layout.discrete ? '20%' : '2%',
        large: layout.count > 400,
      },
    ],
  });
}

/**
 * A name is a table or view; text that starts like a query is one. The keyword must end
 * there and be followed by more (`selected_items`, `table_2` and `Values` are names).
 */
const QUERY =
  /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(?:(?:select|with|from|values|table|pivot|unpivot)\b(?!\s*$)|\()/i;

async function sqlHistogram(source: string, options: SqlHistogramOptions): Promise<Chart> {
  checkBins(options.bins);
  const db = chartDatabase('histogram', options.db);
  const isQuery = QUERY.test(source);
  const what = isQuery ? 'the query' : `table "${source}"`;
  // The parenthesis on a line of its own: a query ending in a -- comment would comment it out.
  const from = isQuery ? `(\n${source.replace(/[\s;]+$/, '')}\n) AS source` : quoteIdentifier(source);
  // DESCRIBE plans the query without running it.
  const columns = await read(db, `DESCRIBE SELECT * FROM ${from}`, what);
  const names = columns.column('column_name') as string[];
  const types = columns.column('column_type') as string[];
  const name = options.column ?? soleColumn(names);
  const at = names.indexOf(name);
  if (at < 0)
    throw new Error(`histogram: no column "${name}" in ${what}; the columns are ${names.join(', ')}.`);
  if (TIME_SQL.test(types[at])) throw timesRefused(name);
  if (!NUMERIC_SQL.test(types[at]))
    throw new Error(
      `histogram: column "${name}" of ${what} is ${types[at]}, not a number; ` +
        'choose a numeric column or cast it in a query.',
    );
  // The source runs once, into a temporary table that both counts read: a query that samples
  // or is slow would otherwise run per count, and its bars need not add up to its total.
  const values = quoteIdentifier(`rl_histogram_${randomBytes(8).toString('hex')}`);
  try {
    await read(
      db,
      `CREATE TEMP TABLE ${values} AS SELECT CAST(${quoteIdentifier(name)} AS DOUBLE) AS v FROM ${from}`,
      what,
    );
    const stats = binStatsOf((await read(db, binStatsSql(values), what)).rows()[0]);
    const layout = layoutOf(stats, options.bins, name);
    const bins = await read(db, binCountSql(values), what, binParams(layout));
    const counts = new Float64Array(layout.count);
    const bin = bins.column('bin') as Int32Array;
    const n = bins.column('n') as Float64Array;
    for (let i = 0; i < bin.length; i++) counts[bin[i]] = n[i];
    return draw(name, counts, layout, stats, options);
  } finally {
    // A table left behind is temporary and goes with the connection: the chart's own error matters more.
    await db.run(`DROP TABLE IF EXISTS ${values}`).catch(() => undefined);
  }
}

const NUMERIC_SQL =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?)$/i;
const TIME_SQL = /^(DATE|TIME|TIMESTAMP)\b/i;

async function read(db: Database, sql: string, what: string, params?: Record<string, number>) {
  try {
    return await db.query(sql, params);
  } catch (e) {
    if (e instanceof SqlError)
      throw new Error(`histogram: DuckDB could not read ${what}: ${e.message}`, { cause: e });
    throw e;
  }
}
