/**
 * UMAP as umap-js computes it, in steps that await between them: every point's exact nearest
 * neighbours (the search t-SNE uses), the fuzzy graph over them, a random start, and the
 * layout an epoch at a time by umap-js's sampled gradient steps. umap-js's own fit holds the
 * event loop until its layout starts: 5 s at 10,000 points of 64 numbers and 40 s at 50,000
 * with its own neighbour graph, and still 4 s at 10,000 given the neighbours (its fuzzy set
 * lives in string-keyed sparse matrices), past the kernel's 3-second grace after an
 * interrupt, after which the kernel is restarted. Only the fit of the curve's a and b is
 * still umap-js's. The exact search compares every pair, which is what caps the size.
 */
import type { Embeddings, TrainingContext } from '../../recsys';
import { Random } from '../../recsys/random';
import { integerSetting, type Projection, type ProjectionSettings } from './method';
import { nearestNeighbours, pairsOf } from './neighbours';
import { fuzzyGraph, type FuzzyGraph } from './umap-graph';

const DEFAULT_NEIGHBOURS = 15;
const DEFAULT_MIN_DIST = 0.1;
/** umap-js's defaults for the rest. */
const SPREAD = 1;
const NEGATIVE_SAMPLES = 5;
const LEARNING_RATE = 1;
const REPULSION = 1;
/** A gradient coordinate is clipped to ±4, as in umap. */
const CLIP = 4;
/**
 * Points² × numbers per point, the work of the exact neighbour search: 30,000 points of 64
 * numbers, about 45 s (10,000 × 64 takes 5 s); a quarter of the numbers per point allows
 * twice the points.
 */
const MAX_WORK = 30_000 ** 2 * 64;
/** However few numbers per point: the layout (200 epochs) takes about 45 s at this size. */
const MAX_POINTS = 50_000;

export const umap: Projection = {
  title: 'UMAP',
  maxPoints: (dim) => Math.min(MAX_POINTS, searchLimit(dim)),
  limitReason: (dim) =>
    searchLimit(dim) < MAX_POINTS
      ? `its neighbour search compares every pair of points, ${dim} numbers each; ` +
        'fewer numbers per point allow more points'
      : 'its layout takes about 45 s at that size',
  settings: ['nNeighbors', 'minDist', 'epochs'],
  check(n: number, s: ProjectionSettings): void {
    // The size limits assume a few dozen neighbours; graph and layout grow with their square.
    const neighbours = integerSetting('UMAP', 'nNeighbors', s.nNeighbors, DEFAULT_NEIGHBOURS, 2, 200);
    if (n <= neighbours)
      throw new Error(
        `UMAP: ${n} points are too few for nNeighbors ${neighbours}; ` +
          `it needs more points than neighbours (set nNeighbors below ${n}, or use method 'pca').`,
      );
    if (s.minDist !== undefined && !(s.minDist >= 0 && s.minDist <= 1))
      throw new Error(`UMAP: minDist must be a number from 0 to 1, got ${String(s.minDist)}.`);
    integerSetting('UMAP', 'epochs', s.epochs, 1, 1);
  },
  async run(matrix: Embeddings, s: ProjectionSettings, ctx: TrainingContext): Promise<Float32Array> {
    const n = matrix.data.length / matrix.dim;
    // UMAP's k counts the point itself, which the search leaves out.
    const others = (s.nNeighbors ?? DEFAULT_NEIGHBOURS) - 1;
    ctx.begin(pairsOf(n), 'UMAP: nearest neighbours');
    const neighbours = await nearestNeighbours(matrix, others, (pairs) => ctx.step(pairs));
    const graph = await fuzzyGraph(neighbours, n, others, () => ctx.pause());
    // Loaded on first use, as ECharts is: a kernel that maps nothing does not pay for it. The
    // package's index leaves this public function out; its typed module has it.
    const { findABParams } = await import('umap-js/dist/umap.js');
    const curve = findABParams(SPREAD, s.minDist ?? DEFAULT_MIN_DIST);
    const epochs = s.epochs ?? defaultEpochs(n);
    ctx.begin(epochs, 'UMAP: layout');
    const y = await layout(graph, n, s.dims, epochs, curve, new Random(s.seed), () => ctx.step());
    return Float32Array.from(y);
  },
};

