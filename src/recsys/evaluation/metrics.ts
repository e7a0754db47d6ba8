/**
 * Ranking metrics of one user, from the 1-based ranks of their relevant (test) items among
 * the candidates, as RecBole defines them (recbole/evaluator/metrics.py):
 * Recall@K = hits/|R|, Precision@K = hits/K, HitRate@K = [hits > 0], MRR@K = 1/first hit,
 * NDCG@K = DCG/IDCG with IDCG over min(|R|, K) places, MAP@K = Σ_j P@rank_j / min(|R|, K),
 * AUC = the share of (relevant, other) pairs ordered right; GAUC weights it by |R|.
 */

export const TOP_K_METRICS = ['Recall', 'Precision', 'NDCG', 'HitRate', 'MRR', 'MAP'] as const;
export type TopKMetric = (typeof TOP_K_METRICS)[number];

/**
 * Writes the top-K metrics of one user into `out` (TOP_K_METRICS order, for this K).
 * `ranks` must be ascending; `relevant` is |R(u)|, which may exceed ranks.length when some
 * relevant items could not be ranked.
 */
export function topKMetrics(ranks: ArrayLike<number>, relevant: number, k: number, out: Float64Array): void {
  let hits = 0;
  let dcg = 0;
  let ap = 0;
  for (let j = 0; j < ranks.length && ranks[j] <= k; j++) {
    hits++;
    dcg += 1 / Math.log2(ranks[j] + 1);
    ap += hits / ranks[j];
  }
  let idcg = 0;
  const ideal = Math.min(relevant, k);
  for (let i = 1; i <= ideal; i++) idcg += 1 / Math.log2(i + 1);
  out[0] = relevant > 0 ? hits / relevant : 0;
  out[1] = hits / k;
  out[2] = idcg > 0 ? dcg / idcg : 0;
  out[3] = hits > 0 ? 1 : 0;
  out[4] = hits > 0 ? 1 / ranks[0] : 0;
  out[5] = ideal > 0 ? ap / ideal : 0;
}

/**
 * AUC of one user: ranks ascending among `candidates` items of which ranks.length are
 * relevant; `ties[j]` negatives share relevant item j's score (they rank above it in
 * `ranks`) and count half, as with average ranks. NaN without negatives.
 */
export function userAuc(ranks: ArrayLike<number>, candidates: number, ties?: ArrayLike<number>): number {
  const p = ranks.length;
  const negatives = candidates - p;
  if (p === 0 || negatives <= 0) return NaN;
  let below = 0;
  // The j-th relevant item (0-based) has j relevant items and rank-1-j negatives above it.
  for (let j = 0; j < p; j++) below += negatives - (ranks[j] - 1 - j) + 0.5 * (ties?.[j] ?? 0);
  return below / (p * negatives);
}
