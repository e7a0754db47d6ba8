/**
 * The wasm backend multiplies a batch of matrices (`matMul` of rank-3 or rank-4 tensors, as an
 * attention layer's scores and weighted values are, forward and backward) in a scalar loop at
 * about 2 GFLOP/s, a tenth of what it reaches on one big matrix; in SASRec's step those
 * products took half the time. The SIMD product (./simd-matmul) runs them at 10–20 GFLOP/s,
 * on the backend's heap, reading transposed operands in place. Single products keep the
 * backend's own kernel (XNNPACK), as fast or faster there.
 */
import * as tf from '@tensorflow/tfjs';
import { wrapWasmKernel, type WasmBackend } from './kernel-memory';
import { PANEL, simdMatMul } from './simd-matmul';

/**
 * Terms of the product taken at once: a panel of B that deep (8 KB) stays in L1 while the rows of A stream
 * by, where a product as deep as a weight's gradient (k = batch × positions) would sweep A from memory once
 * per panel.
 */
const DEPTH_CHUNK = 256;

const product = (shape: number[]) => shape.reduce((x, y) => x * y, 1);
const instances = new WeakMap<object, ReturnType<typeof simdMatMul>>();

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
  const [aBatch, bBatch] = [product(aOuter), product(bOuter)];
  const outer = tf.backend_util.assertAndGetBroadcastShape(aOuter, bOuter);
  const batch = product(outer);
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
  let simd = instances.get(backend);
  if (!simd) instances.set(backend, (simd = simdMatMul(backend.wasm.asm.memory)));
  const out = backend.makeOutput([...outer, m, n], 'float32');
  const offset = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
  const [sAi, sAt] = transposeA ? [4, m * 4] : [k * 4, 4];
  const [sBt, sBj] = transposeB ? [4, k * 4] : [n * 4, 4];
  const chunk = Math.min(k, DEPTH_CHUNK);
  const panels = backend.wasm._malloc(Math.ceil(n / PANEL) * PANEL * chunk * 4);
  try {
    const [ao, bo, co] = [offset(a), offset(b), offset(out)];
    for (let x = 0; x < batch; x++) {
      const [ax, bx] = [ao + (aBatch > 1 ? x * m * k * 4 : 0), bo + (bBatch > 1 ? x * k * n * 4 : 0)];
      for (let t = 0; t < k; t += chunk) {
        const depth = Math.min(chunk, k - t);
        // A shared B no deeper than one chunk is packed once for the whole batch.
        if (x === 0 || bBatch > 1 || k > chunk) simd.pack(panels, bx + t * sBt, depth, n, sBt, sBj);
        simd.gemm(co + x * m * n * 4, ax + t * sAt, panels, m, depth, n, sAi, sAt, n * 4, t > 0 ? 1 : 0);
      }
    }
  } finally {
    backend.wasm._free(panels);
  }
  return out;
}

export function registerBatchedMatMulKernel(): void {
  wrapWasmKernel('BatchMatMul', 'simdBatches', (plain) => (args) => {
    const { a, b } = args.inputs as MatMulArgs['inputs'];
    const batched = product(a.shape.slice(0, -2)) > 1 || product(b.shape.slice(0, -2)) > 1;
    return (batched && simdBatchMatMul(args as unknown as MatMulArgs)) || plain(args);
  });
}
