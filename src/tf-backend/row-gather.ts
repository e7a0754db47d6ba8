/**
 * An embedding lookup is `tf.gather(table, ids)` on axis 0, and the wasm backend's gather
 * walks the output element by element through strided index arithmetic: 6,000 rows of 16
 * floats take about 4 ms, more than the rest of a ranker's forward pass. Copying whole rows
 * on the wasm heap (./heap-copies) gives the same tensor in a fraction of that. Other gathers (another axis,
 * batch dims, bool tensors) keep the backend's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { heapCopies } from './heap-copies';
import {
  heapOffset,
  onHeap,
  wrapWasmKernel,
  type KernelValues as Values,
  type WasmBackend,
} from './kernel-memory';

/** Throws, as TensorFlow.js's own kernels do, on an id outside [0, rows). */
export function checkRows(ids: Values, rows: number): void {
  for (let r = 0; r < ids.length; r++)
    if (!(ids[r] >= 0 && ids[r] < rows))
      throw new Error(`GatherV2: the index value ${ids[r]} is not in [0, ${rows - 1}]`);
}

export function registerRowGatherKernel(): void {
  wrapWasmKernel('GatherV2', 'copiesRows', (plain) => (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as { axis: number; batchDims?: number };
    const rank = x.shape.length;
    const rowsAxis = rank > 0 && (axis === 0 || axis === -rank);
    if (
      !rowsAxis ||
      (batchDims ?? 0) !== 0 ||
      x.dtype === 'bool' ||
      x.dtype === 'complex64' ||
      x.dtype === 'string'
    )
      return plain(args);
    const wasm = args.backend as unknown as WasmBackend;
    const rowShape = x.shape.slice(1);
    // Before the output exists, so a refused id leaves nothing behind.
    checkRows(wasm.typedArrayFromHeap(indices), x.shape[0]);
    const out = wasm.makeOutput([...indices.shape, ...rowShape], x.dtype);
    const rowBytes = tf.util.sizeFromShape(rowShape) * tf.util.bytesPerElement(x.dtype);
    onHeap(wasm, heapCopies).gatherRows(
      heapOffset(wasm, out),
      heapOffset(wasm, x),
      heapOffset(wasm, indices),
      tf.util.sizeFromShape(indices.shape),
      rowBytes,
    );
    return out;
  });
}
