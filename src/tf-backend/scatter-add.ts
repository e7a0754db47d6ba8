/**
 * `UnsortedSegmentSum` is what the gradient of an embedding lookup (`tf.gather`) calls.
 * The wasm backend has no such kernel, and the cpu backend builds it from one masked sum
 * per segment, so its cost is rows × table size: an embedding table of 10,000 rows makes
 * every training step take seconds. Both get a plain scatter-add, linear in the rows; on wasm
 * rows of float32 whose width is a multiple of 4 are added as vectors (./heap-copies).
 */
import * as tf from '@tensorflow/tfjs';

import { heapCopies } from './heap-copies';
import {
  heapOffset,
  onHeap,
  registerKernels,
  type CpuBackend,
  type KernelValues as Values,
  type WasmBackend,
} from './kernel-memory';

interface SegmentInputs {
  x: tf.TensorInfo;
  segmentIds: tf.TensorInfo;
}

function outputShape({ x, segmentIds }: SegmentInputs, numSegments: number): number[] {
  return [numSegments, ...x.shape.slice(segmentIds.shape.length)];
}

/** out[ids[r]] += x[r] for every row r; ids outside [0, numSegments) are dropped, as in TensorFlow. */
export function scatterAdd(x: Values, ids: Values, numSegments: number, out: Values): void {
  const rows = ids.length;
  const inner = rows > 0 ? x.length / rows : 0;
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const to = s * inner;
    const from = r * inner;
    for (let j = 0; j < inner; j++) out[to + j] += x[from + j];
  }
}

const wasmKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as unknown as WasmBackend;
  const segments = inputs as unknown as SegmentInputs;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const out = wasm.makeOutput(outputShape(segments, numSegments), segments.x.dtype);
  const rows = tf.util.sizeFromShape(segments.segmentIds.shape);
  const inner = rows > 0 ? tf.util.sizeFromShape(segments.x.shape) / rows : 0;
  if (segments.x.dtype === 'float32' && inner % 4 === 0 && segments.segmentIds.dtype === 'int32') {
    onHeap(wasm, heapCopies).scatterAddRows(
      heapOffset(wasm, out),
      heapOffset(wasm, segments.x),
      heapOffset(wasm, segments.segmentIds),
      rows,
      inner,
      numSegments,
    );
    return out;
  }
  // Views into the wasm heap are taken after the allocation, which may move it.
  const outValues = wasm.typedArrayFromHeap(out);
  outValues.fill(0);
  scatterAdd(
    wasm.typedArrayFromHeap(segments.x),
    wasm.typedArrayFromHeap(segments.segmentIds),
    numSegments,
    outValues,
  );
  return out;
};

const cpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as unknown as CpuBackend;
  const segments = inputs as unknown as SegmentInputs;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const shape = outputShape(segments, numSegments);
  const out =
    segments.x.dtype === 'int32'
      ? new Int32Array(tf.util.sizeFromShape(shape))
      : new Float32Array(tf.util.sizeFromShape(shape));
  scatterAdd(
    cpu.data.get(segments.x.dataId).values,
    cpu.data.get(segments.segmentIds.dataId).values,
    numSegments,
    out,
  );
  return cpu.makeTensorInfo(shape, segments.x.dtype, out);
};

export const SCATTER_ADD_KERNELS = { wasm: wasmKernel, cpu: cpuKernel } as const;

export function registerScatterAddKernels(): void {
  registerKernels('UnsortedSegmentSum', SCATTER_ADD_KERNELS);
}
