import type { CategorySummary, ColumnSummary, NumericSummary } from '../api';
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
    throw new Error(`Column summary: bins must be a whole number from 1 to ${MAX_BINS}, got ${String(bins)}.`);
  }
  if (NUMERIC.has(column.type)) return numericSummary(column, bins ?? DEFAULT_BINS);
  if (column.type === 'bool') return boolSummary(column, bins ?? DEFAULT_TOP);
  return categorySummary(column, bins ?? DEFAULT_TOP);
}

function numericSummary(column: Column, bins: number): NumericSummary {
  const data = column.data as Int32Array | Float32Array | Float64Array;
  const n = data.length;
  let nulls = 0;
  let infinite = 0;
  let min = Infinity;
  let max = -Infinity;
  let integers = true;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v !== v) nulls++;
    else if (v === Infinity || v === -Infinity) infinite++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
      if (v % 1 !== 0) integers = false;
    }
  }
  const base = { kind: 'numeric' as const, column: column.name, type: column.type, rows: n, nulls, infinite };
  if (nulls + infinite === n) return { ...base, min: null, max: null, histogram: { start: 0, width: 0, counts: [], discrete: false } };
  // Whole numbers over a short span (ratings, small codes) get a bar per value rather than
  // bins that would each hold one or two of them, unevenly.
  const discrete = integers && max - min < bins;
  const count = discrete ? max - min + 1 : max === min ? 1 : bins;
  const width = discrete ? 1 : (max - min) / count;
  const counts = new Float64Array(count);
  const last = count - 1;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    // Also false for NaN and the infinities.
    if (v >= min && v <= max) counts[width > 0 ? Math.min(Math.floor((v - min) / width), last) : 0]++;
  }
  return { ...base, min, max, histogram: { start: min, width, counts: Array.from(counts), discrete } };
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
