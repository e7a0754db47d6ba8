/**
 * End-to-end evaluation of a pipeline beside single models, on the same split and users: how
 * much of the test set retrieval finds at all (recall of the merged candidates), how good the
 * final top 10 is (the full-ranking metrics of `evaluate`), and what each stage costs.
 */
import { Table, type ColumnData } from '../../data';
import { csrHas } from '../data/csr';
import type { Split } from '../data/split';
import type { Recommender } from '../model';
import type { Pipeline } from '../pipeline';
import { evaluate } from './evaluate';
import { topKMetrics, TOP_K_METRICS } from './metrics';

export interface EvaluatePipelineOptions {
  /** Single models to compare, fitted on the split's training data (or fitted here, as `evaluate` does). */
  models?: readonly Recommender[] | Readonly<Record<string, Recommender>>;
  /** The N of retrieval recall (default: the largest channel quota); single models are measured by Recall@N. */
  n?: number;
  progress?: boolean;
}

/** The cut-off of the final list's metrics. */
const FINAL_K = 10;

export async function evaluatePipeline(
  pipeline: Pipeline,
  split: Split,
  options: EvaluatePipelineOptions = {},
): Promise<Table> {
  const where = 'rl.evaluatePipeline';
  for (const name of Object.keys(options))
    if (!['models', 'n', 'progress'].includes(name))
      throw new Error(`${where}: unknown option "${name}"; the options are models, n and progress.`);
  if (pipeline.train !== split.train)
    throw new Error(
      `${where}: the pipeline's channels were fitted on other data than split "${split.name}"'s training part; ` +
        'fit every channel on split.train (and the ranker on samples of the same period), then build the pipeline.',
    );
  const n = options.n ?? Math.max(...Object.values(pipeline.quotas));
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${where}: n must be a whole number ≥ 1, got ${options.n}.`);
  const given = options.models ?? [];
  const models: [string, Recommender][] = Array.isArray(given)
    ? (given as Recommender[]).map((m) => [m.name, m])
    : Object.entries(given as Record<string, Recommender>);

  const { test } = split;
  const users = Int32Array.from({ length: test.numUsers }, (_, u) => u).filter(
    (u) => test.byUser.indptr[u + 1] > test.byUser.indptr[u],
  );
  const recall = retrievalRecall(pipeline, split, users);

  pipeline.resetLatency();
  const evaluation = await evaluate(
    Object.fromEntries([[pipeline.name, pipeline as Recommender], ...models]),
    split,
    { k: n === FINAL_K ? [FINAL_K] : [FINAL_K, n], progress: options.progress, show: false },
  );
  const latency = pipeline.latency();
  // A single model has one stage: the time to recommend one user's top 10, measured per request as the pipeline's.
  const retrievalMs = models.map(([, m]) => {
    const started = performance.now();
    for (const u of users) m.recommendBatch(Int32Array.of(u), { k: FINAL_K });
    return (performance.now() - started) / Math.max(1, users.length);
  });
  const own = (metric: string) => evaluation.column(metric) as Float64Array;
  const recallAtN = own(`Recall@${n}`);
  const columns: Record<string, ColumnData> = {
    model: evaluation.column('model'),
    users: evaluation.column('users'),
    [`retrieval Recall@${n}`]: Float64Array.from(recallAtN, (v, r) => (r === 0 ? recall : v)),
    [`NDCG@${FINAL_K}`]: own(`NDCG@${FINAL_K}`),
    [`HitRate@${FINAL_K}`]: own(`HitRate@${FINAL_K}`),
    retrieval_ms: Float64Array.of(latency.retrieval, ...retrievalMs),
    merge_ms: Float64Array.of(latency.merge, ...models.map(() => NaN)),
    ranking_ms: Float64Array.of(latency.ranking, ...models.map(() => NaN)),
  };
  return Table.fromColumns(columns);
}

/**
 * Recall of the merged candidates: per user, the share of test items (not in training) that
 * some channel found, whatever their place; the mean over users, as `evaluate` means Recall.
 */
function retrievalRecall(pipeline: Pipeline, split: Split, users: Int32Array): number {
  const { train, test } = split;
  const position = new Int32Array(train.numItems).fill(-1);
  const out = new Float64Array(TOP_K_METRICS.length);
  let sum = 0;
  let counted = 0;
  for (const u of users) {
    const positives: number[] = [];
    for (let p = test.byUser.indptr[u]; p < test.byUser.indptr[u + 1]; p++)
      if (!csrHas(train.byUser, u, test.byUser.indices[p])) positives.push(test.byUser.indices[p]);
    if (!positives.length) continue;
    const candidates = pipeline.retrieve(train.userNames[u]);
    candidates.forEach((i, at) => (position[i] = at));
    const ranks = Float64Array.from(
      positives.filter((i) => position[i] >= 0),
      (i) => position[i] + 1,
    ).sort();
    candidates.forEach((i) => (position[i] = -1));
    // Every candidate is within the cut: Recall over the whole merged list.
    topKMetrics(ranks, positives.length, Math.max(1, candidates.length), out);
    sum += out[TOP_K_METRICS.indexOf('Recall')];
    counted++;
  }
  return counted ? sum / counted : NaN;
}
