/**
 * A histogram of one numeric column. Over values in memory it counts in one pass; over a
 * DuckDB table or query the database counts, and only the bins come back. Both ways share
 * the bin layout, so they draw the same chart from the same data.
 */
import { SqlError, quoteIdentifier, type Database } from '../data';
import { Chart } from './chart';
import { chartDatabase } from './chart-database';
import { ChartInput, count, describeValue, isValues, leftOut, type ChartData, type ChartValues } from './chart-data';
import { heading } from './heading';

export interface HistogramOptions {
  /** The column to count; may be left out when the data has one column. */
  column?: string;
  /**
   * About how many equal-width bins, on round edges. Without it: 30, except that whole or
   * half-step numbers (ratings) spanning at most 60 steps get one bar per value.
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

/** What the layout needs to know about the finite values. */
interface Stats {
  /** Every value, the missing and infinite ones included. */
  total: number;
  /** The finite values. */
  finite: number;
  min: number;
  max: number;
  integers: boolean;
  halves: boolean;
}

/** Bins [lo + i·width, lo + (i+1)·width); values beyond the ends go into the end bins. */
interface Layout {
  lo: number;
  width: number;
  count: number;
  /** One bin per value (lo is then half a step below the first). */
  discrete: boolean;
}

/**
 * A table or view name, or a SELECT query, is counted by DuckDB (a promise of the chart);
 * a `Table`, named columns or one array of values is counted here.
 */
export function histogram(source: string, options?: SqlHistogramOptions): Promise<Chart>;
export function histogram(data: ChartData | ChartValues, options?: HistogramOptions): Chart;
export function histogram(data: string | ChartData | ChartValues, options: SqlHistogramOptions = {}): Chart | Promise<Chart> {
  if (typeof data === 'string') return sqlHistogram(data, options);
  checkBins(options.bins);
  const { name, values } = valuesOf(data, options.column);
  const stats = statsOf(values);
  const layout = layoutOf(stats, options.bins, name);
  const counts = new Float64Array(layout.count);
  const last = layout.count - 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) counts[Math.min(Math.max(Math.floor((v - layout.lo) / layout.width), 0), last)]++;
  }
  return draw(name, counts, layout, stats, options);
}

function checkBins(bins: number | undefined): void {
  if (bins !== undefined && !(Number.isInteger(bins) && bins >= 1 && bins <= MAX_BINS)) {
    throw new Error(`histogram: bins must be a whole number from 1 to ${MAX_BINS}, got ${describeValue(bins)}.`);
  }
}

function valuesOf(data: ChartData | ChartValues, column: string | undefined): { name: string; values: ArrayLike<number> } {
  if (isValues(data)) {
    if (column !== undefined) throw new Error(`histogram: option column "${column}" names a column, but the data is one array of values; leave column out.`);
    return valuesOf({ value: data }, 'value');
  }
  const input = new ChartInput('histogram', data);
  const name = column ?? soleColumn(input.names);
  return { name, values: input.numbers(name, 'column').values };
}

function soleColumn(names: readonly string[]): string {
  if (names.length === 1) return names[0];
  throw new Error(`histogram: say which column to count with { column }; the columns are ${names.join(', ')}.`);
}

function statsOf(values: ArrayLike<number>): Stats {
  let finite = 0;
  let min = Infinity;
  let max = -Infinity;
  let integers = true;
  let halves = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    finite++;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integers && !Number.isInteger(v)) integers = false;
    if (halves && !Number.isInteger(v * 2)) halves = false;
  }
  return { total: values.length, finite, min, max, integers, halves };
}

function layoutOf(s: Stats, bins: number | undefined, column: string): Layout {
  if (s.total === 0) throw new Error(`histogram: column "${column}" has no values; nothing to count.`);
  if (s.finite === 0) throw new Error(`histogram: column "${column}" has no finite values (all ${count(s.total)} are missing, NaN or infinite); nothing to count.`);
  const step = s.integers ? 1 : s.halves ? 0.5 : 0;
  if (s.min === s.max || (bins === undefined && step > 0 && (s.max - s.min) / step < MAX_DISCRETE)) {
    const width = step || 1;
    return { lo: s.min - width / 2, width, count: Math.round((s.max - s.min) / width) + 1, discrete: true };
  }
  const width = roundStep((s.max - s.min) / (bins ?? DEFAULT_BINS));
  const lo = Math.floor(s.min / width) * width;
  // The last bin is closed: the maximum on an edge joins the bin below rather than starting one.
  return { lo, width, count: Math.max(1, Math.ceil((s.max - lo) / width - 1e-9)), discrete: false };
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at least `raw`: bin edges that read well. */
function roundStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = [1, 2, 2.5, 5, 10].find((m) => m * power >= raw * (1 - 1e-12)) ?? 10;
  return mantissa * power;
}

