import { afterEach, describe, expect, it } from 'vitest';
import { TrainingContext, setTrainingHost } from '../src/recsys';
import { PROJECTIONS, type ProjectionName, type ProjectionSettings } from '../src/views/projection';
import { BarnesHutTree } from '../src/views/projection/barnes-hut';
import { symmetricEigen } from '../src/views/projection/pca';
import { Random } from '../src/recsys/random';
import { clusteredVectors } from '../dev';

afterEach(() => setTrainingHost(null));

/**
 * Vectors around `centres` centres, and which centre each came from (the first vector of a cluster within
 * `radius` names it).
 */
function clusters(
  n: number,
  dim: number,
  centres: number,
  seed: number,
): { data: Float32Array; dim: number; cluster: Int32Array } {
  const { vectors } = clusteredVectors(n, dim, { centres, noise: 0.1, queries: 0, seed });
  const cluster = new Int32Array(n).fill(-1);
  const firsts: number[] = [];
  for (let i = 0; i < n; i++) {
    const near = firsts.findIndex((f) => distance(vectors, dim, f, i) < 2);
    if (near >= 0) cluster[i] = near;
    else {
      cluster[i] = firsts.length;
      firsts.push(i);
    }
  }
  return { data: vectors, dim, cluster };
}

function distance(v: Float32Array, dim: number, a: number, b: number): number {
  let s = 0;
  for (let c = 0; c < dim; c++) s += (v[a * dim + c] - v[b * dim + c]) ** 2;
  return Math.sqrt(s);
}

/** The share of points nearer their own cluster's centroid in the map than any other's. */
function centroidPurity(coords: Float32Array, dims: number, cluster: Int32Array): number {
  const k = Math.max(...cluster) + 1;
  const sums = new Float64Array(k * dims);
  const sizes = new Float64Array(k);
  cluster.forEach((c, i) => {
    sizes[c]++;
    for (let d = 0; d < dims; d++) sums[c * dims + d] += coords[i * dims + d];
  });
  let right = 0;
  cluster.forEach((c, i) => {
    let best = -1;
    let bestDistance = Infinity;
    for (let g = 0; g < k; g++) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += (coords[i * dims + d] - sums[g * dims + d] / sizes[g]) ** 2;
      if (s < bestDistance) [best, bestDistance] = [g, s];
    }
    if (best === c) right++;
  });
  return right / cluster.length;
}

function run(
  method: ProjectionName,
  matrix: { data: Float32Array; dim: number },
  settings: Partial<ProjectionSettings> = {},
): Promise<Float32Array> {
  const s: ProjectionSettings = { dims: 2, seed: 1, ...settings };
  const projection = PROJECTIONS[method];
  projection.check(matrix.data.length / matrix.dim, s);
  return projection.run(matrix, s, new TrainingContext(projection.title));
}

interface Bar {
  label: string;
  total: number;
  ticks: number;
  /** Each tick's size, in order. */
  sizes: number[];
}

/**
 * Records progress bars and their ticks; `check` throws once `stopAfter` checks have passed,
 * or, given a function, once it says so from the bars so far (the interrupt lands in a phase).
 */
function recordingHost(stopAfter: number | ((bars: Bar[]) => boolean) = Infinity): {
  bars: Bar[];
  checks: () => number;
} {
  const bars: Bar[] = [];
  let checks = 0;
  const stop = typeof stopAfter === 'number' ? () => checks > stopAfter : () => stopAfter(bars);
  setTrainingHost({
    progress: (label, total) => {
      const bar: Bar = { label, total, ticks: 0, sizes: [] };
      bars.push(bar);
      return { tick: (n = 1) => void ((bar.ticks += n), bar.sizes.push(n)), done() {} };
    },
    check: () => {
      checks++;
      if (stop()) throw new Error('interrupted');
    },
    show: () => ({ update() {} }),
  });
  return { bars, checks: () => checks };
}

const summary = ({ label, total, ticks }: Bar) => ({ label, total, ticks });

