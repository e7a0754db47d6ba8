import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initTensorFlow } from '../src/tf-backend';
import { onWasmAndCpu } from './helpers/wasm-kernels';

const x = () =>
  tf.tensor3d(
    Array.from({ length: 24 }, (_, i) => Math.cos(i)),
    [2, 3, 4],
  );
/** Weights on the reduced tensor, so each reduced position gets its own dy. */
const weighted = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.range(1, y.size + 1).reshape(y.shape)));

describe('the gradients of Sum and Mean', () => {
  it('spread dy over the reduced axes (÷ their size for Mean) on wasm and cpu alike', async () => {
    await initTensorFlow('wasm');
    const [onWasm, onCpu] = await onWasmAndCpu(() => [
      tf.grad((t: tf.Tensor) => weighted(tf.sum(t, 1)))(x()),
      tf.grad((t: tf.Tensor) => weighted(tf.sum(t, [0, 2], true)))(x()),
      tf.grad((t: tf.Tensor) => weighted(tf.mean(t, -1)))(x()),
      tf.grad((t: tf.Tensor) => weighted(tf.mean(t, [0, 1])))(x()),
    ]);
    expect(onWasm).toEqual(onCpu);
    const [sum1, sum02, meanLast, mean01] = onCpu.map((r) => (r as [number[], string, unknown])[2]);
    // d/dx[i][j][k] of Σ w·sum over axis 1 is the weight of (i, k).
    expect(sum1).toEqual([0, 1].map((i) => [0, 1, 2].map(() => [1, 2, 3, 4].map((k) => i * 4 + k))));
    expect(sum02).toEqual([0, 1].map(() => [1, 2, 3].map((j) => [0, 1, 2, 3].map(() => j))));
    expect(meanLast).toEqual(
      [0, 1].map((i) => [0, 1, 2].map((j) => Array(4).fill(Math.fround((i * 3 + j + 1) / 4)))),
    );
    expect(mean01).toEqual(
      [0, 1].map(() => [0, 1, 2].map(() => [1, 2, 3, 4].map((k) => Math.fround(k / 6)))),
    );
  });

  it('make the ones they spread with on the backend, not in JavaScript', async () => {
    await initTensorFlow('wasm');
    for (const reduce of [(t: tf.Tensor) => tf.sum(t, 1), (t: tf.Tensor) => tf.mean(t, 1)]) {
      const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => weighted(reduce(t)))(x()));
      expect(profile.kernelNames).toContain('OnesLike');
    }
  });
});
