/**
 * UMAP by umap-js: its nearest-neighbour graph is built in one synchronous call, then the
 * layout is optimised an epoch at a time, which is where progress and interrupt come in.
 */
import type { Embeddings } from '../model';
import { Random } from '../random';
import type { TrainingContext } from '../training';
import { integerSetting, type Projection, type ProjectionSettings } from './method';

const DEFAULT_NEIGHBOURS = 15;
const DEFAULT_MIN_DIST = 0.1;

export const umap: Projection = {
  title: 'UMAP',
  // Measured for 64 numbers per vector: the neighbour graph, one synchronous call that an
  // interrupt cannot get through, takes 40 s at 50,000 points, and 100 s and 2.7 GB at
  // 100,000; the layout then takes about as long again.
  maxPoints: 50_000,
  limitReason: 'its neighbour graph takes over half a minute and more than a gigabyte beyond that',
  settings: ['nNeighbors', 'minDist', 'epochs'],
  check(n: number, s: ProjectionSettings): void {
    const neighbours = integerSetting('UMAP', 'nNeighbors', s.nNeighbors, DEFAULT_NEIGHBOURS, 2);
    if (n <= neighbours) throw new Error(`UMAP: ${n} points are too few for nNeighbors ${neighbours}; it needs more points than neighbours (set nNeighbors below ${n}, or use method 'pca').`);
    if (s.minDist !== undefined && !(s.minDist >= 0 && s.minDist <= 1)) throw new Error(`UMAP: minDist must be a number from 0 to 1, got ${String(s.minDist)}.`);
    integerSetting('UMAP', 'epochs', s.epochs, 1, 1);
  },
  async run(matrix: Embeddings, s: ProjectionSettings, ctx: TrainingContext): Promise<Float32Array> {
    const { data, dim } = matrix;
    const n = data.length / dim;
    // Loaded on first use, as ECharts is: a kernel that maps nothing does not pay for it.
    const { UMAP } = await import('umap-js');
    const random = new Random(s.seed);
    const model = new UMAP({
      nComponents: s.dims,
      nNeighbors: s.nNeighbors ?? DEFAULT_NEIGHBOURS,
      minDist: s.minDist ?? DEFAULT_MIN_DIST,
      // Unset, umap-js chooses by size: 500 epochs for small sets down to 200.
      nEpochs: s.epochs,
      random: () => random.next(),
    });
    const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * dim, (i + 1) * dim)));
    ctx.begin(1, 'UMAP: nearest neighbours');
    // Let the bar reach the notebook before the graph holds the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
    ctx.check();
    const epochs = model.initializeFit(rows);
    await ctx.step();
    ctx.begin(epochs, 'UMAP: layout');
    for (let e = 0; e < epochs; e++) {
      model.step();
      await ctx.step();
    }
    const embedding = model.getEmbedding();
    const out = new Float32Array(n * s.dims);
    for (let i = 0; i < n; i++) for (let c = 0; c < s.dims; c++) out[i * s.dims + c] = embedding[i][c];
    return out;
  },
};
