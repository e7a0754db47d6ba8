/**
 * EASE's fit beside the same computation in NumPy, in `npm run bench` (alone: `npm run bench -- ease`). On
 * ml-latest-small's items with at least 5 training ratings, under the recsys section's random 80/20 split and
 * leave-last-out: RecLab's fit and NumPy's (bench/reference/ease.py: the Gram matrix, + λI, numpy.linalg.inv,
 * B = −P / diag P) on as many threads, taken in turns in the same run; their ratio against the target of 1.5×,
 * and how far RecLab's weights are from NumPy's on the most frequent item's row.
 */
import { availableParallelism } from 'node:os';
import { EASE, leaveLastOut, randomSplit, type Dataset, type Split } from '../src/recsys';
import { benchDatasets, printTable, quantile, runReference, type PythonNeeds } from './shared';

const NUMPY: PythonNeeds = { name: 'NumPy', modules: ['numpy'], install: 'python3-numpy' };
const MIN_COUNT = 5;
const ROUNDS = 3;
const TARGET = 1.5;

interface Reference {
  fitMs: number;
  /** The modelled items (catalogue indices), the most frequent of them, and its row of B over them. */
  kept: number[];
  item: number;
  row: number[];
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
const median = (xs: number[]) => quantile(xs, 0.5);

/** The largest difference between RecLab's row of `item` and NumPy's, and the largest weight in NumPy's row. */
function rowDifference(
  model: EASE,
  train: Dataset,
  reference: Reference,
): { difference: number; largest: number } {
  const ours = model.similarItems(train.itemNames[reference.item], reference.kept.length);
  const names = ours.column('item') as string[];
  const weights = ours.column('similarity') as Float32Array;
  const byName = new Map(names.map((name, r) => [name, weights[r]]));
  let difference = 0;
  let largest = 0;
  reference.kept.forEach((i, k) => {
    if (i === reference.item) return;
    difference = Math.max(difference, Math.abs((byName.get(train.itemNames[i]) ?? NaN) - reference.row[k]));
    largest = Math.max(largest, Math.abs(reference.row[k]));
  });
  return { difference, largest };
}

async function compare(split: Split, threads: number): Promise<string[]> {
  const { indptr, indices } = split.train.byUser;
  const ours: number[] = [];
  const theirs: number[] = [];
  let model = new EASE();
  let reference: Reference | string = '';
  // In turns, so that both sides meet the same load on a shared machine.
  for (let round = 0; round < ROUNDS; round++) {
    model = new EASE();
    const started = performance.now();
    await model.fit(split.train, { progress: false, minCount: MIN_COUNT });
    ours.push(performance.now() - started);
    reference = await runReference<Reference>(
      'ease.py',
      NUMPY,
      { numItems: split.train.numItems, minCount: MIN_COUNT, lambda: model.config.lambda, threads },
      { 'indptr.i32': indptr, 'indices.i32': indices.subarray(0, indptr[split.train.numUsers]) },
    );
    if (typeof reference === 'string') break;
    theirs.push(reference.fitMs);
  }
  const items = split.train
    .itemCounts()
    .filter((c) => c >= MIN_COUNT)
    .length.toLocaleString('en-US');
  if (typeof reference === 'string') {
    console.log(`  (NumPy EASE reference skipped: ${reference})`);
    return [split.name, items, ms(median(ours)), '', '', '', ''];
  }
  const ratio = median(ours) / median(theirs);
  const { difference, largest } = rowDifference(model, split.train, reference);
  return [
    split.name,
    items,
    ms(median(ours)),
    ms(median(theirs)),
    `${ratio.toFixed(2)}×`,
    `≤ ${TARGET}× ${ratio <= TARGET ? 'met' : 'MISSED'}`,
    `${difference.toExponential(1)} (largest weight ${largest.toFixed(3)})`,
  ];
}

export async function easeBench(): Promise<void> {
  const threads = availableParallelism();
  console.log(
    `\nEASE fit: RecLab beside NumPy, ${threads} threads each, items with ≥ ${MIN_COUNT} training ratings; ` +
      `median of ${ROUNDS} turns on a shared machine\n`,
  );
  const ml = (await benchDatasets()).find(([name]) => name === 'ml-latest-small')?.[1];
  if (!ml) {
    console.log('(EASE section skipped: it runs on ml-latest-small only)');
    return;
  }
  const lines: string[][] = [];
  for (const split of [randomSplit(ml, { ratio: 0.8, seed: 0 }), leaveLastOut(ml)])
    lines.push(await compare(split, threads));
  printTable(
    [
      'ml-latest-small split',
      'items',
      'RecLab fit',
      'NumPy fit',
      'ratio',
      'target',
      'max |Δ weight|, one row',
    ],
    lines,
  );
}