describe('PCA', () => {
  it('recovers known directions, the largest variance first', async () => {
    // Points ±5 along u, ±3 along v and ±1 along w (orthonormal, 6-D): the covariance's eigenvectors are
    // exactly u, v, w.
    const u = [1, 2, 0, -1, 3, 1].map((x) => x / 4);
    const v = [2, -1, 1, 0, 0, 0].map((x) => x / Math.sqrt(6));
    const w = [0, 0, 0, 0, 1, -3].map((x) => x / Math.sqrt(10));
    expect(u.reduce((s, x, i) => s + x * v[i], 0)).toBeCloseTo(0, 12);
    const rows = [
      [5, u],
      [-5, u],
      [3, v],
      [-3, v],
      [1, w],
      [-1, w],
    ].map(([a, dir]) => (dir as number[]).map((x) => (a as number) * x + 0.5));
    const coords = await run('pca', { data: Float32Array.from(rows.flat()), dim: 6 });
    // Each axis's largest entry is positive: u's is its 5th (3/4), v's its 1st; so +5u maps to (5, 0), +3v to (0, 3).
    const expected = [5, 0, -5, 0, 0, 3, 0, -3, 0, 0, 0, 0];
    expect([...coords].map((x) => +x.toFixed(4) + 0)).toEqual(expected);
  });

  it('keeps three clusters apart in 2-D, the same on every run', async () => {
    const m = clusters(600, 16, 3, 5);
    const coords = await run('pca', m);
    expect(centroidPurity(coords, 2, m.cluster)).toBe(1);
    expect(await run('pca', m)).toEqual(coords);
  });

  it('reports progress per block of rows and per eigenvector iteration, and stops when the check throws', async () => {
    const m = clusters(10_000, 4, 3, 2);
    const host = recordingHost();
    await run('pca', m);
    // Each row twice, and 1,000 steps for the eigenvector search however soon it converges.
    expect(host.bars.map(summary)).toEqual([{ label: 'PCA', total: 21_000, ticks: 21_000 }]);
    const stopping = recordingHost(1);
    await expect(run('pca', m)).rejects.toThrow('interrupted');
    expect(stopping.bars[0].ticks).toBeLessThan(21_000);
  });

  it('stops during the eigenvector search, which can take seconds for long vectors', async () => {
    // Isotropic noise: the top eigenvalues nearly tie, and the search needs hundreds of iterations.
    const random = new Random(3);
    const n = 300;
    const noise = { data: Float32Array.from({ length: n * 64 }, () => random.normal()), dim: 64 };
    const host = recordingHost((bars) => bars[0].ticks > n);
    await expect(run('pca', noise)).rejects.toThrow('interrupted');
    // The covariance pass's rows, then one iteration: no coordinates were computed.
    expect(host.bars[0].ticks).toBe(n + 1);
  });

  it('reports the covariance pass in fewer rows at a time as vectors grow', async () => {
    const random = new Random(4);
    const host = recordingHost();
    await run('pca', { data: Float32Array.from({ length: 40 * 1024 }, () => random.normal()), dim: 1024 });
    // A row of 1,024 numbers costs 256 times one of 64, which come 4,096 to a report.
    expect(host.bars[0].sizes.slice(0, 3)).toEqual([16, 16, 8]);
  });

  it('finds the eigenpairs of a small symmetric matrix (Jacobi)', () => {
    const a = Float64Array.of(4, 1, 2, 1, 3, 0, 2, 0, 5);
    const { values, vectors } = symmetricEigen(a, 3);
    expect([...values]).toEqual([...values].sort((x, y) => y - x));
    for (let c = 0; c < 3; c++) {
      for (let r = 0; r < 3; r++) {
        const av = a[r * 3] * vectors[c] + a[r * 3 + 1] * vectors[3 + c] + a[r * 3 + 2] * vectors[6 + c];
        expect(av).toBeCloseTo(values[c] * vectors[r * 3 + c], 10);
      }
    }
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(12, 10); // the trace
  });
});

describe('UMAP', () => {
  it('keeps clusters apart, reproducibly for a seed', async () => {
    const m = clusters(400, 16, 5, 7);
    expect(Math.max(...m.cluster) + 1).toBe(5);
    const coords = await run('umap', m, { epochs: 100 });
    expect(centroidPurity(coords, 2, m.cluster)).toBeGreaterThan(0.98);
    expect(await run('umap', m, { epochs: 100 })).toEqual(coords);
    expect(await run('umap', m, { epochs: 100, seed: 2 })).not.toEqual(coords);
  });

  it('maps to 3-D', async () => {
    const m = clusters(200, 8, 4, 3);
    const coords = await run('umap', m, { dims: 3, epochs: 50 });
    expect(coords.length).toBe(600);
    expect(centroidPurity(coords, 3, m.cluster)).toBeGreaterThan(0.98);
  });

  it('shows the neighbour graph and each epoch on progress bars, and stops between epochs', async () => {
    const m = clusters(200, 8, 4, 3);
    const host = recordingHost();
    await run('umap', m, { epochs: 30 });
    expect(host.bars.map(summary)).toEqual([
      { label: 'UMAP: nearest neighbours', total: 19_900, ticks: 19_900 },
      { label: 'UMAP: layout', total: 30, ticks: 30 },
    ]);
    const stopping = recordingHost((bars) => bars.length === 2 && bars[1].ticks >= 10);
    await expect(run('umap', m, { epochs: 30 })).rejects.toThrow('interrupted');
    expect(stopping.bars[1].ticks).toBe(10);
  });

  it('stops while finding neighbours, before any layout epoch', async () => {
    const m = clusters(200, 8, 4, 3);
    const host = recordingHost((bars) => bars[0].ticks > 0);
    await expect(run('umap', m, { epochs: 30 })).rejects.toThrow('interrupted');
    // The first point's 199 pairs, then the interrupt: no layout bar was begun.
    expect(host.bars.map(summary)).toEqual([
      { label: 'UMAP: nearest neighbours', total: 19_900, ticks: 199 },
    ]);
  });

  it('takes fewer points the more numbers each has, and the most at few numbers', () => {
    expect(PROJECTIONS.umap.maxPoints(64)).toBe(30_000);
    expect(PROJECTIONS.umap.maxPoints(256)).toBe(15_000);
    expect(PROJECTIONS.umap.maxPoints(16)).toBe(50_000);
    expect(PROJECTIONS.umap.maxPoints(2)).toBe(50_000);
    expect(PROJECTIONS.umap.limitReason(256)).toBe(
      'its neighbour search compares every pair of points, 256 numbers each; fewer numbers per point allow more points',
    );
    expect(PROJECTIONS.umap.limitReason(2)).toBe('its layout takes about 45 s at that size');
  });

  it('refuses settings it cannot work with before it starts', () => {
    const check = (n: number, s: Partial<ProjectionSettings>) => () =>
      PROJECTIONS.umap.check(n, { dims: 2, seed: 1, ...s });
    expect(check(10, {})).toThrow(
      'UMAP: 10 points are too few for nNeighbors 15; it needs more points than neighbours (set nNeighbors below 10',
    );
    expect(check(100, { minDist: 2 })).toThrow('minDist must be a number from 0 to 1, got 2');
    expect(check(100, { nNeighbors: 2.5 })).toThrow(
      'nNeighbors must be a whole number from 2 to 200, got 2.5',
    );
    expect(check(100, { epochs: 0 })).toThrow('epochs must be a whole number at least 1, got 0');
    expect(check(1000, { nNeighbors: 201 })).toThrow(
      'nNeighbors must be a whole number from 2 to 200, got 201',
    );
  });
});

