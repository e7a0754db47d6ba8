/**
 * Exp and Tanh on the wasm backend as SIMD loops (./simd-exponentials) for float32 tensors; the last values
 * short of four, and other types, as before.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, onHeap, wrapWasmKernel, type WasmBackend } from './kernel-memory';
import { simdExponentials, type Elementwise } from './simd-exponentials';

const simd =
  (pick: (fs: { exp: Elementwise; tanh: Elementwise }) => Elementwise, scalar: (x: number) => number) =>
  (plain: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return plain(args);
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput(x.shape, 'float32');
    const vectors = Math.floor(tf.util.sizeFromShape(x.shape) / 4);
    pick(onHeap(backend, simdExponentials))(heapOffset(backend, out), heapOffset(backend, x), vectors);
    // Views after the allocation, which may have moved the heap.
    const [from, to] = [backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out)];
    for (let i = vectors * 4; i < from.length; i++) to[i] = scalar(from[i]);
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
