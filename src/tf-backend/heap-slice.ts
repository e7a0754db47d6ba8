/**
 * The wasm backend's Slice starts by copying the whole input out of the heap (`readSync`),
 * then copies the slice from that copy; Unpack and SplitV slice the same way once per output.
 * Unstacking a GRU's 50 steps from a [50, 128, 192] projection so copied 240 MB: 30 ms, where
 * the steps themselves are 5 MB. These kernels copy the slice straight from the heap, whole
 * runs at a time. Strings keep the backend's own kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { wrapWasmKernel, type WasmBackend } from './kernel-memory';

/** x[begin : begin + size] as a new tensor on the heap. */
function sliceHeap(backend: WasmBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const count = tf.util.sizeFromShape(size);
  if (count === 0) return out;
  // Views after the allocation, which may move the heap.
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  const strides = [...tf.util.computeStrides(x.shape), 1];
  // Axes after `inner` are taken whole, so each run of size[inner] · strides[inner] values is contiguous.
  let inner = x.shape.length - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === x.shape[inner]) inner--;
  const run = size[inner] * strides[inner];
  const index = new Array<number>(inner).fill(0);
  for (let at = 0; at < count; at += run) {
    let offset = begin[inner] * strides[inner];
    for (let d = 0; d < inner; d++) offset += (begin[d] + index[d]) * strides[d];
    to.set(from.subarray(offset, offset + run), at);
    for (let d = inner - 1; d >= 0 && ++index[d] === size[d]; d--) index[d] = 0;
  }
  return out;
}

export function registerHeapSliceKernels(): void {
  wrapWasmKernel('Slice', 'slicesHeap', (plain) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string' || x.shape.length === 0) return plain(args);
    const { begin, size } = args.attrs as { begin: number | number[]; size?: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceHeap(args.backend as unknown as WasmBackend, x, b, s);
  });
  wrapWasmKernel('Unpack', 'slicesHeap', (plain) => (args) => {
    const { value } = args.inputs as { value: tf.TensorInfo };
    if (value.dtype === 'string') return plain(args);
    const rank = value.shape.length;
    const axis = tf.util.parseAxisParam((args.attrs as { axis: number }).axis, value.shape)[0];
    const shape = value.shape.filter((_, d) => d !== axis);
    const size = value.shape.map((d, i) => (i === axis ? 1 : d));
    return Array.from({ length: value.shape[axis] }, (_, i) => {
      const begin = new Array<number>(rank).fill(0);
      begin[axis] = i;
      const { dataId, dtype } = sliceHeap(args.backend as unknown as WasmBackend, value, begin, size);
      return { dataId, dtype, shape };
    });
  });
  wrapWasmKernel('SplitV', 'slicesHeap', (plain) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return plain(args);
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    const a = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, a);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.map((d, i) => (i === a ? s : d));
      const out = sliceHeap(args.backend as unknown as WasmBackend, x, [...begin], size);
      begin[a] += s;
      return out;
    });
  });
}
