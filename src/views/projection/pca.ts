/**
 * PCA: the directions of largest variance, from the d × d covariance matrix (one pass over
 * the rows), whose top eigenvectors subspace iteration finds; then each row's coordinates
 * along them. Exact up to the iteration's tolerance, and fast enough for a million rows.
 */
import type { Embeddings, TrainingContext } from '../../recsys';
import { Random } from '../../recsys/random';
import type { Projection, ProjectionSettings } from './method';

/** Rows per progress report. */
const BLOCK = 4096;
/**
 * Multiply-adds of the covariance pass per progress report (4,096 rows of 64 numbers): a
 * row costs dim²/2 of them, so a block of 4,096 rows of 1,536 numbers would hold the event
 * loop for seconds, past the kernel's grace after an interrupt.
 */
const COVARIANCE_BLOCK = (BLOCK * 64 * 64) / 2;
/**
 * Subspace iteration stops once every wanted eigenpair's residual is this small, relative to
 * the largest eigenvalue: far below what a plot can show. At 768 numbers per row, 87
 * iterations where 1e-10 took 153 (clustered vectors), 651 where 1e-10 ran out its 1,000
 * (isotropic noise, whose top eigenvalues are nearly equal); each takes a few milliseconds.
 */
const TOLERANCE = 1e-6;
const MAX_ITERATIONS = 1000;

/**
 * The steps `principalCoordinates` reports for `n` rows: each row twice (covariance, then
 * coordinates) and each iteration of the eigenvector search once, the iterations it did not
 * need all at once when it converges.
 */
export const pcaSteps = (n: number): number => 2 * n + MAX_ITERATIONS;

export const pca: Projection = {
  title: 'PCA',
  maxPoints: () => Infinity,
  limitReason: () => '',
  settings: [],
  check(): void {},
  async run(matrix: Embeddings, settings: ProjectionSettings, ctx: TrainingContext): Promise<Float32Array> {
    ctx.begin(pcaSteps(matrix.data.length / matrix.dim));
    return principalCoordinates(matrix, settings.dims, settings.seed, (steps) => ctx.step(steps));
  },
};

/**
 * Each row's coordinates along the `k` principal axes (k ≤ dim), largest variance first
 * (`n × k`, row-major). `report` is awaited after every block of rows and every iteration
 * of the eigenvector search, with the steps done, `pcaSteps(n)` in all.
 */
export async function principalCoordinates(
  matrix: Embeddings,
  k: number,
  seed: number,
  report: (steps: number) => Promise<void>,
): Promise<Float32Array> {
  const { data, dim } = matrix;
  const n = data.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += data[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;

  const covariance = await covarianceOf(data, dim, mean, report);
  const axes = await topEigenvectors(covariance, dim, k, seed, report);

  const out = new Float32Array(n * k);
  const centred = new Float64Array(dim);
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    for (let i = start; i < end; i++) {
      for (let j = 0; j < dim; j++) centred[j] = data[i * dim + j] - mean[j];
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += centred[j] * axes[c * dim + j];
        out[i * k + c] = s;
      }
    }
    await report(end - start);
  }
  return out;
}

/** The covariance matrix (d × d, full), accumulated in doubles over the upper triangle. */
async function covarianceOf(
  data: Float32Array,
  dim: number,
  mean: Float64Array,
  report: (rows: number) => Promise<void>,
): Promise<Float64Array> {
  const n = data.length / dim;
  const c = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  const block = Math.max(1, Math.floor(COVARIANCE_BLOCK / ((dim * dim) / 2)));
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    for (let i = start; i < end; i++) {
      for (let j = 0; j < dim; j++) centred[j] = data[i * dim + j] - mean[j];
      for (let a = 0; a < dim; a++) {
        const va = centred[a];
        const row = a * dim;
        for (let b = a; b < dim; b++) c[row + b] += va * centred[b];
      }
    }
    await report(end - start);
  }
  const scale = n > 1 ? 1 / (n - 1) : 1;
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      c[a * dim + b] *= scale;
      c[b * dim + a] = c[a * dim + b];
    }
  }
  return c;
}

/**
 * The `k` eigenvectors of the symmetric `c` (d × d) with the largest eigenvalues, as `k`
 * rows of d, by subspace iteration with a Rayleigh–Ritz step. Two spare vectors speed up
 * convergence when eigenvalues k and k+1 are close. Each vector's largest entry is made
 * positive, so the map does not flip between runs or machines.
 */
