/**
 * The wasm backend multiplies a transposed operand (`matMul(a, b, false, true)` and the
 * like) through a slow strided path: up to ten times the time of the plain product. Every
 * backward pass of a dense layer asks for exactly those products (dx = dy·Wᵀ, dW = xᵀ·dy),
 * so training a model spends most of its time there. Transposing the operand first (a
 * fast copy) and multiplying plainly gives the same numbers, much sooner.
 */
import * as tf from '@tensorflow/tfjs';

interface Backend {
  disposeData(dataId: tf.DataId): void;
}

export function registerTransposedMatMulKernel(): void {
  const plain = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  // Registered once: wrapping the wrapper would only add a call.
  if (!plain || !transpose || (plain.kernelFunc as { transposesFirst?: boolean }).transposesFirst) return;
  const kernelFunc: tf.KernelFunc & { transposesFirst?: boolean } = (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return plain.kernelFunc(args);
    const flip = (x: tf.TensorInfo): tf.TensorInfo => {
      const rank = x.shape.length;
      const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
      return transpose.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
    };
    const left = transposeA ? flip(a) : a;
    const right = transposeB ? flip(b) : b;
    try {
      return plain.kernelFunc({
        ...args,
        inputs: { a: left, b: right },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      const backend = args.backend as unknown as Backend;
      if (transposeA) backend.disposeData(left.dataId);
      if (transposeB) backend.disposeData(right.dataId);
    }
  };
  kernelFunc.transposesFirst = true;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...plain, kernelFunc });
}