/** Decimals that show every edge of a layout exactly. */
function decimalsOf(width: number): number {
  let d = 0;
  while (d < 12 && Math.abs(Math.round(width * 10 ** d) - width * 10 ** d) > 1e-6) d++;
  return d;
}

function draw(column: string, counts: Float64Array, layout: Layout, stats: Stats, options: HistogramOptions): Chart {
  const d = decimalsOf(layout.width);
  const labels = Array.from({ length: layout.count }, (_, i) => {
    if (layout.discrete) return String(stats.min + i * layout.width);
    const from = layout.lo + i * layout.width;
    return `${from.toFixed(d)} to ${(from + layout.width).toFixed(d)}`;
  });
  return new Chart({
    ...heading(options.title ?? `Distribution of ${column}`, [`${count(stats.finite)} values`, leftOut(stats.total - stats.finite, stats.total, 'values')], false),
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', name: options.xName ?? column, nameLocation: 'middle', nameGap: 28, data: labels },
    yAxis: { type: 'value', name: 'count' },
    series: [{ type: 'bar', name: 'count', data: Array.from(counts), barCategoryGap: layout.discrete ? '20%' : '2%', large: layout.count > 400 }],
  });
}

/** A name is a table or view; text that starts like a query is one. */
const QUERY = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(?:select|with|from|values|table|pivot|unpivot|\()/i;

async function sqlHistogram(source: string, options: SqlHistogramOptions): Promise<Chart> {
  checkBins(options.bins);
  const db = chartDatabase('histogram', options.db);
  const isQuery = QUERY.test(source);
  const what = isQuery ? 'the query' : `table "${source}"`;
  const from = isQuery ? `(${source.replace(/[\s;]+$/, '')}) AS source` : quoteIdentifier(source);
  const columns = await read(db, `DESCRIBE SELECT * FROM ${from}`, what);
  const names = columns.column('column_name') as string[];
  const types = columns.column('column_type') as string[];
  const name = options.column ?? soleColumn(names);
  const at = names.indexOf(name);
  if (at < 0) throw new Error(`histogram: no column "${name}" in ${what}; the columns are ${names.join(', ')}.`);
  if (!NUMERIC_SQL.test(types[at])) throw new Error(`histogram: column "${name}" of ${what} is ${types[at]}, not a number; choose a numeric column or cast it in a query.`);
  const values = `(SELECT CAST(${quoteIdentifier(name)} AS DOUBLE) AS v FROM ${from})`;
  const s = (
    await read(
      db,
      // count_if and floor: several times faster than bool_and and round.
      `SELECT count(*)::DOUBLE AS total, count(v)::DOUBLE AS finite, min(v) AS min, max(v) AS max,
              count_if(floor(v) <> v) = 0 AS integers, count_if(floor(v * 2) <> v * 2) = 0 AS halves
       FROM (SELECT CASE WHEN isfinite(v) THEN v END AS v FROM ${values})`,
      what,
    )
  ).rows()[0];
  const stats: Stats = { total: Number(s.total), finite: Number(s.finite), min: Number(s.min), max: Number(s.max), integers: s.integers === true, halves: s.halves === true };
  const layout = layoutOf(stats, options.bins, name);
  // Parameters, not literals: DuckDB then divides the very doubles this process chose. The
  // bin is an integer before it is clamped and grouped: three times faster than in doubles.
  const bins = await read(
    db,
    `SELECT least(greatest(floor((v - $lo) / $width)::INTEGER, 0), $last) AS bin, count(*)::DOUBLE AS n
     FROM ${values} WHERE isfinite(v) GROUP BY bin`,
    what,
    { lo: layout.lo, width: layout.width, last: layout.count - 1 },
  );
  const counts = new Float64Array(layout.count);
  const bin = bins.column('bin') as Int32Array;
  const n = bins.column('n') as Float64Array;
  for (let i = 0; i < bin.length; i++) counts[bin[i]] = n[i];
  return draw(name, counts, layout, stats, options);
}

const NUMERIC_SQL = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?)$/i;

async function read(db: Database, sql: string, what: string, params?: Record<string, number>) {
  try {
    return await db.query(sql, params);
  } catch (e) {
    if (e instanceof SqlError) throw new Error(`histogram: DuckDB could not read ${what}: ${e.message}`, { cause: e });
    throw e;
  }
}
