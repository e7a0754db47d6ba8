/**
 * Equal-width bins for one numeric column: the layout chosen from its range, and the count
 * of values in each bin. The histogram (in memory and in DuckDB) and the grid's column
 * summary both bin through here, so a column draws the same bars everywhere.
 */

/** What a layout needs to know about a column's values. */
export interface BinStats {
  /** Every value, the missing and infinite ones included. */
  total: number;
  /** The finite values: the only ones binned. */
  finite: number;
  infinite: number;
  /** Of the finite values. */
  min: number;
  max: number;
  /** Every finite value is whole. */
  integers: boolean;
  /** Every finite value is a multiple of 0.5 (half-star ratings). */
  halves: boolean;
}

/**
 * Bin i holds [edge(i), edge(i+1)), the last bin its upper edge too; values beyond the ends
 * go into the end bins. An edge is (first + i·step) / scale: whole numbers divided once, so
 * it is the double nearest its decimal, the one a label prints and a value read from text
 * holds (15 / 100 is 0.15; 3 × 0.05 is 0.15000000000000002, and 0.15 would fall below it).
 */
export interface BinLayout {
  first: number;
  step: number;
  scale: number;
  count: number;
  /** One bin per value of a whole or half-step column: bin i holds min + i·width. */
  discrete: boolean;
}

export interface BinOptions {
  /**
   * About how many bins: the width is the smallest round one at least the range / bins (round edges may add
   * one bin).
   */
  bins: number;
  /** Whole or half-step values that take at most this many distinct steps get one bin per value. */
  maxDiscrete: number;
}

/** Mantissas of round widths, as u × 10^e: 1, 2, 2.5 (25 × 10^-1) and 5. */
const ROUND: readonly (readonly [number, number])[] = [
  [1, 0],
  [2, 0],
  [25, -1],
  [5, 0],
];

/** Past 10^22 a power of ten is no longer an exact double, and dividing by it no longer exact. */
const EXACT_POWERS = 22;

export function binStats(values: ArrayLike<number>): BinStats {
  let finite = 0;
  let infinite = 0;
  let min = Infinity;
  let max = -Infinity;
  let integers = true;
  let halves = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      if (v === Infinity || v === -Infinity) infinite++;
      continue;
    }
    finite++;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integers && !Number.isInteger(v)) integers = false;
    if (halves && !Number.isInteger(v * 2)) halves = false;
  }
  return { total: values.length, finite, infinite, min, max, integers, halves };
}

/** {@link binStats} of the DOUBLE column `v` of `table`, in DuckDB; read its one row with {@link binStatsOf}. */
export function binStatsSql(table: string): string {
  // count_if and floor: several times faster than bool_and and round.
  return `SELECT count(*)::DOUBLE AS total, count(f)::DOUBLE AS finite, count_if(isinf(v))::DOUBLE AS infinite,
                 min(f) AS min, max(f) AS max,
                 count_if(floor(f) <> f) = 0 AS integers, count_if(floor(f * 2) <> f * 2) = 0 AS halves
          FROM (SELECT v, CASE WHEN isfinite(v) THEN v END AS f FROM ${table})`;
}

export function binStatsOf(row: Record<string, unknown>): BinStats {
  return {
    total: Number(row.total),
    finite: Number(row.finite),
    infinite: Number(row.infinite),
    min: Number(row.min),
    max: Number(row.max),
    integers: row.integers === true,
    halves: row.halves === true,
  };
}

