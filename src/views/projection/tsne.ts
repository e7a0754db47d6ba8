/**
 * t-SNE (van der Maaten 2014): input affinities over each point's exact 3·perplexity nearest
 * neighbours, calibrated to the perplexity; a PCA start (Kobak & Linderman 2021) scaled
 * small; then gradient descent with early exaggeration, momentum and per-coordinate gains,
 * the repulsion approximated by a Barnes–Hut tree. The exact neighbour search compares
 * every pair of points, which is what caps the size.
 */
import type { Embeddings, TrainingContext } from '../../recsys';
import { BarnesHutTree } from './barnes-hut';
import { integerSetting, type Projection, type ProjectionSettings } from './method';
import { nearestNeighbours, pairsOf, type Neighbours } from './neighbours';
import { principalCoordinates } from './pca';

const DEFAULT_PERPLEXITY = 30;
const DEFAULT_EPOCHS = 750;
const EXAGGERATION = 12;
/** Iterations with exaggerated attraction, at most: the clusters form while it holds. */
const EXAGGERATED = 250;
const MIN_GAIN = 0.01;
/** The start's first coordinate has this standard deviation. */
const START_SCALE = 1e-4;

export const tsne: Projection = {
  title: 't-SNE',
  // 10,000 × 64 takes about 5 s to compare every pair and 20 s to lay out (npm run bench -- charts).
  maxPoints: () => 10_000,
  limitReason: () => 'it compares every pair of points to find neighbours',
  settings: ['perplexity', 'epochs'],
  check(n: number, s: ProjectionSettings): void {
    const perplexity = s.perplexity ?? DEFAULT_PERPLEXITY;
    if (!(perplexity >= 1) || !Number.isFinite(perplexity))
      throw new Error(`t-SNE: perplexity must be a number of at least 1, got ${String(s.perplexity)}.`);
    if (3 * perplexity >= n) {
      const fits = Math.floor((n - 1) / 3);
      const fix = fits >= 1 ? `set perplexity to ${fits} or less` : "use method 'pca'";
      throw new Error(
        `t-SNE: perplexity ${perplexity} needs more than ${3 * perplexity} points (3 × perplexity); ` +
          `there are ${n}: ${fix}.`,
      );
    }
    integerSetting('t-SNE', 'epochs', s.epochs, DEFAULT_EPOCHS, 1);
  },
  async run(matrix: Embeddings, s: ProjectionSettings, ctx: TrainingContext): Promise<Float32Array> {
    const n = matrix.data.length / matrix.dim;
    const perplexity = s.perplexity ?? DEFAULT_PERPLEXITY;
    const k = Math.floor(3 * perplexity);
    ctx.begin(pairsOf(n), 't-SNE: pairs compared');
    const neighbours = await nearestNeighbours(matrix, k, (pairs) => ctx.step(pairs));
    const p = affinities(neighbours, n, k, perplexity);
    const y = await start(matrix, s, () => ctx.pause());
    const epochs = s.epochs ?? DEFAULT_EPOCHS;
    ctx.begin(epochs, 't-SNE: layout');
    await optimise(y, p, n, s.dims, epochs, () => ctx.step());
    return Float32Array.from(y);
  },
};

/** The symmetric affinities P: each pair (a < b) with p_ab > 0 once. */
interface Affinities {
  a: Int32Array;
  b: Int32Array;
  p: Float64Array;
}

/**
 * p_{j|i} over each point's neighbours, with the Gaussian's width found by bisection so that
 * its perplexity is `perplexity`; then P = (p_{j|i} + p_{i|j}) / 2n, entered in both rows.
 */
