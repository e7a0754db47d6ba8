import { describe, expect, it } from 'vitest';
import { ClusterIndex, exactSearch } from '../src/recsys/indexes/cluster-index';
import { TopK } from '../src/recsys/top-k';
import { clusteredVectors } from '../dev';

describe('TopK', () => {
  it('keeps the k best, best first, ties to the lower id whatever the arrival order', () => {
    const scores = [0.5, 2, -1, 2, 7, 0.5, 3];
    const forward = new TopK(4);
    scores.forEach((s, i) => forward.push(i, s));
    const backward = new TopK(4);
    for (let i = scores.length - 1; i >= 0; i--) backward.push(i, scores[i]);
    for (const heap of [forward, backward]) {
      const { ids, scores: kept } = heap.take();
      expect([...ids]).toEqual([4, 6, 1, 3]);
      expect([...kept]).toEqual([7, 3, 2, 2]);
    }
  });
});

describe('ClusterIndex', () => {
  const dim = 8;
  const { vectors, queries } = clusteredVectors(2000, dim, { centres: 20, noise: 0.4, queries: 30, seed: 7 });

  it('searching every cluster gives exactly the exact search', () => {
    const index = ClusterIndex.build(vectors, dim, { clusters: 30, seed: 1 });
    expect(index.numClusters).toBe(30);
    for (const q of queries) {
      const exact = exactSearch(vectors, dim, q, 10);
      const all = index.search(q, 10, { nprobe: index.numClusters });
      expect([...all.ids]).toEqual([...exact.ids]);
      expect([...all.scores]).toEqual([...exact.scores]);
    }
  });

  it('puts every vector in exactly one cluster', () => {
    const index = ClusterIndex.build(vectors, dim, { seed: 3 });
    expect(index.offsets[index.numClusters]).toBe(2000);
    expect(new Set(index.members).size).toBe(2000);
    const sizes = Array.from(
      { length: index.numClusters },
      (_, c) => index.offsets[c + 1] - index.offsets[c],
    );
    expect(String(index)).toBe(
      `ClusterIndex: 2000 vectors of 8 dimensions in ${index.numClusters} clusters ` +
        `(${Math.min(...sizes)} to ${Math.max(...sizes)} members); a search reads the nearest 8`,
    );
  });

  it('finds nearly all of the exact top 10 while probing a few clusters', () => {
    const index = ClusterIndex.build(vectors, dim, { seed: 1 });
    let found = 0;
    for (const q of queries) {
      const exact = new Set(exactSearch(vectors, dim, q, 10).ids);
      for (const id of index.search(q, 10, { nprobe: 4 }).ids) if (exact.has(id)) found++;
    }
    expect(found / (10 * queries.length)).toBeGreaterThanOrEqual(0.95);
  });

  it('is the same index for the same seed', () => {
    const a = ClusterIndex.build(vectors, dim, { seed: 5 });
    const b = ClusterIndex.build(vectors, dim, { seed: 5 });
    expect(a.centroids).toEqual(b.centroids);
  });

  it('leaves out excluded rows', () => {
    const index = ClusterIndex.build(vectors, dim, { seed: 1 });
    const top = exactSearch(vectors, dim, queries[0], 3).ids;
    const exclude = new Uint8Array(2000);
    exclude[top[0]] = 1;
    const result = index.search(queries[0], 3, { nprobe: index.numClusters, exclude });
    expect([...result.ids]).toEqual([...exactSearch(vectors, dim, queries[0], 3, exclude).ids]);
    expect(result.ids).not.toContain(top[0]);
  });

  it('says what is wrong with bad input', () => {
    expect(() => ClusterIndex.build(new Float32Array(0), dim)).toThrow(/no vectors/);
    expect(() => ClusterIndex.build(new Float32Array(10), 4)).toThrow(
      /not a whole number of 4-dimensional rows/,
    );
    expect(() => ClusterIndex.build(vectors, dim, { clusters: 0 })).toThrow(/clusters must be/);
    const index = ClusterIndex.build(vectors, dim, { seed: 1 });
    expect(() => index.search(new Float32Array(3), 10)).toThrow(/query has 3 values.*8-dimensional/);
    expect(() => index.search(queries[0], 10, { nprobe: 0 })).toThrow(/nprobe must be ≥ 1/);
  });
});
