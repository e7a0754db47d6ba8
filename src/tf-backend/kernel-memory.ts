/**
 * What RecLab's own kernels need of the backends whose tensors live in this process: views of
 * a tensor's values (the wasm heap, the cpu backend's arrays) and new outputs, as the backends
 * have them but do not type them; and the one way a wasm kernel is wrapped.
 */
import * as tf from '@tensorflow/tfjs';

export type KernelValues = Float32Array | Int32Array | Uint8Array;

export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of the values on the heap: take it after every allocation, which may move the heap. */
  typedArrayFromHeap(info: tf.TensorInfo): KernelValues;
}

export interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: KernelValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: KernelValues): tf.TensorInfo;
}

/**
 * Replaces the wasm backend's `kernelName` with `wrap(its own kernel)`, marked `mark` so that a
 * second registration keeps the wrapper instead of wrapping it again.
 */
export function wrapWasmKernel(
  kernelName: string,
  mark: string,
  wrap: (plain: tf.KernelFunc) => tf.KernelFunc,
): void {
  const plain = tf.getKernel(kernelName, 'wasm');
  if (!plain || (plain.kernelFunc as unknown as Record<string, unknown>)[mark]) return;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...plain, kernelFunc: Object.assign(wrap(plain.kernelFunc), { [mark]: true }) });
}
