/**
 * Exp and Tanh on the wasm backend as SIMD loops (./simd-exponentials) for float32 tensors; the last values
 * short of four, and other types, as before.
 */
import type * as tf from '@tensorflow/tfjs';
import { onHeap, vectorsOnHeap, wrapWasmKernel, type WasmBackend } from './kernel-memory';
import { simdExponentials, type Elementwise } from './simd-exponentials';

const simd =
  (pick: (fs: { exp: Elementwise; tanh: Elementwise }) => Elementwise, scalar: (x: number) => number) =>
  (plain: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return plain(args);
    const backend = args.backend as unknown as WasmBackend;
    const fn = pick(onHeap(backend, simdExponentials));
    const [out] = vectorsOnHeap(backend, x.shape, 1, [x], fn, ([from], [to], i) => (to[i] = scalar(from[i])));
    return out;
  };

export function registerExponentialKernels(): void {
  wrapWasmKernel(
    'Exp',
    'simdExponential',
    simd((fs) => fs.exp, Math.exp),
  );
  wrapWasmKernel(
    'Tanh',
    'simdExponential',
    simd((fs) => fs.tanh, Math.tanh),
  );
}
