/**
 * `fit(train, { sample: 0.3 })`: a full retrain on a share of the day's rows, as the serving
 * design's daily job does to bound its cost. The rows are drawn uniformly (not by label), so
 * predicted probabilities stay calibrated and a ranker's metrics stay comparable.
 */
import { Random } from '../random';

/** The share `fit(…, { sample })` was given, checked: a message says what it must be. */
export function checkSample(share: unknown, where: string): number {
  if (share === undefined) return 1;
  if (typeof share !== 'number' || !(share > 0 && share <= 1))
    throw new Error(
      `${where}: sample is the share of the training rows to fit on, a number above 0 and at most 1 ` +
        `(0.3: three in ten), got ${JSON.stringify(share)}.`,
    );
  return share;
}

/**
 * `round(share × rows.length)` of `rows` (at least one), drawn without replacement, seeded,
 * in their given order; `rows` itself when `share` is 1 or not given.
 */
export function sampleRows(rows: Int32Array, sample: unknown, seed: number, where: string): Int32Array {
  const share = checkSample(sample, where);
  if (share === 1) return rows;
  const keep = Math.max(1, Math.round(share * rows.length));
  return Int32Array.from(new Random(seed).sample(rows.length, keep), (p) => rows[p]);
}
