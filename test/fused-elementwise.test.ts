import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { addcmul, initTensorFlow, lerp } from '../src/tf-backend';
import { expectLikeCpu, expectSameAsOps, onWasmAndCpu, filled } from './helpers/wasm-kernels';

/** Three operands of `shape`; 3 × 7 leaves a tail short of four values. */
const operands = (shape: number[]) => [
  filled(shape, (i) => Math.sin(i) * 3),
  filled(shape, (i) => Math.cos(i * 1.3) * 2),
  filled(shape, (i) => 1 / (1 + Math.exp(-Math.sin(i * 0.7) * 4))),
];

/** Σ c·f(…) with a distinct weight c per position, so each position gets its own dy. */
const weighted = (y: tf.Tensor) =>
  tf.sum(
    tf.mul(
      y,
      tf
        .range(1, y.size + 1)
        .reshape(y.shape)
        .div(7),
    ),
  );

/** The ops' values and gradients, by `lerp` and `addcmul` or by TensorFlow.js's ops. */
function results(fused: boolean): tf.Tensor[] {
  const lerpOf = fused
    ? lerp
    : (s: tf.Tensor, e: tf.Tensor, w: tf.Tensor) => tf.add(s, tf.mul(w, tf.sub(e, s)));
  const addcmulOf = fused ? addcmul : (x: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.add(x, tf.mul(a, b));
  const out: tf.Tensor[] = [];
  for (const shape of [[4, 8], [3, 7], [1]]) {
    const [a, b, c] = operands(shape);
    out.push(lerpOf(a, b, c), addcmulOf(a, b, c));
    out.push(...tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => weighted(lerpOf(x, y, z)))([a, b, c]));
    out.push(
      ...tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => weighted(addcmulOf(x, y, z)))([a, b, c]),
    );
    out.push(
      tf.grad((x: tf.Tensor) => weighted(tf.sigmoid(x)))(a),
      tf.grad((x: tf.Tensor) => weighted(tf.tanh(x)))(a),
    );
  }
  // Operands of different shapes keep TensorFlow.js's broadcasting ops.
  const [rows, , weights] = operands([3, 5]);
  out.push(lerpOf(rows, tf.scalar(2), weights), addcmulOf(rows, weights, filled([5], Math.cos)));
  return out;
}

/** TensorFlow.js's own gradients of Sigmoid and Tanh: dy·(y·(1 − y)) and (1 − y²)·dy. */
function activationGradients(): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const shape of [[4, 8], [3, 7], [1]]) {
    const [a] = operands(shape);
    const dy = tf
      .range(1, a.size + 1)
      .reshape(a.shape)
      .div(7);
    const [s, t] = [tf.sigmoid(a), tf.tanh(a)];
    out.push(tf.mul(dy, tf.mul(s, tf.sub(1, s))), tf.mul(tf.sub(1, tf.square(t)), dy));
  }
  return out;
}

describe('lerp, addcmul and the activation gradients as single kernels', () => {
  it('give TensorFlow.js ops’ values and gradients on wasm and cpu, tails and broadcasts included', async () => {
    // Same float32 arithmetic in the same order: equal to the last bit on each backend (whose exp and tanh differ
    // in the last bits).
    const [fusedOnWasm, fusedOnCpu] = await expectSameAsOps(results);
    expectLikeCpu(fusedOnWasm, fusedOnCpu, 5);
    const [referenceOnWasm, referenceOnCpu] = await onWasmAndCpu(activationGradients);
    const activations = (r: unknown[]) => r.filter((_, i) => i < 3 * 10 && i % 10 >= 8);
    expect(activations(fusedOnWasm)).toEqual(referenceOnWasm);
    expect(activations(fusedOnCpu)).toEqual(referenceOnCpu);
  });

  it('run as one kernel forward and one backward where the backend has them', async () => {
    await initTensorFlow('wasm');
    const [a, b, c] = operands([4, 8]);
    const cases: [string, () => unknown, string[]][] = [
      [
        'lerp',
        () => tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => weighted(lerp(x, y, z)))([a, b, c]),
        ['ReclabLerp', 'ReclabLerpGrad'],
      ],
      [
        'addcmul',
        () => tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => weighted(addcmul(x, y, z)))([a, b, c]),
        ['ReclabAddcmul'],
      ],
      ['sigmoid', () => tf.grad((x: tf.Tensor) => weighted(tf.sigmoid(x)))(a), ['ReclabSigmoidGrad']],
      ['tanh', () => tf.grad((x: tf.Tensor) => weighted(tf.tanh(x)))(a), ['ReclabTanhGrad']],
    ];
    for (const [, f, kernels] of cases) {
      const profile = await tf.profile(() => f() as tf.Tensor[]);
      for (const k of kernels) expect(profile.kernelNames).toContain(k);
      expect(profile.kernelNames).not.toContain('Sub');
    }
  });
});
