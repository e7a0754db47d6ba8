import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { batchedAffine, initTensorFlow } from '../src/tf-backend';
import { expectSameAsOps, filled } from './helpers/wasm-kernels';

/** a·b + bias and its gradients, by batchedAffine or by tf.fused.matMul; weighted so each output has its own dy. */
function results(direct: boolean): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const [batch, m, k, n] of [
    [1, 5, 3, 6],
    [2, 4, 7, 3],
  ]) {
    const a = filled([batch, m, k], (i) => Math.sin(i));
    const b = filled([batch, k, n], (i) => Math.cos(i * 0.7));
    const bias = filled([n], (i) => i - 1.5);
    const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
      direct
        ? batchedAffine(x as tf.Tensor3D, y as tf.Tensor3D, z as tf.Tensor1D)
        : tf.fused.matMul({ a: x as tf.Tensor3D, b: y as tf.Tensor3D, bias: z });
    const weights = tf.range(1, batch * m * n + 1).reshape([batch, m, n]);
    out.push(f(a, b, bias), ...tf.grads((x, y, z) => tf.sum(tf.mul(f(x, y, z), weights)))([a, b, bias]));
  }
  return out;
}

describe('batchedAffine', () => {
  it('gives tf.fused.matMul’s values and gradients on wasm and cpu, in one taped kernel call', async () => {
    await expectSameAsOps(results);
    const a = filled([1, 5, 3], Math.sin) as tf.Tensor3D;
    const b = filled([1, 3, 6], Math.cos) as tf.Tensor3D;
    const bias = tf.zeros([6]) as tf.Tensor1D;
    // tf.fused.matMul runs Reshape and _FusedMatMul here, and tapes its own gradient around them.
    const profile = await tf.profile(() => batchedAffine(a, b, bias));
    expect(profile.kernelNames).toEqual(['_FusedMatMul']);
  });

  it('says which shapes do not fit', async () => {
    await initTensorFlow('wasm');
    expect(() => batchedAffine(tf.zeros([1, 5, 3]), tf.zeros([1, 4, 6]), tf.zeros([6]))).toThrow(
      'batchedAffine: [1,5,3] · [1,4,6] + [6] do not fit: give a [batch, m, k], b [batch, k, n] and bias [n]',
    );
  });
});
