import type { CategorySummary, ColumnSummary, NumericSummary } from '../api';
import { binEdge, binLayout, binStats, binWidth, countBins } from '../charts';
import type { Column } from '../data';

export const DEFAULT_BINS = 16;
export const DEFAULT_TOP = 5;
export const MAX_BINS = 1000;
/** Distinct values are counted exactly up to this many; past it the summary says "at least". */
export const DISTINCT_CAP = 10_000;

const NUMERIC: ReadonlySet<string> = new Set(['int32', 'float32', 'float64', 'timestamp', 'date']);

/**
 * A column's distribution, read straight from its array: numbers and times get min, max and
 * a histogram of `bins` bins; text, booleans and nested values their `bins` most frequent
 * values and how many distinct there are.
 */
export function summarizeColumn(column: Column, bins?: number): ColumnSummary {
  if (bins !== undefined && !(Number.isInteger(bins) && bins >= 1 && bins <= MAX_BINS)) {
    throw new Error(
      `Column summary: bins must be a whole number from 1 to ${MAX_BINS}, got ${String(bins)}.`,
    );
  }
  if (NUMERIC.has(column.type)) return numericSummary(column, bins ?? DEFAULT_BINS);
  if (column.type === 'bool') return boolSummary(column, bins ?? DEFAULT_TOP);
  return categorySummary(column, bins ?? DEFAULT_TOP);
}

/**
 * Binned as the histogram bins: round edges, whole widths for whole numbers. Whole and
 * half-step values (ratings, small codes) that take no more steps than `bins` get a bar per
 * value rather than bins that would each hold one or two of them, unevenly.
 */
function numericSummary(column: Column, bins: number): NumericSummary {
  const data = column.data as Int32Array | Float32Array | Float64Array;
  const stats = binStats(data);
  const base = {
    kind: 'numeric' as const,
    column: column.name,
    type: column.type,
    rows: stats.total,
    nulls: stats.total - stats.finite - stats.infinite,
    infinite: stats.infinite,
  };
  if (stats.finite === 0)
    return { ...base, min: null, max: null, histogram: { start: 0, width: 0, counts: [], discrete: false } };
  const layout = binLayout(stats, { bins, maxDiscrete: bins });
  const histogram = {
    start: layout.discrete ? stats.min : binEdge(layout, 0),
    width: binWidth(layout),
    counts: Array.from(countBins(data, layout)),
    discrete: layout.discrete,
  };
  return { ...base, min: stats.min, max: stats.max, histogram };
}

function boolSummary(column: Column, top: number): CategorySummary {
  const data = column.data as Uint8Array;
  // 0 false, 1 true, 2 NULL.
  const counts = [0, 0, 0];
  for (let i = 0; i < data.length; i++) counts[data[i]]++;
  const values = [
    { value: 'false', count: counts[0] },
    { value: 'true', count: counts[1] },
  ].filter((v) => v.count > 0);
  return {
    kind: 'category',
    column: column.name,
    type: column.type,
    rows: data.length,
    nulls: counts[2],
    distinct: values.length,
    distinctCapped: false,
    top: values.sort((a, b) => b.count - a.count).slice(0, top),
  };
}

function categorySummary(column: Column, top: number): CategorySummary {
  const data = column.data as unknown[];
  const n = data.length;
  const keyOf = column.type === 'string' ? (v: unknown) => v as string : (v: unknown) => JSON.stringify(v);
  const counts = new Map<string, number>();
  let nulls = 0;
  let capped = false;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v == null) {
      nulls++;
      continue;
    }
    const key = keyOf(v);
    const c = counts.get(key);
    if (c !== undefined) counts.set(key, c + 1);
    else if (counts.size < DISTINCT_CAP) counts.set(key, 1);
    else {
      // Misra–Gries: a new value meeting a full table takes one from every count, so memory
      // stays bounded and every value more frequent than n / (cap + 1) keeps its place.
      capped = true;
      for (const [k, x] of counts) {
        if (x === 1) counts.delete(k);
        else counts.set(k, x - 1);
      }
    }
  }
  if (capped) {
    // The counts left are lower bounds: count the surviving candidates exactly.
    for (const k of counts.keys()) counts.set(k, 0);
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v == null) continue;
      const key = keyOf(v);
      const c = counts.get(key);
      if (c !== undefined) counts.set(key, c + 1);
    }
  }
  // A stable sort: equal counts always come out in the same order.
  const ranked = [...counts].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    kind: 'category',
    column: column.name,
    type: column.type,
    rows: n,
    nulls,
    distinct: capped ? DISTINCT_CAP : counts.size,
    distinctCapped: capped,
    top: ranked.map(([value, count]) => ({ value, count })),
  };
}
