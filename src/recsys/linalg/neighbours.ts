/**
 * Cosine neighbourhoods over a sparse matrix, the core of ItemCF (rows = items) and UserCF
 * (rows = users): sim(a, b) = |a ∩ b| / (sqrt(|a| |b|) + shrink) on binary rows (or the
 * dot product of the values over the product of norms, plus shrink), the top k per row.
 */
import { Table } from '../../data';
import type { ModelState } from '../store';
import { transposeCsr, type Csr } from '../data/csr';
import { TopK } from '../top-k';
import type { TrainingContext } from '../engine/training';

export interface Neighbours {
  k: number;
  /** rows × k, row-major; -1 pads rows with fewer neighbours. */
  indices: Int32Array;
  similarities: Float32Array;
}

/**
 * `rows` maps each row to its columns, `columns` each column to its rows (the transpose).
 * The co-occurrence counts of one row with all others are accumulated in a dense buffer
 * through the shared columns: the cost is Σ over columns of (rows per column)².
 */
export async function cosineNeighbours(
  rows: Csr,
  columns: Csr,
  k: number,
  shrink: number,
  binary: boolean,
  ctx: TrainingContext,
): Promise<Neighbours> {
  const n = rows.indptr.length - 1;
  const norms = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    if (binary) norms[r] = Math.sqrt(rows.indptr[r + 1] - rows.indptr[r]);
    else {
      let s = 0;
      for (let p = rows.indptr[r]; p < rows.indptr[r + 1]; p++) s += rows.data[p] * rows.data[p];
      norms[r] = Math.sqrt(s);
    }
  }
  const indices = new Int32Array(n * k).fill(-1);
  const similarities = new Float32Array(n * k);
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  // Whether row b was reached from row a: a running sum of 0 cannot tell (zero or cancelling values).
  const reached = new Uint8Array(n);
  const heap = new TopK(k);
  ctx.begin(n, `${ctx.model}: similarities`);
  const STEP = 256;
  for (let a = 0; a < n; a++) {
    let count = 0;
    for (let p = rows.indptr[a]; p < rows.indptr[a + 1]; p++) {
      const c = rows.indices[p];
      const va = binary ? 1 : rows.data[p];
      for (let q = columns.indptr[c]; q < columns.indptr[c + 1]; q++) {
        const b = columns.indices[q];
        if (!reached[b]) {
          reached[b] = 1;
          touched[count++] = b;
        }
        acc[b] += binary ? 1 : va * columns.data[q];
      }
    }
    for (let t = 0; t < count; t++) {
      const b = touched[t];
      const denominator = norms[a] * norms[b] + shrink;
      // A row of zeros has no direction: it is nobody's neighbour.
      if (b !== a && denominator > 0) heap.push(b, acc[b] / denominator);
      acc[b] = 0;
      reached[b] = 0;
    }
    const best = heap.take();
    indices.set(best.ids, a * k);
    similarities.set(best.scores, a * k);
    if (a % STEP === STEP - 1) await ctx.step(STEP);
  }
  await ctx.step(n % STEP);
  return { k, indices, similarities };
}

/**
 * The kept (row, neighbour) pairs as sorted CSR, the similarity as data: row r lists r's
 * neighbours or, `transposed`, the rows that keep r among theirs.
 */
export function neighbourPairs(nb: Neighbours, transposed: boolean): Csr {
  const { k, indices, similarities } = nb;
  const n = indices.length / k;
  const indptr = new Int32Array(n + 1);
  for (let p = 0; p < indices.length; p++) if (indices[p] >= 0) indptr[indices[p] + 1]++;
  for (let r = 0; r < n; r++) indptr[r + 1] += indptr[r];
  const fill = indptr.slice(0, n);
  const rows = new Int32Array(indptr[n]);
  const data = new Float32Array(indptr[n]);
  // Filled in row order, so each row of the transpose comes out sorted.
  for (let p = 0; p < indices.length; p++) {
    if (indices[p] < 0) continue;
    const at = fill[indices[p]]++;
    rows[at] = Math.floor(p / k);
    data[at] = similarities[p];
  }
  const keptBy: Csr = { indptr, indices: rows, data };
  return transposed ? keptBy : transposeCsr(keptBy, n);
}

/**
 * The neighbour table for DuckDB and display: one row per (row, neighbour) with its
 * similarity and rank, rows and neighbours by name (`names`: ItemCF's items, UserCF's users).
 * `transposed` names the columns the other way round: `rowColumn` holds the neighbour and
 * `neighbourColumn` the row whose list keeps it, `rank` its place in that list.
 */
export function neighbourTable(
  nb: Neighbours,
  names: readonly string[],
  rowColumn: string,
  neighbourColumn: string,
  transposed = false,
): Table {
  let total = 0;
  for (let i = 0; i < nb.indices.length; i++) if (nb.indices[i] >= 0) total++;
  const row = new Array<string>(total);
  const neighbour = new Array<string>(total);
  const similarity = new Float32Array(total);
  const rank = new Int32Array(total);
  let w = 0;
  for (let i = 0; i < nb.indices.length; i++) {
    if (nb.indices[i] < 0) continue;
    row[w] = names[Math.floor(i / nb.k)];
    neighbour[w] = names[nb.indices[i]];
    similarity[w] = nb.similarities[i];
    rank[w] = (i % nb.k) + 1;
    w++;
  }
  return Table.fromColumns(
    transposed
      ? { [rowColumn]: neighbour, [neighbourColumn]: row, similarity, rank }
      : { [rowColumn]: row, [neighbourColumn]: neighbour, similarity, rank },
  );
}

/** A neighbour table as saved model state (ItemCF's items, UserCF's users). */
export function neighboursState(config: object, nb: Neighbours): ModelState {
  return {
    config: { ...config, neighbours: nb.k },
    arrays: { indices: nb.indices, similarities: nb.similarities },
  };
}

export function neighboursFromState(state: ModelState): Neighbours {
  return {
    k: Number(state.config.neighbours),
    indices: state.arrays.indices as Int32Array,
    similarities: state.arrays.similarities as Float32Array,
  };
}