function affinities(
  { indices, distances }: Neighbours,
  n: number,
  k: number,
  perplexity: number,
): Affinities {
  const conditional = new Float64Array(n * k);
  const target = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    const row = distances.subarray(i * k, (i + 1) * k);
    const out = conditional.subarray(i * k, (i + 1) * k);
    // Shifted by the nearest distance: the entropy does not change and exp cannot underflow to all zeros.
    const nearest = row[0];
    let beta = 1;
    let lo = 0;
    let hi = Infinity;
    for (let iteration = 0; iteration < 200; iteration++) {
      let sum = 0;
      let weighted = 0;
      for (let r = 0; r < k; r++) {
        const w = Math.exp(-beta * (row[r] - nearest));
        out[r] = w;
        sum += w;
        weighted += w * (row[r] - nearest);
      }
      const entropy = Math.log(sum) + (beta * weighted) / sum;
      for (let r = 0; r < k; r++) out[r] /= sum;
      if (Math.abs(entropy - target) < 1e-5) break;
      if (entropy > target) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
  }
  // Pairs grouped by their lower point; a pair both points list is merged into one.
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) for (let r = 0; r < k; r++) rowStart[Math.min(i, indices[i * k + r]) + 1]++;
  for (let i = 0; i < n; i++) rowStart[i + 1] += rowStart[i];
  const next = rowStart.slice(0, n);
  const upper = new Int32Array(n * k);
  const value = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < k; r++) {
      const j = indices[i * k + r];
      const at = next[Math.min(i, j)]++;
      upper[at] = Math.max(i, j);
      value[at] = conditional[i * k + r];
    }
  }
  const slot = new Int32Array(n).fill(-1);
  const a = new Int32Array(n * k);
  const b = new Int32Array(n * k);
  const p = new Float64Array(n * k);
  let pairs = 0;
  for (let lower = 0; lower < n; lower++) {
    const first = pairs;
    for (let e = rowStart[lower]; e < rowStart[lower + 1]; e++) {
      const higher = upper[e];
      if (slot[higher] < 0) {
        slot[higher] = pairs;
        a[pairs] = lower;
        b[pairs++] = higher;
      }
      p[slot[higher]] += value[e] / (2 * n);
    }
    for (let e = first; e < pairs; e++) slot[b[e]] = -1;
  }
  return { a: a.slice(0, pairs), b: b.slice(0, pairs), p: p.slice(0, pairs) };
}

/** The first principal coordinates, scaled so that the first has a tiny spread: the map unfolds from there. */
async function start(
  matrix: Embeddings,
  s: ProjectionSettings,
  pause: () => Promise<void>,
): Promise<Float64Array> {
  const coords = await principalCoordinates(matrix, s.dims, s.seed, pause);
  const n = coords.length / s.dims;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += coords[i * s.dims];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (coords[i * s.dims] - mean) ** 2;
  const spread = Math.sqrt(variance / n);
  const scale = spread > 0 ? START_SCALE / spread : 0;
  return Float64Array.from(coords, (v) => v * scale);
}

async function optimise(
  y: Float64Array,
  pairs: Affinities,
  n: number,
  dims: 2 | 3,
  epochs: number,
  report: () => Promise<void>,
): Promise<void> {
  const exaggerated = Math.min(EXAGGERATED, Math.floor(epochs / 3));
  // Belkina et al. 2019: a rate of n / exaggeration (here over 4, the gradient keeping its factor 4).
  const rate = Math.max(n / EXAGGERATION / 4, 50);
  const tree = new BarnesHutTree(n, dims);
  const gradient = new Float64Array(n * dims);
  const repulsion = new Float64Array(n * dims);
  const update = new Float64Array(n * dims);
  const gains = new Float64Array(n * dims).fill(1);
  const { a, b, p } = pairs;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const exaggeration = epoch < exaggerated ? EXAGGERATION : 1;
    const momentum = epoch < exaggerated ? 0.5 : 0.8;
    tree.build(y);
    const z = tree.repulsion(repulsion);
    gradient.fill(0);
    for (let e = 0; e < a.length; e++) {
      const i = a[e] * dims;
      const j = b[e] * dims;
      const dx = y[i] - y[j];
      const dy = y[i + 1] - y[j + 1];
      const dz = dims === 3 ? y[i + 2] - y[j + 2] : 0;
      const w = (exaggeration * p[e]) / (1 + dx * dx + dy * dy + dz * dz);
      gradient[i] += w * dx;
      gradient[j] -= w * dx;
      gradient[i + 1] += w * dy;
      gradient[j + 1] -= w * dy;
      if (dims === 3) {
        gradient[i + 2] += w * dz;
        gradient[j + 2] -= w * dz;
      }
    }
    for (let c = 0; c < n * dims; c++) {
      const g = 4 * (gradient[c] - repulsion[c] / z);
      gains[c] = Math.max(MIN_GAIN, g * update[c] < 0 ? gains[c] + 0.2 : gains[c] * 0.8);
      update[c] = momentum * update[c] - rate * gains[c] * g;
      y[c] += update[c];
    }
    for (let d = 0; d < dims; d++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += y[i * dims + d];
      mean /= n;
      for (let i = 0; i < n; i++) y[i * dims + d] -= mean;
    }
    await report();
  }
}
