import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerBinaryKernels } from '../src/tf-backend';
import { expectRegisteredOnce, onWasmAndCpu, filled } from './helpers/wasm-kernels';

/** Every op over one shape (with and without a tail short of 4), a single value on either side, and the rest. */
function results(): tf.Tensor[] {
  const ops = [tf.add, tf.sub, tf.mul, tf.div];
  const out: tf.Tensor[] = [];
  for (const shape of [[4, 8], [3, 7], [1]]) {
    const a = filled(shape, (i) => Math.sin(i) * 3);
    const b = filled(shape, (i) => (i % 5 === 0 ? 0 : Math.cos(i)));
    for (const f of ops)
      out.push(f(a, b), f(a, tf.scalar(-1.5)), f(tf.scalar(0.25), b), f(tf.tensor([2]), a));
  }
  const rows = filled([3, 5], Math.sin);
  // Broadcasts of other shapes and int32 keep the backend's kernels.
  out.push(tf.add(rows, filled([3, 1], Math.cos)), tf.mul(rows, filled([5], Math.cos)));
  out.push(tf.add(tf.tensor([1, 2, 3], [3], 'int32'), tf.tensor([4, 5, 6], [3], 'int32')));
  out.push(tf.sub(tf.tensor([[5]]), tf.tensor([1, 2, 3])));
  const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.div(tf.mul(x, y), tf.add(y, 3))))([
    filled([2, 6], Math.sin),
    filled([2, 6], Math.cos),
  ]);
  return [...out, da, db];
}

describe('wasm Add, Sub, Multiply and RealDiv in SIMD', () => {
  it('give the numbers, shapes and gradients of the cpu backend, infinities and NaN included', async () => {
    for (const name of ['Add', 'Sub', 'Multiply', 'RealDiv'])
      await expectRegisteredOnce(name, 'simdBinary', registerBinaryKernels);
    const [onWasm, onCpu] = await onWasmAndCpu(results);
    expect(onWasm).toEqual(onCpu);
  });
});
