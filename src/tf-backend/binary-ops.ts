/**
 * Add, Sub, Multiply and RealDiv of float32 tensors of one shape, or one of them a single value, on the wasm
 * backend as SIMD loops (./simd-binary). The backend sets up an XNNPACK operator for every call: for a
 * recurrent step's 128 × 64 values that took 7–12 µs a call where the arithmetic takes about one, and a
 * GRU4Rec epoch makes some 18,000 such calls. Broadcasts of other shapes and other types keep the backend's
 * kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { onHeap, vectorsOnHeap, wrapWasmKernel, type WasmBackend } from './kernel-memory';
import { simdBinary, type BinaryOp, type Layout } from './simd-binary';

const KERNELS: [string, BinaryOp, (x: number, y: number) => number][] = [
  ['Add', 'add', (x, y) => x + y],
  ['Sub', 'sub', (x, y) => x - y],
  ['Multiply', 'mul', (x, y) => x * y],
  ['RealDiv', 'div', (x, y) => x / y],
];

function layoutOf(a: tf.TensorInfo, b: tf.TensorInfo): Layout | null {
  const [na, nb] = [tf.util.sizeFromShape(a.shape), tf.util.sizeFromShape(b.shape)];
  if (tf.util.arraysEqual(a.shape, b.shape)) return 'same';
  // A single value broadcasts to the other's shape only if it has no more axes.
  if (na === 1 && a.shape.length <= b.shape.length) return 'aScalar';
  if (nb === 1 && b.shape.length <= a.shape.length) return 'bScalar';
  return null;
}

const simd =
  (name: BinaryOp, scalar: (x: number, y: number) => number) =>
  (plain: tf.KernelFunc): tf.KernelFunc =>
  (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const layout = a.dtype === 'float32' && b.dtype === 'float32' ? layoutOf(a, b) : null;
    if (!layout) return plain(args);
    const backend = args.backend as unknown as WasmBackend;
    const fn = onHeap(backend, simdBinary)[`${name}_${layout}`];
    const [out] = vectorsOnHeap(
      backend,
      layout === 'aScalar' ? b.shape : a.shape,
      1,
      [a, b],
      fn,
      ([x, y], [z], i) =>
        (z[i] = scalar(layout === 'aScalar' ? x[0] : x[i], layout === 'bScalar' ? y[0] : y[i])),
    );
    return out;
  };

export function registerBinaryKernels(): void {
  for (const [kernelName, name, scalar] of KERNELS)
    wrapWasmKernel(kernelName, 'simdBinary', simd(name, scalar));
}