/** The most points of `dim` numbers whose neighbour search stays within `MAX_WORK`. */
function searchLimit(dim: number): number {
  return Math.floor(Math.sqrt(MAX_WORK / dim));
}

/** umap-js's choice by size: 500 epochs for small sets, down to 200. */
function defaultEpochs(n: number): number {
  return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200;
}

/**
 * Stochastic gradient descent on the cross-entropy between the graph and the map's
 * similarity 1 / (1 + a·d^2b): each edge pulls its ends together as often as its weight
 * says, and pushes one end from a few random points. Starts uniform in [−10, 10].
 */
async function layout(
  graph: FuzzyGraph,
  n: number,
  dims: 2 | 3,
  epochs: number,
  { a, b }: { a: number; b: number },
  random: Random,
  report: () => Promise<void>,
): Promise<Float64Array> {
  const y = Float64Array.from({ length: n * dims }, () => random.next() * 20 - 10);
  let max = 0;
  for (const w of graph.weight) max = Math.max(max, w);
  // Edges sampled less than once in the whole run are dropped; each kept pair is an edge in both directions.
  const kept: number[] = [];
  for (let e = 0; e < graph.weight.length; e++) if (graph.weight[e] >= max / epochs) kept.push(e);
  const head = new Int32Array(2 * kept.length);
  const tail = new Int32Array(2 * kept.length);
  const every = new Float64Array(2 * kept.length);
  kept.forEach((e, x) => {
    head[2 * x] = tail[2 * x + 1] = graph.a[e];
    head[2 * x + 1] = tail[2 * x] = graph.b[e];
    every[2 * x] = every[2 * x + 1] = max / graph.weight[e];
  });
  const next = every.slice();
  const everyNegative = every.map((v) => v / NEGATIVE_SAMPLES);
  const nextNegative = everyNegative.slice();
  const clip = (v: number) => (v > CLIP ? CLIP : v < -CLIP ? -CLIP : v);

  for (let epoch = 0; epoch < epochs; epoch++) {
    const alpha = LEARNING_RATE * (1 - epoch / epochs);
    for (let x = 0; x < head.length; x++) {
      if (next[x] > epoch) continue;
      const j = head[x] * dims;
      const k = tail[x] * dims;
      let d2 = 0;
      for (let d = 0; d < dims; d++) d2 += (y[j + d] - y[k + d]) ** 2;
      const pull = d2 > 0 ? (-2 * a * b * d2 ** (b - 1)) / (a * d2 ** b + 1) : 0;
      for (let d = 0; d < dims; d++) {
        const g = clip(pull * (y[j + d] - y[k + d])) * alpha;
        y[j + d] += g;
        y[k + d] -= g;
      }
      next[x] += every[x];
      const negatives = Math.floor((epoch - nextNegative[x]) / everyNegative[x]);
      for (let s = 0; s < negatives; s++) {
        const other = random.int(n) * dims;
        let e2 = 0;
        for (let d = 0; d < dims; d++) e2 += (y[j + d] - y[other + d]) ** 2;
        if (e2 === 0 && other === j) continue;
        const push = e2 > 0 ? (2 * REPULSION * b) / ((0.001 + e2) * (a * e2 ** b + 1)) : 0;
        for (let d = 0; d < dims; d++)
          y[j + d] += (push > 0 ? clip(push * (y[j + d] - y[other + d])) : CLIP) * alpha;
      }
      nextNegative[x] += negatives * everyNegative[x];
    }
    await report();
  }
  return y;
}
