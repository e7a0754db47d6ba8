/**
 * Offline evaluation of fitted models on a split: every user with test items is scored
 * over the whole catalogue (full ranking) with their training items excluded, unless
 * sampled ranking is asked for, which every output then says.
 */
import { Table, type ColumnData } from '../../data';
import { bar, type Chart } from '../../charts';
import { csrHas } from '../data/csr';
import { TOP_K_METRICS, topKMetrics, userAuc } from './metrics';
import { divergedError, excludeSeen, scoredRows, topK, type Recommender } from '../model';
import { Random } from '../random';
import type { Split } from '../data/split';
import { TrainingContext, show, type FitOptions } from '../engine/training';

export interface EvaluateOptions {
  /** Cut-offs (default [10, 20]). */
  k?: number[];
  /** Rank each user's test items among this many sampled non-interacted items instead of all items. */
  sampled?: number;
  /** Seed of the negative sample (default 0). */
  seed?: number;
  /** Options for models that still need fitting on the split's training data. */
  fit?: FitOptions;
  progress?: boolean;
  /** Show the result as a bar chart in the cell (default true); callers that show their own table turn it off. */
  show?: boolean;
}

/** One row per model: the metrics, the ranking used and the timings; `chart()` draws the @K metrics as bars. */
export class Evaluation extends Table {
  constructor(
    columns: ConstructorParameters<typeof Table>[0],
    readonly split: Split,
    readonly ranking: string,
    readonly ks: readonly number[],
  ) {
    super(columns);
  }

  chart(metrics: readonly string[] = ['Recall', 'NDCG']): Chart {
    const names = this.ks.flatMap((k) => metrics.map((m) => `${m}@${k}`));
    // One group of bars per metric, one bar per model; two models of one name stay two series.
    const columns: Record<string, ColumnData> = { metric: names };
    const series: string[] = [];
    (this.column('model') as string[]).forEach((model, r) => {
      let name = model;
      for (let n = 2; name in columns; n++) name = `${model} (${n})`;
      columns[name] = Float64Array.from(names, (metric) => (this.column(metric) as Float64Array)[r]);
      series.push(name);
    });
    return bar(Table.fromColumns(columns), {
      x: 'metric',
      y: series,
      title: `${this.split.name} — ${this.ranking} ranking`,
    });
  }
}

interface ModelResult {
  name: string;
  users: number;
  values: Map<string, number>;
  fitSeconds: number;
  evalSeconds: number;
}

export async function evaluate(
  models: Recommender | readonly Recommender[] | Record<string, Recommender>,
  split: Split,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const named: [string, Recommender][] =
    'fit' in models && typeof models.fit === 'function'
      ? [[(models as Recommender).name, models as Recommender]]
      : Array.isArray(models)
        ? (models as Recommender[]).map((m) => [m.name, m])
        : Object.entries(models as Record<string, Recommender>);
  const ks = [...(options.k ?? [10, 20])].sort((a, b) => a - b);
  if (!ks.length || ks.some((k) => !(Number.isInteger(k) && k > 0)))
    throw new Error(`evaluate: k must be positive integers, got ${JSON.stringify(options.k)}.`);
  if (split.test.numInteractions === 0)
    throw new Error(
      `evaluate: the test part of split "${split.name}" has no interactions (${split.description}), ` +
        'so there is nothing to measure. Split data with more interactions per user, or a larger test fraction.',
    );
  const ranking = options.sampled ? `sampled (${options.sampled} negatives per user)` : 'full';
  const results: ModelResult[] = [];
  for (const [name, model] of named) {
    let fitSeconds = NaN;
    if (!model.isFitted || model.train !== split.train) {
      const started = performance.now();
      await model.fit(split.train, { progress: options.progress, ...options.fit });
      fitSeconds = (performance.now() - started) / 1000;
    }
    const started = performance.now();
    const { users, values } = await evaluateModel(model, split, ks, options);
    results.push({ name, users, values, fitSeconds, evalSeconds: (performance.now() - started) / 1000 });
  }
  const metricNames = [...results[0].values.keys()];
  const columns: Record<string, ColumnData> = {
    model: results.map((r) => r.name),
    ranking: results.map(() => ranking),
    users: Int32Array.from(results, (r) => r.users),
  };
  for (const m of metricNames) columns[m] = Float64Array.from(results, (r) => r.values.get(m)!);
  columns.fit_s = Float64Array.from(results, (r) => r.fitSeconds);
  columns.eval_s = Float64Array.from(results, (r) => r.evalSeconds);
  const evaluation = new Evaluation(Table.fromColumns(columns).columns, split, ranking, ks);
  if (options.show !== false) show(evaluation.chart());
  return evaluation;
}