/** The layout of bins over `stats`' finite values; there must be at least one. */
export function binLayout(stats: BinStats, { bins, maxDiscrete }: BinOptions): BinLayout {
  const { min, max } = stats;
  if (!(stats.finite > 0)) throw new Error('binLayout: no finite values to lay bins over.');
  if (!Number.isFinite(max - min))
    throw new Error(`binLayout: the values span ${min} to ${max}, more than a double can hold.`);
  // Bins of whole-number data must hold the same number of whole values each: a width of
  // 2.5 alternates bins of two and three values and draws a sawtooth over flat data.
  const dataStep = stats.integers ? 1 : stats.halves ? 0.5 : 0;
  if (min === max || (dataStep > 0 && (max - min) / dataStep + 1 <= maxDiscrete)) {
    const width = dataStep || 1;
    // Edges half a step either side of each value: scale makes them whole numbers.
    const scale = 2 / width;
    return {
      first: min * scale - 1,
      step: 2,
      scale,
      count: Math.round((max - min) / width) + 1,
      discrete: true,
    };
  }
  const { step, scale } = roundWidth((max - min) / bins, dataStep);
  const layout: BinLayout = { first: 0, step, scale, count: 1, discrete: false };
  // The first edge at or below min: the estimate may be one off either way.
  let j = Math.floor((min * scale) / step);
  if (((j + 1) * step) / scale <= min) j++;
  else if ((j * step) / scale > min) j--;
  layout.first = j * step;
  // The fewest bins whose last edge reaches max: max on an edge closes the bin below rather than starting one.
  let n = Math.max(1, Math.ceil((max * scale - layout.first) / step));
  if (n > 1 && binEdge(layout, n - 1) >= max) n--;
  else if (binEdge(layout, n) < max) n++;
  layout.count = n;
  return layout;
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at least `raw` and a multiple of the data's step. */
function roundWidth(raw: number, dataStep: number): { step: number; scale: number } {
  for (let k = Math.floor(Math.log10(raw)); ; k++) {
    for (const [u, de] of ROUND) {
      const e = k + de;
      const width = u * 10 ** e;
      if (width < raw * (1 - 1e-12)) continue;
      if (
        dataStep > 0 &&
        (width < dataStep || Math.abs(width / dataStep - Math.round(width / dataStep)) > 1e-9)
      )
        continue;
      if (e >= 0) return { step: width, scale: 1 };
      // Widths finer than 10^-22 (values that differ only far past the decimal point) keep float edges.
      return -e <= EXACT_POWERS ? { step: u, scale: 10 ** -e } : { step: width, scale: 1 };
    }
  }
}

export function binEdge(layout: BinLayout, i: number): number {
  return (layout.first + i * layout.step) / layout.scale;
}

export function binWidth(layout: BinLayout): number {
  return layout.step / layout.scale;
}

/** The bin of a finite value. {@link binCountSql} is this, in DuckDB: change both together. */
export function binOf(layout: BinLayout, v: number): number {
  let i = Math.floor((v * layout.scale - layout.first) / layout.step);
  // The quotient can round across an edge; the edges themselves decide.
  if (v >= binEdge(layout, i + 1)) i++;
  else if (v < binEdge(layout, i)) i--;
  return Math.min(Math.max(i, 0), layout.count - 1);
}

/**
 * The query counting the finite values of the DOUBLE column `v` of `table` by bin, with
 * {@link binParams}: the very arithmetic of {@link binOf}, so DuckDB bins as memory does.
 * The parameters are cast: a whole number binds as INTEGER, and the sums would not be those
 * of binOf. The bin is an integer before it is grouped: three times faster than in doubles.
 */
export function binCountSql(table: string): string {
  const [f, s, k, l] = ['$first::DOUBLE', '$step::DOUBLE', '$scale::DOUBLE', '$last::DOUBLE'];
  return `SELECT least(greatest(CASE WHEN v >= (${f} + (i + 1) * ${s}) / ${k} THEN i + 1
                                     WHEN v < (${f} + i * ${s}) / ${k} THEN i - 1
                                     ELSE i END, 0), ${l})::INTEGER AS bin,
                 count(*)::DOUBLE AS n
          FROM (SELECT v, floor((v * ${k} - ${f}) / ${s}) AS i FROM ${table} WHERE isfinite(v))
          GROUP BY bin`;
}

export function binParams(layout: BinLayout): Record<string, number> {
  return { first: layout.first, step: layout.step, scale: layout.scale, last: layout.count - 1 };
}

/** How many finite values fall in each bin; the rest are left out. */
export function countBins(values: ArrayLike<number>, layout: BinLayout): Float64Array {
  const counts = new Float64Array(layout.count);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) counts[binOf(layout, v)]++;
  }
  return counts;
}
