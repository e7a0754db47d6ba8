/** Compressed sparse rows: row r's columns are indices[indptr[r] .. indptr[r+1]), ascending. */
export interface Csr {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

/**
 * Builds a CSR matrix from coordinates by counting sort. Duplicate (row, column) pairs
 * (a user who rated or clicked an item twice) become one entry holding the largest value,
 * so similarity and ranking code can treat a row as a set.
 */
export function buildCsr(rows: Int32Array, cols: Int32Array, values: Float32Array, numRows: number): Csr {
  const counts = new Int32Array(numRows + 1);
  for (let i = 0; i < rows.length; i++) counts[rows[i] + 1]++;
  for (let r = 0; r < numRows; r++) counts[r + 1] += counts[r];
  const fill = counts.slice(0, numRows);
  const indices = new Int32Array(rows.length);
  const data = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const at = fill[rows[i]]++;
    indices[at] = cols[i];
    data[at] = values[i];
  }
  // Sort each row by column and merge duplicates in place.
  const indptr = new Int32Array(numRows + 1);
  let write = 0;
  const order: number[] = [];
  for (let r = 0; r < numRows; r++) {
    const start = counts[r];
    const end = counts[r + 1];
    indptr[r] = write;
    order.length = 0;
    for (let i = start; i < end; i++) order.push(i);
    const cols0 = indices.slice(start, end);
    const data0 = data.slice(start, end);
    order.sort((a, b) => cols0[a - start] - cols0[b - start] || a - b);
    let last = -1;
    for (const i of order) {
      const c = cols0[i - start];
      const v = data0[i - start];
      if (c === last) {
        if (v > data[write - 1]) data[write - 1] = v;
        continue;
      }
      indices[write] = c;
      data[write] = v;
      write++;
      last = c;
    }
  }
  indptr[numRows] = write;
  return { indptr, indices: indices.slice(0, write), data: data.slice(0, write) };
}

/** Whether row `r` holds column `c` (binary search; rows are sorted). */
export function csrHas(m: Csr, r: number, c: number): boolean {
  return csrFind(m, r, c) >= 0;
}

/** Where row `r` holds column `c` in `indices`/`data`, or -1 (binary search; rows are sorted). */
export function csrFind(m: Csr, r: number, c: number): number {
  let lo = m.indptr[r];
  let hi = m.indptr[r + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = m.indices[mid];
    if (v === c) return mid;
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The transpose, `numColumns` rows; walking the rows in order leaves each new row sorted. */
export function transposeCsr(m: Csr, numColumns: number): Csr {
  const indptr = new Int32Array(numColumns + 1);
  for (let p = 0; p < m.indices.length; p++) indptr[m.indices[p] + 1]++;
  for (let c = 0; c < numColumns; c++) indptr[c + 1] += indptr[c];
  const fill = indptr.slice(0, numColumns);
  const indices = new Int32Array(m.indices.length);
  const data = new Float32Array(m.indices.length);
  for (let r = 0; r < m.indptr.length - 1; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) {
      const at = fill[m.indices[p]]++;
      indices[at] = r;
      data[at] = m.data[p];
    }
  }
  return { indptr, indices, data };
}
