/**
 * Every point's exact k nearest others by Euclidean distance, the neighbour graph t-SNE and
 * UMAP both start from. Each pair is measured once and offered to both points; the caller
 * hears after every row, so a long search shows progress and stops on interrupt.
 */
import type { Embeddings } from '../../recsys';
import { TopK } from '../../recsys/top-k';

export interface Neighbours {
  /** n × k, nearest first; ties go to the lower index. */
  indices: Int32Array;
  /** Squared distances, beside `indices`. */
  distances: Float64Array;
}

/** The pairs a search over `n` points measures: what its progress bar counts to. */
export const pairsOf = (n: number): number => (n * (n - 1)) / 2;

/** `report` is awaited after each row with the pairs it measured, `pairsOf(n)` in all. */
export async function nearestNeighbours(
  matrix: Embeddings,
  k: number,
  report: (pairs: number) => Promise<void>,
): Promise<Neighbours> {
  const { data, dim } = matrix;
  const n = data.length / dim;
  const heaps = Array.from({ length: n }, () => new TopK(k));
  for (let i = 0; i < n; i++) {
    const a = i * dim;
    const heapI = heaps[i];
    for (let j = i + 1; j < n; j++) {
      const b = j * dim;
      let d2 = 0;
      for (let c = 0; c < dim; c++) {
        const diff = data[a + c] - data[b + c];
        d2 += diff * diff;
      }
      if (-d2 > heapI.threshold) heapI.push(j, -d2);
      if (-d2 > heaps[j].threshold) heaps[j].push(i, -d2);
    }
    await report(n - i - 1);
  }
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  heaps.forEach((heap, i) => {
    const { ids, scores } = heap.take();
    indices.set(ids, i * k);
    for (let r = 0; r < k; r++) distances[i * k + r] = -scores[r];
  });
  return { indices, distances };
}
