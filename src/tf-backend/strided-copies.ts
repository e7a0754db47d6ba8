/**
 * Slices and concatenations on the wasm backend, as runs copied on the heap (./heap-copies).
 * The backend's Slice starts by copying the whole input out of the heap (`readSync`), then
 * copies the slice from that copy; Unpack and SplitV slice the same way once per output:
 * unstacking a GRU's 50 steps from a [50, 128, 192] projection so copied 240 MB, 30 ms,
 * where the steps themselves are 5 MB. Its Concat copies row by row in JavaScript, as slow
 * for the short rows of a ranker's embeddings (1.2 ms to join two 512 × 20 × 16 halves).
 * Strings keep the backend's own kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { heapCopies } from './heap-copies';
import { heapOffset, onHeap, wrapWasmKernel, type WasmBackend } from './kernel-memory';

/** x[begin : begin + size] as a new tensor on the heap. */
function sliceHeap(backend: WasmBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const total = tf.util.sizeFromShape(size);
  if (total === 0) return out;
  const bytes = tf.util.bytesPerElement(x.dtype);
  const strides = [...tf.util.computeStrides(x.shape), 1];
  // Axes after `inner` are taken whole, so each run of size[inner] · strides[inner] values is contiguous; the
  // axis before it gives one call's rows of runs, and the axes before that are counted here.
  let inner = x.shape.length - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === x.shape[inner]) inner--;
  const run = size[inner] * strides[inner];
  const rowsAxis = inner - 1;
  const rows = rowsAxis >= 0 ? size[rowsAxis] : 1;
  const rowStride = rowsAxis >= 0 ? strides[rowsAxis] : 0;
  const copies = onHeap(backend, heapCopies);
  const [src, dst] = [heapOffset(backend, x), heapOffset(backend, out)];
  const index = new Array<number>(Math.max(0, rowsAxis)).fill(0);
  for (let at = 0; at < total; at += rows * run) {
    let offset = begin[inner] * strides[inner] + (rowsAxis >= 0 ? begin[rowsAxis] * rowStride : 0);
    for (let d = 0; d < rowsAxis; d++) offset += (begin[d] + index[d]) * strides[d];
    copies.copyRuns(
      dst + at * bytes,
      src + offset * bytes,
      rows,
      run * bytes,
      rowStride * bytes,
      run * bytes,
    );
    for (let d = rowsAxis - 1; d >= 0 && ++index[d] === size[d]; d--) index[d] = 0;
  }
  return out;
}

const onHeapTypes = (dtype: tf.DataType) => dtype !== 'string' && dtype !== 'complex64';

export function registerStridedCopyKernels(): void {
  wrapWasmKernel('Slice', 'copiesRuns', (plain) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!onHeapTypes(x.dtype) || x.shape.length === 0) return plain(args);
    const { begin, size } = args.attrs as { begin: number | number[]; size?: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceHeap(args.backend as unknown as WasmBackend, x, b, s);
  });
  wrapWasmKernel('Unpack', 'copiesRuns', (plain) => (args) => {
    const { value } = args.inputs as { value: tf.TensorInfo };
    if (!onHeapTypes(value.dtype)) return plain(args);
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
  wrapWasmKernel('SplitV', 'copiesRuns', (plain) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!onHeapTypes(x.dtype)) return plain(args);
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    const a = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, a);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.map((d, i) => (i === a ? s : d));
      const out = sliceHeap(args.backend as unknown as WasmBackend, x, begin, size);
      begin[a] += s;
      return out;
    });
  });
  wrapWasmKernel('Concat', 'copiesRuns', (plain) => (args) => {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const parts = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    // One part is a copy of it, which the backend's kernel shares.
    if (parts.length < 2 || !onHeapTypes(parts[0].dtype)) return plain(args);
    const axis = tf.util.parseAxisParam((args.attrs as { axis: number }).axis, inputs[0].shape)[0];
    tf.backend_util.assertParamsConsistent(
      inputs.map((t) => t.shape),
      axis,
    );
    const shape = tf.backend_util.computeOutShape(
      inputs.map((t) => t.shape),
      axis,
    );
    const backend = args.backend as unknown as WasmBackend;
    const out = backend.makeOutput(shape, parts[0].dtype);
    const bytes = tf.util.bytesPerElement(parts[0].dtype);
    const rows = tf.util.sizeFromShape(shape.slice(0, axis));
    const width = tf.util.sizeFromShape(shape.slice(axis)) * bytes;
    const copies = onHeap(backend, heapCopies);
    let at = heapOffset(backend, out);
    for (const t of parts) {
      const run = tf.util.sizeFromShape(t.shape.slice(axis)) * bytes;
      copies.copyRuns(at, heapOffset(backend, t), rows, run, run, width);
      at += run;
    }
    return out;
  });
}
