/**
 * Metrics of predicted probabilities against 0/1 labels, as rankers are judged: AUC (ties
 * count half), GAUC (per-user AUC weighted by the user's samples, users with one class left
 * out), log loss, and calibration (mean prediction against the observed rate). A metric
 * that is undefined (AUC with no positives) is null, never NaN.
 */

/** Probability that a random positive scores above a random negative; null when either class is missing. */
export function auc(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  rows?: ArrayLike<number>,
): number | null {
  const n = rows ? rows.length : scores.length;
  const order = Int32Array.from({ length: n }, (_, i) => (rows ? rows[i] : i));
  order.sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  // Average ranks over ties, so a tie counts half a pair.
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] <= 0) continue;
      positives++;
      rankSum += rank;
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (!positives || !negatives) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Per-user AUC weighted by each user's number of samples; users whose samples are all one class are left out. */
export function gauc(scores: ArrayLike<number>, labels: ArrayLike<number>, users: Int32Array): number | null {
  const byUser = new Map<number, number[]>();
  for (let i = 0; i < users.length; i++) {
    const list = byUser.get(users[i]);
    if (list) list.push(i);
    else byUser.set(users[i], [i]);
  }
  let sum = 0;
  let weight = 0;
  for (const rows of byUser.values()) {
    const a = auc(scores, labels, rows);
    if (a === null) continue;
    sum += a * rows.length;
    weight += rows.length;
  }
  return weight ? sum / weight : null;
}

/** Mean binary cross-entropy, predictions clipped away from 0 and 1. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  if (!probabilities.length) return null;
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, probabilities[i]));
    sum -= labels[i] > 0 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / probabilities.length;
}

export interface CalibrationBin {
  /** Mean prediction in the bin. */
  predicted: number;
  /** Share of positives in the bin. */
  observed: number;
  count: number;
}

/** Predictions in `bins` equal-count bins (by predicted value): mean prediction against observed rate in each. */
export function calibration(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] {
  const n = probabilities.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => probabilities[a] - probabilities[b],
  );
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * n) / bins);
    const to = Math.floor(((b + 1) * n) / bins);
    if (to <= from) continue;
    let p = 0;
    let y = 0;
    for (let k = from; k < to; k++) {
      p += probabilities[order[k]];
      y += labels[order[k]] > 0 ? 1 : 0;
    }
    out.push({ predicted: p / (to - from), observed: y / (to - from), count: to - from });
  }
  return out;
}
