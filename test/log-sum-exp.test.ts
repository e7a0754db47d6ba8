import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initTensorFlow } from '../src/tf-backend';
import { logSumExpRows } from '../src/recsys/engine/log-sum-exp';

/** Rows of logits, one of them far out of exp's range. */
const logits = () =>
  tf.tensor2d(
    [
      [0.5, -1, 2, 0],
      [3, 3, 3, 3],
      [1000, 999, -1000, 998],
    ],
    [3, 4],
  );
/** A weighted sum of the rows' values, so each row's gradient is scaled differently. */
const weights = () => tf.tensor1d([1, -2, 0.5]);

describe('logSumExpRows', () => {
  it("gives TensorFlow.js's values and gradient, and stays finite for large logits", async () => {
    await initTensorFlow('wasm');
    const ours = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(logSumExpRows(x as tf.Tensor2D), weights())));
    const theirs = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.logSumExp(x, 1), weights())));
    const values = logSumExpRows(logits()).arraySync();
    (tf.logSumExp(logits(), 1).arraySync() as number[]).forEach((v, r) =>
      expect(values[r]).toBeCloseTo(v, 4),
    );
    expect(values[2]).toBeCloseTo(1000 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), 3);
    const [g, h] = [ours(logits()).arraySync() as number[][], theirs(logits()).arraySync() as number[][]];
    g.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(h[r][c], 5)));
    // Each row's gradient is its softmax times the row's weight: it sums to the weight.
    expect(g.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(
      [1, -2, 0.5].map((w) => expect.closeTo(w, 5)),
    );
  });

  it("differentiates without comparing every logit with its row's max (the Equal that tf.logSumExp runs)", async () => {
    await initTensorFlow('wasm');
    const kernels = async (f: (x: tf.Tensor2D) => tf.Tensor) =>
      (await tf.profile(() => tf.grad((x: tf.Tensor) => tf.sum(f(x as tf.Tensor2D)))(logits()))).kernelNames;
    expect(await kernels((x) => tf.logSumExp(x, 1))).toContain('Equal');
    expect(await kernels(logSumExpRows)).not.toContain('Equal');
  });
});