/** Marks in evaluateModel's scratch array: a test positive, a sampled negative. */
const POSITIVE = 1;
const SAMPLED = 2;

/** The lowest finite float32. */
const LOWEST = -3.4028234663852886e38;

async function evaluateModel(
  model: Recommender,
  split: Split,
  ks: number[],
  options: EvaluateOptions,
): Promise<{ users: number; values: Map<string, number> }> {
  const { train, test } = split;
  const n = train.numItems;
  const seen = train.byUser;
  const truth = test.byUser;
  const users = Int32Array.from({ length: test.numUsers }, (_, u) => u).filter(
    (u) => truth.indptr[u + 1] > truth.indptr[u],
  );
  const maxK = ks[ks.length - 1];
  const sums = new Float64Array(ks.length * TOP_K_METRICS.length);
  const perK = new Float64Array(TOP_K_METRICS.length);
  const covered = ks.map(() => new Uint8Array(n));
  let aucSum = 0;
  let aucUsers = 0;
  let gaucSum = 0;
  let gaucWeight = 0;
  let counted = 0;
  const random = new Random(options.seed ?? 0);
  const ctx = new TrainingContext(`evaluating ${model.name}`, { progress: options.progress });
  ctx.begin(users.length);
  const topItems = new Int32Array(maxK);
  const topScores = new Float32Array(maxK);
  // The current user's positives (and, while sampling, negatives) marked: set per user and
  // cleared after, so one array serves every user instead of one allocation per user.
  const marks = new Uint8Array(n);
  const STEP = 64;
  for (const { index, user: u, row } of scoredRows(model, users)) {
    if (index % STEP === STEP - 1) await ctx.step(STEP);
    // What a model does not score (-Infinity: not recalled) still ranks, last; -Infinity is kept for
    // excluded items. NaN is a diverged model, refused as `recommend` refuses it, not a weak one.
    for (let j = 0; j < n; j++) {
      const v = row[j];
      if (v !== v) throw divergedError(model, u, j);
      if (!(v > LOWEST)) row[j] = LOWEST;
    }
    excludeSeen(train, u, row);
    const positives: number[] = [];
    for (let p = truth.indptr[u]; p < truth.indptr[u + 1]; p++)
      if (!csrHas(seen, u, truth.indices[p])) positives.push(truth.indices[p]);
    if (!positives.length) continue;
    for (const i of positives) marks[i] = POSITIVE;
    const candidates = options.sampled
      ? keepSample(row, positives.length, options.sampled, random, marks)
      : n - (seen.indptr[u + 1] - seen.indptr[u]);
    const { ranks, ties } = rankPositives(row, positives, marks);
    for (const i of positives) marks[i] = 0;
    ks.forEach((k, ki) => {
      topKMetrics(ranks, positives.length, k, perK);
      for (let m = 0; m < perK.length; m++) sums[ki * perK.length + m] += perK[m];
    });
    const found = topK(row, maxK, topItems, topScores);
    ks.forEach((k, ki) => {
      // Items the model did not score are not recommendations, whatever their place.
      for (let t = 0; t < Math.min(k, found); t++) if (topScores[t] > LOWEST) covered[ki][topItems[t]] = 1;
    });
    const auc = userAuc(ranks, candidates, ties);
    if (!Number.isNaN(auc)) {
      aucSum += auc;
      aucUsers++;
      gaucSum += auc * positives.length;
      gaucWeight += positives.length;
    }
    counted++;
  }
  // The bar moved in steps of STEP users: the last, shorter step too, so it ends full.
  await ctx.step(users.length % STEP);
  ctx.finish();
  const values = new Map<string, number>();
  ks.forEach((k, ki) =>
    TOP_K_METRICS.forEach((m, mi) =>
      values.set(`${m}@${k}`, counted ? sums[ki * TOP_K_METRICS.length + mi] / counted : NaN),
    ),
  );
  values.set('AUC', aucUsers ? aucSum / aucUsers : NaN);
  values.set('GAUC', gaucWeight ? gaucSum / gaucWeight : NaN);
  ks.forEach((k, ki) => values.set(`Coverage@${k}`, covered[ki].reduce((a, b) => a + b, 0) / n));
  return { users: counted, values };
}

