import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerBatchMatMulKernel, registerFusedMatMulKernel } from '../src/tf-backend';
import { expectLikeCpu, expectRegisteredOnce, onWasmAndCpu, filled } from './helpers/wasm-kernels';

/** Batched products of every layout the SIMD product meets, and a gradient through one. */
function products(): tf.Tensor[] {
  // m = 5 and n = 11 leave a partial row tile and a partial panel; k = 600 takes three chunks of depth.
  const out: tf.Tensor[] = [];
  for (const [m, k, n] of [
    [5, 7, 11],
    [6, 600, 9],
  ])
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        const a = filled(ta ? [3, k, m] : [3, m, k], Math.sin);
        const b = filled(tb ? [3, n, k] : [3, k, n], Math.cos);
        out.push(tf.matMul(a, b, ta, tb));
        // One side shared by the whole batch, either side.
        out.push(tf.matMul(a.slice([1], [1]), b, ta, tb), tf.matMul(a, b.slice([2], [1]), ta, tb));
      }
  // Attention's shapes: a head axis of 1.
  out.push(tf.matMul(filled([2, 1, 4, 8], Math.sin), filled([2, 1, 4, 8], Math.cos), false, true));
  // Single products, A transposed tall enough for several blocks of rows.
  out.push(tf.matMul(filled([5, 7], Math.sin), filled([7, 11], Math.cos)));
  out.push(tf.matMul(filled([5, 7], Math.sin), filled([11, 7], Math.cos), false, true));
  out.push(tf.matMul(filled([300, 600], Math.sin), filled([300, 6], Math.cos), true, false));
  out.push(tf.matMul(filled([9, 5], Math.sin), filled([7, 9], Math.cos), true, true));
  // An empty product, which keeps the backend's own kernel.
  out.push(tf.matMul(tf.zeros([2, 0, 3]), tf.zeros([2, 3, 4])));
  const a = filled([2, 3, 4], Math.sin);
  const b = filled([2, 4, 5], Math.cos);
  const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y))))([a, b]);
  return [...out, da, db];
}

/** Dense layers' fused products: bias and ReLU, either, neither, over partial vectors; the ones left to the backend. */
function fusedProducts(): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const n of [8, 11, 1])
    for (const activation of ['linear', 'relu'] as const)
      for (const withBias of [true, false]) {
        const a = filled([13, 6], (i) => Math.sin(i) * 2);
        const b = filled([6, n], Math.cos);
        const bias = withBias ? filled([n], (i) => Math.sin(3 * i)) : undefined;
        out.push(tf.fused.matMul({ a, b, bias, activation }));
      }
  // Transposed operands, a batch, and activations the SIMD product leaves to the backend.
  const a = filled([2, 6, 5], Math.sin);
  const b = filled([2, 7, 6], Math.cos);
  const bias = filled([7], Math.cos);
  out.push(tf.fused.matMul({ a, b, bias, transposeA: true, transposeB: true, activation: 'relu' }));
  // (The backend's own kernel is not compared on transposed batches: it gets some of them wrong.)
  const [a2, b2] = [filled([5, 6], Math.sin), filled([6, 7], Math.cos)];
  out.push(tf.fused.matMul({ a: a2, b: b2, bias, activation: 'elu' }));
  out.push(tf.fused.matMul({ a: a2, b: b2, activation: 'prelu', preluActivationWeights: bias }));
  const x = filled([4, 6], Math.sin);
  const w = filled([6, 3], Math.cos);
  const grads = tf.grads((xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) =>
    tf.sum(
      tf.square(
        tf.fused.matMul({ a: xv as tf.Tensor2D, b: wv as tf.Tensor2D, bias: bv, activation: 'relu' }),
      ),
    ),
  )([x, w, filled([3], Math.sin)]);
  return [...out, ...grads];
}

describe('wasm float32 matMul in SIMD', () => {
  it('gives the numbers and gradients of the cpu backend', async () => {
    await expectRegisteredOnce('BatchMatMul', 'simdProducts', registerBatchMatMulKernel);
    const [onWasm, onCpu] = await onWasmAndCpu(products);
    // Sums of up to 600 terms in float32, in another order.
    expectLikeCpu(onWasm, onCpu, 3);
  });

  it('leaves no buffer behind', async () => {
    await expectRegisteredOnce('BatchMatMul', 'simdProducts', registerBatchMatMulKernel);
    const a = filled([4, 6, 300], Math.sin);
    const b = filled([4, 300, 10], Math.cos);
    const buffers = () => tf.engine().backend.numDataIds();
    const before = buffers();
    tf.tidy(() => {
      tf.matMul(a, b).dataSync();
    });
    expect(buffers()).toBe(before);
    tf.dispose([a, b]);
  });
});

describe('wasm fused matMul (bias, ReLU) in SIMD', () => {
  it('gives the numbers and gradients of the cpu backend', async () => {
    await expectRegisteredOnce('_FusedMatMul', 'simdProducts', registerFusedMatMulKernel);
    const [onWasm, onCpu] = await onWasmAndCpu(fusedProducts);
    expectLikeCpu(onWasm, onCpu, 5);
  });
});
