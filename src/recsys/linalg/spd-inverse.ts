/**
 * The inverse of a symmetric positive-definite matrix in Float64Array, row-major, m × m:
 * Cholesky G = L Lᵀ, then Y = (L⁻¹)ᵀ, then G⁻¹ = Y Yᵀ (LAPACK's potrf, trtri, lauum: about
 * m³/2 multiply-adds). All three stages are written as dot products along rows, so every
 * inner loop reads memory in order; they work on a block of rows at once, so a row read from
 * memory serves the whole block while it is in cache, and four rows of the block share each
 * value read (four independent sums also keep the CPU's pipelines busy).
 * `pause` is awaited between blocks so a long inversion can be interrupted.
 */

const BLOCK = 32;

/** Σ a[ao + t] · b[bo + t] for t < n. */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let t = 0;
  for (; t + 1 < n; t += 2) {
    s0 += a[ao + t] * b[bo + t];
    s1 += a[ao + t + 1] * b[bo + t + 1];
  }
  if (t < n) s0 += a[ao + t] * b[bo + t];
  return s0 + s1;
}

const sums = new Float64Array(4);

/** The dots of four rows of `a` (at a0…a3) with one row of `b` (at bo), n long, into `sums`. */
function dot4(
  a: Float64Array,
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  b: Float64Array,
  bo: number,
  n: number,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let t = 0; t < n; t++) {
    const v = b[bo + t];
    s0 += a[a0 + t] * v;
    s1 += a[a1 + t] * v;
    s2 += a[a2 + t] * v;
    s3 += a[a3 + t] * v;
  }
  sums[0] = s0;
  sums[1] = s1;
  sums[2] = s2;
  sums[3] = s3;
}

/**
 * For each row i in [start, end) and each j ≤ i in [from(j)…], the shared part of a dot of
 * row i of `a` with row j of `b` over columns [lo, hi) is computed four rows at a time.
 * `finish(i, j, shared)` adds the part that differs per pair and stores the result.
 */
function blockDots(
  a: Float64Array,
  b: Float64Array,
  m: number,
  start: number,
  end: number,
  j: number,
  lo: number,
  hi: number,
  finish: (i: number, shared: number) => void,
): void {
  const n = Math.max(0, hi - lo);
  let i = start;
  for (; i + 3 < end; i += 4) {
    dot4(a, i * m + lo, (i + 1) * m + lo, (i + 2) * m + lo, (i + 3) * m + lo, b, j * m + lo, n);
    const s0 = sums[0];
    const s1 = sums[1];
    const s2 = sums[2];
    const s3 = sums[3];
    finish(i, s0);
    finish(i + 1, s1);
    finish(i + 2, s2);
    finish(i + 3, s3);
  }
  for (; i < end; i++) finish(i, dot(a, i * m + lo, b, j * m + lo, n));
}

/** Lower Cholesky factor in place: the lower triangle of `a` becomes L. */
async function cholesky(a: Float64Array, m: number, pause: () => Promise<void>): Promise<void> {
  for (let start = 0; start < m; start += BLOCK) {
    const end = Math.min(m, start + BLOCK);
    // Columns left of the block: every row of the block needs the same dot length j.
    for (let j = 0; j < start; j++) {
      const rj = j * m;
      blockDots(
        a,
        a,
        m,
        start,
        end,
        j,
        0,
        j,
        (i, shared) => void (a[i * m + j] = (a[i * m + j] - shared) / a[rj + j]),
      );
    }
    // Inside the block: the triangle, one entry at a time.
    for (let j = start; j < end; j++) {
      const rj = j * m;
      for (let i = j; i < end; i++) {
        const ri = i * m;
        const s = a[ri + j] - dot(a, ri, a, rj, j);
        if (i === j) {
          if (!(s > 0))
            throw new Error(
              `The matrix is not positive definite (pivot ${j} is ${s}); raise the regularisation.`,
            );
          a[ri + j] = Math.sqrt(s);
        } else a[ri + j] = s / a[rj + j];
      }
    }
    await pause();
  }
}

/**
 * Y = (L⁻¹)ᵀ, upper triangular: Y[j][j] = 1/L[j][j] and, for i > j,
 * Y[j][i] = −(Σ_{k=j}^{i−1} L[i][k] · Y[j][k]) / L[i][i].
 */
async function inverseTransposed(
  l: Float64Array,
  m: number,
  pause: () => Promise<void>,
): Promise<Float64Array> {
  const y = new Float64Array(m * m);
  for (let start = 0; start < m; start += BLOCK) {
    const end = Math.min(m, start + BLOCK);
    for (let j = 0; j < end; j++) {
      const rj = j * m;
      if (j >= start) y[rj + j] = 1 / l[rj + j];
      const first = Math.max(start, j + 1);
      // Shared part k ∈ [j, start) for rows ≥ start; the tail k ∈ [max(j, start), i) per row.
      blockDots(l, y, m, first, end, j, j, start, (i, shared) => {
        const from = Math.max(j, start);
        const s = shared + dot(l, i * m + from, y, rj + from, i - from);
        y[rj + i] = -s / l[i * m + i];
      });
    }
    await pause();
  }
  return y;
}

/** G⁻¹ = Y Yᵀ: P[i][j] = Σ_{k ≥ i} Y[i][k] Y[j][k] for j ≤ i (Y is upper triangular). */
async function gramOfRows(y: Float64Array, m: number, pause: () => Promise<void>): Promise<Float64Array> {
  const p = new Float64Array(m * m);
  for (let start = 0; start < m; start += BLOCK) {
    const end = Math.min(m, start + BLOCK);
    for (let j = 0; j < end; j++) {
      const first = Math.max(start, j);
      // Shared part k ∈ [end, m); the tail k ∈ [i, end) per row.
      blockDots(y, y, m, first, end, j, end, m, (i, shared) => {
        const v = shared + dot(y, i * m + i, y, j * m + i, end - i);
        p[i * m + j] = v;
        p[j * m + i] = v;
      });
    }
    await pause();
  }
  return p;
}

/** How many times {@link invertSpd} calls `pause` for an m × m matrix: once per block in each stage. */
export function inversionSteps(m: number): number {
  return 3 * Math.ceil(m / BLOCK);
}

/** G⁻¹ of an SPD matrix (destroys `g`); the result holds both triangles. */
export async function invertSpd(
  g: Float64Array,
  m: number,
  pause: () => Promise<void> = async () => {},
): Promise<Float64Array> {
  await cholesky(g, m, pause);
  const y = await inverseTransposed(g, m, pause);
  return gramOfRows(y, m, pause);
}
