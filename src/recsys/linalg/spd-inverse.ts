/**
 * The inverse of a symmetric positive-definite matrix by blocked symmetric Gauss–Jordan
 * elimination (the sweep operator). For each block K of up to BLOCK pivots, with
 * D = A_KK (positive definite: the Schur complement of the pivots swept before) and V = A_·K:
 *
 *   W = V D⁻¹,   A ← A − W Vᵀ,   A_·K ← W,   A_KK ← −D⁻¹
 *
 * and once every block is swept A holds −A⁻¹. A direct method in Float64, so exact up to
 * rounding; m³ floating-point operations, as many as LAPACK's Cholesky route (potrf, potri)
 * and half as many as LU's (numpy.linalg.inv), nearly all in one product, A − W Vᵀ over the
 * lower triangle, which runs as WebAssembly SIMD on every core (./product-threads).
 */
import { ProductRunner, RESERVED_BYTES, sharedMemory } from './product-threads';
import type { WasmMemory } from '../../wasm';
import { BLOCK, TILE_COLUMNS, TILE_ROWS } from './simd-product';

// Tiles are 4 × 4: rows rounded up to 4 hold whole tiles both ways.
const TILE = Math.max(TILE_ROWS, TILE_COLUMNS);
const padded = (m: number) => Math.ceil(m / TILE) * TILE;

/** How many times {@link SpdMatrix.invert} calls `pause` for an m × m matrix: once per block of pivots. */
export function inversionSteps(m: number): number {
  return Math.ceil(m / BLOCK);
}

/** Rows moved at once between V or W and the lower triangle's rows: their rows of BLOCK (16 KB) stay in L1. */
const TRANSPOSE_ROWS = 16;

/**
 * An m × m SPD matrix, held in memory the inversion's threads share: fill the lower triangle
 * of `values` (j ≤ i, at i·stride + j), then `invert`; afterwards the lower triangle holds
 * the inverse (what is above the diagonal is left undefined).
 */
export class SpdMatrix {
  /** Float64s from one row of `values` to the next (m rounded up to whole tiles). */
  readonly stride: number;
  readonly values: Float64Array;
  private readonly memory: WasmMemory;
  private readonly f64: Float64Array;
  // Offsets in Float64s of the work space after the matrix: V = A_·K and W, row-major with rows BLOCK
  // long; Vᵀ and −D⁻¹ packed as the product's B operand.
  private readonly v: number;
  private readonly w: number;
  private readonly vt: number;
  private readonly dInverse: number;

  /** Bytes the matrix and its inversion's work space take. */
  static bytes(m: number): number {
    const n = padded(m);
    return RESERVED_BYTES + 8 * (n * n + 3 * n * BLOCK + BLOCK * BLOCK);
  }

  constructor(readonly m: number) {
    const n = padded(m);
    this.stride = n;
    this.memory = sharedMemory(SpdMatrix.bytes(m) - RESERVED_BYTES);
    this.f64 = new Float64Array(this.memory.buffer);
    const matrix = RESERVED_BYTES / 8;
    this.values = this.f64.subarray(matrix, matrix + n * n);
    this.v = matrix + n * n;
    this.w = this.v + n * BLOCK;
    this.vt = this.w + n * BLOCK;
    this.dInverse = this.vt + n * BLOCK;
  }

  /** Replaces the matrix by its inverse; `pause` is awaited after each block, so that it can be interrupted. */
  async invert(pause: () => Promise<void> = async () => {}): Promise<void> {
    const n = this.stride;
    const runner = ProductRunner.start(this.memory, n * n * BLOCK);
    try {
      for (let first = 0; first < this.m; first += BLOCK) {
        const depth = Math.min(BLOCK, this.m - first);
        this.gather(first, depth);
        this.invertPivots(first, depth);
        this.f64.fill(0, this.w, this.w + n * BLOCK);
        // W = V D⁻¹, as W −= V (−D⁻¹).
        await runner.run({
          c: this.w * 8,
          ldc: BLOCK * 8,
          a: this.v * 8,
          b: this.dInverse * 8,
          depth,
          rowTiles: n / TILE_ROWS,
          columnTiles: Math.ceil(depth / TILE_COLUMNS),
          lower: false,
        });
        this.packTransposed(depth);
        await runner.run({
          c: RESERVED_BYTES,
          ldc: n * 8,
          a: this.w * 8,
          b: this.vt * 8,
          depth,
          rowTiles: n / TILE_ROWS,
          columnTiles: n / TILE_COLUMNS,
          lower: true,
        });
        this.scatter(first, depth);
        await pause();
      }
    } finally {
      runner.close();
    }
    const a = this.values;
    for (let i = 0; i < this.m; i++) for (let j = i * n; j <= i * n + i; j++) a[j] = -a[j];
  }