async function topEigenvectors(
  c: Float64Array,
  d: number,
  k: number,
  seed: number,
  report: (steps: number) => Promise<void>,
): Promise<Float64Array> {
  const p = Math.min(d, k + 2);
  const random = new Random(seed);
  let q: Float64Array = Float64Array.from({ length: p * d }, () => random.normal());
  orthonormalise(q, p, d);
  const z = new Float64Array(p * d);
  const h = new Float64Array(p * p);
  for (let iteration = 1; ; iteration++) {
    multiplyRows(c, q, z, p, d);
    // Ritz values and vectors of c in the span of q: q is orthonormal, z = c q.
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) h[a * p + b] = dot(q, a, z, b, d);
    const { values, vectors } = symmetricEigen(h, p);
    const rotatedQ = rotate(q, vectors, p, d);
    const rotatedZ = rotate(z, vectors, p, d);
    let worst = 0;
    for (let a = 0; a < k; a++) {
      let r = 0;
      for (let j = 0; j < d; j++) r += (rotatedZ[a * d + j] - values[a] * rotatedQ[a * d + j]) ** 2;
      worst = Math.max(worst, Math.sqrt(r));
    }
    q = rotatedQ;
    if (
      worst <= TOLERANCE * Math.max(Math.abs(values[0]), Number.MIN_VALUE) ||
      iteration === MAX_ITERATIONS
    ) {
      await report(MAX_ITERATIONS - iteration + 1);
      break;
    }
    q = rotatedZ;
    orthonormalise(q, p, d);
    // Every iteration: at 1,536 numbers per row one takes about 12 ms, and hundreds may be needed.
    await report(1);
  }
  const axes = q.slice(0, k * d);
  for (let a = 0; a < k; a++) {
    let largest = 0;
    for (let j = 0; j < d; j++) if (Math.abs(axes[a * d + j]) > Math.abs(axes[a * d + largest])) largest = j;
    if (axes[a * d + largest] < 0) for (let j = 0; j < d; j++) axes[a * d + j] = -axes[a * d + j];
  }
  return axes;
}

/** z[r] = c · q[r] for each of the p rows of q. */
function multiplyRows(c: Float64Array, q: Float64Array, z: Float64Array, p: number, d: number): void {
  for (let r = 0; r < p; r++) {
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += c[i * d + j] * q[r * d + j];
      z[r * d + i] = s;
    }
  }
}

function dot(a: Float64Array, ra: number, b: Float64Array, rb: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[ra * d + j] * b[rb * d + j];
  return s;
}

/** Rows r of the result: Σ_s vectors[s][r] · rows[s], the p rows recombined by the eigenvector columns. */
function rotate(rows: Float64Array, vectors: Float64Array, p: number, d: number): Float64Array {
  const out = new Float64Array(p * d);
  for (let r = 0; r < p; r++) {
    for (let s = 0; s < p; s++) {
      const w = vectors[s * p + r];
      for (let j = 0; j < d; j++) out[r * d + j] += w * rows[s * d + j];
    }
  }
  return out;
}

/** Modified Gram–Schmidt on the p rows of q; a row that collapses is replaced by a unit vector not yet spanned. */
function orthonormalise(q: Float64Array, p: number, d: number): void {
  for (let r = 0; r < p; r++) {
    for (let attempt = 0; ; attempt++) {
      for (let s = 0; s < r; s++) {
        const proj = dot(q, r, q, s, d);
        for (let j = 0; j < d; j++) q[r * d + j] -= proj * q[s * d + j];
      }
      const norm = Math.sqrt(dot(q, r, q, r, d));
      if (norm > 1e-12) {
        for (let j = 0; j < d; j++) q[r * d + j] /= norm;
        break;
      }
      // The covariance has rank below p: any direction outside the span will do.
      q.fill(0, r * d, (r + 1) * d);
      q[r * d + ((r + attempt) % d)] = 1;
    }
  }
}

/**
 * Eigenvalues (descending) and eigenvectors (columns of the row-major `vectors`) of a small
 * symmetric matrix, by cyclic Jacobi rotations.
 */
export function symmetricEigen(
  matrix: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = matrix.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(t * t + 1);
        const sin = t * cos;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = cos * akp - sin * akq;
          a[k * n + q] = sin * akp + cos * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = cos * apk - sin * aqk;
          a[q * n + k] = sin * apk + cos * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = cos * vkp - sin * vkq;
          v[k * n + q] = sin * vkp + cos * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  for (let c = 0; c < n; c++) for (let r = 0; r < n; r++) vectors[r * n + c] = v[r * n + order[c]];
  return { values, vectors };
}
