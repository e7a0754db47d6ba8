/**
 * Train/test splits. Both parts share the dataset's index space, names and features; a test
 * interaction whose user has nothing in training is dropped (no model can rank for them),
 * and the split says how many were.
 */
import type { Dataset } from './dataset';
import { Random } from '../random';

export interface Split {
  name: string;
  train: Dataset;
  test: Dataset;
  /** What was done, with counts: shown beside every result. */
  description: string;
}

/** User u's rows, oldest first (dataset order when untimed): `userRows` reversed. */
function oldestFirst(d: Dataset, u: number): Int32Array {
  const { indptr, rows } = d.userRows;
  return rows.slice(indptr[u], indptr[u + 1]).reverse();
}

function makeSplit(d: Dataset, name: string, trainRows: number[], testRows: number[], how: string): Split {
  const train = d.subset(Int32Array.from(trainRows), `${d.name} (train)`);
  const hasTrain = new Uint8Array(d.numUsers);
  for (const r of trainRows) hasTrain[d.users[r]] = 1;
  const kept = testRows.filter((r) => hasTrain[d.users[r]]);
  const dropped = testRows.length - kept.length;
  const test = d.subset(Int32Array.from(kept), `${d.name} (test)`);
  const coldNote = dropped ? `; ${dropped} test interactions of users with no training data dropped` : '';
  return {
    name,
    train,
    test,
    description: `${how}: ${train.numInteractions} train, ${test.numInteractions} test interactions${coldNote}`,
  };
}

/**
 * Per user, a random `ratio` of their interactions to training, the rest to test, counted
 * as RecBole does: test gets ⌊(1 − ratio)·n⌋, and at least one when n ≥ 2 (a user with
 * one interaction keeps it in training).
 */
export function randomSplit(d: Dataset, options: { ratio?: number; seed?: number } = {}): Split {
  const ratio = options.ratio ?? 0.8;
  if (!(ratio > 0 && ratio < 1)) throw new Error(`randomSplit: ratio must be between 0 and 1, got ${ratio}.`);
  const random = new Random(options.seed ?? 0);
  const train: number[] = [];
  const test: number[] = [];
  for (let u = 0; u < d.numUsers; u++) {
    // Shuffled from a fixed order, so the same seed gives the same split.
    const rows = random.shuffle(oldestFirst(d, u));
    // 1 − 0.8 is 0.19999999999999996 in floating point: round it back to the ratio meant.
    const testRatio = Math.round((1 - ratio) * 1e12) / 1e12;
    let testCount = Math.floor(testRatio * rows.length);
    if (testCount === 0 && rows.length > 1) testCount = 1;
    const n = rows.length - testCount;
    rows.forEach((r, i) => (i < n ? train : test).push(r));
  }
  return makeSplit(
    d,
    `random ${Math.round(ratio * 100)}/${Math.round((1 - ratio) * 100)} per user`,
    train,
    test,
    `random per-user split, ratio ${ratio}, seed ${options.seed ?? 0}`,
  );
}

function requireTime(d: Dataset, what: string): Float64Array {
  if (!d.timestamps) throw new Error(`${what} needs timestamps, and dataset "${d.name}" has none.`);
  return d.timestamps;
}

/** Per user, the last `n` interactions by time go to test (users with ≤ n interactions stay in training). */
export function leaveLastOut(d: Dataset, options: { n?: number } = {}): Split {
  const n = options.n ?? 1;
  requireTime(d, 'leaveLastOut');
  const train: number[] = [];
  const test: number[] = [];
  for (let u = 0; u < d.numUsers; u++) {
    // By time, ties in the dataset's order (userRows' order reversed), so the split is the same on every run.
    const rows = oldestFirst(d, u);
    rows.forEach((r, i) => (rows.length > n && i >= rows.length - n ? test : train).push(r));
  }
  return makeSplit(d, `leave last ${n} out`, train, test, `per-user leave-last-${n}-out by time`);
}

/**
 * One cut in time for everyone: before it is training, from it on is test. `at` a time, or `ratio` of
 * interactions before the cut.
 */
export function timeSplit(d: Dataset, options: { at?: number; ratio?: number } = {}): Split {
  const time = requireTime(d, 'timeSplit');
  let cut = options.at;
  if (cut === undefined) {
    const sorted = Float64Array.from(time).sort();
    cut = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * (options.ratio ?? 0.8)))];
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let r = 0; r < d.numInteractions; r++) (time[r] < cut ? train : test).push(r);
  return makeSplit(d, `time cut at ${cut}`, train, test, `global time cut at ${cut}`);
}