  /** V = A_·K, rows of BLOCK, from the lower triangle (A[i][j] at the larger index's row). */
  private gather(first: number, depth: number): void {
    const { f64, values: a, v } = this;
    const n = this.stride;
    const last = first + depth;
    // Above the block, V is the transpose of the block's rows: a few rows of V at a time stay in cache.
    for (let i0 = 0; i0 < first; i0 += TRANSPOSE_ROWS) {
      const i1 = Math.min(first, i0 + TRANSPOSE_ROWS);
      for (let t = 0; t < depth; t++) {
        const row = (first + t) * n;
        for (let i = i0; i < i1; i++) f64[v + i * BLOCK + t] = a[row + i];
      }
    }
    for (let i = first; i < last; i++)
      for (let t = 0; t < depth; t++)
        f64[v + i * BLOCK + t] = i < first + t ? a[(first + t) * n + i] : a[i * n + first + t];
    for (let i = last; i < n; i++) f64.set(a.subarray(i * n + first, i * n + last), v + i * BLOCK);
  }

  /** −D⁻¹ (D: V's rows of the block) by the scalar sweep of its lower triangle, packed as the product's B. */
  private invertPivots(first: number, depth: number): void {
    const d = new Float64Array(depth * depth);
    for (let s = 0; s < depth; s++)
      d.set(this.f64.subarray(this.v + (first + s) * BLOCK, this.v + (first + s) * BLOCK + s + 1), s * depth);
    const column = new Float64Array(depth);
    for (let k = 0; k < depth; k++) {
      for (let i = 0; i < depth; i++) column[i] = i < k ? d[k * depth + i] : d[i * depth + k];
      const pivot = column[k];
      if (!(pivot > 0))
        throw new Error(
          `The matrix is not positive definite (pivot ${first + k} is ${pivot}); raise the regularisation.`,
        );
      for (let i = 0; i < depth; i++) {
        const f = column[i] / pivot;
        if (i === k || f === 0) continue;
        const row = i * depth;
        for (let j = 0; j <= i; j++) d[row + j] -= f * column[j];
      }
      for (let i = 0; i < depth; i++)
        if (i < k) d[k * depth + i] = column[i] / pivot;
        else if (i > k) d[i * depth + k] = column[i] / pivot;
      d[k * depth + k] = -1 / pivot;
    }
    const packed = this.f64.subarray(this.dInverse, this.dInverse + BLOCK * BLOCK).fill(0);
    for (let t = 0; t < depth; t++)
      for (let j = 0; j < depth; j++)
        packed[this.packedAt(depth, t, j)] = t < j ? d[j * depth + t] : d[t * depth + j];
  }

  /** Where (s, t) of a depth-term B operand is in its packing. */
  private packedAt(depth: number, s: number, t: number): number {
    return (Math.floor(t / TILE_COLUMNS) * depth + s) * TILE_COLUMNS + (t % TILE_COLUMNS);
  }

  /** Vᵀ packed as the product's B: column tile jt holds V's rows jt·TILE_COLUMNS…, term after term. */
  private packTransposed(depth: number): void {
    const { f64, v, vt } = this;
    const n = this.stride;
    for (let i = 0; i < n; i++) {
      const out = vt + Math.floor(i / TILE_COLUMNS) * depth * TILE_COLUMNS + (i % TILE_COLUMNS);
      const row = v + i * BLOCK;
      for (let t = 0; t < depth; t++) f64[out + t * TILE_COLUMNS] = f64[row + t];
    }
  }

  /** A_·K ← W and A_KK ← −D⁻¹, in the lower triangle. */
  private scatter(first: number, depth: number): void {
    const { f64, values: a, w } = this;
    const n = this.stride;
    const last = first + depth;
    for (let i0 = 0; i0 < first; i0 += TRANSPOSE_ROWS) {
      const i1 = Math.min(first, i0 + TRANSPOSE_ROWS);
      for (let t = 0; t < depth; t++) {
        const row = (first + t) * n;
        for (let i = i0; i < i1; i++) a[row + i] = f64[w + i * BLOCK + t];
      }
    }
    for (let i = last; i < this.m; i++)
      a.set(f64.subarray(w + i * BLOCK, w + i * BLOCK + depth), i * n + first);
    for (let s = 0; s < depth; s++)
      for (let t = 0; t <= s; t++)
        a[(first + s) * n + first + t] = f64[this.dInverse + this.packedAt(depth, s, t)];
  }
}

/** G⁻¹ of an m × m SPD matrix (row-major, the lower triangle read), written over `g` and returned. */
export async function invertSpd(
  g: Float64Array,
  m: number,
  pause: () => Promise<void> = async () => {},
): Promise<Float64Array> {
  const matrix = new SpdMatrix(m);
  const { values, stride } = matrix;
  for (let i = 0; i < m; i++) values.set(g.subarray(i * m, i * m + i + 1), i * stride);
  await matrix.invert(pause);
  for (let i = 0; i < m; i++)
    for (let j = 0; j <= i; j++) {
      g[i * m + j] = values[i * stride + j];
      g[j * m + i] = values[i * stride + j];
    }
  return g;
}
