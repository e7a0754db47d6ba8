/**
 * The wasm backend multiplies a transposed operand (`matMul(a, b, false, true)` and the
 * like) through a slow strided path: up to ten times the time of the plain product. Every
 * backward pass of a dense layer asks for exactly those products (dx = dy·Wᵀ, dW = xᵀ·dy),
 * so training a model spends most of its time there. Transposing the operand first (a
 * fast copy) and multiplying plainly gives the same numbers, much sooner.
 */
import * as tf from '@tensorflow/tfjs';
import { wrapWasmKernel } from './kernel-memory';

interface Backend {
  disposeData(dataId: tf.DataId): void;
}

export function registerTransposedMatMulKernel(): void {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) return;
  wrapWasmKernel('BatchMatMul', 'transposesFirst', (plain) => (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return plain(args);
    const flip = (x: tf.TensorInfo): tf.TensorInfo => {
      const rank = x.shape.length;
      const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
      return transpose.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
    };
    const left = transposeA ? flip(a) : a;
    const right = transposeB ? flip(b) : b;
    try {
      return plain({
        ...args,
        inputs: { a: left, b: right },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      const backend = args.backend as unknown as Backend;
      if (transposeA) backend.disposeData(left.dataId);
      if (transposeB) backend.disposeData(right.dataId);
    }
  });
}
