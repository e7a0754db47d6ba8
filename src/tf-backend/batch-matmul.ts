/**
 * Float32 matrix products on the wasm backend, done by the SIMD product (./simd-matmul) on the
 * backend's heap instead of the backend's own kernel:
 * - a batch of matrices (`matMul` of rank-3 or rank-4 tensors, as an attention layer's scores
 *   and weighted values are, forward and backward) goes through a scalar loop there, about
 *   2 GFLOP/s; in SASRec's step those products took half the time. The SIMD product runs them
 *   at 10–20 GFLOP/s.
 * - a transposed operand is first copied transposed for XNNPACK: 0.5 s for a full softmax's
 *   6,400 × 9,724ᵀ · 6,400 × 64, which read in place takes 0.28 s.
 * - the dense layers' products (512 × 80 · 80 × 200, 6,400 × 64 · 64 × 64, and their
 *   gradients): medians of 60 interleaved runs were 11–41% shorter than XNNPACK's; on products
 *   of a hundred milliseconds and more the two were within 12% of each other, either way.
 * Other types keep the backend's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, onHeap, wrapWasmKernel, type WasmBackend } from './kernel-memory';
import { PANEL, simdMatMul } from './simd-matmul';

/**
 * Terms of the product taken at once: a panel of B that deep (8 KB) stays in L1 while the rows of A stream
 * by, where a product as deep as a weight's gradient (k = batch × positions) would sweep A from memory once
 * per panel.
 */
const DEPTH_CHUNK = 256;
/**
 * Rows of A taken at once: their chunk (up to 256 KB) stays in L2 while every panel of B passes, where all of
 * a tall A (the 6,400 rows of a full softmax's logits) would come from memory again for each panel.
 */
const ROW_BLOCK = 256;

/** BatchMatMul's arguments. */
export interface MatMulArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  attrs: { transposeA: boolean; transposeB: boolean };
  backend: WasmBackend;
}

/** The product in SIMD; null where it does not apply (other dtypes, empty operands, a partial broadcast). */
export function simdBatchMatMul({ inputs: { a, b }, attrs, backend }: MatMulArgs): tf.TensorInfo | null {
  const { transposeA, transposeB } = attrs;
  const [aOuter, bOuter] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  const [aBatch, bBatch] = [tf.util.sizeFromShape(aOuter), tf.util.sizeFromShape(bOuter)];
  const outer = tf.backend_util.assertAndGetBroadcastShape(aOuter, bOuter);
  const batch = tf.util.sizeFromShape(outer);
  const [ra, rb] = [a.shape.length, b.shape.length];
  const m = a.shape[transposeA ? ra - 1 : ra - 2];
  const k = a.shape[transposeA ? ra - 2 : ra - 1];
  const n = b.shape[transposeB ? rb - 2 : rb - 1];
  if (
    // A partial broadcast ([2, 1] against [1, 3]) pairs the matrices in a pattern this loop does not follow.
    (aBatch !== 1 && aBatch !== batch) ||
    (bBatch !== 1 && bBatch !== batch) ||
    a.dtype !== 'float32' ||
    b.dtype !== 'float32' ||
    m * k * n === 0
  )
    return null;
  const simd = onHeap(backend, simdMatMul);
  const out = backend.makeOutput([...outer, m, n], 'float32');
  const [sAi, sAt] = transposeA ? [4, m * 4] : [k * 4, 4];
  const [sBt, sBj] = transposeB ? [4, k * 4] : [n * 4, 4];
  const chunk = Math.min(k, DEPTH_CHUNK);
  const panels = backend.wasm._malloc(Math.ceil(n / PANEL) * PANEL * chunk * 4);
  try {
    const [ao, bo, co] = [a, b, out].map((t) => heapOffset(backend, t));
    for (let x = 0; x < batch; x++) {
      const [ax, bx] = [ao + (aBatch > 1 ? x * m * k * 4 : 0), bo + (bBatch > 1 ? x * k * n * 4 : 0)];
      for (let t = 0; t < k; t += chunk) {
        const depth = Math.min(chunk, k - t);
        // A shared B no deeper than one chunk is packed once for the whole batch.
        if (x === 0 || bBatch > 1 || k > chunk) {
          if (sBj === 4 && n % PANEL === 0) simd.packRows(panels, bx + t * sBt, depth, n / PANEL, sBt);
          else simd.pack(panels, bx + t * sBt, depth, n, sBt, sBj);
        }
        for (let i = 0; i < m; i += ROW_BLOCK)
          simd.gemm(
            co + (x * m + i) * n * 4,
            ax + i * sAi + t * sAt,
            panels,
            Math.min(ROW_BLOCK, m - i),
            depth,
            n,
            sAi,
            sAt,
            n * 4,
            t > 0 ? 1 : 0,
          );
      }
    }
  } finally {
    backend.wasm._free(panels);
  }
  return out;
}

export function registerBatchMatMulKernel(): void {
  wrapWasmKernel(
    'BatchMatMul',
    'simdProducts',
    (plain) => (args) => simdBatchMatMul(args as unknown as MatMulArgs) ?? plain(args),
  );
}