describe('t-SNE', () => {
  it('keeps clusters apart, reproducibly for a seed, in 2-D and 3-D', async () => {
    const m = clusters(400, 16, 5, 11);
    const coords = await run('tsne', m, { perplexity: 15, epochs: 300 });
    expect(centroidPurity(coords, 2, m.cluster)).toBeGreaterThan(0.98);
    expect(await run('tsne', m, { perplexity: 15, epochs: 300 })).toEqual(coords);
    const three = await run('tsne', m, { perplexity: 15, epochs: 300, dims: 3 });
    expect(centroidPurity(three, 3, m.cluster)).toBeGreaterThan(0.98);
  });

  it('shows the pairs compared and each iteration on progress bars, and stops when the check throws', async () => {
    const m = clusters(100, 8, 3, 3);
    const host = recordingHost();
    await run('tsne', m, { perplexity: 10, epochs: 40 });
    expect(host.bars.map(summary)).toEqual([
      { label: 't-SNE: pairs compared', total: 4950, ticks: 4950 },
      { label: 't-SNE: layout', total: 40, ticks: 40 },
    ]);
    const stopping = recordingHost(120);
    await expect(run('tsne', m, { perplexity: 10, epochs: 40 })).rejects.toThrow('interrupted');
    expect(stopping.bars.at(-1)!.ticks).toBeLessThan(40);
  });

  it('asks for a lower perplexity when there are too few points for it', () => {
    expect(() => PROJECTIONS.tsne.check(50, { dims: 2, seed: 1 })).toThrow(
      't-SNE: perplexity 30 needs more than 90 points (3 × perplexity); there are 50: set perplexity to 16 or less.',
    );
    expect(() => PROJECTIONS.tsne.check(3, { dims: 2, seed: 1, perplexity: 1 })).toThrow("use method 'pca'");
    expect(() => PROJECTIONS.tsne.check(500, { dims: 2, seed: 1, perplexity: 0.5 })).toThrow(
      'perplexity must be a number of at least 1, got 0.5',
    );
  });
});

describe('BarnesHutTree', () => {
  /** The exact sums the tree approximates. */
  function exact(y: Float64Array, n: number, dims: number): { force: Float64Array; z: number } {
    const force = new Float64Array(n * dims);
    let z = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        let d2 = 0;
        for (let d = 0; d < dims; d++) d2 += (y[i * dims + d] - y[j * dims + d]) ** 2;
        const q = 1 / (1 + d2);
        z += q;
        for (let d = 0; d < dims; d++) force[i * dims + d] += q * q * (y[i * dims + d] - y[j * dims + d]);
      }
    }
    return { force, z };
  }

  for (const dims of [2, 3] as const) {
    it(`approximates the repulsion sums within a few percent (${dims}-D), with coincident points`, () => {
      const random = new Random(dims);
      const n = 800;
      const y = Float64Array.from({ length: n * dims }, () => 10 * random.normal());
      y.copyWithin(dims * 10, 0, dims * 10); // points 10…19 sit on points 0…9
      const tree = new BarnesHutTree(n, dims);
      tree.build(y);
      const force = new Float64Array(n * dims);
      const z = tree.repulsion(force);
      const truth = exact(y, n, dims);
      expect(Math.abs(z - truth.z) / truth.z).toBeLessThan(0.02);
      let error = 0;
      let size = 0;
      for (let c = 0; c < n * dims; c++) {
        error += (force[c] - truth.force[c]) ** 2;
        size += truth.force[c] ** 2;
      }
      expect(Math.sqrt(error / size)).toBeLessThan(0.05);
    });
  }
});
