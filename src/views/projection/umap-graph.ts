/**
 * UMAP's fuzzy graph over each point's nearest neighbours (McInnes et al. 2018, as umap-js
 * and Python's umap build it): each point's distances are shifted by its nearest one and
 * scaled so that its memberships sum to log2(k); the two directions of a pair then combine
 * as a fuzzy union, a + b − ab. Typed arrays, and a pause every row: umap-js's own version,
 * in string-keyed sparse matrices, holds the event loop about 0.3 ms a point.
 */
import type { Neighbours } from './neighbours';

/** Bisection stops once the memberships' sum is this close to its target. */
const SMOOTH_K_TOLERANCE = 1e-5;
const BISECTION_STEPS = 64;
/** A point's scale is at least this share of its mean neighbour distance, so one close pair cannot make it tiny. */
const MIN_K_DIST_SCALE = 1e-3;

/** Each unordered pair once, `a < b` not implied, with its membership in (0, 1]. */
export interface FuzzyGraph {
  a: Int32Array;
  b: Int32Array;
  weight: Float64Array;
}

/**
 * The graph over `neighbours` (n × k others, squared distances, nearest first); `pause` is
 * awaited after every row. k counts the others only; the point itself is UMAP's k + 1-th.
 */
export async function fuzzyGraph(
  { indices, distances }: Neighbours,
  n: number,
  k: number,
  pause: () => Promise<void>,
): Promise<FuzzyGraph> {
  const distance = Float64Array.from(distances, Math.sqrt);
  // umap-js and umap list the point itself first, at distance 0: it counts in log2 of the size and in the mean.
  const target = Math.log2(k + 1);
  let meanOverall = 0;
  for (let e = 0; e < n * k; e++) meanOverall += distance[e];
  meanOverall /= n * (k + 1);

  const membership = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = distance.subarray(i * k, (i + 1) * k);
    // The nearest distinct point sits at membership 1: UMAP's local connectivity of 1.
    const rho = row.find((d) => d > 0) ?? 0;
    let lo = 0;
    let hi = Infinity;
    let sigma = 1;
    for (let step = 0; step < BISECTION_STEPS; step++) {
      let sum = 0;
      for (let r = 0; r < k; r++) {
        const d = row[r] - rho;
        sum += d > 0 ? Math.exp(-d / sigma) : 1;
      }
      if (Math.abs(sum - target) < SMOOTH_K_TOLERANCE) break;
      if (sum > target) {
        hi = sigma;
        sigma = (lo + hi) / 2;
      } else {
        lo = sigma;
        sigma = hi === Infinity ? sigma * 2 : (lo + hi) / 2;
      }
    }
    const mean = rho > 0 ? row.reduce((s, d) => s + d, 0) / (k + 1) : meanOverall;
    sigma = Math.max(sigma, MIN_K_DIST_SCALE * mean);
    for (let r = 0; r < k; r++) {
      const d = row[r] - rho;
      membership[i * k + r] = d > 0 ? Math.exp(-d / sigma) : 1;
    }
    await pause();
  }

  const a = new Int32Array(n * k);
  const b = new Int32Array(n * k);
  const weight = new Float64Array(n * k);
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < k; r++) {
      const j = indices[i * k + r];
      const back = indices.subarray(j * k, (j + 1) * k).indexOf(i);
      // A pair both points list is taken once, from its lower point.
      if (back >= 0 && j < i) continue;
      const w = membership[i * k + r];
      const v = back >= 0 ? membership[j * k + back] : 0;
      a[pairs] = i;
      b[pairs] = j;
      weight[pairs++] = w + v - w * v;
    }
  }
  return { a: a.slice(0, pairs), b: b.slice(0, pairs), weight: weight.slice(0, pairs) };
}
