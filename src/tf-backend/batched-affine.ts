/**
 * a·b + bias on 3-D operands as one taped call of the backend's fused product, with a registered gradient of
 * two products and a sum. `tf.fused.matMul` reshapes both operands to 3-D and its result back, each reshape
 * taped with a clone of its input, and its gradient reshapes again around every product: in a GRU step on wasm
 * that was 14 of 50 kernel calls, each costing more in TensorFlow.js's dispatch than in arithmetic. Every
 * backend has `_FusedMatMul`; TensorFlow.js tapes it only through `tf.fused.matMul`'s own gradient, which
 * this registration leaves as it is.
 */
import * as tf from '@tensorflow/tfjs';

const FUSED_MATMUL = '_FusedMatMul';

/** a [batch, m, k] · b [batch, k, n] + bias [n], batch the same on both sides. */
export function batchedAffine(a: tf.Tensor3D, b: tf.Tensor3D, bias: tf.Tensor1D): tf.Tensor3D {
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1] || bias.shape[0] !== b.shape[2])
    throw new Error(
      `batchedAffine: [${a.shape}] · [${b.shape}] + [${bias.shape}] do not fit: ` +
        'give a [batch, m, k], b [batch, k, n] and bias [n]',
    );
  const attrs = { transposeA: false, transposeB: false, activation: 'linear' };
  return tf.engine().runKernel(FUSED_MATMUL, { a, b, bias }, attrs) as tf.Tensor3D;
}

const product = (a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean) =>
  tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA, transposeB }) as tf.Tensor;

export const BATCHED_AFFINE_GRADIENT: tf.GradConfig = {
  kernelName: FUSED_MATMUL,
  inputsToSave: ['a', 'b', 'bias'],
  gradFunc: (dy, [a, b], attrs) => {
    if (attrs.activation !== 'linear' || attrs.transposeA || attrs.transposeB)
      throw new Error('batchedAffine has gradients for a·b + bias only, with no activation or transposes');
    const d = dy as tf.Tensor;
    return {
      a: () => product(d, b, false, true),
      b: () => product(a, d, true, false),
      bias: () => tf.sum(d, [0, 1]),
    };
  },
};

export function registerBatchedAffineGradient(): void {
  tf.registerGradient(BATCHED_AFFINE_GRADIENT);
}
