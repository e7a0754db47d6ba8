/**
 * The inverse of a symmetric positive-definite matrix in Float64Array, row-major, m × m:
 * Cholesky G = L Lᵀ, then X = L⁻¹, then G⁻¹ = Xᵀ X (what LAPACK's potrf/trtri/lauum do,
 * about m³/2 multiply-adds). Each stage works on a block of rows at once, so a row read from
 * memory serves the whole block while it is in cache; the inner loops run along rows.
 * `pause` is awaited between blocks so a long inversion can be interrupted.
 */

const BLOCK = 16;

/** Σ a[ao + t] · b[bo + t] for t < n, four partial sums for instruction-level parallelism. */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < n; t += 4) {
    s0 += a[ao + t] * b[bo + t];
    s1 += a[ao + t + 1] * b[bo + t + 1];
    s2 += a[ao + t + 2] * b[bo + t + 2];
    s3 += a[ao + t + 3] * b[bo + t + 3];
  }
  for (; t < n; t++) s0 += a[ao + t] * b[bo + t];
  return s0 + s1 + s2 + s3;
}

/** Lower Cholesky factor, in place (the lower triangle of `a` becomes L; the upper is left as it was). */
async function cholesky(a: Float64Array, m: number, pause: () => Promise<void>): Promise<void> {
  for (let start = 0; start < m; start += BLOCK) {
    const end = Math.min(m, start + BLOCK);
    for (let j = 0; j < end; j++) {
      const rj = j * m;
      for (let i = Math.max(j, start); i < end; i++) {
        const ri = i * m;
        const s = a[ri + j] - dot(a, ri, a, rj, j);
        if (i === j) {
          if (!(s > 0)) throw new Error(`The matrix is not positive definite (pivot ${j} is ${s}); raise the regularisation.`);
          a[ri + j] = Math.sqrt(s);
        } else a[ri + j] = s / a[rj + j];
      }
    }
    await pause();
  }
}

/** X = L⁻¹ (lower), row by row: row i = (e_i − Σ_{k<i} L[i][k] · row k of X) / L[i][i]. */
async function invertLower(l: Float64Array, m: number, pause: () => Promise<void>): Promise<Float64Array> {
  const x = new Float64Array(m * m);
  for (let start = 0; start < m; start += BLOCK) {
    const end = Math.min(m, start + BLOCK);
    for (let k = 0; k < end; k++) {
      const rk = k * m;
      if (k >= start) {
        // Row k has all its contributions: finish it before it is used.
        x[rk + k] += 1;
        const d = 1 / l[rk + k];
        for (let t = 0; t <= k; t++) x[rk + t] *= d;
      }
      for (let i = Math.max(k + 1, start); i < end; i++) {
        const ri = i * m;
        const f = -l[ri + k];
        if (f === 0) continue;
        for (let t = 0; t <= k; t++) x[ri + t] += f * x[rk + t];
      }
    }
    await pause();
  }
  return x;
}

/** The lower triangle of P = Xᵀ X: P[i][j] = Σ_{k ≥ i} X[k][i] X[k][j] for j ≤ i, four rows of X at a time. */
async function lowerGram(x: Float64Array, m: number, pause: () => Promise<void>): Promise<Float64Array> {
  const p = new Float64Array(m * m);
  for (let k = 0; k < m; k += 4) {
    const rows = Math.min(4, m - k);
    const r0 = k * m;
    const r1 = r0 + m;
    const r2 = r1 + m;
    const r3 = r2 + m;
    const last = k + rows - 1;
    for (let i = 0; i <= last; i++) {
      const ri = i * m;
      // X is lower triangular: X[k'][i] is zero when i > k'.
      const a0 = i <= k ? x[r0 + i] : 0;
      const a1 = rows > 1 && i <= k + 1 ? x[r1 + i] : 0;
      const a2 = rows > 2 && i <= k + 2 ? x[r2 + i] : 0;
      const a3 = rows > 3 && i <= k + 3 ? x[r3 + i] : 0;
      if (rows === 4) for (let j = 0; j <= i; j++) p[ri + j] += a0 * x[r0 + j] + a1 * x[r1 + j] + a2 * x[r2 + j] + a3 * x[r3 + j];
      else for (let q = 0; q < rows; q++) {
        const a = [a0, a1, a2, a3][q];
        if (a !== 0) for (let j = 0; j <= i; j++) p[ri + j] += a * x[r0 + q * m + j];
      }
    }
    if (k % 64 === 0) await pause();
  }
  return p;
}

/** G⁻¹ of an SPD matrix (destroys `g`); the result holds both triangles. */
export async function invertSpd(g: Float64Array, m: number, pause: () => Promise<void> = async () => {}): Promise<Float64Array> {
  await cholesky(g, m, pause);
  const x = await invertLower(g, m, pause);
  const p = await lowerGram(x, m, pause);
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) p[j * m + i] = p[i * m + j];
  return p;
}
