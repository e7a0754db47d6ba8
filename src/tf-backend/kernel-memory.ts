/**
 * What RecLab's own kernels need of the backends whose tensors live in this process: views of
 * a tensor's values (the wasm heap, the cpu backend's arrays), their offsets on the wasm heap
 * and new outputs, as the backends have them but do not type them; the WebAssembly modules
 * instantiated over that heap; and the one way a wasm kernel is wrapped.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmMemory } from '../wasm';

export type KernelValues = Float32Array | Int32Array | Uint8Array;

export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of the values on the heap: take it after every allocation, which may move the heap. */
  typedArrayFromHeap(info: tf.TensorInfo): KernelValues;
  /** Where each tensor's values start on the heap, in bytes. */
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  /** The backend's Emscripten module: its heap's memory and allocator. */
  wasm: { asm: { memory: WasmMemory }; _malloc(bytes: number): number; _free(offset: number): void };
}

export interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: KernelValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: KernelValues): tf.TensorInfo;
}

/**
 * Replaces the wasm backend's `kernelName` with `wrap(its own kernel)`, marked `mark` so that a
 * second registration keeps the wrapper instead of wrapping it again, even under another wrapper.
 */
export function wrapWasmKernel(
  kernelName: string,
  mark: string,
  wrap: (plain: tf.KernelFunc) => tf.KernelFunc,
): void {
  const plain = tf.getKernel(kernelName, 'wasm');
  const marks = plain?.kernelFunc as unknown as Record<string, true> | undefined;
  if (!plain || marks?.[mark]) return;
  tf.unregisterKernel(kernelName, 'wasm');
  // A wrapper carries the marks of the wrappers inside it, so none of them is wrapped twice.
  tf.registerKernel({ ...plain, kernelFunc: Object.assign(wrap(plain.kernelFunc), marks, { [mark]: true }) });
}

/** Registers `kernelName` on each backend named, in place of what was registered there (ours or the backend's). */
export function registerKernels(kernelName: string, kernels: Record<string, tf.KernelFunc>): void {
  for (const [backendName, kernelFunc] of Object.entries(kernels)) {
    if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
}

const instances = new WeakMap<object, Map<unknown, unknown>>();

/**
 * `make(heap)`'s functions (a WebAssembly module instantiated over the backend's heap), made once per backend.
 */
export function onHeap<T>(backend: WasmBackend, make: (memory: WasmMemory) => T): T {
  let made = instances.get(backend);
  if (!made) instances.set(backend, (made = new Map()));
  if (!made.has(make)) made.set(make, make(backend.wasm.asm.memory));
  return made.get(make) as T;
}

/** Where a tensor's values start on the heap, in bytes. */
export const heapOffset = (backend: WasmBackend, t: tf.TensorInfo): number =>
  backend.dataIdMap.get(t.dataId).memoryOffset;

/**
 * `outputs` float32 tensors of `shape` computed from `inputs` on the heap, four values at a time by
 * `simd(...output offsets, ...input offsets, vectors)`, then the last values short of four one at a time by
 * `tail(input values, output values, at)`, through views taken after the allocations, which may move the heap.
 */
export function vectorsOnHeap(
  backend: WasmBackend,
  shape: number[],
  outputs: number,
  inputs: tf.TensorInfo[],
  simd: (...offsetsThenVectors: number[]) => void,
  tail: (x: KernelValues[], y: KernelValues[], at: number) => void,
): tf.TensorInfo[] {
  const outs = Array.from({ length: outputs }, () => backend.makeOutput(shape, 'float32'));
  const size = tf.util.sizeFromShape(shape);
  const vectors = Math.floor(size / 4);
  simd(...[...outs, ...inputs].map((t) => heapOffset(backend, t)), vectors);
  if (vectors * 4 < size) {
    const [x, y] = [inputs, outs].map((ts) => ts.map((t) => backend.typedArrayFromHeap(t)));
    for (let at = vectors * 4; at < size; at++) tail(x, y, at);
  }
  return outs;
}

/**
 * Runs RecLab's kernel `kernelName` where the active backend has it registered; null where it has not, so
 * that the caller composes TensorFlow.js's ops instead.
 */
export function runWhereRegistered(
  kernelName: string,
  inputs: tf.NamedTensorMap,
  attrs: tf.NamedAttrMap = {},
): tf.Tensor | tf.Tensor[] | null {
  if (!tf.getKernel(kernelName, tf.getBackend())) return null;
  return tf.engine().runKernel(kernelName, inputs, attrs) as tf.Tensor | tf.Tensor[];
}
