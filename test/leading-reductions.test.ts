import { describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerLeadingReductionKernels } from '../src/tf-backend';
import { expectLikeCpu, expectRegisteredOnce, onWasmAndCpu, filled } from './helpers/wasm-kernels';

/** Sums and means over leading axes (16-column strips, 4-column strips, both), and those the backend keeps. */
function sums(): tf.Tensor[] {
  const bias = filled([20]);
  const biasGrad = tf.grad((b: tf.Tensor) => tf.sum(tf.square(tf.add(filled([3, 5, 20]), b))))(bias);
  return [
    tf.sum(filled([3, 5, 16]), [0, 1]),
    tf.sum(filled([2, 3, 20]), [1, 0]),
    tf.sum(filled([6, 36]), 0, true),
    tf.sum(filled([7, 3, 8]), [-3], true),
    tf.sum(filled([4, 6]), 0), // 6 columns: not a multiple of 4
    tf.sum(filled([4, 8]), 1), // the last axis
    tf.sum(filled([2, 3, 4]), [0, 2]), // not leading
    tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], 'int32'), 0),
    biasGrad,
    tf.mean(filled([10, 36]), 0),
    tf.mean(filled([2, 5, 8]), [0, 1], true),
    tf.mean(filled([4, 6]), 0),
    tf.moments(filled([12, 20]), 0).variance,
  ];
}

describe('wasm sums and means over leading axes', () => {
  it('gives the numbers, shapes and gradients of the cpu backend', async () => {
    await expectRegisteredOnce('Sum', 'sumsColumns', registerLeadingReductionKernels);
    await expectRegisteredOnce('Mean', 'sumsColumns', registerLeadingReductionKernels);
    const [onWasm, onCpu] = await onWasmAndCpu(sums);
    expectLikeCpu(onWasm, onCpu, 4);
  });
});