/**
 * 1-based ranks (ascending) of `positives` among the row's candidates (entries above
 * -Infinity), and how many negatives tie with each. A tie never favours the model: a
 * relevant item ranks after the other items with its score, so a model that scores
 * everything alike (or leaves items unscored) gains no hits by item order. One pass over
 * the row, with a binary search among the positives' distinct scores.
 */
function rankPositives(
  row: Float32Array,
  positives: number[],
  marks: Uint8Array,
): { ranks: Float64Array; ties: Float64Array } {
  const order = positives.slice().sort((a, b) => row[b] - row[a] || a - b);
  const scores: number[] = [];
  for (const i of order) if (scores[scores.length - 1] !== row[i]) scores.push(row[i]);
  // above[g]: candidates scoring above group g's score start counting at g; tied[g]: negatives equal to it.
  const above = new Float64Array(scores.length + 1);
  const tied = new Float64Array(scores.length);
  for (let j = 0; j < row.length; j++) {
    const v = row[j];
    if (v === -Infinity) continue;
    let lo = 0;
    let hi = scores.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (scores[mid] > v) lo = mid + 1;
      else hi = mid;
    }
    // scores[lo] is the first group not above v.
    if (lo < scores.length && scores[lo] === v) {
      if (marks[j] !== POSITIVE) tied[lo]++;
      above[lo + 1]++;
    } else above[lo]++;
  }
  const ranks = new Float64Array(order.length);
  const ties = new Float64Array(order.length);
  let g = -1;
  let greater = 0;
  let inGroup = 0;
  for (let t = 0; t < order.length; t++) {
    if (g < 0 || row[order[t]] !== scores[g]) {
      g++;
      greater += above[g];
      inGroup = 0;
    }
    ranks[t] = greater + tied[g] + inGroup + 1;
    ties[t] = tied[g];
    inGroup++;
  }
  return { ranks, ties };
}

/**
 * Keeps only the positives (marked POSITIVE in `marks`) and `count` sampled negatives in
 * the row (the rest become -Infinity); returns the number of candidates left. The sampled
 * negatives' marks are cleared again, leaving only the positives marked.
 */
function keepSample(
  row: Float32Array,
  positives: number,
  count: number,
  random: Random,
  marks: Uint8Array,
): number {
  let available = 0;
  for (let j = 0; j < row.length; j++) if (row[j] !== -Infinity && !marks[j]) available++;
  let picked = 0;
  const want = Math.min(count, available);
  while (picked < want) {
    const j = random.int(row.length);
    if (row[j] === -Infinity || marks[j]) continue;
    marks[j] = SAMPLED;
    picked++;
  }
  for (let j = 0; j < row.length; j++) {
    if (!marks[j]) row[j] = -Infinity;
    else if (marks[j] === SAMPLED) marks[j] = 0;
  }
  return positives + picked;
}
